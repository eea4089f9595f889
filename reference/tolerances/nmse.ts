/**
 * The error measures of whole-model logits: NMSE and the largest single difference.
 * Implements spec/tolerances.md §9.1.
 */

/**
 * NMSE = Σ_{p,j} (ĉ − r)² / Σ_{p,j} r² over all rows and entries of `candidate` against
 * `reference` (sums in float64). 0/0 = 0; x/0 = Infinity; a NaN anywhere gives NaN. Rows must match
 * in number and length (RangeError otherwise). The one NMSE of the code base.
 * Implements spec/tolerances.md §9.1.
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

/**
 * max_j |ĉ_j − r_j| of one row (NaN if any difference is NaN; 0 for empty rows; RangeError for
 * rows of different lengths). Implements spec/tolerances.md §9.1 (max|Δ|, reported beside NMSE).
 */
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
