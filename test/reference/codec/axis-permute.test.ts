/** numpy reshape/transpose on index arrays (spec/bitnet.md §4). */

import { describe, expect, test } from "vitest";
import { applyAxisStep, applyAxisSteps, iota } from "../../../reference/codec/axis-permute.js";

describe("applyAxisStep", () => {
  test("a 2 × 3 transpose is numpy's arange(6).reshape(2, 3).T.flatten()", () => {
    expect(Array.from(applyAxisStep(iota(6), { shape: [2, 3], perm: [1, 0] }))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  test("a 3-axis transpose is numpy's arange(24).reshape(2, 3, 4).transpose(2, 0, 1).flatten()", () => {
    const expected: number[] = [];
    for (let c = 0; c < 4; c++)
      for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) expected.push(a * 12 + b * 4 + c);
    expect(Array.from(applyAxisStep(iota(24), { shape: [2, 3, 4], perm: [2, 0, 1] }))).toEqual(expected);
  });

  test("steps compose, and the identity permutation changes nothing", () => {
    const once = applyAxisStep(iota(24), { shape: [4, 6], perm: [1, 0] });
    expect(
      Array.from(
        applyAxisSteps(iota(24), [
          { shape: [4, 6], perm: [1, 0] },
          { shape: [24], perm: [0] },
        ]),
      ),
    ).toEqual(Array.from(once));
  });

  test("refuses a shape of another size and a perm that is not a permutation", () => {
    expect(() => applyAxisStep(iota(6), { shape: [4, 2], perm: [1, 0] })).toThrow(
      /cannot reshape 6 elements to \(4, 2\)/,
    );
    expect(() => applyAxisStep(iota(6), { shape: [2, 3], perm: [0, 0] })).toThrow(/not a permutation/);
  });
});
