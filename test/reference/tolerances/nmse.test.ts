/** reference/tolerances/nmse.ts — NMSE and max|Δ| of logits (spec/tolerances.md §9.1), on hand-computed cases. */
import { describe, expect, test } from "vitest";
import { maxAbsDiff, nmse } from "../../../reference/tolerances/nmse.js";

describe("nmse", () => {
  test("hand-computed: Δ = (1, 0, −2), r = (3, 4, 0) → 5 / 25 = 0.2", () => {
    expect(nmse([[4, 4, -2]], [[3, 4, 0]])).toBeCloseTo(0.2, 15);
  });
  test("sums over all rows before dividing", () => {
    // Δ² = 1 + 4 = 5; r² = 1 + 4 = 5 (rows: [1], [2]) → 1
    expect(nmse([[2], [0]], [[1], [2]])).toBe(1);
  });
  test("normalises by the reference (the second argument), not the candidate", () => {
    // Δ² = 1; r² = 1 → 1 (by the candidate, 4, it would be 0.25)
    expect(nmse([[2]], [[1]])).toBe(1);
  });
  test("identical rows → 0; zero reference → 0 or Infinity; NaN propagates", () => {
    expect(nmse([[1, 2]], [[1, 2]])).toBe(0);
    expect(nmse([[0]], [[0]])).toBe(0);
    expect(nmse([[1]], [[0]])).toBe(Infinity);
    expect(nmse([[NaN]], [[1]])).toBeNaN();
    expect(nmse([[NaN]], [[0]])).toBeNaN();
  });
  test("Float32Array rows, summed in float64", () => {
    const r = Float32Array.from([1, 2 ** -20]);
    const c = Float32Array.from([1 + 2 ** -23, 2 ** -20]);
    expect(nmse([c], [r])).toBe(2 ** -46 / (1 + 2 ** -40)); // in float32, 1 + 2^-40 would be 1
  });
  test("shape mismatch throws", () => {
    expect(() => nmse([[1]], [])).toThrow(RangeError);
    expect(() => nmse([[1, 2]], [[1]])).toThrow(RangeError);
  });
});

describe("maxAbsDiff", () => {
  test("the largest |Δ|; 0 for empty rows; NaN propagates; lengths must match", () => {
    expect(maxAbsDiff([1, 5, -3], [1.5, 2, -3])).toBe(3);
    expect(maxAbsDiff([], [])).toBe(0);
    expect(maxAbsDiff([NaN, 0], [0, 0])).toBeNaN();
    expect(() => maxAbsDiff([1], [1, 2])).toThrow(RangeError);
  });
});
