/**
 * How far two float32 evaluations of the same C-term dot product, each in its own order, may
 * differ: what a kernel with `f32` activations is judged by. Implements spec/kernel-protocol.md §5.1.
 */

import { gammaF32, SMALLEST_SUBNORMAL_F32 } from "./floating-point.js";

/**
 * 2·γ_C·M + 2·C·2^-149 for a dot product of C terms with M = Σ_c |w_c·x_c| (exact products,
 * summed in float64): each float32 evaluation in any order is within γ_C·M of the exact value
 * (spec/tolerances.md §1), plus underflow of every product and addition. Infinite when M is not
 * finite. Implements spec/kernel-protocol.md §5.1 (`f32` activations).
 */
export function floatDotAgreementBound(magnitude: number, terms: number): number {
  return Number.isFinite(magnitude) ? 2 * gammaF32(terms) * magnitude + 2 * terms * SMALLEST_SUBNORMAL_F32 : Infinity;
}
