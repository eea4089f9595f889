/** Comparison statistics of the runner, on small hand-computed cases (spec/tolerances.md §9). */
import { describe, expect, test } from "vitest";
import {
  allowedRms,
  argmaxAgreement,
  argmaxOf,
  comparePositions,
  maxAbsDiff,
  median,
  nmse,
  nmseCriterion,
} from "../../../../src/web/runner/compare.js";

describe("nmse", () => {
  test("hand-computed: Δ = (1, 0, −2), r = (3, 4, 0) → 5 / 25 = 0.2", () => {
    expect(nmse([[4, 4, -2]], [[3, 4, 0]])).toBeCloseTo(0.2, 15);
  });
  test("sums over all rows before dividing", () => {
    // Δ² = 1 + 4 = 5; r² = 1 + 4 = 5 (rows: [1], [2]) → 1
    expect(nmse([[2], [0]], [[1], [2]])).toBe(1);
  });
  test("identical rows → 0; zero reference → 0 or Infinity; NaN propagates", () => {
    expect(nmse([[1, 2]], [[1, 2]])).toBe(0);
    expect(nmse([[0]], [[0]])).toBe(0);
    expect(nmse([[1]], [[0]])).toBe(Infinity);
    expect(nmse([[NaN]], [[1]])).toBeNaN();
  });
  test("shape mismatch throws", () => {
    expect(() => nmse([[1]], [])).toThrow(RangeError);
    expect(() => nmse([[1, 2]], [[1]])).toThrow(RangeError);
  });
});

describe("maxAbsDiff, argmaxOf, median", () => {
  test("max|Δ|", () => {
    expect(maxAbsDiff([1, 5, -3], [1.5, 2, -3])).toBe(3);
    expect(maxAbsDiff([], [])).toBe(0);
    expect(maxAbsDiff([NaN, 0], [0, 0])).toBeNaN();
  });
  test("argmax takes the first of ties; NaN or empty → -1", () => {
    expect(argmaxOf([1, 3, 3, 2])).toBe(1);
    expect(argmaxOf([-5, -1, -2])).toBe(1);
    expect(argmaxOf([])).toBe(-1);
    expect(argmaxOf([1, NaN])).toBe(-1);
  });
  test("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe("argmax agreement (spec/tolerances.md §9.1)", () => {
  // reference r = (10, 9.9, 0, 0): mean r² = (100 + 98.01) / 4 = 49.5025; τ = 1e-2 → rms = √0.495025 ≈ 0.70358, 2·rms ≈ 1.40716
  const reference = [10, 9.9, 0, 0];
  test("the allowed RMS error", () => {
    expect(allowedRms(reference, 1e-2)).toBeCloseTo(Math.sqrt(0.495025), 12);
  });
  test("same argmax → agree", () => {
    expect(argmaxAgreement([9, 1, 0, 0], reference, 1e-6)).toBe("agree");
  });
  test("a flip within 2·rms of the reference's top two → near-tie", () => {
    // gap 0.1 ≤ 1.407
    expect(argmaxAgreement([9, 10, 0, 0], reference, 1e-2)).toBe("near-tie");
  });
  test("a flip beyond 2·rms → disagree", () => {
    // τ = 1e-6: 2·rms = 2·√(49.5025e-6) ≈ 0.01407 < gap 0.1
    expect(argmaxAgreement([9, 10, 0, 0], reference, 1e-6)).toBe("disagree");
    // a far-away token: gap 10 > 1.407
    expect(argmaxAgreement([0, 0, 11, 0], reference, 1e-2)).toBe("disagree");
  });
  test("comparePositions gathers everything per position", () => {
    const rows = comparePositions(
      [
        [4, 4, -2],
        [9, 10, 0, 0],
      ],
      [[3, 4, 0], reference],
      1e-2,
    );
    // candidate argmax 0 (first of the tie 4, 4), reference argmax 1: gap 4 − 3 = 1 > 2·√(1e-2 · 25/3) ≈ 0.577
    expect(rows[0]).toEqual({ maxAbs: 2, nmse: 0.2, argmax: 0, agreement: "disagree" });
    expect(rows[1].agreement).toBe("near-tie");
    expect(rows[1].argmax).toBe(1);
    expect(rows[1].maxAbs).toBeCloseTo(1, 12);
  });
  test("the criterion: 1e-6 in f32 mode, max(1e-6, quantization effect) in ggml mode (§9.2)", () => {
    expect(nmseCriterion("f32", 1e-3)).toBe(1e-6);
    expect(nmseCriterion("ggml", 2e-4)).toBe(2e-4);
    expect(nmseCriterion("ggml", 1e-9)).toBe(1e-6);
  });
});
