/**
 * reference/tolerances/rmsnorm.ts — spec/tolerances.md §4: a float32 candidate (float32 sum of
 * squares, in reverse order) stays within the bound of the reference's rmsNorm; one ulp of scale
 * more than the bound allows for does not; the bound is relative to |y|.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rmsNorm } from "../../../reference/model/rmsnorm.js";
import { IEEE_ACCURACY, WEBGL_ACCURACY } from "../../../reference/tolerances/accuracy.js";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";
import { combineRelativeErrors, gammaF32, UNIT_ROUNDOFF_F32 } from "../../../reference/tolerances/floating-point.js";
import { rmsNormBounds } from "../../../reference/tolerances/rmsnorm.js";
import { checkProperty } from "../../support/property.js";

/** RMSNorm entirely in float32, summing the squares from the end. */
function float32RmsNorm(x: Float32Array, weight: Float32Array, eps: number): Float32Array {
  let sum = 0;
  for (let i = x.length - 1; i >= 0; i--) sum = Math.fround(sum + Math.fround(x[i] * x[i]));
  const scale = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(Math.fround(sum / x.length) + eps))));
  return x.map((v, i) => Math.fround(Math.fround(v * scale) * weight[i]));
}

describe("rmsNormBounds (§4)", () => {
  const eps = Math.fround(1e-5);

  test("property: a float32 candidate is within the bound of the reference, for IEEE and WebGL accuracy", () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 });
    checkProperty(
      "§4 rmsnorm bound",
      fc.property(fc.array(f32, { minLength: 1, maxLength: 300 }), (values) => {
        const x = Float32Array.from(values);
        const weight = x.map((_, i) => 0.5 + (i % 7) * 0.25);
        const reference = rmsNorm(x, weight, eps);
        const candidate = float32RmsNorm(x, weight, eps);
        for (const accuracy of [IEEE_ACCURACY, WEBGL_ACCURACY])
          expect(checkTolerance(candidate, reference, rmsNormBounds(weight, eps, 1, reference, accuracy)).ok).toBe(
            true,
          );
      }),
      { numRuns: 100 },
    );
  });

  test("relative to |y|, per batch row; a candidate 2^-19 relative off fails", () => {
    const x = Float32Array.from([3, -4, 0.5, 2, 1, -1, 7, 0.125]); // 2 rows of 4
    const weight = Float32Array.from([1, 2, -1, 0.5]);
    const reference = new Float32Array(8);
    reference.set(rmsNorm(x.subarray(0, 4), weight, eps), 0);
    reference.set(rmsNorm(x.subarray(4), weight, eps), 4);
    const bounds = rmsNormBounds(weight, eps, 2, reference, IEEE_ACCURACY);
    const k = (bounds[0] - 8 * 2 ** -149) / Math.abs(reference[0]); // weight 1: 4·(1 + 1)·2^-149
    for (let i = 0; i < 8; i++)
      expect(bounds[i]).toBeCloseTo(k * Math.abs(reference[i]) + 4 * (1 + Math.abs(weight[i % 4])) * 2 ** -149, 20);
    // k = combine(γ_(n+2)/2·(1 + γ_(n+2)) + 2·ε_ds + 2u + 6u + n·u₆₄ + γ_(n+2)/2), up to the underflow term (n+2)·2^-149/ε
    const g = gammaF32(6);
    const u = UNIT_ROUNDOFF_F32;
    const spec = combineRelativeErrors((g / 2) * (1 + g) + 2 * u + 2 * u + 6 * u + 4 * 2 ** -53 + g / 2);
    expect(k / spec).toBeCloseTo(1, 9);
    const wrong = reference.map((v) => v * (1 + 2 ** -19));
    expect(checkTolerance(wrong, reference, bounds).ok).toBe(false);
  });
});
