/** The TL1/TL2 LUT kernel arithmetic (spec/bitnet.md §4, §5): exact integer sums, rounding, B10, H4. */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { quantizeTlActivations, tl1RowDot, tl2RowDot } from "../../../reference/codec/tl-lut.js";
import { checkProperty } from "../../support/property.js";

/** Σ w_j·q_j in exact integers: the independent value of CBits while nothing overflows. */
function exactSum(weights: Int8Array, q: Int32Array): number {
  let sum = 0;
  for (let j = 0; j < weights.length; j++) sum += weights[j] * q[j];
  return sum;
}

const row = (k: number) =>
  fc.tuple(
    fc.array(fc.integer({ min: -1, max: 1 }), { minLength: k, maxLength: k }),
    fc.array(fc.float({ min: -8, max: 8, noNaN: true }), { minLength: k, maxLength: k }),
  );

describe("quantizeTlActivations", () => {
  test("rounds b·(127/max|b|) to nearest, ties to even", () => {
    const { lutScale, q } = quantizeTlActivations(Float32Array.from([127, 0.5, 1.5, 2.5, -2.5, -127]), "tl1");
    expect(lutScale).toBe(1);
    expect(Array.from(q)).toEqual([127, 0, 2, 2, -2, -127]);
  });

  test("has no epsilon: an all-zero row gives lutScale = +inf; NEON turns 0·inf = NaN into 0, AVX into INT32_MIN", () => {
    const zeros = new Float32Array(8);
    expect(quantizeTlActivations(zeros, "tl1")).toEqual({ lutScale: Infinity, q: new Int32Array(8) });
    expect(Array.from(quantizeTlActivations(zeros, "tl2").q)).toEqual(new Array(8).fill(-2147483648));
  });
});

describe("tl1RowDot", () => {
  test("CBits is Σ w·q exactly and C = CBits / lutScale · scale in float32", () => {
    checkProperty(
      "tl1 LUT dot = exact integer sum",
      fc.property(row(128), ([w, b]) => {
        const weights = Int8Array.from(w);
        const activations = Float32Array.from(b);
        const { lutScale, q } = quantizeTlActivations(activations, "tl1");
        const r = tl1RowDot(weights, activations, 0.5, 64);
        if (!Number.isFinite(lutScale)) return;
        expect(r.cbits).toBe(exactSum(weights, q));
        expect(r.int16Overflow).toEqual([]);
        expect(r.value).toBe(Math.fround(Math.fround(r.cbits / lutScale) * 0.5));
      }),
      { numRuns: 50 },
    );
  });

  test("B10: an all-zero activation row divides by zero; the kernel then returns 0, not NaN", () => {
    const r = tl1RowDot(new Int8Array(64).fill(1), new Float32Array(64), 0.5, 64);
    expect(r).toEqual({ value: 0, cbits: 0, int16Overflow: [], lutScaleInfinite: true });
  });

  test("B10: a row of tiny activations saturates q (±inf → ±INT32_MAX → int16 −1 / 0) and returns 0 instead of ≈ 1e-38", () => {
    const b = new Float32Array(64).fill(1e-38);
    const r = tl1RowDot(new Int8Array(64).fill(1), b, 0.5, 64);
    expect(r.lutScaleInfinite).toBe(true);
    expect(r.cbits).toBe(-64);
    expect(r.value === 0).toBe(true);
  });

  test("H4: BK > 258 lets an int16 block sum wrap; the block is flagged", () => {
    const b = new Float32Array(512).fill(1);
    const r = tl1RowDot(new Int8Array(512).fill(1), b, 1, 512);
    expect(r.int16Overflow).toEqual([0]);
    expect(r.cbits).toBe(((512 * 127) << 16) >> 16);
    expect(tl1RowDot(new Int8Array(512).fill(1), b, 1, 256).int16Overflow).toEqual([]);
  });
});

describe("tl2RowDot", () => {
  test("CBits is Σ w·q exactly over triples and the 32-input remainder blocks", () => {
    checkProperty(
      "tl2 LUT dot = exact integer sum",
      fc.property(row(96 + 64), ([w, b]) => {
        const weights = Int8Array.from(w);
        const activations = Float32Array.from(b);
        const { lutScale, q } = quantizeTlActivations(activations, "tl2");
        const r = tl2RowDot(weights, activations, 2, 96);
        if (!Number.isFinite(lutScale)) return;
        expect(r.cbits).toBe(exactSum(weights, q));
        expect(r.value).toBe(Math.fround(Math.fround(r.cbits / lutScale) * 2));
      }),
      { numRuns: 50 },
    );
  });

  test("a negative triple takes −LUT[|v|]", () => {
    const b = Float32Array.from({ length: 96 }, (_, j) => (j < 3 ? [127, 5, 3][j] : 0));
    const weights = new Int8Array(96);
    weights.set([-1, -1, -1]);
    expect(tl2RowDot(weights, b, 1, 96).cbits).toBe(-135);
  });

  test("B10 on AVX2: an all-zero row gives q = INT32_MIN, garbage CBits, and still C = ±0", () => {
    const weights = new Int8Array(96);
    weights[0] = 1; // one triple v = 9: LUT[9] = q0 = INT32_MIN, packed to −32768
    const r = tl2RowDot(weights, new Float32Array(96), 1, 96);
    expect(r.lutScaleInfinite).toBe(true);
    expect(r.cbits).toBe(-32768);
    expect(r.value === 0).toBe(true);
  });
});
