/**
 * The allowed difference of a candidate backend's causal attention from the reference's, per
 * output element: scores, softmax (live and dead terms), weighted sum, and the unconditional
 * bound for ill-conditioned scores. Implements spec/tolerances.md §7.
 */

import type { AttentionShape } from "../model/attention.js";
import { divSqrtRelativeError, expRelativeError, type Accuracy } from "./accuracy.js";
import {
  combineRelativeErrors,
  gammaF32,
  gammaF64,
  SMALLEST_SUBNORMAL_F32,
  UNIT_ROUNDOFF_F32,
  UNIT_ROUNDOFF_F64,
} from "./floating-point.js";

/**
 * A softmax term is "live" while its gap below the maximum score is at most this: beyond it,
 * float32 exp(−gap) < 2^-158 underflows to 0 (or to 2^-149 at most) on the candidate and the
 * reference alike, whatever its argument's rounding error. Implements spec/tolerances.md §7.2.
 */
export const LIVE_EXP_GAP = 110;

/**
 * Allowed |Δo| for causal attention of queries `q` (one row per entry of `positions`, heads ×
 * headDim) over `keys`/`values` (positions × kv heads × headDim), from the inputs and the
 * reference output: Float64Array[positions.length · nHeads·headDim]. Each element's bound is the
 * smaller of the derived bound (§7.1–§7.3) and the convex-hull bound (§7.4).
 * Implements spec/tolerances.md §7.
 */
export function attentionBounds(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  positions: readonly number[],
  shape: AttentionShape,
  reference: Float32Array,
  accuracy: Accuracy,
): Float64Array {
  const { nHeads, nKvHeads, headDim } = shape;
  const kvDim = nKvHeads * headDim;
  const total = keys.length / kvDim;
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const ds = divSqrtRelativeError(accuracy);
  const out = new Float64Array(reference.length);
  positions.forEach((pos, b) => {
    const count = pos + 1;
    for (let h = 0; h < nHeads; h++) {
      const g = Math.floor(h / (nHeads / nKvHeads));
      const qh = q.subarray((b * nHeads + h) * headDim, (b * nHeads + h + 1) * headDim);
      const s = new Float64Array(count);
      let worstScoreError = 0; // E = max_t e_t (§7.1)
      for (let t = 0; t < count; t++) {
        let dot = 0;
        let mag = 0;
        for (let i = 0; i < headDim; i++) {
          const prod = qh[i] * keys[t * kvDim + g * headDim + i];
          dot += prod;
          mag += Math.abs(prod);
        }
        s[t] = dot * scale;
        const e =
          2 * gammaF32(headDim + 2) * mag * scale * (1 + gammaF64(headDim)) +
          2 * (headDim + 2) * SMALLEST_SUBNORMAL_F32;
        worstScoreError = Math.max(worstScoreError, e);
      }
      let max = -Infinity;
      for (const v of s) max = Math.max(max, v);
      let sum = 0;
      let spread = 0; // L = max |s_t − max s| over the LIVE terms (§7.2)
      let deadTerms = 0;
      for (const v of s) {
        sum += Math.exp(v - max);
        if (max - v - 2 * worstScoreError <= LIVE_EXP_GAP) spread = Math.max(spread, max - v);
        else deadTerms++;
      }
      const reach = spread + 2 * worstScoreError; // |ŝ_t − m̂| ≤ L + 2E
      const expRel = expRelativeError(accuracy, reach);
      const eta = combineRelativeErrors(
        2 * worstScoreError +
          UNIT_ROUNDOFF_F32 * reach -
          Math.log1p(-expRel) +
          gammaF32(total) +
          ds +
          3 * UNIT_ROUNDOFF_F32 +
          total * UNIT_ROUNDOFF_F64 +
          2 ** -50,
      );
      for (let i = 0; i < headDim; i++) {
        let v = 0; // V_i = Σ_t p_t |v_t,i|
        for (let t = 0; t < count; t++)
          v += (Math.exp(s[t] - max) / sum) * Math.abs(values[t * kvDim + g * headDim + i]);
        v *= 1 + eta; // p computed here in float64 vs the reference's p: within η (§7.2)
        const index = (b * nHeads + h) * headDim + i;
        let deadValues = 0; // dead terms: both sides' exp is ≤ 2^-158 after rounding to float32 (§7.2)
        if (deadTerms > 0)
          for (let t = 0; t < count; t++)
            deadValues = Math.max(deadValues, Math.abs(values[t * kvDim + g * headDim + i]));
        const derived =
          (eta + gammaF32(total) * (1 + eta) + total * UNIT_ROUNDOFF_F64) * v +
          UNIT_ROUNDOFF_F32 * Math.abs(reference[index]) +
          2 * (total + 1) * SMALLEST_SUBNORMAL_F32 +
          2 * deadTerms * SMALLEST_SUBNORMAL_F32 * deadValues;
        out[index] = Math.min(derived, convexHullBound(values, kvDim, g * headDim + i, count, total));
      }
    }
  });
  return out;
}

/**
 * The bound that holds however badly the scores are conditioned: both outputs are
 * probability-weighted averages of v_0,i … v_(count−1),i, so they differ by at most the spread
 * max_t v − min_t v, plus the float32 rounding of a T-term weighted sum (γ_(T+2)·max|v| each).
 * Implements spec/tolerances.md §7.4.
 */
function convexHullBound(values: Float32Array, kvDim: number, column: number, count: number, total: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < count; t++) {
    const v = values[t * kvDim + column];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  return hi - lo + 2 * gammaF32(total + 2) * magnitude + 2 * (total + 1) * SMALLEST_SUBNORMAL_F32;
}
