/**
 * reference/tolerances/matmul.ts — spec/tolerances.md §2 (f32) and §3 (ggml-matmul). The f32 bound is
 * checked in exact rational arithmetic (mathjs fractions) on the adversarial sum that nearly
 * reaches it and on random sums in random orders; the §3.1 bound against a float32 candidate on
 * the dequantized Q8_K row and ggml's generic TQ2_0 · Q8_K dot, and against a candidate that skips Q8_K.
 */
import fc from "fast-check";
import { add, smallerEq } from "mathjs";
import { describe, expect, test } from "vitest";
import {
  dequantizeRowQ8K,
  GgmlType,
  packTq2Block,
  quantizeRowQ8K,
  ternaryDotErrorBound,
  vecDotTq2_0Q8K,
} from "../../../reference/codec/index.js";
import { vecDotTq2_0Q8KAvx2 } from "../../../reference/ggml-x86/tq-dot.js";
import { decodeMatrixRow, packedRow, packMatrix } from "../../../reference/model/packed-matrix.js";
import { gammaF32, gammaF64, UNIT_ROUNDOFF_F32 } from "../../../reference/tolerances/floating-point.js";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";
import { matmulBounds, matmulTolerance } from "../../../reference/tolerances/matmul.js";
import { exactDot, exactError, exactFraction } from "../../support/exact-fraction.js";
import { checkProperty } from "../../support/property.js";

const u = UNIT_ROUNDOFF_F32;

/** The float32 dot product of w and x in the order `order`: every product and addition rounded to float32. */
function float32Dot(w: Float32Array, x: Float32Array, order: readonly number[]): number {
  let s = 0;
  for (const c of order) s = Math.fround(s + Math.fround(w[c] * x[c]));
  return s;
}

/** The reference of §2: exact products, float64 sum, one rounding to float32. */
function referenceDot(w: Float32Array, x: Float32Array): number {
  let s = 0;
  for (let c = 0; c < w.length; c++) s += w[c] * x[c];
  return Math.fround(s);
}

describe("§2 f32 mode", () => {
  test("the adversarial sum 1 + (C − 1)·u (every float32 addition a tie rounded away): within the bound in exact arithmetic, and nearly at it", () => {
    const cols = 256;
    const w = new Float32Array(cols).fill(1);
    const x = Float32Array.from({ length: cols }, (_, c) => (c === 0 ? 1 : u));
    const candidate = float32Dot(w, x, [...w.keys()]);
    const reference = referenceDot(w, x);
    expect(candidate).toBe(1);
    expect(reference).toBe(1 + 2 ** -16); // 1 + 255·2^-24 rounded
    const [bound] = matmulBounds(packMatrix(GgmlType.F32, 1, cols, w), x, 1, "f32", Float32Array.of(reference));
    const exact = exactDot(w, x);
    const exactErrors = add(exactError(candidate, exact), exactError(reference, exact));
    expect(smallerEq(exactErrors, exactFraction(bound))).toBe(true);
    expect(Math.abs(candidate - reference) / bound).toBeGreaterThan(0.99); // 256u of ≈ 257u: sharp
  });

  test("the formula: γ_C·S + γ⁽⁶⁴⁾_C·S + u·|y|·(1 + 2u) + 2·(C + 8)·2^-149 with S = Σ|w·x|·(1 + γ⁽⁶⁴⁾_C)", () => {
    const w = Float32Array.from([1, -2, 3, 0.5]);
    const x = Float32Array.from([0.25, 1, -1, 8]);
    const s = (0.25 + 2 + 3 + 4) * (1 + gammaF64(4));
    const y = 0.25 - 2 - 3 + 4;
    const expected = gammaF32(4) * s + gammaF64(4) * s + u * Math.abs(y) * (1 + 2 * u) + 2 * 12 * 2 ** -149;
    expect(matmulBounds(packMatrix(GgmlType.F32, 1, 4, w), x, 1, "f32", Float32Array.of(y))[0]).toBe(expected);
  });

  test("property: a float32 candidate in any order and the reference differ by at most the bound, and their exact errors sum to at most it", () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 });
    const arbitrary = fc.integer({ min: 1, max: 40 }).chain((cols) =>
      fc.record({
        w: fc.array(f32, { minLength: 2 * cols, maxLength: 2 * cols }),
        x: fc.array(f32, { minLength: 2 * cols, maxLength: 2 * cols }),
        order: fc.shuffledSubarray([...Array(cols).keys()], { minLength: cols, maxLength: cols }),
      }),
    );
    checkProperty(
      "§2 matmul bound",
      fc.property(arbitrary, ({ w, x, order }) => {
        const cols = order.length;
        const weights = Float32Array.from(w); // [2, cols]
        const input = Float32Array.from(x); // batch 2
        const reference = new Float32Array(4);
        const candidate = new Float32Array(4);
        for (let b = 0; b < 2; b++)
          for (let r = 0; r < 2; r++) {
            const wr = weights.subarray(r * cols, (r + 1) * cols);
            const xb = input.subarray(b * cols, (b + 1) * cols);
            reference[b * 2 + r] = referenceDot(wr, xb);
            candidate[b * 2 + r] = float32Dot(wr, xb, order);
          }
        const bounds = matmulBounds(packMatrix(GgmlType.F32, 2, cols, weights), input, 2, "f32", reference);
        for (let b = 0; b < 2; b++)
          for (let r = 0; r < 2; r++) {
            const i = b * 2 + r;
            const exact = exactDot(
              weights.subarray(r * cols, (r + 1) * cols),
              input.subarray(b * cols, (b + 1) * cols),
            );
            const errors = add(exactError(candidate[i], exact), exactError(reference[i], exact));
            expect(smallerEq(errors, exactFraction(bounds[i]))).toBe(true);
          }
      }),
      { numRuns: 100 },
    );
  });
});

describe("§3.1 ggml-matmul mode, TQ2_0 weights", () => {
  /** A TQ2_0 matrix of 3 rows and 512 columns, and a 2-row batch of activations with one outlier each. */
  function ternaryCase(seed: number): { weights: Float32Array; x: Float32Array } {
    let state = seed >>> 0;
    const next = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    const weights = Float32Array.from({ length: 3 * 512 }, () => Math.round(next()) * 0.03125);
    const x = Float32Array.from({ length: 2 * 512 }, (_, i) => (i % 300 === 7 ? 40 : next()));
    return { weights, x };
  }

  test(
    "a candidate that multiplies the dequantized Q8_K row in float32 (reversed order) agrees " +
      "with ggml's generic dot within the bound, which includes formats §8.2's",
    () => {
      for (const seed of [1, 2, 3]) {
        const { weights, x } = ternaryCase(seed);
        const matrix = packMatrix(GgmlType.TQ2_0, 3, 512, weights);
        const reference = new Float32Array(6);
        const candidate = new Float32Array(6);
        const dotBounds: number[] = [];
        const reversed = [...Array(512).keys()].reverse();
        for (let b = 0; b < 2; b++) {
          const xq = quantizeRowQ8K(x.subarray(b * 512, (b + 1) * 512));
          const xt = dequantizeRowQ8K(xq);
          for (let r = 0; r < 3; r++) {
            reference[b * 3 + r] = vecDotTq2_0Q8K(packedRow(matrix, r), xq);
            candidate[b * 3 + r] = float32Dot(decodeMatrixRow(matrix, r), xt, reversed);
            dotBounds.push(ternaryDotErrorBound(GgmlType.TQ2_0, packedRow(matrix, r), xq));
          }
        }
        const bounds = matmulBounds(matrix, x, 2, "ggml-matmul", reference);
        bounds.forEach((bound, i) => {
          expect(Math.abs(candidate[i] - reference[i])).toBeLessThanOrEqual(bound);
          // γ_(C+3)·S̃ + ternaryDotErrorBound + u·|y| + 2·(C + 8)·2^-149, S̃ = Σ|W·x̃|·(1 + γ⁽⁶⁴⁾_C)
          const b = Math.floor(i / 3);
          const w = decodeMatrixRow(matrix, i % 3);
          const xt = dequantizeRowQ8K(quantizeRowQ8K(x.subarray(b * 512, (b + 1) * 512)));
          const s = w.reduce((sum, wc, c) => sum + Math.abs(wc * xt[c]), 0) * (1 + gammaF64(512));
          expect(bound).toBe(gammaF32(515) * s + dotBounds[i] + u * Math.abs(reference[i]) + 2 * 520 * 2 ** -149);
        });
      }
    },
  );

  test("a candidate that skips the Q8_K step (f32 arithmetic on x) is far outside the bound", () => {
    const { weights, x } = ternaryCase(4);
    const matrix = packMatrix(GgmlType.TQ2_0, 3, 512, weights);
    const row = x.subarray(0, 512);
    const xq = quantizeRowQ8K(row);
    const reference = Float32Array.from({ length: 3 }, (_, r) => vecDotTq2_0Q8K(packedRow(matrix, r), xq));
    const wrong = Float32Array.from({ length: 3 }, (_, r) => referenceDot(decodeMatrixRow(matrix, r), row));
    const bounds = matmulBounds(matrix, row, 1, "ggml-matmul", reference);
    expect(bounds.some((bound, r) => Math.abs(wrong[r] - reference[r]) > 10 * bound)).toBe(true);
  });
});

describe("§3.2 ggml-matmul mode, float weights", () => {
  test("the formula: 2·γ_(C+8)·S + u·|y| + 2·(C + 8)·2^-149 (both sides float32 sums in their own order)", () => {
    const w = Float32Array.from([1, -2, 3, 0.5]);
    const x = Float32Array.from([0.25, 1, -1, 8]);
    const s = (0.25 + 2 + 3 + 4) * (1 + gammaF64(4));
    const y = -0.75;
    const expected = 2 * gammaF32(12) * s + u * 0.75 + 2 * 12 * 2 ** -149;
    expect(matmulBounds(packMatrix(GgmlType.F32, 1, 4, w), x, 1, "ggml-matmul", Float32Array.of(y))[0]).toBe(expected);
  });
});

describe("overflow at the float32 edge (§1): matmulTolerance's nonFiniteAllowed", () => {
  test("§2 f32: weights +1, +1 at scale 65504, x = 3e38, −3e38 — a float32 candidate's NaN is accepted, not elsewhere", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2;
    codes[1] = 2;
    const zeros = new Uint8Array(256).fill(1);
    const matrix = {
      type: GgmlType.TQ2_0,
      rows: 2,
      cols: 256,
      data: Uint8Array.of(...packTq2Block(codes, 0x7bff), ...packTq2Block(zeros, 0x3c00)),
    };
    const x = new Float32Array(256);
    x[0] = 3e38;
    x[1] = -3e38;
    const candidate = Float32Array.of(float32Dot(decodeMatrixRow(matrix, 0), x, [...Array(256).keys()]), 0);
    expect(candidate[0]).toBeNaN(); // inf − inf; the exact value is 0
    const reference = Float32Array.of(referenceDot(decodeMatrixRow(matrix, 0), x), 0);
    const { bounds, nonFiniteAllowed } = matmulTolerance(matrix, x, 1, "f32", reference);
    expect(bounds).toEqual(matmulBounds(matrix, x, 1, "f32", reference));
    expect(Array.from(nonFiniteAllowed)).toEqual([1, 0]); // row 1 (all zero weights, x·0) cannot overflow
    expect(checkTolerance(candidate, reference, bounds, nonFiniteAllowed).ok).toBe(true);
    expect(checkTolerance(candidate, reference, bounds).ok).toBe(false); // the old rule
    expect(checkTolerance(Float32Array.of(0, NaN), reference, bounds, nonFiniteAllowed).ok).toBe(false);
  });

  test("§3.1 ggml-matmul: zero weights at scale 65504, one activation 1e35 — the AVX2 reference's NaN and a float32 0 agree", () => {
    const matrix = {
      type: GgmlType.TQ2_0,
      rows: 1,
      cols: 256,
      data: packTq2Block(new Uint8Array(256).fill(1), 0x7bff),
    };
    const x = new Float32Array(256);
    x[5] = 1e35;
    const reference = Float32Array.of(vecDotTq2_0Q8KAvx2(matrix.data, quantizeRowQ8K(x)));
    expect(reference[0]).toBeNaN();
    const candidate = Float32Array.of(
      float32Dot(decodeMatrixRow(matrix, 0), dequantizeRowQ8K(quantizeRowQ8K(x)), [...Array(256).keys()]),
    );
    expect(candidate[0]).toBe(0);
    const { bounds, nonFiniteAllowed } = matmulTolerance(matrix, x, 1, "ggml-matmul", reference);
    expect(nonFiniteAllowed[0]).toBe(1);
    expect(checkTolerance(candidate, reference, bounds, nonFiniteAllowed).ok).toBe(true);
    expect(checkTolerance(candidate, reference, bounds).ok).toBe(false); // the old rule
  });

  test("ordinary inputs: nothing flagged (the bounds and the non-finite rule unchanged)", () => {
    const matrix = packMatrix(
      GgmlType.TQ2_0,
      3,
      512,
      Float32Array.from({ length: 1536 }, (_, i) => (i % 3) - 1),
    );
    const x = Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i) * 1e20);
    for (const mode of ["f32", "ggml-matmul"] as const) {
      const reference = new Float32Array(6);
      expect(matmulTolerance(matrix, x, 2, mode, reference).nonFiniteAllowed.every((v) => v === 0)).toBe(true);
    }
  });
});
