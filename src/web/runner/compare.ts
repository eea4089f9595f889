/**
 * How far a backend's logits are from the reference's, position by position (spec/tolerances.md
 * §9): max|Δ|, NMSE, argmax and its agreement under the §9.1 rule, all from reference/tolerances.
 * Pure, no DOM.
 */

import {
  argmaxAgreement,
  argmaxOf,
  maxAbsDiff,
  nmse,
  type ArgmaxAgreement,
} from "../../../reference/tolerances/index.js";

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
