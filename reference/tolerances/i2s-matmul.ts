/**
 * How far an I2_S · I8_S kernel's float32 output may be from the reference's: the integer part is exact, the float
 * tail y = d·α/σ (d = S − A, an integer) may be evaluated in any order of its operations with at most 3 roundings.
 * Implements spec/tolerances.md §12.2.
 *
 *   reference  y_C = f32(f32(d / σ) · α)                    2 roundings: y_C = v·(1 + θ₂),  |θ₂| ≤ γ₂
 *   kernel     y_K = any of d·α/σ, d·(α/σ), (d·(1/σ))·α, …  ≤ 3 roundings: y_K = v·(1 + θ₃), |θ₃| ≤ γ₃
 *   so         |y_K − y_C| ≤ (γ₃ + γ₂)·|v| ≤ (γ₃ + γ₂)/(1 − γ₂)·|y_C|          (v = d·α/σ exact, no under/overflow)
 */

import { gammaF32, SMALLEST_SUBNORMAL_F32 } from "./floating-point.js";

/** Roundings the reference's float tail takes (the division, then the multiplication). Spec §12.2. */
export const I2S_REFERENCE_ROUNDINGS = 2;

/** Roundings a kernel's float tail may take (a reciprocal or α/σ computed first, then two products). Spec §12.2. */
export const I2S_KERNEL_ROUNDINGS = 3;

/** The relative factor (γ₃ + γ₂)/(1 − γ₂) ≈ 5·2^-24 of |y_C|. Implements spec/tolerances.md §12.2. */
export const I2S_OUTPUT_RELATIVE_BOUND =
  (gammaF32(I2S_KERNEL_ROUNDINGS) + gammaF32(I2S_REFERENCE_ROUNDINGS)) / (1 - gammaF32(I2S_REFERENCE_ROUNDINGS));

/**
 * The bound on |y_K − y_C| for one output: I2S_OUTPUT_RELATIVE_BOUND·|y_C| plus (2 + 3)·2^-150 for roundings that
 * land in the subnormal range. 0 stays 0 when d = 0 (every order gives ±0: the sign is ignored by the judge).
 * Implements spec/tolerances.md §12.2.
 */
export function i2sOutputBound(reference: number, centered: number): number {
  if (centered === 0) return 0;
  return I2S_OUTPUT_RELATIVE_BOUND * Math.abs(reference) + 2.5 * SMALLEST_SUBNORMAL_F32;
}

/**
 * Is a kernel's output accepted: equal to the reference (+0 = −0), or both finite and within i2sOutputBound.
 * Implements spec/tolerances.md §12.2.
 */
export function i2sOutputAccepted(actual: number, reference: number, centered: number): boolean {
  if (actual === reference) return true;
  if (!Number.isFinite(actual) || !Number.isFinite(reference)) return false;
  return Math.abs(actual - reference) <= i2sOutputBound(reference, centered);
}

/**
 * The integer d' = S' − A a kernel's output implies, d' = round(y·σ/α) (in double), to name an integer error; exact
 * whenever the kernel's float tail is within the bound and |d| ≤ 2^20 (its error plus the reference's is then below
 * 7u·2^20 < 1/2 of a unit of d). Undefined when y, σ or α leaves nothing to invert (non-finite, α = 0). Implements spec/tolerances.md §12.2.
 */
export function i2sImpliedCentered(actual: number, actScale: number, weightScale: number): number | undefined {
  if (!Number.isFinite(actual) || !Number.isFinite(actScale) || !Number.isFinite(weightScale) || weightScale === 0)
    return undefined;
  return Math.round((actual * actScale) / weightScale);
}
