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
 * Ω = 2^128 − 2^103, the float32 overflow threshold: round-to-nearest gives ±∞ exactly for the real
 * values with |v| ≥ Ω (the midpoint between FLT_MAX = 2^128 − 2^104 and 2^128 ties away, FLT_MAX being
 * odd). Implements spec/tolerances.md §1 (overflow).
 */
export const F32_OVERFLOW_THRESHOLD = 2 ** 128 - 2 ** 103;

/**
 * Can some float32 evaluation of a sum of terms t_j overflow, in an order where every term passes through
 * at most `roundings` roundings? `largestPartialSum` ≥ max(Σ positive t_j, Σ |negative t_j|) bounds |Σ_(j∈J) t_j|
 * for every subset J, and `magnitude` ≥ Σ|t_j| (both exact-term sums, upper bounds computed by the caller).
 * Every value such an evaluation rounds, products and partial sums alike, is Σ_(j∈J) t_j·(1 + θ_j) for a subset
 * J with |θ_j| ≤ γ_roundings while nothing has overflowed (Higham, section 3.1), so at most largestPartialSum +
 * γ_roundings · magnitude in magnitude, and a rounding gives ±∞ only from a value ≥ Ω. Below Ω no evaluation
 * turns finite terms into ±∞ or NaN; at Ω and above the order that adds the larger side first may (it reaches
 * largestPartialSum within γ_roundings · magnitude). True also for non-finite or NaN arguments.
 * Implements spec/tolerances.md §1 (overflow).
 */
export function mayOverflowF32(largestPartialSum: number, magnitude: number, roundings: number): boolean {
  return !(largestPartialSum + gammaF32(roundings) * magnitude < F32_OVERFLOW_THRESHOLD);
}

/**
 * A product of relative errors Π(1 + a_i) (or Π 1/(1 − a_i)) with Σ|a_i| = a as one relative error:
 * exp(a/(1 − a)) − 1. Only meaningful below 1: +∞ for a ≥ 1 (spec/tolerances.md §7.4 then falls
 * back to another bound). Implements spec/tolerances.md §1 (`combine`).
 */
export function combineRelativeErrors(sum: number): number {
  return sum < 1 ? Math.expm1(sum / (1 - sum)) : Infinity;
}
