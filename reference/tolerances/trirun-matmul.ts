/**
 * How far a TriRun-format matmul (fp16 A × 2-bit weights, fp32 tensor-core accumulation, fp16 partial sums
 * between thread blocks, fp16 output) may be from the exact result, per output element.
 * Implements spec/tolerances.md §10 (the kernel's arithmetic: spec/trirun.md §8).
 *
 *   weights: TrirunMatrix [k × n]   x: fp16 bits [m × k]   every array of the acceptance: [m × n]
 */

import { f16BitsToF32 } from "../codec/float16.js";
import { trirunScalesPerColumn, type TrirunMatrix } from "../codec/trirun.js";
import { trirunEffectiveWeights, trirunMatmulExact } from "../codec/trirun-matmul.js";
import { gammaF64, UNIT_ROUNDOFF_F32, UNIT_ROUNDOFF_F64 } from "./floating-point.js";

/**
 * u' = 2^-22: the relative error charged to every term at each float32 accumulation step of a tensor-core
 * MMA (products exact, addends aligned to the largest exponent and truncated: Fasi, Higham, Mikaitis,
 * Pranesh 2021). 4× float32's unit roundoff. An assumption, argued in spec/tolerances.md §10.1.
 */
export const TRIRUN_MMA_UNIT_ROUNDOFF = 2 ** -22;

/** u₁₆ = 2^-11, the unit roundoff of fp16 (binary16). Implements spec/tolerances.md §10.2. */
export const UNIT_ROUNDOFF_F16 = 2 ** -11;

/** 2^-25: half the fp16 subnormal spacing, the largest absolute error of rounding to fp16 below 2^-14. §10.2. */
export const F16_SUBNORMAL_HALF_SPACING = 2 ** -25;

/** 65520 = 65504 + half an ulp: round-to-nearest gives fp16 ±inf exactly for |v| ≥ 65520. §10.4. */
export const F16_OVERFLOW_THRESHOLD = 65520;

/** The smallest thread_k of any instantiated TriRun kernel (CALL_IF: thread_k_blocks 4 or 8, × 16). §10.2. */
export const TRIRUN_MIN_THREAD_K = 64;

/** γ'_n = n·u' / (1 − n·u'), γ_n for the MMA accumulation model. Implements spec/tolerances.md §10.1. */
export function gammaTrirunMma(n: number): number {
  return (n * TRIRUN_MMA_UNIT_ROUNDOFF) / (1 - n * TRIRUN_MMA_UNIT_ROUNDOFF);
}

/**
 * P, the most thread blocks (slices) one output column's k range can be split into: every slice holds at
 * least one thread_k tile (the striped partition's iters ≥ 1) and thread_k ≥ 64, so P ≤ k/64 for any SM count.
 * Implements spec/tolerances.md §10.2.
 */
export function trirunMaxSlices(k: number): number {
  return Math.max(1, Math.floor(k / TRIRUN_MIN_THREAD_K));
}

/** The acceptance region of every output of a TriRun matmul (all arrays [m × n]). Spec §10. */
export interface TrirunMatmulAcceptance {
  /** trirunMatmulExact: the centre (NaN where a non-finite input or weight makes every result non-finite). */
  center: Float64Array;
  /** Allowed |y − center| for a finite y. */
  bound: Float64Array;
  /** 1 where a partial sum or the output may round to fp16 ±inf (or an input is non-finite): ±inf accepted. */
  overflowPossible: Uint8Array;
  /** 1 where NaN is a correct result: a non-finite input or weight, or (per column) ±inf · a zero scale. */
  nanPossible: Uint8Array;
  /** P, the slice count the bound allows. */
  slices: number;
}

/** The bound's pieces for one output, before the mode's final roundings (spec/tolerances.md §10.2). */
interface ColumnSum {
  /** |S| + its float64 error: an upper bound on the exact sum's magnitude. */
  readonly sumMagnitude: number;
  /** Float64 error of the computed sum S (γ⁽⁶⁴⁾_k · Σ|τ|). */
  readonly centerError: number;
  /** D = E₃₂ + R: how far the float32 value write_result rounds may be from the exact sum. */
  readonly accumulated: number;
  /** Some fp16 partial sum may reach the overflow threshold. */
  readonly partialMayOverflow: boolean;
}

/**
 * The error of TriRun's float32 accumulation with P − 1 fp16 partial sums (spec/tolerances.md §10.1, §10.2):
 *   E₃₂ = γ'_k · Σ|τ|,   M = max |suffix sum| over 64-aligned proper suffixes (+ float64 error),
 *   R = (M + E₃₂ + η/ρ) · ((1 + ρ)^(P−1) − 1),  ρ = (1 + u₁₆)(1 + u) − 1,  η = 2^-25,   D = E₃₂ + R.
 * terms: τ_kIndex (exact, float64) [k].
 */
function columnSum(terms: Float64Array, slices: number): ColumnSum {
  const k = terms.length;
  let magnitude = 0;
  let sum = 0;
  let largestSuffix = 0;
  for (let kIndex = k - 1; kIndex >= 0; kIndex--) {
    magnitude += Math.abs(terms[kIndex]);
    sum += terms[kIndex];
    if (kIndex > 0 && kIndex % TRIRUN_MIN_THREAD_K === 0) largestSuffix = Math.max(largestSuffix, Math.abs(sum));
  }
  const float64Error = gammaF64(k);
  magnitude *= 1 + float64Error;
  const centerError = float64Error * magnitude;
  const e32 = gammaTrirunMma(k) * magnitude;
  let partials = 0;
  let partialMayOverflow = false;
  if (slices > 1) {
    const largest = largestSuffix + centerError; // M
    const rho = (1 + UNIT_ROUNDOFF_F16) * (1 + UNIT_ROUNDOFF_F32) - 1;
    partials = (largest + e32 + F16_SUBNORMAL_HALF_SPACING / rho) * ((1 + rho) ** (slices - 1) - 1);
    partialMayOverflow = largest + e32 + partials >= F16_OVERFLOW_THRESHOLD;
  }
  return { sumMagnitude: Math.abs(sum) + centerError, centerError, accumulated: e32 + partials, partialMayOverflow };
}

/** fp16 rounding of a value within `error` of a number of magnitude ≤ `magnitude`: the rounded value's error. */
function afterF16Rounding(magnitude: number, error: number): number {
  return error + UNIT_ROUNDOFF_F16 * (magnitude + error) + F16_SUBNORMAL_HALF_SPACING;
}

/**
 * The acceptance region of TriRun's C = A · W for every output (spec/tolerances.md §10):
 *   grouped:    |y − S| ≤ D + u₁₆(|S| + D) + η (+ the centre's float64 error)
 *   per column: h = fp16(acc) within D₂ = D + u₁₆(|S| + D) + η of S, y = fp16(h·s):
 *               |y − S·s| ≤ |s|·D₂ + u₁₆(|S·s| + |s|·D₂) + η (+ the centre's error |s|·γ⁽⁶⁴⁾_k Σ|τ| + u₆₄|S·s|)
 * options.slices: the P the launch can use (default trirunMaxSlices(k), any SM count); 1 for one block per column.
 * x: fp16 bits [m × k]. Implements spec/tolerances.md §10.
 */
export function trirunMatmulAcceptance(
  weights: TrirunMatrix,
  x: Uint16Array,
  m: number,
  options: { slices?: number } = {},
): TrirunMatmulAcceptance {
  const { k, n, scales } = weights;
  const perColumn = trirunScalesPerColumn(weights);
  const slices = options.slices ?? trirunMaxSlices(k);
  if (!Number.isInteger(slices) || slices < 1 || slices > trirunMaxSlices(k)) {
    throw new RangeError(
      `TriRun tolerance: slices = ${slices} must be an integer 1..${trirunMaxSlices(k)} (k/64) for k = ${k}`,
    );
  }
  const center = trirunMatmulExact(weights, x, m); // [m × n], checks the operands
  const w = trirunEffectiveWeights(weights); // [k × n]
  const bound = new Float64Array(m * n);
  const overflowPossible = new Uint8Array(m * n);
  const nanPossible = new Uint8Array(m * n);
  const terms = new Float64Array(k);
  for (let b = 0; b < m; b++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      const out = b * n + nIndex;
      const scale = perColumn ? f16BitsToF32(scales[nIndex]) : 1;
      let finite = Number.isFinite(scale);
      for (let kIndex = 0; kIndex < k; kIndex++) {
        terms[kIndex] = f16BitsToF32(x[b * k + kIndex]) * w[kIndex * n + nIndex]; // τ, exact
        finite &&= Number.isFinite(terms[kIndex]) && Number.isFinite(w[kIndex * n + nIndex]);
      }
      if (!finite) {
        // A non-finite x, weight or scale: inf·t, 0·inf and NaN make every evaluation non-finite (§10.4).
        center[out] = NaN;
        bound[out] = Infinity;
        overflowPossible[out] = 1;
        nanPossible[out] = 1;
        continue;
      }
      const sum = columnSum(terms, slices);
      if (perColumn) {
        const s = Math.abs(scale);
        const unscaled = afterF16Rounding(sum.sumMagnitude, sum.accumulated); // D₂: h = fp16(acc) vs S
        const hMayOverflow = sum.sumMagnitude + sum.accumulated >= F16_OVERFLOW_THRESHOLD;
        const centerError = s * sum.centerError + UNIT_ROUNDOFF_F64 * Math.abs(center[out]);
        bound[out] = afterF16Rounding(s * sum.sumMagnitude, s * unscaled) + centerError;
        const infinite = sum.partialMayOverflow || hMayOverflow;
        overflowPossible[out] = infinite || Math.abs(center[out]) + bound[out] >= F16_OVERFLOW_THRESHOLD ? 1 : 0;
        nanPossible[out] = infinite && scale === 0 ? 1 : 0; // fp16 ±inf · 0
      } else {
        bound[out] = afterF16Rounding(sum.sumMagnitude, sum.accumulated) + sum.centerError;
        overflowPossible[out] =
          sum.partialMayOverflow || Math.abs(center[out]) + bound[out] >= F16_OVERFLOW_THRESHOLD ? 1 : 0;
      }
    }
  }
  return { center, bound, overflowPossible, nanPossible, slices };
}

/**
 * Is the fp16 output yBits correct at `index` (b·n + nIndex)? A finite y within bound of the centre; ±inf only
 * where overflowPossible; NaN only where nanPossible. Implements spec/tolerances.md §10.4.
 */
export function trirunOutputAccepted(acceptance: TrirunMatmulAcceptance, index: number, yBits: number): boolean {
  const y = f16BitsToF32(yBits);
  if (Number.isNaN(y)) return acceptance.nanPossible[index] === 1;
  if (!Number.isFinite(y)) return acceptance.overflowPossible[index] === 1;
  return Math.abs(y - acceptance.center[index]) <= acceptance.bound[index];
}
