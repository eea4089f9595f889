/**
 * llama-quantize reproduced (spec/gguf.md §8): quantizing llama.cpp's tiny-f32.gguf must give
 * exactly the bytes llama-quantize wrote — tensor by tensor and as a whole file — and the type
 * rules, tensor order and refusals follow llama.cpp's src/llama-quant.cpp.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import { InputError, UsageError } from "../../../src/errors.js";
import { GgufFile, type GgufTensor } from "../../../src/gguf/gguf-file.js";
import { llamaQuantizeType, type TensorTypeContext } from "../../../src/gguf/quantize-policy.js";
import { quantizeModel, type TernaryTarget } from "../../../src/gguf/quantize.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { compareWeightNames, layerOfName } from "../../../src/gguf/tensor-order.js";
import { GgufValueType, type GgufKeyValue } from "../../../src/gguf/value.js";
import { serializeGguf } from "../../../src/gguf/writer.js";

const llama = (name: string): GgufFile =>
  parseGguf(new Uint8Array(readFileSync(new URL(`../../../golden/external/llama/${name}`, import.meta.url))), name);
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");
const F16_EMBEDDINGS = { tokenEmbeddingType: GgmlType.F16, outputTensorType: GgmlType.F16 };

/** Offset of the first byte where `a` and `b` differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** The InputError `run` raises (failing the test if it raises something else or nothing). */
function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw new Error(`expected an InputError, got ${String(error)}`);
  }
  throw new Error("expected an InputError, got none");
}

describe.each([
  [GgmlType.TQ2_0, "tiny-tq2_0.gguf"],
  [GgmlType.TQ1_0, "tiny-tq1_0.gguf"],
] as const)("quantizing tiny-f32.gguf to type %i reproduces %s", (target, reference) => {
  const expected = llama(reference);
  const ours = quantizeModel(llama("tiny-f32.gguf"), target, F16_EMBEDDINGS);

  test("the same tensors, in the same order, with the same types and shapes", () => {
    expect(ours.tensors.map((t) => [t.name, t.type, t.ne])).toEqual(
      expected.tensors.map((t) => [t.name, t.type, t.ne]),
    );
    expect(ours.tensors.filter((t) => t.type === target)).toHaveLength(14);
  });

  test("(a) every ternary tensor's bytes are llama-quantize's", () => {
    for (const tensor of ours.tensors.filter((t) => t.type === target)) {
      const theirs = expected.tensor(tensor.name)?.data ?? new Uint8Array();
      expect(firstDifference(tensor.data, theirs), `${tensor.name}: first differing byte`).toBe(-1);
    }
  });

  test("(b) every other tensor's bytes are llama-quantize's (f16 embeddings, f32 norms)", () => {
    const others = ours.tensors.filter((t) => t.type !== target);
    expect(others.map((t) => t.type).sort()).toEqual([0, 0, 0, 0, 0, 1, 1]);
    for (const tensor of others) {
      const theirs = expected.tensor(tensor.name)?.data ?? new Uint8Array();
      expect(firstDifference(tensor.data, theirs), `${tensor.name}: first differing byte`).toBe(-1);
    }
  });

  test("(c) the whole file is byte-identical", () => {
    const written = serializeGguf(ours);
    const theirs = serializeGguf(expected);
    expect(firstDifference(written, theirs), "first differing offset").toBe(-1);
    expect(sha256(written)).toBe(
      sha256(new Uint8Array(readFileSync(new URL(`../../../golden/external/llama/${reference}`, import.meta.url)))),
    );
  });

  test("metadata: the input's, with quantization_version 2 and file_type moved to the end", () => {
    expect(ours.metadata.slice(-2)).toEqual([
      { key: "general.quantization_version", value: { type: GgufValueType.UINT32, value: 2 } },
      { key: "general.file_type", value: { type: GgufValueType.UINT32, value: target === GgmlType.TQ1_0 ? 36 : 37 } },
    ]);
    expect(ours.metadata).toEqual(expected.metadata);
  });
});

test("quantizing llama-quantize's own output again changes nothing", () => {
  const tq2 = llama("tiny-tq2_0.gguf");
  expect(firstDifference(serializeGguf(quantizeModel(tq2, GgmlType.TQ2_0, F16_EMBEDDINGS)), serializeGguf(tq2))).toBe(
    -1,
  );
});

describe("llama's tensor order (weight_name_comparer)", () => {
  test("tensors outside blk.N first, then by layer number, then by name", () => {
    const names = [
      "blk.10.a",
      "blk.2.b",
      "output.weight",
      "blk.2.a",
      "token_embd.weight",
      "blk.0.z",
      "output_norm.weight",
    ];
    expect([...names].sort(compareWeightNames)).toEqual([
      "output.weight",
      "output_norm.weight",
      "token_embd.weight",
      "blk.0.z",
      "blk.2.a",
      "blk.2.b",
      "blk.10.a",
    ]);
  });

  test('the layer as sscanf("blk.%d.") reads it', () => {
    expect(layerOfName("blk.12.attn_q.weight")).toBe(12);
    expect(layerOfName("blk. 3.x")).toBe(3);
    expect(layerOfName("blk.-1.x")).toBe(-1);
    expect(layerOfName("blk.+7x")).toBe(7);
    expect(layerOfName("blk.x.y")).toBe(-1);
    expect(layerOfName("xblk.1.y")).toBe(-1);
  });

  test("names compare by UTF-8 bytes, as std::string does", () => {
    expect(["\uFF21", "\u{1F600}", "b", "B"].sort(compareWeightNames)).toEqual(["B", "b", "\uFF21", "\u{1F600}"]);
  });
});

describe("the type llama-quantize picks for each tensor", () => {
  const ctx: TensorTypeContext = {
    fileName: "m.gguf",
    target: GgmlType.TQ2_0,
    architecture: "llama",
    expertCount: 0,
    tiedEmbeddings: false,
  };
  const pick = (name: string, ne: number[], context: TensorTypeContext = ctx, type = GgmlType.F32): number =>
    llamaQuantizeType(name, type, ne, context);

  test("2-D weights whose rows are whole 256-blocks become the target", () => {
    expect(pick("blk.0.ffn_down.weight", [768, 256])).toBe(GgmlType.TQ2_0);
    expect(pick("blk.0.attn_v.weight", [256, 128], { ...ctx, target: GgmlType.TQ1_0 })).toBe(GgmlType.TQ1_0);
    expect(pick("abcde", [256, 2])).toBe(GgmlType.TQ2_0);
  });

  test("1-D tensors, norms, non-weights and a trailing dimension of 1 keep their type", () => {
    expect(pick("blk.0.attn_norm.weight", [256])).toBe(GgmlType.F32);
    expect(pick("blk.0.ffn_norm.weight", [256, 4])).toBe(GgmlType.F32);
    expect(pick("blk.0.attn_q.bias", [256, 4])).toBe(GgmlType.F32);
    expect(pick("blk.0.attn_q.weight", [256, 1])).toBe(GgmlType.F32);
    expect(pick("blk.0.ffn_gate_inp.weight", [256, 8])).toBe(GgmlType.F32);
  });

  test("rows that are not whole 256-blocks fall back to q4_0, or to f16 when not whole 32-blocks either", () => {
    expect(pick("blk.0.attn_q.weight", [320, 4])).toBe(2);
    expect(pick("blk.0.attn_q.weight", [48, 4])).toBe(GgmlType.F16);
  });

  test("embeddings and output: the options, else llama's defaults (q4_K, q6_K, q8_0)", () => {
    expect(pick("token_embd.weight", [256, 8], { ...ctx, tokenEmbeddingType: GgmlType.Q8_0 })).toBe(GgmlType.Q8_0);
    expect(pick("output.weight", [256, 8], { ...ctx, outputTensorType: GgmlType.BF16 })).toBe(GgmlType.BF16);
    expect(pick("token_embd.weight", [256, 8])).toBe(12);
    expect(pick("output.weight", [256, 8])).toBe(14);
    expect(pick("output.weight", [320, 8])).toBe(GgmlType.Q8_0);
    expect(pick("output.weight", [256, 8], { ...ctx, architecture: "falcon" })).toBe(GgmlType.Q8_0);
  });

  test("tied embeddings: token_embd is treated as the output matrix", () => {
    const tied = { ...ctx, tiedEmbeddings: true };
    expect(pick("token_embd.weight", [256, 8], tied)).toBe(14);
    expect(pick("token_embd.weight", [256, 8], { ...tied, outputTensorType: GgmlType.F16 })).toBe(GgmlType.F16);
    expect(
      pick("token_embd.weight", [256, 8], {
        ...tied,
        outputTensorType: GgmlType.F16,
        tokenEmbeddingType: GgmlType.BF16,
      }),
    ).toBe(GgmlType.BF16);
  });

  test("8 experts: attention v and k matrices become q8_0", () => {
    const moe = { ...ctx, expertCount: 8 };
    expect(pick("blk.0.attn_v.weight", [256, 128], moe)).toBe(GgmlType.Q8_0);
    expect(pick("blk.0.attn_k.weight", [256, 128], moe)).toBe(GgmlType.Q8_0);
    expect(pick("blk.0.attn_q.weight", [256, 128], moe)).toBe(GgmlType.TQ2_0);
  });

  test("no fallback for q8_0: llama-quantize stops", () => {
    expect(() => pick("output.weight", [40, 8])).toThrow(
      /has 40 columns, not a multiple of the q8_0 block, and llama-quantize defines no fallback for q8_0/,
    );
  });
});

/** An F32 matrix of ternary values × 0.5. */
function ternaryF32Tensor(name: string, ne: number[]): GgufTensor {
  const values = new Float32Array(ne.reduce((a, b) => a * b, 1)).map((_, i) => ((i % 3) - 1) * 0.5);
  return { name, type: GgmlType.F32, ne, data: quantizeRow(GgmlType.F32, values) };
}

/** A tiny model: F32 embedding, output and norm, then `extra`. */
function tinyModel(extra: GgufTensor[] = [], metadata: GgufKeyValue[] = []): GgufFile {
  return GgufFile.create(
    "tiny.gguf",
    [{ key: "general.architecture", value: { type: GgufValueType.STRING, value: "llama" } }, ...metadata],
    [
      ternaryF32Tensor("token_embd.weight", [256, 4]),
      ternaryF32Tensor("output.weight", [256, 4]),
      ternaryF32Tensor("output_norm.weight", [256]),
      ...extra,
    ],
  );
}

describe("quantizeModel refuses what llama-quantize refuses or what the oracle cannot write", () => {
  test("without options, token_embd becomes q4_K and output q6_K, as llama-quantize writes them", () => {
    const out = quantizeModel(tinyModel(), GgmlType.TQ2_0);
    expect(out.tensor("token_embd.weight")).toMatchObject({ type: GgmlType.Q4_K, byteSize: 4 * 144 });
    expect(out.tensor("output.weight")).toMatchObject({ type: GgmlType.Q6_K, byteSize: 4 * 210 });
  });

  test("a token_embd whose rows are not whole 256-blocks falls back to q5_0: InputError with a hint", () => {
    const model = GgufFile.create(
      "tiny.gguf",
      [{ key: "general.architecture", value: { type: GgufValueType.STRING, value: "llama" } }],
      [ternaryF32Tensor("token_embd.weight", [320, 4]), ternaryF32Tensor("output.weight", [256, 4])],
    );
    expect(inputError(() => quantizeModel(model, GgmlType.TQ2_0, { outputTensorType: GgmlType.F16 })).problem).toMatch(
      /^llama-quantize would store tensor 'token_embd.weight' as q5_0, which the oracle does not implement; choose its type with tokenEmbeddingType/,
    );
  });

  test("a matrix whose rows are not whole 256-blocks becomes q4_0", () => {
    const model = tinyModel([ternaryF32Tensor("blk.0.attn_q.weight", [320, 2])]);
    expect(quantizeModel(model, GgmlType.TQ1_0, F16_EMBEDDINGS).tensor("blk.0.attn_q.weight")).toMatchObject({
      type: GgmlType.Q4_0,
      byteSize: 2 * 10 * 18,
    });
  });

  test("…but one whose rows are not whole 32-blocks falls back to f16, which the oracle writes", () => {
    const model = tinyModel([ternaryF32Tensor("blk.0.attn_q.weight", [48, 2])]);
    const out = quantizeModel(model, GgmlType.TQ1_0, F16_EMBEDDINGS);
    expect(out.tensor("blk.0.attn_q.weight")).toMatchObject({ type: GgmlType.F16, ne: [48, 2], byteSize: 192 });
  });

  test("a trailing dimension of 1 is dropped, as ggml writes n_dims", () => {
    const model = tinyModel([ternaryF32Tensor("blk.0.attn_q.weight", [256, 1, 1])]);
    expect(quantizeModel(model, GgmlType.TQ2_0, F16_EMBEDDINGS).tensor("blk.0.attn_q.weight")).toMatchObject({
      type: GgmlType.F32,
      ne: [256],
    });
  });

  test("requantizing a quantized tensor", () => {
    expect(inputError(() => quantizeModel(llama("tiny-tq2_0.gguf"), GgmlType.TQ1_0, F16_EMBEDDINGS)).problem).toBe(
      "tensor 'blk.0.attn_k.weight' is tq2_0; llama-quantize does not requantize tq2_0 to tq1_0 (without --allow-requantize)",
    );
  });

  test("an input tensor holding NaN (ggml_validate_row_data at load)", () => {
    const bad: GgufTensor = {
      name: "blk.0.attn_q.weight",
      type: GgmlType.F32,
      ne: [256, 1, 2],
      data: quantizeRow(GgmlType.F32, new Float32Array(512).fill(NaN)),
    };
    expect(inputError(() => quantizeModel(tinyModel([bad]), GgmlType.TQ2_0, F16_EMBEDDINGS)).problem).toBe(
      "tensor 'blk.0.attn_q.weight' has invalid data (element 0 is infinite or NaN); llama-quantize refuses to load it",
    );
  });

  test("a block whose absmax overflows fp16 gives an infinite scale (ggml_validate_row_data after quantizing)", () => {
    const big: GgufTensor = {
      name: "blk.0.attn_q.weight",
      type: GgmlType.F32,
      ne: [256, 2],
      data: quantizeRow(GgmlType.F32, new Float32Array(512).fill(1e6)),
    };
    expect(inputError(() => quantizeModel(tinyModel([big]), GgmlType.TQ2_0, F16_EMBEDDINGS)).problem).toBe(
      "tensor 'blk.0.attn_q.weight' quantized to tq2_0 fails ggml's validation (block 0 has an infinite or NaN scale); llama-quantize stops here",
    );
  });

  test("option and target types llama-quantize cannot write are usage errors", () => {
    expect(() => quantizeModel(tinyModel(), GgmlType.TQ2_0, { tokenEmbeddingType: GgmlType.Q8_K })).toThrow(UsageError);
    expect(() => quantizeModel(tinyModel(), GgmlType.Q8_0 as TernaryTarget)).toThrow(
      new UsageError("quantize target must be tq1_0 or tq2_0, not q8_0"),
    );
  });

  test("split keys are dropped and an existing quantization_version is moved to the end", () => {
    const metadata: GgufKeyValue[] = [
      { key: "general.quantization_version", value: { type: GgufValueType.UINT32, value: 1 } },
      { key: "split.count", value: { type: GgufValueType.UINT16, value: 1 } },
      { key: "general.name", value: { type: GgufValueType.STRING, value: "x" } },
    ];
    const out = quantizeModel(tinyModel([], metadata), GgmlType.TQ2_0, F16_EMBEDDINGS);
    expect(out.metadata.map((kv) => kv.key)).toEqual([
      "general.architecture",
      "general.name",
      "general.quantization_version",
      "general.file_type",
    ]);
  });
});
