/**
 * Comparing a candidate's outputs with the reference's element by element under per-element
 * bounds, reporting the worst element. Implements spec/tolerances.md §1 (non-finite values).
 */

/** The element of a comparison with the largest |Δ| / bound. */
export interface ToleranceWorstElement {
  readonly index: number;
  readonly candidate: number;
  readonly reference: number;
  /** |candidate − reference|. */
  readonly difference: number;
  readonly bound: number;
}

/** Outcome of comparing two arrays under element bounds. */
export interface ToleranceReport {
  readonly ok: boolean;
  /** Elements outside their bound (or non-finite where the other is not). */
  readonly violations: number;
  /** The element with the largest difference / bound (a violation if any). */
  readonly worst: ToleranceWorstElement | undefined;
  /** One line: count, worst element, ratio. */
  readonly summary: string;
}

/**
 * Compare `candidate` with `reference` element by element under `bounds` (one per element, from
 * the bound functions of this module): an element agrees when both are NaN, or both the same
 * infinity, or both finite with |c − r| ≤ bound; where `nonFiniteAllowed[i]` is set (some correct
 * float32 order may overflow there, e.g. matmulTolerance's), also when either is non-finite.
 * Reports the count of violations and the worst element. Implements spec/tolerances.md §1.
 */
export function checkTolerance(
  candidate: Float32Array,
  reference: Float32Array,
  bounds: ArrayLike<number>,
  nonFiniteAllowed?: ArrayLike<number>,
): ToleranceReport {
  if (candidate.length !== reference.length) {
    return {
      ok: false,
      violations: Math.max(candidate.length, reference.length),
      worst: undefined,
      summary: `length ${candidate.length} ≠ reference length ${reference.length}`,
    };
  }
  let violations = 0;
  let worst: ToleranceWorstElement | undefined;
  let worstRatio = -1;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate[i];
    const r = reference[i];
    const bound = bounds[i];
    let ratio: number;
    if (nonFiniteAllowed?.[i] && !(Number.isFinite(c) && Number.isFinite(r))) ratio = 0;
    else if (Number.isNaN(c) || Number.isNaN(r)) ratio = Number.isNaN(c) && Number.isNaN(r) ? 0 : Infinity;
    else if (!Number.isFinite(c) || !Number.isFinite(r)) ratio = c === r ? 0 : Infinity;
    else {
      const d = Math.abs(c - r);
      ratio = d === 0 ? 0 : bound > 0 ? d / bound : Infinity;
    }
    if (ratio > 1) violations++;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, candidate: c, reference: r, difference: Math.abs(c - r), bound };
    }
  }
  const ok = violations === 0;
  const w = worst;
  const summary =
    w === undefined
      ? "no elements"
      : `${violations} of ${candidate.length} elements outside the bound; worst [${w.index}]: ` +
        `candidate ${w.candidate}, reference ${w.reference}, |Δ| ${w.difference.toExponential(3)}, ` +
        `bound ${w.bound.toExponential(3)} (${worstRatio === Infinity ? "∞" : worstRatio.toFixed(3)}× the bound)`;
  return { ok, violations, worst, summary };
}
