/**
 * The allowed difference of a candidate backend's RoPE from the reference's, per element.
 * Implements spec/tolerances.md §5.
 */

import type { Accuracy } from "./accuracy.js";
import { gammaF32, SMALLEST_SUBNORMAL_F32 } from "./floating-point.js";

/**
 * Allowed |Δ| for RoPE of `x` (the input, before rotation: batch rows of heads × headDim), with
 * `cos`/`sin` the reference's angles per row (batch · ropeDim/2 each, reference/model/rope.ts's
 * `ropeAngles`): Float64Array[x.length]; 0 (equal) for the dimensions past ropeDim, which are copied.
 * Implements spec/tolerances.md §5.
 */
export function ropeBounds(
  x: Float32Array,
  headDim: number,
  ropeDim: number,
  style: "adjacent" | "rotate-half",
  cos: Float32Array,
  sin: Float32Array,
  batch: number,
  accuracy: Accuracy,
): Float64Array {
  const out = new Float64Array(x.length); // unrotated dimensions: 0 (copied exactly)
  const n = x.length / Math.max(batch, 1);
  const pairs = ropeDim / 2;
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < n / headDim; head++) {
      const base = b * n + head * headDim;
      for (let i = 0; i < pairs; i++) {
        const ia = style === "adjacent" ? base + 2 * i : base + i;
        const ib = style === "adjacent" ? ia + 1 : ia + pairs;
        const a = Math.abs(x[ia]);
        const bb = Math.abs(x[ib]);
        const c = Math.abs(cos[b * pairs + i]);
        const s = Math.abs(sin[b * pairs + i]);
        const bound =
          2 * gammaF32(2) * (a * c + bb * s + a * s + bb * c) +
          (a + bb) * accuracy.trigAbs * (1 + gammaF32(2)) +
          6 * SMALLEST_SUBNORMAL_F32;
        out[ia] = bound;
        out[ib] = bound;
      }
    }
  }
  return out;
}
