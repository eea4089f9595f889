/**
 * reference/tolerances/float-dot.ts — spec/kernel-protocol.md §5.1's f32 bound, checked in exact
 * arithmetic (mathjs fractions): two float32 evaluations of a dot product in opposite orders.
 */
import fc from "fast-check";
import { add, smallerEq } from "mathjs";
import { describe, expect, test } from "vitest";
import { floatDotAgreementBound } from "../../../reference/tolerances/float-dot.js";
import { gammaF32 } from "../../../reference/tolerances/floating-point.js";
import { exactDot, exactError, exactFraction } from "../../support/exact-fraction.js";
import { checkProperty } from "../../support/property.js";

describe("floatDotAgreementBound (kernel-protocol §5.1)", () => {
  test("2·γ_C·M + 2·C·2^-149; infinite for a non-finite magnitude", () => {
    expect(floatDotAgreementBound(3, 10)).toBe(2 * gammaF32(10) * 3 + 20 * 2 ** -149);
    expect(floatDotAgreementBound(Infinity, 10)).toBe(Infinity);
    expect(floatDotAgreementBound(NaN, 10)).toBe(Infinity);
  });

  test("property: forward and backward float32 evaluations are each within half of it of the exact value", () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e5, max: 1e5 });
    checkProperty(
      "kernel-protocol §5.1 bound",
      fc.property(fc.array(fc.tuple(f32, f32), { minLength: 1, maxLength: 64 }), (pairs) => {
        const w = pairs.map(([a]) => a);
        const x = pairs.map(([, b]) => b);
        let forward = 0;
        let backward = 0;
        for (let c = 0; c < w.length; c++) forward = Math.fround(forward + Math.fround(w[c] * x[c]));
        for (let c = w.length - 1; c >= 0; c--) backward = Math.fround(backward + Math.fround(w[c] * x[c]));
        const magnitude = w.reduce((s, v, c) => s + Math.abs(v * x[c]), 0) * (1 + 2 ** -40);
        const exact = exactDot(w, x);
        const bound = exactFraction(floatDotAgreementBound(magnitude, w.length));
        expect(smallerEq(add(exactError(forward, exact), exactError(backward, exact)), bound)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
