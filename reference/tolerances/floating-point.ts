/**
 * The floating-point conventions every bound of spec/tolerances.md is built from: the unit
 * roundoffs, γ_n, the underflow quantum and the product of relative errors.
 * Implements spec/tolerances.md §1.
 */

/** u = 2^-24, the unit roundoff of float32. Implements spec/tolerances.md §1. */
export const UNIT_ROUNDOFF_F32 = 2 ** -24;

/** u₆₄ = 2^-53, the unit roundoff of float64. Implements spec/tolerances.md §1. */
export const UNIT_ROUNDOFF_F64 = 2 ** -53;

/**
 * 2^-149, the smallest positive float32 subnormal: a rounding into the subnormal range adds at most
 * half of it absolutely, which relative bounds do not cover. Implements spec/tolerances.md §1.
 */
export const SMALLEST_SUBNORMAL_F32 = 2 ** -149;

/**
 * γ_n = n·u / (1 − n·u) for float32 (Higham, Accuracy and Stability of Numerical Algorithms, §3.1):
 * a float32 sum of n terms along any binary tree, each term through at most n roundings, is within
 * γ_n · Σ|terms| of the exact sum. Evaluated in float64 (correctly rounded, so within 2^-53 relative
 * of the exact γ_n; the derivations' slack covers that). Implements spec/tolerances.md §1.
 */
export function gammaF32(n: number): number {
  return (n * UNIT_ROUNDOFF_F32) / (1 - n * UNIT_ROUNDOFF_F32);
}

/** γ⁽⁶⁴⁾_n = n·u₆₄ / (1 − n·u₆₄), γ_n for float64 sums. Implements spec/tolerances.md §1. */
export function gammaF64(n: number): number {
  return (n * UNIT_ROUNDOFF_F64) / (1 - n * UNIT_ROUNDOFF_F64);
}

/**
 * A product of relative errors Π(1 + a_i) (or Π 1/(1 − a_i)) with Σ|a_i| = a as one relative error:
 * exp(a/(1 − a)) − 1. Only meaningful below 1: +∞ for a ≥ 1 (spec/tolerances.md §7.4 then falls
 * back to another bound). Implements spec/tolerances.md §1 (`combine`).
 */
export function combineRelativeErrors(sum: number): number {
  return sum < 1 ? Math.expm1(sum / (1 - sum)) : Infinity;
}
