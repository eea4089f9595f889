/**
 * reference/model/activation-conversion.ts — the one rule for what a linear layer's dot products
 * consume (spec/forward.md §3.2, §3.3).
 *
 * Oracles: the table of spec §3.2 (weight type → vec_dot_type) spelled out per type, with the
 * codec's quantizers and the fp16/bf16 conversions of spec/formats.md §2.2–§2.3 as the expected
 * values; the BitNet worked example of §3.3; ggml-exact and ggml-matmul convert alike.
 */
import { describe, expect, test } from "vitest";
import {
  bf16BitsToF32,
  dequantizeRowQ8K,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
  GgmlType,
  quantizeRowQ8K,
  quantizeRowQ8_0,
} from "../../../reference/codec/index.js";
import { f32Lanes, LLAMA_REFERENCE_ISA, quantizeRowQ8_0Avx2 } from "../../../reference/ggml-x86/index.js";
import {
  convertActivations,
  dotInputValues,
  dotOutput,
  quantizeInt8PerToken,
  takenByTinyBlas,
} from "../../../reference/model/activation-conversion.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";

/** n float32 activations of mixed magnitude, some between fp16 and bf16 representable values. */
function activations(n: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (2 * random() - 1) * 2 ** Math.floor(8 * random() - 4));
}

const LANES = f32Lanes(LLAMA_REFERENCE_ISA);

describe("convertActivations in the ggml modes (spec §3.2)", () => {
  const x256 = activations(256, 1);

  test.each(["ggml-exact", "ggml-matmul"] as const)("%s: TQ1_0 and TQ2_0 weights consume Q8_K blocks of x", (mode) => {
    for (const type of [GgmlType.TQ1_0, GgmlType.TQ2_0]) {
      expect(convertActivations(mode, type, x256)).toEqual({ kind: "q8_k", blocks: quantizeRowQ8K(x256) });
    }
  });

  test.each(["ggml-exact", "ggml-matmul"] as const)("%s: Q8_0 weights consume Q8_0 blocks of x", (mode) => {
    expect(convertActivations(mode, GgmlType.Q8_0, x256)).toEqual({ kind: "q8_0", blocks: quantizeRowQ8_0Avx2(x256) });
    // the x86 runtime quantizer, not quantize_row_q8_0_ref: 2.5 with d = 1 rounds to even (2), _ref's roundf gives 3
    const tie = new Float32Array(32);
    tie[0] = 127;
    tie[1] = 2.5;
    for (const type of [GgmlType.Q8_0, GgmlType.Q4_0]) {
      const converted = convertActivations(mode, type, tie);
      expect(converted).toEqual({ kind: "q8_0", blocks: quantizeRowQ8_0Avx2(tie) });
      expect(converted.kind === "q8_0" && converted.blocks[3]).toBe(2);
    }
    expect(quantizeRowQ8_0(tie)[3]).toBe(3);
  });

  test("F16 weights (llama.cpp de3ff815, the default): x rounded to fp16 whatever the shape (spec §9.3)", () => {
    for (const [n, seed] of [
      [4 * LANES, 2],
      [4 * LANES + 3, 3],
    ]) {
      const x = activations(n, seed);
      const fp16 = x.map((v) => f16BitsToF32(f32ToF16Bits(v)));
      expect(fp16).not.toEqual(x); // the rounding is visible
      expect(convertActivations("ggml-matmul", GgmlType.F16, x)).toEqual({ kind: "fp16", values: fp16 });
      expect(convertActivations("ggml-exact", GgmlType.F16, x, "fp16")).toEqual({ kind: "fp16", values: fp16 });
    }
  });

  test("tinyBLAS declines one token, rows not a multiple of 4, and k not a multiple of the lane count", () => {
    const shape = { rows: 260, cols: 4 * LANES, tokens: 2 };
    expect(takenByTinyBlas(shape)).toBe(true);
    expect(takenByTinyBlas({ ...shape, tokens: 512 })).toBe(true);
    expect(takenByTinyBlas({ ...shape, tokens: 1 })).toBe(false); // sgemm.cpp: `if (n < 2) return false`
    for (const rows of [259, 261, 262, 263, 266, 301, 511, 513])
      expect(takenByTinyBlas({ ...shape, rows })).toBe(false);
    for (const rows of [4, 8, 16, 264, 500, 512, 600]) expect(takenByTinyBlas({ ...shape, rows })).toBe(true);
    expect(takenByTinyBlas({ ...shape, cols: 4 * LANES + 4 })).toBe(false);
  });

  test("F16 weights, the older build (f32-tinyblas): x as given when tinyBLAS takes the matmul, else fp16", () => {
    const taken = activations(4 * LANES, 2);
    expect(takenByTinyBlas({ rows: 8, cols: taken.length, tokens: 2 })).toBe(true);
    expect(convertActivations("ggml-matmul", GgmlType.F16, taken, "f32-tinyblas")).toEqual({
      kind: "float",
      values: taken,
    });
    const declined = convertActivations("ggml-exact", GgmlType.F16, taken, "f32-tinyblas", false);
    expect(declined).toEqual({ kind: "fp16", values: taken.map((v) => f16BitsToF32(f32ToF16Bits(v))) });
    const refused = activations(4 * LANES + 3, 3);
    expect(takenByTinyBlas({ rows: 8, cols: refused.length, tokens: 2 })).toBe(false);
    const fp16 = refused.map((v) => f16BitsToF32(f32ToF16Bits(v)));
    expect(fp16).not.toEqual(refused); // the rounding is visible
    expect(convertActivations("ggml-matmul", GgmlType.F16, refused, "f32-tinyblas")).toEqual({
      kind: "fp16",
      values: fp16,
    });
  });

  test("BF16 weights: x rounded to bf16 whatever the shape; F32 and Q8_K weights: x as given", () => {
    for (const n of [4 * LANES, 4 * LANES + 3]) {
      const x = activations(n, n);
      const bf16 = x.map((v) => bf16BitsToF32(f32ToBf16Bits(v)));
      expect(convertActivations("ggml-exact", GgmlType.BF16, x)).toEqual({ kind: "bf16", values: bf16 });
      expect(convertActivations("ggml-exact", GgmlType.F32, x)).toEqual({ kind: "float", values: x });
    }
    expect(convertActivations("ggml-exact", GgmlType.Q8_K, x256)).toEqual({ kind: "float", values: x256 });
  });

  test("an all-zero row: Q8_K blocks with d = 0 and q = 0, consumed as zeros; outputs are the sums", () => {
    const zero = new Float32Array(512);
    const converted = convertActivations("ggml-matmul", GgmlType.TQ2_0, zero);
    expect(Array.from(dotInputValues(converted))).toEqual(Array.from(new Float32Array(512)));
    expect(dotOutput(converted, 0)).toBe(0);
  });

  test("dotInputValues: Q8_K rows as d·q per element (dequantize_row_q8_K)", () => {
    const converted = convertActivations("ggml-matmul", GgmlType.TQ1_0, x256);
    expect(dotInputValues(converted)).toEqual(dequantizeRowQ8K(quantizeRowQ8K(x256)));
  });
});

describe("convertActivations in f32 and int8-per-token modes", () => {
  test("f32: x as given for every weight type", () => {
    const x = activations(256, 4);
    for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.TQ1_0, GgmlType.TQ2_0]) {
      expect(convertActivations("f32", type, x)).toEqual({ kind: "float", values: x });
    }
  });

  test("int8-per-token: codes and σ for every weight type; y = Σ/σ (spec §3.3 worked example)", () => {
    const x = Float32Array.of(1, -0.5, 0.25, 0.126, 0, 0, 0, 0);
    for (const type of [GgmlType.F32, GgmlType.TQ2_0]) {
      const converted = convertActivations("int8-per-token", type, x);
      expect(converted).toEqual({
        kind: "int8-per-token",
        codes: Float32Array.of(127, -64, 32, 16, 0, 0, 0, 0),
        inputScale: 127,
      });
      expect(dotOutput(converted, 111)).toBe(111 / 127);
    }
  });

  test("int8-per-token, all-zero row: σ = 0 and every output is +0, whatever the sum (one treatment)", () => {
    const converted = convertActivations("int8-per-token", GgmlType.TQ2_0, new Float32Array(256));
    expect(converted).toEqual({ kind: "int8-per-token", codes: new Float32Array(256), inputScale: 0 });
    for (const sum of [0, -0, 5, NaN, Infinity]) expect(Object.is(dotOutput(converted, sum), 0)).toBe(true);
  });
});

describe("quantizeInt8PerToken (spec §3.3)", () => {
  test("s = 127/max|x|, q = round half to EVEN of x·s: −63.5 → −64, 31.75 → 32", () => {
    const { q, inputScale } = quantizeInt8PerToken(Float32Array.from([1, -0.5, 0.25, 0, 2.5 / 127]));
    expect(inputScale).toBe(127);
    expect(Array.from(q)).toEqual([127, -64, 32, 0, 2]); // 2.5 → 2 (even), not 3
  });
  test("an all-zero row gives scale 0 and zeros", () => {
    const { q, inputScale } = quantizeInt8PerToken(new Float32Array(4));
    expect(inputScale).toBe(0);
    expect(Array.from(q)).toEqual([0, 0, 0, 0]);
  });
});
