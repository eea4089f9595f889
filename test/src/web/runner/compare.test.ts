/** The runner's per-position comparison, on small hand-computed cases (spec/tolerances.md §9). */
import { describe, expect, test } from "vitest";
import { comparePositions } from "../../../../src/web/runner/compare.js";

describe("comparePositions", () => {
  test("gathers max|Δ|, NMSE, argmax and the §9.1 agreement per position", () => {
    const reference = [10, 9.9, 0, 0];
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
    // gap 0.1 ≤ 2·√(1e-2 · 49.5025) ≈ 1.407
    expect(rows[1].agreement).toBe("near-tie");
    expect(rows[1].argmax).toBe(1);
    expect(rows[1].maxAbs).toBeCloseTo(1, 12);
  });
  test("compares as many positions as both have", () => {
    expect(comparePositions([[1], [2], [3]], [[1], [2]], 1e-6)).toHaveLength(2);
  });
});
