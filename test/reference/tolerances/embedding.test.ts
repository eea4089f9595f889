/** reference/tolerances/embedding.ts — spec/tolerances.md §8: the embedding must be equal (bound 0). */
import { describe, expect, test } from "vitest";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";
import { embeddingBounds } from "../../../reference/tolerances/embedding.js";

describe("embeddingBounds (§8)", () => {
  test("all zero: equal rows pass, a one-ulp difference fails", () => {
    const bounds = embeddingBounds(3);
    expect(Array.from(bounds)).toEqual([0, 0, 0]);
    const row = Float32Array.from([0.5, -2, 3]);
    expect(checkTolerance(row.slice(), row, bounds).ok).toBe(true);
    expect(checkTolerance(Float32Array.from([0.5, -2, Math.fround(3 + 2 ** -22)]), row, bounds).ok).toBe(false);
  });
});
