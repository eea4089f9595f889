/**
 * reference/model/swiglu.ts — the SwiGLU gate h = silu(gate) ⊙ up (spec/forward.md §6).
 *
 * Oracle: silu(g)·up = g·up / (1 + e^(−g)) in float64. Spec §6 derives the error of each arithmetic:
 * - "f32": e^(−g) rounded once to float32 (≤ u, plus the float64 exp's own error), then three
 *   float32 roundings (1 + e, the division, the product): |h − exact| ≤ 5u·|exact|;
 * - "ggml-x86": ggml_v_expf is documented at ≤ 1.45358 + 0.5 ulp of e^x (ggml/src/ggml-cpu/vec.h),
 *   i.e. ≤ 1.96·2u relative, so |h − exact| ≤ 8u·|exact|;
 * plus an absolute 2^-120·|up| where e^(−g) overflows to ∞ (g below about −88.4, where the exact
 * |silu(g)| = |g|·e^g < 2^-120) and 2^-149 for a subnormal product.
 * Exact cases: silu(0) = 0, h = 0 when up = 0, and h = g·up exactly for g ≥ 18 (e^(−g) < u/2, so
 * 1 + e^(−g) rounds to 1).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { swiglu } from "../../../reference/model/swiglu.js";
import { checkProperty } from "../../support/property.js";

const U = 2 ** -24;

function swigluExact(g: number, up: number): number {
  return (g * up) / (1 + Math.exp(-g));
}

const gate = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -120, max: 120 }),
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -8, max: 8 }),
);
const up = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 });

describe("swiglu", () => {
  for (const [mode, relative] of [
    ["f32", 5],
    ["ggml-x86", 8],
  ] as const) {
    test(`property: ${mode} arithmetic is within ${relative}u of silu(g)·up`, () => {
      const arbitrary = fc
        .integer({ min: 1, max: 40 })
        .chain((n) =>
          fc.tuple(fc.array(gate, { minLength: n, maxLength: n }), fc.array(up, { minLength: n, maxLength: n })),
        );
      checkProperty(
        `swiglu: ${mode} formula`,
        fc.property(arbitrary, ([gs, us]) => {
          const g = Float32Array.from(gs);
          const u = Float32Array.from(us);
          const h = swiglu(g, u, mode);
          expect(h.length).toBe(g.length);
          for (let i = 0; i < g.length; i++) {
            const exact = swigluExact(g[i], u[i]);
            expect(Math.abs(h[i] - exact)).toBeLessThanOrEqual(
              relative * U * Math.abs(exact) + 2 ** -120 * Math.abs(u[i]) + 2 ** -149,
            );
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  test("exact cases: silu(0) = 0, up = 0 gives 0, and a large gate passes g·up through", () => {
    for (const mode of ["f32", "ggml-x86"] as const) {
      const h = swiglu(
        Float32Array.of(0, 3.5, -2, 40, 100, 0, 0, 0, 0),
        Float32Array.of(7, 0, 0, 0.5, -3, 0, 0, 0, 1),
        mode,
      );
      expect(Array.from(h)).toEqual([0, 0, -0, 20, -300, 0, 0, 0, 0]);
    }
  });
});
