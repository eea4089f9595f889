/**
 * Loading Hugging Face BitNetForCausalLM folders (src/model/hf-bitnet.ts through src/model/hf-model.ts): the
 * quantization_config → weight_scale convention as transformers 5.18 chooses the linear class, hidden_act, packed
 * uint8 weights stored exactly as TQ2_0, sub-norms and output scales, and every bad input an InputError naming the
 * file and the key or tensor. The folders are golden/external/transformers-bitnet's (made by transformers itself).
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GgmlType, unpackHfBitnet } from "../../../reference/codec/index.js";
import { decodeMatrixRow } from "../../../reference/model/packed-matrix.js";
import { InputError } from "../../../src/errors.js";
import { convertHfCheckpoint } from "../../../src/model/convert.js";
import { convertHfToTrirun } from "../../../src/model/convert-trirun.js";
import { readHfCheckpoint } from "../../../src/model/hf-folder.js";
import { hfBitnetActivation, hfBitnetLinear, hfBitnetScaleConvention } from "../../../src/model/hf-bitnet.js";
import { hfCheckpoint, modelFromHf, type HfCheckpoint } from "../../../src/model/hf-model.js";
import { parseSafetensors } from "../../../src/safetensors/index.js";

const GOLDEN = new URL("../../../golden/external/transformers-bitnet/", import.meta.url);
const FOLDER = (name: string) => new URL(name, GOLDEN).pathname;
const ROTATE_HALF = { ropeStyle: "rotate-half" } as const;

/** The InputError `run` throws: one line, its file and problem. */
function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).not.toContain("\n");
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

/** The AutoBitLinear fixture with its config changed by `edit` and tensor `name`'s bytes by `bytes`. */
function edited(edit: (config: Record<string, unknown>) => void, name?: string, bytes?: (data: Uint8Array) => void) {
  const dir = FOLDER("autobitlinear");
  const config = JSON.parse(readFileSync(`${dir}/config.json`, "utf8")) as Record<string, unknown>;
  edit(config);
  const copy = new Uint8Array(readFileSync(`${dir}/model.safetensors`));
  const file = parseSafetensors(copy, `${dir}/model.safetensors`, { uint8: true });
  if (name !== undefined && bytes !== undefined) bytes(file.tensors.get(name)?.data ?? new Uint8Array());
  return hfCheckpoint(dir, `${dir}/config.json`, config, [file]);
}

describe("quantization_config → the weight_scale convention", () => {
  test("autobitlinear offline multiplies, bitlinear (the default) divides, whatever the mode", () => {
    const q = { quant_method: "bitnet" };
    expect(hfBitnetScaleConvention("c", { ...q, linear_class: "autobitlinear", quantization_mode: "offline" })).toBe(
      "multiply",
    );
    expect(hfBitnetScaleConvention("c", { ...q, linear_class: "bitlinear", quantization_mode: "online" })).toBe(
      "divide",
    );
    expect(hfBitnetScaleConvention("c", { ...q, modules_to_not_convert: ["lm_head"] })).toBe("divide");
  });

  test.each([
    [undefined, "without 'quantization_config'"],
    [
      { quant_method: "bitnet", linear_class: "autobitlinear", quantization_mode: "online" },
      '"online" is not supported',
    ],
    [{ quant_method: "bitnet", linear_class: "bitlinear2" }, 'linear_class "bitlinear2" is not'],
    [{ quant_method: "gptq" }, 'quant_method "gptq" is not supported'],
    [{ quant_method: "bitnet", use_rms_norm: true }, "use_rms_norm true is not supported"],
    [{ quant_method: "bitnet", modules_to_not_convert: ["lm_head", "model.layers.0"] }, "modules_to_not_convert"],
    [{ quant_method: "bitnet", weight_scale_mode: "x" }, "unsupported key 'quantization_config.weight_scale_mode'"],
  ])("refuses %j naming config.json and the key", (quantization, message) => {
    const error = inputErrorOf(() => hfBitnetScaleConvention("dir/config.json", quantization));
    expect(error.file).toBe("dir/config.json");
    expect(error.problem).toContain(message);
  });

  test("hidden_act: relu2 (BitNetConfig's default) or silu; anything else refused", () => {
    expect(hfBitnetActivation("c", undefined)).toBe("relu2");
    expect(hfBitnetActivation("c", "silu")).toBe("silu");
    expect(inputErrorOf(() => hfBitnetActivation("c", "gelu")).problem).toContain('hidden_act "gelu" is not supported');
  });
});

describe("the transformers-made folders", () => {
  test.each([
    ["autobitlinear", "multiply"],
    ["bitlinear", "divide"],
  ] as const)("%s: bitnet, relu2, GQA 4:1 of head_dim 128, tied, weights exact, scales %s", (name, op) => {
    const checkpoint = readHfCheckpoint(FOLDER(name));
    const { config, weights } = modelFromHf(checkpoint, ROTATE_HALF);
    expect(config).toMatchObject({
      architecture: "bitnet",
      ffnActivation: "relu2",
      nHeads: 4,
      nKvHeads: 1,
      headDim: 128,
    });
    expect(weights.output).toBe(weights.tokenEmbedding);
    const tensor = (n: string) => checkpoint.tensors.get(n)?.tensor;
    for (const [l, layer] of weights.layers.entries()) {
      expect(layer.attnSubNorm?.length).toBe(512);
      expect(layer.ffnSubNorm?.length).toBe(1024);
      const packed = tensor(`model.layers.${l}.mlp.down_proj.weight`);
      const ternary = unpackHfBitnet(packed?.data ?? new Uint8Array(), 128, 1024);
      expect(layer.wDown.type).toBe(GgmlType.TQ2_0);
      for (const r of [0, 129, 511])
        expect(Array.from(decodeMatrixRow(layer.wDown, r))).toEqual(
          Array.from(ternary.subarray(r * 1024, (r + 1) * 1024)),
        );
      const scale = layer.outputScales?.wDown;
      expect(scale?.op).toBe(op);
      const bf16 = tensor(`model.layers.${l}.mlp.down_proj.weight_scale`)?.data ?? new Uint8Array(2);
      expect(scale?.value).toBe(new Float32Array(new Uint32Array([(bf16[0] | (bf16[1] << 8)) << 16]).buffer)[0]);
      expect(Object.keys(layer.outputScales ?? {}).sort()).toEqual(["wDown", "wGate", "wUp", "wk", "wo", "wq", "wv"]);
    }
  });
});

describe("bad BitNet input: an InputError naming the file and the key or tensor", () => {
  const weightName = "model.layers.1.self_attn.k_proj.weight";
  const cases: [string, () => HfCheckpoint, string, string][] = [
    ["hidden_act", () => edited((c) => (c.hidden_act = "swish")), "config.json", 'hidden_act "swish"'],
    [
      "linear_class",
      () => edited((c) => ((c.quantization_config as Record<string, unknown>).linear_class = "x")),
      "config.json",
      "linear_class",
    ],
    ["model_type", () => edited((c) => (c.model_type = "llama")), "config.json", "unsupported model_type"],
    [
      "code 3",
      () =>
        edited(
          () => undefined,
          weightName,
          (d) => (d[5] = 0xff),
        ),
      "model.safetensors",
      `'${weightName}': code 3`,
    ],
    [
      "scale ≤ 0",
      () =>
        edited(
          () => undefined,
          "model.layers.0.mlp.up_proj.weight_scale",
          (d) => (d[1] |= 0x80),
        ),
      "model.safetensors",
      "weight_scale -",
    ],
  ];
  test.each(cases)("%s", (_name, checkpoint, file, message) => {
    const error = inputErrorOf(() => modelFromHf(checkpoint(), ROTATE_HALF));
    expect(error.file.endsWith(file)).toBe(true);
    expect(error.problem).toContain(message);
  });

  test("a missing sub-norm names the checkpoint and the tensor", () => {
    const base = edited(() => undefined);
    const tensors = new Map(base.tensors);
    tensors.delete("model.layers.0.mlp.ffn_sub_norm.weight");
    const error = inputErrorOf(() => modelFromHf({ ...base, tensors }, ROTATE_HALF));
    expect(error.problem).toBe("missing tensor 'model.layers.0.mlp.ffn_sub_norm.weight'");
  });

  test("a llama config refuses BitNet's extra tensors", () => {
    const checkpoint = edited((c) => {
      c.architectures = ["LlamaForCausalLM"];
      c.model_type = "llama";
      c.hidden_act = "silu";
    });
    expect(inputErrorOf(() => modelFromHf(checkpoint, ROTATE_HALF)).problem).toMatch(/unsupported tensor '.*'/);
  });
});

describe("conversion refuses a BitNet folder rather than drop its sub-norms and scales", () => {
  const checkpoint = readHfCheckpoint(FOLDER("bitlinear"));
  test("to a llama GGUF", () => {
    const error = inputErrorOf(() => convertHfCheckpoint(checkpoint, "out.gguf", { type: "tq2_0", name: "x" }));
    expect(error.problem).toBe("is a BitNet checkpoint: its sub-norms and weight_scale have no llama GGUF tensors");
  });
  test("to TriRun", () => {
    expect(inputErrorOf(() => convertHfToTrirun(checkpoint, "auto")).problem).toContain("is a BitNet checkpoint");
  });
});

describe("hfBitnetLinear", () => {
  const u8 = (shape: number[]) => ({
    file: "m.safetensors",
    tensor: {
      name: "w",
      dtype: "U8" as const,
      shape,
      dataOffsets: [0, 0] as const,
      data: new Uint8Array(shape[0] * shape[1]),
    },
  });
  const scale = {
    file: "m.safetensors",
    tensor: {
      name: "s",
      dtype: "F32" as const,
      shape: [1],
      dataOffsets: [0, 4] as const,
      data: new Uint8Array(new Float32Array([2]).buffer),
    },
  };

  test("stores the ternary rows as TQ2_0 (all bytes 0: every t = −1) with the scale and its op", () => {
    const { matrix, scale: s } = hfBitnetLinear(u8([1, 256]), scale, 4, 256, "divide");
    expect(matrix).toMatchObject({ type: GgmlType.TQ2_0, rows: 4, cols: 256 });
    expect(Array.from(decodeMatrixRow(matrix, 3)).every((v) => v === -1)).toBe(true); // code 0 everywhere: t = −1
    expect(s).toEqual({ value: 2, op: "divide" });
  });

  test("refuses a shape other than [out/4, in] and an input width that is not a multiple of 256", () => {
    expect(inputErrorOf(() => hfBitnetLinear(u8([2, 256]), scale, 4, 256, "multiply")).problem).toBe(
      "tensor 'w' is U8 [2, 256], expected packed U8 [1, 256] (out/4, in)",
    );
    expect(inputErrorOf(() => hfBitnetLinear(u8([1, 8]), scale, 4, 8, "multiply")).problem).toBe(
      "tensor 'w' has 8 columns, not a multiple of 256 (the oracle stores it as TQ2_0)",
    );
  });
});
