/**
 * reference/tolerances/swiglu.ts — spec/tolerances.md §6: a candidate with a float32 exp off by an
 * ulp passes; the WebGL exp allowance grows with |g|; gate ≤ −80 allows the overflow zone; a
 * candidate using silu(g) = g·sigmoid wrongly scaled fails.
 */
import { describe, expect, test } from "vitest";
import { IEEE_ACCURACY, WEBGL_ACCURACY } from "../../../reference/tolerances/accuracy.js";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";
import { swigluBounds } from "../../../reference/tolerances/swiglu.js";

/** h = g / (1 + exp(−g)) · up in float32 with exp scaled by (1 + expError). */
function swigluF32(gate: Float32Array, up: Float32Array, expError: number): Float32Array {
  return gate.map((g, i) =>
    Math.fround(Math.fround(g / Math.fround(1 + Math.fround(Math.exp(-g) * (1 + expError)))) * up[i]),
  );
}

describe("swigluBounds (§6)", () => {
  const gate = Float32Array.from([-90, -20, -3, -0.5, 0, 0.25, 2, 15, 60]);
  const up = Float32Array.from([2, -1, 0.5, 3, 1, -2, 0.75, 1.5, -0.125]);
  const reference = swigluF32(gate, up, 0);

  test("a candidate whose exp is one ulp off passes (IEEE); the bound is relative to |h| with an absolute floor", () => {
    const bounds = swigluBounds(gate, up, reference, IEEE_ACCURACY);
    expect(checkTolerance(swigluF32(gate, up, 2 ** -23), reference, bounds).ok).toBe(true);
    expect(bounds[4]).toBe(4 * (1 + 1) * 2 ** -149); // h = 0
    expect(checkTolerance(swigluF32(gate, up, 2 ** -12), reference, bounds).ok).toBe(false);
  });

  test("WebGL's exp allowance (3 + 2|g|) ulp makes the bound grow with |g|", () => {
    const ieee = swigluBounds(gate, up, reference, IEEE_ACCURACY);
    const webgl = swigluBounds(gate, up, reference, WEBGL_ACCURACY);
    expect(webgl[7] / ieee[7]).toBeGreaterThan(5); // g = 15: 66 ulp of exp against 1
    expect(webgl[5] / ieee[5]).toBeLessThan(2.5); // g = 0.25: 3.5 ulp of exp, 2.5 of division
  });

  test("gate ≤ −80: twice 80·e^-80·|up| is allowed absolutely (exp(−g) may overflow on one side)", () => {
    const edge = Float32Array.from([-80, -79.5]);
    const ups = Float32Array.from([2, 2]);
    const bounds = swigluBounds(edge, ups, swigluF32(edge, ups, 0), IEEE_ACCURACY);
    expect(bounds[0]).toBeGreaterThanOrEqual(2 * 2 * 80 * Math.exp(-80));
    expect(bounds[1]).toBeLessThan(1e-3 * bounds[0]); // above −80 only the relative bound
  });
});
