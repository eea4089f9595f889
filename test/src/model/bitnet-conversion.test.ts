/**
 * `convertBitnet` between Hugging Face BitNet folders, llama.cpp bitnet GGUFs (TQ2_0/TQ1_0 + `.scale`) and bitnet.cpp
 * I2_S GGUFs (spec/forward.md §17.8): every path round-trips to byte-identical files where the output is canonical
 * (this converter's own), the logits stay bit-identical (f32 and int8-per-token, compared tensor by tensor with
 * src/run/compare.ts), and each refusal names the tensor and the reason. Fixtures: golden/external/llama-bitnet/
 * (llama-quantize's files) and golden/external/transformers-bitnet/ (transformers' folders).
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BitnetCppType, GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import type { ForwardOptions } from "../../../reference/model/forward.js";
import type { PackedMatrix } from "../../../reference/model/packed-matrix.js";
import type { LayerWeights } from "../../../reference/model/weights.js";
import { InputError } from "../../../src/errors.js";
import { parseGguf, serializeGguf } from "../../../src/gguf/index.js";
import {
  convertBitnet,
  isHfBitnetCheckpoint,
  type BitnetConvertOptions,
  type BitnetSource,
} from "../../../src/model/bitnet-conversion.js";
import { modelFromGguf, type LoadedModel } from "../../../src/model/gguf-model.js";
import { readHfCheckpoint } from "../../../src/model/hf-folder.js";
import { hfCheckpoint, modelFromHf } from "../../../src/model/hf-model.js";
import { I2S_LLAMA_CPP_PROBLEM } from "../../../src/model/i2s-linear.js";
import { compareForwardPasses } from "../../../src/run/compare.js";
import { parseSafetensors } from "../../../src/safetensors/index.js";

const LLAMA = new URL("../../../golden/external/llama-bitnet/", import.meta.url);
const HF = new URL("../../../golden/external/transformers-bitnet/", import.meta.url);
const TOKENS = [1, 300, 511];
const MODES: readonly ForwardOptions[] = [
  { activations: "f32", kvCache: "f32" },
  { activations: "int8-per-token", kvCache: "f32" },
];

/** A GGUF fixture of golden/external/llama-bitnet/ as a source (relu2: what BitNet b1.58 computes). */
function ggufFixture(name: string): BitnetSource {
  const file = parseGguf(new Uint8Array(readFileSync(new URL(name, LLAMA))), name);
  return { name, model: modelFromGguf(file, { ffnActivation: "relu2" }), activationKnown: false };
}

/** A transformers folder of golden/external/transformers-bitnet/ as a source. */
function hfFixture(name: string): BitnetSource {
  const checkpoint = readHfCheckpoint(new URL(name, HF).pathname);
  expect(isHfBitnetCheckpoint(checkpoint)).toBe(true);
  return { name, model: modelFromHf(checkpoint, { ropeStyle: "rotate-half" }), activationKnown: true };
}

/** Convert to a GGUF type: the file's bytes and the model it loads as (relu2). */
function toGguf(source: BitnetSource, type: "tq2_0" | "tq1_0" | "i2_s"): { bytes: Uint8Array; source: BitnetSource } {
  const conversion = convertBitnet(source, `out-${type}.gguf`, { type, name: "bitnet-test" });
  if (conversion.kind !== "gguf") throw new Error("expected a GGUF");
  const bytes = serializeGguf(conversion.gguf);
  const file = parseGguf(bytes, `out-${type}.gguf`);
  return {
    bytes,
    source: { name: file.name, model: modelFromGguf(file, { ffnActivation: "relu2" }), activationKnown: false },
  };
}

/** Convert to a Hugging Face folder: config.json text, model.safetensors, and the model it loads as. */
function toHf(
  source: BitnetSource,
  options: Partial<BitnetConvertOptions> = {},
): { config: string; safetensors: Uint8Array; source: BitnetSource } {
  const conversion = convertBitnet(source, "unused", {
    type: "hf-bitnet",
    name: "unused",
    weightScale: "multiply",
    ...options,
  });
  if (conversion.kind !== "hf") throw new Error("expected a folder");
  const { config, safetensors } = conversion.folder;
  const checkpoint = hfCheckpoint("out", "out/config.json", JSON.parse(JSON.stringify(config)), [
    parseSafetensors(safetensors, "out/model.safetensors", { uint8: true }),
  ]);
  const model = modelFromHf(checkpoint, { ropeStyle: "rotate-half" });
  return { config: JSON.stringify(config), safetensors, source: { name: "out", model, activationKnown: true } };
}

/** Expect two files' bytes identical (Buffer.equals: vitest's toEqual is slow on megabytes). */
function expectSameBytes(a: Uint8Array, b: Uint8Array): void {
  expect(a.length).toBe(b.length);
  expect(Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))).toBe(
    true,
  );
}

/** Expect `b`'s logits — every traced tensor — bit-identical to `a`'s in f32 and int8-per-token mode. */
function expectSameArithmetic(a: LoadedModel, b: LoadedModel): void {
  for (const options of MODES) {
    const result = compareForwardPasses(
      { label: "A", config: a.config, weights: a.weights, options },
      { label: "B", config: b.config, weights: b.weights, options },
      TOKENS,
    );
    expect(result.firstDivergence, options.activations).toBeUndefined();
    expect(result.onlyInA).toEqual([]);
    expect(result.tensors.length).toBeGreaterThan(0);
  }
}

/** The message convertBitnet throws for `source`. */
function refusal(source: BitnetSource, options: BitnetConvertOptions): string {
  try {
    convertBitnet(source, "out", options);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("not refused");
}

describe("llama.cpp bitnet GGUF (scale-tq2_0: block scale 1 + .scale) through every format", () => {
  const fixture = ggufFixture("scale-tq2_0.gguf");
  const tq2 = toGguf(fixture, "tq2_0");
  const i2s = toGguf(tq2.source, "i2_s");
  const tq1 = toGguf(i2s.source, "tq1_0");
  const hf = toHf(tq1.source, { ffnActivation: "relu2" });

  it("keeps the logits bit-identical in every format (f32, int8-per-token)", () => {
    expectSameArithmetic(fixture.model, tq2.source.model);
    expectSameArithmetic(fixture.model, i2s.source.model);
    expectSameArithmetic(fixture.model, tq1.source.model);
    expectSameArithmetic(fixture.model, hf.source.model);
  });

  it("round-trips to byte-identical files: GGUF → HF → GGUF, I2_S ↔ TQ, HF → I2_S → HF", () => {
    expectSameBytes(toGguf(hf.source, "tq2_0").bytes, tq2.bytes);
    expectSameBytes(toGguf(tq1.source, "tq2_0").bytes, tq2.bytes);
    expectSameBytes(toGguf(i2s.source, "tq2_0").bytes, tq2.bytes);
    expectSameBytes(toGguf(hf.source, "i2_s").bytes, i2s.bytes);
    expectSameBytes(toGguf(tq2.source, "tq1_0").bytes, tq1.bytes);
    const again = toHf(toGguf(hf.source, "i2_s").source, { ffnActivation: "relu2" });
    expectSameBytes(again.safetensors, hf.safetensors);
    expect(again.config).toBe(hf.config);
  });

  it("writes what bitnet.cpp's converter writes: bitnet-b1.58 keys, file type 40, I2_S with the scale in the tail", () => {
    const file = parseGguf(i2s.bytes, "i2s.gguf");
    expect(file.getString("general.architecture")).toBe("bitnet-b1.58");
    expect(file.getUint32("general.file_type")).toBe(40);
    expect(file.getUint32("bitnet-b1.58.attention.head_count_kv")).toBe(1);
    expect(file.get("general.quantization_version")).toBeUndefined();
    expect(file.tensor("blk.0.attn_q.weight")?.type).toBe(BitnetCppType.I2_S);
    expect(file.tensor("blk.0.attn_q.scale")).toBeUndefined();
    expect(file.tensor("token_embd.weight")?.type).toBe(GgmlType.F32); // N(0,1) float32: float16 cannot hold it
    expect(file.tensor("output.weight")).toBeUndefined();
    const scale = fixture.model.weights.layers[1].outputScales?.wDown;
    const down = file.tensor("blk.1.ffn_down.weight");
    const data = down?.data as Uint8Array;
    const tail = new DataView(data.buffer, data.byteOffset + (512 * 1280) / 4, 4).getFloat32(0, true);
    expect(tail).toBe(scale?.value);
    expect(i2s.source.model.llamaCppProblem).toBe(I2S_LLAMA_CPP_PROBLEM);
    expect(tq2.source.model.llamaCppProblem).toBeUndefined();
  });

  it("writes llama.cpp bitnet files: TQ2_0 block scale 1 with the F32 .scale tensor after each weight", () => {
    const file = parseGguf(tq2.bytes, "tq2.gguf");
    expect(file.getString("general.architecture")).toBe("bitnet");
    expect(file.getUint32("general.file_type")).toBe(37);
    const names = file.tensors.map((t) => t.name);
    expect(names.indexOf("blk.0.attn_q.scale")).toBe(names.indexOf("blk.0.attn_q.weight") + 1);
    expectSameBytes(file.tensor("blk.0.attn_q.weight")?.data as Uint8Array, fixture.model.weights.layers[0].wq.data);
  });

  it("writes a transformers folder: packed U8, weight_scale, hidden_act and linear_class as asked", () => {
    const config = JSON.parse(hf.config) as Record<string, unknown>;
    expect(config).toMatchObject({
      architectures: ["BitNetForCausalLM"],
      hidden_act: "relu2",
      rms_norm_eps: 0.00001,
      tie_word_embeddings: true,
      torch_dtype: "float32",
      quantization_config: { quant_method: "bitnet", linear_class: "autobitlinear", quantization_mode: "offline" },
    });
    const file = parseSafetensors(hf.safetensors, "m", { uint8: true });
    expect(file.tensors.get("model.layers.0.self_attn.q_proj.weight")).toMatchObject({
      dtype: "U8",
      shape: [128, 512],
    });
    // an f32 scale bfloat16 cannot hold is written F32 (not rounded), and torch_dtype float32 keeps it so
    expect(file.tensors.get("model.layers.0.self_attn.q_proj.weight_scale")).toMatchObject({
      dtype: "F32",
      shape: [1],
    });
    expect(file.tensors.get("model.layers.0.input_layernorm.weight")?.dtype).toBe("F32");
  });
});

describe("transformers folders", () => {
  const auto = hfFixture("autobitlinear");
  const bit = hfFixture("bitlinear");

  it("AutoBitLinear (multiply) → TQ2_0 and I2_S keeps the logits, and back to an identical folder", () => {
    const tq2 = toGguf(auto, "tq2_0");
    expectSameArithmetic(auto.model, tq2.source.model);
    expectSameArithmetic(auto.model, toGguf(auto, "i2_s").source.model);
    const folder = toHf(auto);
    expectSameArithmetic(auto.model, folder.source.model);
    expect(JSON.parse(folder.config)).toMatchObject({ torch_dtype: "bfloat16", hidden_act: "relu2" });
    const weights = parseSafetensors(folder.safetensors, "m", { uint8: true });
    expect(weights.tensors.get("model.layers.1.mlp.down_proj.weight_scale")?.dtype).toBe("BF16"); // as released
    expectSameBytes(toHf(tq2.source, { ffnActivation: "relu2" }).safetensors, folder.safetensors);
  });

  it("BitLinear (divide) stays a divide folder, bit for bit, and is refused where its reciprocal is not exact", () => {
    const folder = toHf(bit, { weightScale: "divide" });
    expectSameArithmetic(bit.model, folder.source.model);
    expectSameBytes(toHf(folder.source, { weightScale: "divide" }).safetensors, folder.safetensors);
    expect(refusal(bit, { type: "tq2_0", name: "x" })).toBe(
      "bitlinear: tensor 'blk.0.attn_q.weight': its output divides by 0.625, whose reciprocal is not exact in float32, " +
        "so no multiplier gives the same outputs (keep the convention: --weight-scale divide)",
    );
    expect(refusal(bit, { type: "hf-bitnet", name: "x", weightScale: "multiply" })).toContain(
      "tensor 'model.layers.0.self_attn.q_proj.weight': its output divides by 0.625",
    );
  });
});

/** `model` with layer 0's `patch` applied. */
function patched(source: BitnetSource, patch: Partial<LayerWeights>): BitnetSource {
  const layers = source.model.weights.layers.map((layer, l) => (l === 0 ? { ...layer, ...patch } : layer));
  return { ...source, model: { ...source.model, weights: { ...source.model.weights, layers } } };
}

/** A float32 matrix [rows, cols] of values ±v (alternating), for shapes the fixtures do not have. */
function f32Matrix(rows: number, cols: number, v = 1): PackedMatrix {
  const values = Float32Array.from({ length: rows * cols }, (_, i) => (i % 3 === 0 ? 0 : i % 2 === 0 ? v : -v));
  return { type: GgmlType.F32, rows, cols, data: quantizeRow(GgmlType.F32, values) };
}

describe("refusals: one line naming the source, the tensor and what would be lost", () => {
  const scale = ggufFixture("scale-tq2_0.gguf");

  it("a TQ tensor whose weights are ±d with d ≠ 1 (llama-quantize of T·s), and blocks with different scales", () => {
    const ts = refusal(ggufFixture("ts-tq2_0.gguf"), { type: "i2_s", name: "x" });
    expect(ts).toMatch(
      /^ts-tq2_0\.gguf: tensor 'blk\.0\.attn_q\.weight' \(TQ2_0\): its weights are ±0\.05[0-9]+, not ±1: /,
    );
    expect(ts).toMatch(/: moving that block scale into the per-tensor scale changes the float32 rounding$/);
    const values = Float32Array.from({ length: 512 * 512 }, (_, i) => (i < 256 ? 2 : i % 2 === 0 ? 1 : -1));
    const wq = { type: GgmlType.TQ2_0, rows: 512, cols: 512, data: quantizeRow(GgmlType.TQ2_0, values) };
    const hfOptions = { type: "hf-bitnet", name: "x", weightScale: "multiply", ffnActivation: "relu2" } as const;
    expect(refusal(patched(scale, { wq }), hfOptions)).toBe(
      "scale-tq2_0.gguf: tensor 'model.layers.0.self_attn.q_proj.weight' (TQ2_0): its blocks carry different scales " +
        "(1, 2), and a per-tensor format holds one",
    );
  });

  it("shapes: I2_S needs cols % 128, TQ cols % 256, a packed folder rows % 4", () => {
    expect(refusal(patched(scale, { wq: f32Matrix(512, 320) }), { type: "i2_s", name: "x" })).toBe(
      "scale-tq2_0.gguf: tensor 'blk.0.attn_q.weight' has 320 columns; I2_S needs a multiple of 128 (its block)",
    );
    expect(refusal(patched(scale, { wq: f32Matrix(512, 384) }), { type: "tq1_0", name: "x" })).toBe(
      "scale-tq2_0.gguf: tensor 'blk.0.attn_q.weight' has 384 columns; TQ1_0 needs a multiple of 256 (its block)",
    );
    const hfOptions = { type: "hf-bitnet", name: "x", weightScale: "multiply", ffnActivation: "relu2" } as const;
    expect(refusal(patched(scale, { wk: f32Matrix(6, 512) }), hfOptions)).toBe(
      "scale-tq2_0.gguf: tensor 'model.layers.0.self_attn.k_proj.weight' has 6 output rows, not a multiple of 4: " +
        "transformers' pack_weights cannot hold it",
    );
  });

  it("the FFN activation: a GGUF records none, so a folder needs --ffn-activation", () => {
    expect(refusal(scale, { type: "hf-bitnet", name: "x", weightScale: "multiply" })).toBe(
      "scale-tq2_0.gguf: records no FFN activation (GGUF has no key for it): name hidden_act with --ffn-activation relu2|silu",
    );
    expect(JSON.parse(toHf(scale, { ffnActivation: "silu" }).config)).toMatchObject({ hidden_act: "silu" });
  });

  it("a change of convention with an exact reciprocal is lossless: divide by 0.5 = multiply by 2", () => {
    const outputScales = { ...scale.model.weights.layers[0].outputScales, wq: { value: 0.5, op: "divide" as const } };
    const halved = patched(scale, { outputScales });
    const tq2 = toGguf(halved, "tq2_0");
    const file = parseGguf(tq2.bytes, "x.gguf");
    expect(file.tensor("blk.0.attn_q.scale")?.data).toEqual(quantizeRow(GgmlType.F32, Float32Array.of(2)));
    expectSameArithmetic(halved.model, tq2.source.model);
    const inverse = refusal(halved, { type: "hf-bitnet", name: "x", weightScale: "divide", ffnActivation: "relu2" });
    expect(inverse).toMatch(
      /tensor 'model\.layers\.0\.self_attn\.k_proj\.weight': its output multiplies by [0-9.e-]+, /,
    );
    expect(inverse).toMatch(
      /, whose reciprocal is not exact in float32, so no divisor gives the same outputs \(keep the convention: --weight-scale multiply\)$/,
    );
  });

  it("models that are not BitNet, or whose head is not tied", () => {
    const untied = {
      ...scale,
      model: { ...scale.model, weights: { ...scale.model.weights, output: f32Matrix(512, 512) } },
    };
    expect(refusal(untied, { type: "tq2_0", name: "x" })).toBe(
      "scale-tq2_0.gguf: has an lm head apart from the token embedding; llama.cpp's and bitnet.cpp's bitnet architectures tie them",
    );
    const llama = {
      ...scale,
      model: { ...scale.model, config: { ...scale.model.config, architecture: "llama" as const } },
    };
    expect(refusal(llama, { type: "i2_s", name: "x" })).toMatch(/^scale-tq2_0\.gguf: is a llama model, not BitNet/);
  });
});
