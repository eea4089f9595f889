/**
 * reference/tolerances/float-dot.ts — spec/kernel-protocol.md §5.1's f32 bound, checked in exact
 * arithmetic (mathjs fractions): two float32 evaluations of a dot product in opposite orders.
 */
import fc from "fast-check";
import { add, smallerEq } from "mathjs";
import { describe, expect, test } from "vitest";
import { dotResultsAgree } from "../../../reference/codec/dot-tolerance.js";
import { fmaF32 } from "../../../reference/ggml-x86/fma.js";
import { floatDotAgreementBound, floatDotMayOverflow } from "../../../reference/tolerances/float-dot.js";
import { F32_OVERFLOW_THRESHOLD, gammaF32, gammaF64 } from "../../../reference/tolerances/floating-point.js";
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

describe("floatDotMayOverflow (kernel-protocol §5.1, tolerances §1)", () => {
  test("weights +1, +1 at scale 65504, x = 3e38, −3e38: every float32 order is non-finite (NaN; +inf or −inf fused), all accepted", () => {
    const w = [65504, 65504];
    const x = [3e38, -3e38].map(Math.fround);
    const products = [0, 1].map((c) => Math.fround(w[c] * x[c])); // ±inf
    const results = [
      Math.fround(products[0] + products[1]),
      Math.fround(products[1] + products[0]),
      fmaF32(w[1], x[1], products[0]),
      fmaF32(w[0], x[0], products[1]),
    ];
    expect(results.map(String)).toEqual(["NaN", "NaN", "Infinity", "-Infinity"]); // the exact answer is 0
    const side = Math.abs(w[0] * x[0]); // exact products, float64: the positive side and the negative side
    const bound = floatDotAgreementBound(2 * side, 2);
    expect(Number.isFinite(bound)).toBe(true); // the old rule: 0 ± 4.7e36, unmeetable
    expect(floatDotMayOverflow(side, side, 2)).toBe(true);
    for (const r of results) {
      expect(dotResultsAgree(r, 0, bound, floatDotMayOverflow(side, side, 2))).toBe(true);
      expect(dotResultsAgree(r, 0, bound)).toBe(false);
    }
  });

  test("false at ordinary magnitudes and for 3e38 − 3e38; true from (max(P, N) + γ_C·(P + N))·(1 + γ⁽⁶⁴⁾_C) ≥ 2^128 − 2^103", () => {
    expect(floatDotMayOverflow(1e30, 1e30, 1000)).toBe(false);
    expect(floatDotMayOverflow(3e38, 3e38, 2)).toBe(false); // no order forms a partial sum beyond 3e38
    const edge = F32_OVERFLOW_THRESHOLD / (1 + gammaF32(2)) / (1 + gammaF64(2));
    expect(floatDotMayOverflow(edge * (1 + 2 ** -40), 0, 2)).toBe(true);
    expect(floatDotMayOverflow(edge * (1 - 2 ** -40), 0, 2)).toBe(false);
  });
});
