/**
 * How far a backend's logits are from the reference's (spec/tolerances.md §9): NMSE, max|Δ|, argmax
 * and the argmax agreement rule of §9.1. Pure, no DOM.
 */

/** NMSE criterion of spec/tolerances.md §9.1 in `f32` mode. */
export const NMSE_TOLERANCE = 1e-6;

/**
 * NMSE = Σ (ĉ − r)² / Σ r² over all rows and entries (sums in float64). 0/0 = 0; x/0 = Infinity;
 * a NaN anywhere gives NaN. Rows must have equal lengths (RangeError otherwise).
 */
export function nmse(candidate: readonly ArrayLike<number>[], reference: readonly ArrayLike<number>[]): number {
  if (candidate.length !== reference.length)
    throw new RangeError(`nmse: ${candidate.length} candidate rows, ${reference.length} reference rows`);
  let num = 0;
  let den = 0;
  candidate.forEach((row, p) => {
    const ref = reference[p];
    if (row.length !== ref.length)
      throw new RangeError(`nmse: row ${p} has ${row.length} values, the reference ${ref.length}`);
    for (let j = 0; j < row.length; j++) {
      const d = row[j] - ref[j];
      num += d * d;
      den += ref[j] * ref[j];
    }
  });
  if (Number.isNaN(num)) return NaN;
  return den === 0 ? (num === 0 ? 0 : Infinity) : num / den;
}

/** max_j |ĉ_j − r_j| of one row (NaN if any difference is NaN; 0 for empty rows). */
export function maxAbsDiff(candidate: ArrayLike<number>, reference: ArrayLike<number>): number {
  if (candidate.length !== reference.length)
    throw new RangeError(`maxAbsDiff: ${candidate.length} vs ${reference.length} values`);
  let worst = 0;
  for (let j = 0; j < candidate.length; j++) {
    const d = Math.abs(candidate[j] - reference[j]);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

/** Index of the largest value, the first one on ties; -1 for an empty row or one holding NaN. */
export function argmaxOf(row: ArrayLike<number>): number {
  if (row.length === 0) return -1;
  let best = 0;
  for (let j = 0; j < row.length; j++) {
    if (Number.isNaN(row[j])) return -1;
    if (row[j] > row[best]) best = j;
  }
  return best;
}

/** The verdict on one position's argmax: equal, a legitimate flip (near tie, §9.1), or a real disagreement. */
export type ArgmaxAgreement = "agree" | "near-tie" | "disagree";

/**
 * Spec/tolerances.md §9.1: the candidate's argmax a must equal the reference's b unless the
 * reference's gap r[b] − r[a] is at most 2·√(τ · mean r²), the RMS error NMSE ≤ τ allows.
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

/** √(τ · mean r²): the RMS error of a row that NMSE = τ allows. */
export function allowedRms(reference: ArrayLike<number>, tau: number): number {
  let sum = 0;
  for (let j = 0; j < reference.length; j++) sum += reference[j] * reference[j];
  return reference.length === 0 ? 0 : Math.sqrt((tau * sum) / reference.length);
}

/** The comparison of one backend's row at one position with the reference's. */
export interface PositionComparison {
  readonly maxAbs: number;
  readonly nmse: number;
  readonly argmax: number;
  readonly agreement: ArgmaxAgreement;
}

/** Per-position comparison of `candidate` rows with `reference` rows (as many as both have). */
export function comparePositions(
  candidate: readonly ArrayLike<number>[],
  reference: readonly ArrayLike<number>[],
  tau: number,
): PositionComparison[] {
  const n = Math.min(candidate.length, reference.length);
  return Array.from({ length: n }, (_, p) => ({
    maxAbs: maxAbsDiff(candidate[p], reference[p]),
    nmse: nmse([candidate[p]], [reference[p]]),
    argmax: argmaxOf(candidate[p]),
    agreement: argmaxAgreement(candidate[p], reference[p], tau),
  }));
}

/** The median of some numbers (mean of the middle two for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * The NMSE criterion of a run: τ = 1e-6 in `f32` mode (§9.1); in `ggml` mode
 * max(1e-6, NMSE(reference f32, reference ggml)), the whole effect of Q8_K quantization (§9.2).
 */
export function nmseCriterion(activations: "f32" | "ggml", quantizationEffect: number): number {
  return activations === "f32" ? NMSE_TOLERANCE : Math.max(NMSE_TOLERANCE, quantizationEffect);
}
