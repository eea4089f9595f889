/**
 * reference/model/rmsnorm.ts — RMSNorm as ggml computes it (spec/forward.md §5).
 *
 * Oracle: the formula y_i = x_i / √(mean(x²) + ε) · w_i evaluated in float64. ggml's float32
 * evaluation rounds at most 8 times on the way to any y_i (x_i² , mean, + ε, √, 1/·, x·scale, ·w,
 * plus the double sum, whose error is far below u); spec §5 derives the bound
 *   |y_i − exact_i| ≤ 6u · |exact_i|   (u = 2^-24), the test allows 8u, plus 2^-149·(1 + |w_i|) for
 * a subnormal x_i·scale (rounded absolutely, then multiplied by w_i).
 * Exact cases: a zero vector gives zeros; scaling the weight by 2^k scales y by 2^k exactly.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { rmsNorm } from "../../../reference/model/rmsnorm.js";
import { checkProperty } from "../../support/property.js";

const U = 2 ** -24;
const EPS = Math.fround(1e-5);

/** The formula in float64. */
function rmsNormExact(x: Float32Array, w: Float32Array, eps: number): Float64Array {
  let sum = 0;
  for (const v of x) sum += v * v;
  const scale = 1 / Math.sqrt(sum / x.length + eps);
  return Float64Array.from(x, (v, i) => v * scale * w[i]);
}

const vector = (n: number) =>
  fc.float32Array({ minLength: n, maxLength: n, noDefaultInfinity: true, noNaN: true, min: -1e4, max: 1e4 });
const magnitude = fc.integer({ min: -20, max: 20 });

describe("rmsNorm", () => {
  test("property: within 8u of the float64 formula, element by element", () => {
    const arbitrary = fc.integer({ min: 1, max: 300 }).chain((n) => fc.tuple(vector(n), vector(n), magnitude));
    checkProperty(
      "rmsnorm: formula within 8u",
      fc.property(arbitrary, ([x0, w, k]) => {
        const x = x0.map((v) => v * 2 ** k); // magnitudes from 2^-20 to 2^34 (mean(x²) may be ≪ ε)
        const y = rmsNorm(x, w, EPS);
        const exact = rmsNormExact(x, w, EPS);
        expect(y).toBeInstanceOf(Float32Array);
        expect(y.length).toBe(x.length);
        for (let i = 0; i < x.length; i++) {
          // a subnormal x_i·scale is rounded absolutely (≤ 2^-150), and w_i multiplies that error
          expect(Math.abs(y[i] - exact[i])).toBeLessThanOrEqual(
            8 * U * Math.abs(exact[i]) + 2 ** -149 * (1 + Math.abs(w[i])),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  test("the worked example of spec §5: x = (3, 4), w = (1, 2)", () => {
    // mean = 12.5, scale = f32(1/f32(√f32(12.5 + 1e-5))), y = (f32(3·scale), f32(f32(4·scale)·2))
    const y = rmsNorm(Float32Array.of(3, 4), Float32Array.of(1, 2), EPS);
    const scale = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(12.5 + EPS))));
    expect(Array.from(y)).toEqual([Math.fround(3 * scale), Math.fround(Math.fround(4 * scale) * 2)]);
    expect(y[0]).toBeCloseTo(3 / Math.sqrt(12.5), 5);
  });

  test("a zero vector gives zeros (the ε keeps the scale finite)", () => {
    const y = rmsNorm(new Float32Array(64), new Float32Array(64).fill(1), EPS);
    expect(Array.from(y)).toEqual(new Array(64).fill(0));
  });

  test("property: scaling the weight by 2^k scales the output by 2^k exactly", () => {
    const arbitrary = fc.tuple(vector(96), vector(96), fc.integer({ min: -8, max: 8 }));
    checkProperty(
      "rmsnorm: weight scaling is exact",
      fc.property(arbitrary, ([x, w, k]) => {
        const y = rmsNorm(x, w, EPS);
        const y2 = rmsNorm(
          x,
          w.map((v) => v * 2 ** k),
          EPS,
        );
        for (let i = 0; i < y.length; i++) {
          if (Math.abs(y[i]) > 2 ** -100 && Math.abs(y[i]) < 2 ** 100) expect(y2[i]).toBe(y[i] * 2 ** k);
        }
      }),
      { numRuns: 100 },
    );
  });
});
