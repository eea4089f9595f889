/**
 * How far two float32 evaluations of the same C-term dot product, each in its own order, may
 * differ: what a kernel with `f32` activations is judged by. Implements spec/kernel-protocol.md §5.1.
 */

import { gammaF32, gammaF64, mayOverflowF32, SMALLEST_SUBNORMAL_F32 } from "./floating-point.js";

/**
 * 2·γ_C·M + 2·C·2^-149 for a dot product of C terms with M = Σ_c |w_c·x_c| (exact products,
 * summed in float64): each float32 evaluation in any order is within γ_C·M of the exact value
 * (spec/tolerances.md §1), plus underflow of every product and addition. Infinite when M is not
 * finite. Implements spec/kernel-protocol.md §5.1 (`f32` activations).
 */
export function floatDotAgreementBound(magnitude: number, terms: number): number {
  return Number.isFinite(magnitude) ? 2 * gammaF32(terms) * magnitude + 2 * terms * SMALLEST_SUBNORMAL_F32 : Infinity;
}

/**
 * Can a correct float32 evaluation of that dot product (any order, C roundings on a path) overflow to ±∞ or
 * NaN? `positive` and `negative` are the sums of the positive products and of |negative products| (exact
 * products, summed in float64; M = positive + negative). True exactly when max(positive, negative) + γ_C·M
 * reaches the overflow threshold 2^128 − 2^103, both inflated by (1 + γ⁽⁶⁴⁾_C) (mayOverflowF32); a non-finite
 * result is then correct (dotResultsAgree's `mayOverflow`). Implements spec/kernel-protocol.md §5.1 (`f32`
 * activations) and spec/tolerances.md §1.
 */
export function floatDotMayOverflow(positive: number, negative: number, terms: number): boolean {
  const float64Error = 1 + gammaF64(terms);
  return mayOverflowF32(Math.max(positive, negative) * float64Error, (positive + negative) * float64Error, terms);
}
