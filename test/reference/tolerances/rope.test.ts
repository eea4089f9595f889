/**
 * reference/tolerances/rope.ts — spec/tolerances.md §5: a fused-multiply-add candidate and a
 * candidate with angles off by one float32 ulp pass; unrotated dimensions must be equal; a wrong
 * pairing fails.
 */
import { describe, expect, test } from "vitest";
import { IEEE_ACCURACY } from "../../../reference/tolerances/accuracy.js";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";
import { gammaF32, UNIT_ROUNDOFF_F32 } from "../../../reference/tolerances/floating-point.js";
import { ropeBounds } from "../../../reference/tolerances/rope.js";

/** Rotate adjacent pairs of the first ropeDim dimensions of each head; products rounded, then the sum (f32 reference). */
function rotate(x: Float32Array, headDim: number, cos: Float32Array, sin: Float32Array, fused: boolean): Float32Array {
  const out = x.slice();
  for (let head = 0; head < x.length / headDim; head++)
    for (let i = 0; i < cos.length; i++) {
      const ia = head * headDim + 2 * i;
      const [a, b, c, s] = [x[ia], x[ia + 1], cos[i], sin[i]];
      out[ia] = fused ? Math.fround(a * c - Math.fround(b * s)) : Math.fround(a * c) - Math.fround(b * s);
      out[ia + 1] = fused ? Math.fround(a * s + Math.fround(b * c)) : Math.fround(a * s) + Math.fround(b * c);
    }
  return out;
}

describe("ropeBounds (§5)", () => {
  const headDim = 8;
  const ropeDim = 6; // pairs 0..2 rotate, dimensions 6, 7 are copied
  const x = Float32Array.from({ length: 16 }, (_, i) => Math.fround(Math.sin(i + 1) * 3));
  const theta = [0.3, 1.7, 1234.5];
  const cos = Float32Array.from(theta, Math.cos);
  const sin = Float32Array.from(theta, Math.sin);
  const reference = rotate(x, headDim, cos, sin, false);
  const bounds = ropeBounds(x, headDim, ropeDim, "adjacent", cos, sin, 1, IEEE_ACCURACY);

  test("the formula: 2·γ_2·(|ac| + |bs| + |as| + |bc|) + (|a| + |b|)·ε_trig·(1 + γ_2) + 6·2^-149, 0 past ropeDim", () => {
    const [a, b, c, s] = [Math.abs(x[2]), Math.abs(x[3]), Math.abs(cos[1]), Math.abs(sin[1])];
    const expected =
      2 * gammaF32(2) * (a * c + b * s + a * s + b * c) +
      (a + b) * 2 * UNIT_ROUNDOFF_F32 * (1 + gammaF32(2)) +
      6 * 2 ** -149;
    expect(bounds[2]).toBe(expected);
    expect(bounds[3]).toBe(expected);
    expect([bounds[6], bounds[7], bounds[14], bounds[15]]).toEqual([0, 0, 0, 0]);
  });

  test("fused multiply-adds and angles one ulp off pass; a candidate that changes a copied dimension or swaps sin's sign fails", () => {
    expect(checkTolerance(rotate(x, headDim, cos, sin, true), reference, bounds).ok).toBe(true);
    const nudged = (v: Float32Array): Float32Array => v.map((t) => Math.fround(t * (1 + 2 * UNIT_ROUNDOFF_F32)));
    expect(checkTolerance(rotate(x, headDim, nudged(cos), nudged(sin), false), reference, bounds).ok).toBe(true);
    const copied = reference.slice();
    copied[7] = Math.fround(copied[7] * (1 + 2 ** -23));
    expect(checkTolerance(copied, reference, bounds).ok).toBe(false);
    const negated = sin.map((v) => -v);
    expect(checkTolerance(rotate(x, headDim, cos, negated, false), reference, bounds).ok).toBe(false);
  });
});
