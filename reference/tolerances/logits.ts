/**
 * The whole-model criteria on logits: the NMSE threshold (`f32` mode, and `ggml` mode where Q8_K
 * flips rule out anything tighter) and the argmax rule with its near-tie exception.
 * Implements spec/tolerances.md §9.1 and §9.2.
 */

import type { BackendActivationMode, ForwardActivationMode } from "../model/modes.js";

/**
 * τ = 10⁻⁶: NMSE(candidate, reference) ≤ τ in `f32` mode, the criterion spec/forward.md §9.2 holds
 * the oracle itself to against llama.cpp. Implements spec/tolerances.md §9.1.
 */
export const NMSE_TOLERANCE = 1e-6;

/**
 * The NMSE criterion of a run in `mode`: τ = 10⁻⁶ in `f32` mode; with quantized activations
 * max(10⁻⁶, `quantizationEffect`), where quantizationEffect = NMSE(reference f32, reference in
 * `mode`), the whole effect of Q8_K quantization on the same model and tokens.
 * Implements spec/tolerances.md §9.1 and §9.2.
 */
export function nmseCriterion(mode: ForwardActivationMode | BackendActivationMode, quantizationEffect: number): number {
  return mode === "f32" ? NMSE_TOLERANCE : Math.max(NMSE_TOLERANCE, quantizationEffect);
}

/**
 * Index of the largest value, the first one on ties; -1 for an empty row or one holding NaN.
 * Implements spec/tolerances.md §9.1 (argmax).
 */
export function argmaxOf(row: ArrayLike<number>): number {
  if (row.length === 0) return -1;
  let best = 0;
  for (let j = 0; j < row.length; j++) {
    if (Number.isNaN(row[j])) return -1;
    if (row[j] > row[best]) best = j;
  }
  return best;
}

/** The verdict on one position's argmax: equal, a legitimate flip (near tie), or a real disagreement (§9.1). */
export type ArgmaxAgreement = "agree" | "near-tie" | "disagree";

/**
 * √(τ · mean r²): the RMS error of a row that NMSE = τ allows (0 for an empty row).
 * Implements spec/tolerances.md §9.1.
 */
export function allowedRms(reference: ArrayLike<number>, tau: number): number {
  let sum = 0;
  for (let j = 0; j < reference.length; j++) sum += reference[j] * reference[j];
  return reference.length === 0 ? 0 : Math.sqrt((tau * sum) / reference.length);
}

/**
 * The argmax rule: the candidate's argmax a must equal the reference's b, unless the reference's
 * gap r[b] − r[a] is at most 2·√(τ · mean r²) (allowedRms), where a flip is legitimate ("near-tie").
 * A row holding NaN (or empty) disagrees. Implements spec/tolerances.md §9.1 (and §9.2 with τ its criterion).
 */
export function argmaxAgreement(
  candidate: ArrayLike<number>,
  reference: ArrayLike<number>,
  tau: number,
): ArgmaxAgreement {
  const a = argmaxOf(candidate);
  const b = argmaxOf(reference);
  if (a === b && a >= 0) return "agree";
  if (a < 0 || b < 0) return "disagree";
  return reference[b] - reference[a] <= 2 * allowedRms(reference, tau) ? "near-tie" : "disagree";
}
