/** reference/tolerances/accuracy.ts — the accuracy models of spec/tolerances.md §1 and their relative errors. */
import { describe, expect, test } from "vitest";
import {
  divSqrtRelativeError,
  expRelativeError,
  IEEE_ACCURACY,
  ulpsToRelative,
  WEBGL_ACCURACY,
} from "../../../reference/tolerances/accuracy.js";

const u = 2 ** -24;

describe("accuracy models (§1)", () => {
  test("IEEE: exp within 1 ulp, division and sqrt correctly rounded, RoPE angles within 2u", () => {
    expect(IEEE_ACCURACY).toEqual({ expUlps: 1, expUlpsPerUnit: 0, divSqrtUlps: 0.5, trigAbs: 2 * u });
    expect(expRelativeError(IEEE_ACCURACY, 50)).toBe(2 * u);
    expect(divSqrtRelativeError(IEEE_ACCURACY)).toBe(u);
  });
  test("WebGL (ESSL 3.20 highp): exp (3 + 2|x|) ulp, division 2.5 ulp", () => {
    expect(WEBGL_ACCURACY).toEqual({ expUlps: 3, expUlpsPerUnit: 2, divSqrtUlps: 2.5, trigAbs: 2 * u });
    expect(expRelativeError(WEBGL_ACCURACY, 10)).toBe(2 * 23 * u);
    expect(divSqrtRelativeError(WEBGL_ACCURACY)).toBe(5 * u);
  });
  test("one ulp is 2u relative: the float32 spacing just below a power of two is 2^-24 of it", () => {
    expect(ulpsToRelative(1)).toBe(2 * u);
    expect(Math.fround(2 - 2 ** -23) + 2 ** -23).toBe(2); // spacing in [1, 2): 2^-23 = 2u·1
  });
});
