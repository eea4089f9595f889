/**
 * What `trilm explain rosetta` (and the page's Rosetta view) shows: 256 ternary weights and the element followed.
 * By default a single +1 at the followed element and 0 everywhere else, so that in every layout's bytes the one odd
 * field is where that element lands; `--seed` draws random trits instead, `--codes` gives them. Where the 256 sit in a
 * weight matrix is the arrangement: one output row of 256 inputs (a TQ block's run) or a 16×16 corner.
 * Every problem is a UsageError with a one-line message. Pure: no Node or browser APIs.
 */

import { UsageError } from "../errors.js";
import { resolveTernaryWeights, tritsOfCodes } from "./ternary-input.js";

/** Weights in the pattern: one TQ block's worth. */
export const ROSETTA_ELEMENTS = 256;

/** Where the 256 weights sit in W[out][in]: `row` = W[0][0..255], `square` = W[0..15][0..15]. */
export type RosettaArrangement = "row" | "square";

/** Both arrangements, the default first. */
export const ROSETTA_ARRANGEMENTS: readonly RosettaArrangement[] = ["row", "square"];

/** Where the pattern comes from: `codes` (1..256 codes 0..2 = t + 1, the rest 1) or `seed`; neither: a walking +1. */
export interface RosettaInput {
  readonly codes?: readonly number[];
  readonly seed?: number;
  /** The element followed (and, without codes or seed, the one +1), 0..255; default 0. */
  readonly element?: number;
  readonly arrangement?: RosettaArrangement;
}

/** The resolved pattern. */
export interface RosettaPattern {
  /** Int8Array[256]: t ∈ {−1, 0, +1} of element e. */
  readonly trits: Int8Array;
  readonly element: number;
  readonly arrangement: RosettaArrangement;
  /** One line saying where the pattern came from. */
  readonly origin: string;
}

/** Element e's place in the logical weight W[out][in] under an arrangement. */
export function rosettaMatrixPosition(arrangement: RosettaArrangement, e: number): { row: number; col: number } {
  return arrangement === "row" ? { row: 0, col: e } : { row: Math.floor(e / 16), col: e % 16 };
}

/** Parse `--element E`, 0..255; UsageError otherwise. */
export function parseRosettaElement(text: string): number {
  const trimmed = text.trim();
  const e = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(e >= 0 && e < ROSETTA_ELEMENTS)) throw new UsageError(`--element must be 0 to 255, got '${trimmed}'`);
  return e;
}

/** Parse `--shape row|square`; UsageError otherwise. */
export function parseRosettaArrangement(text: string): RosettaArrangement {
  const lower = text.trim().toLowerCase();
  if (lower === "row" || lower === "square") return lower;
  throw new UsageError(`--shape must be row (W[0][0..255]) or square (W[0..15][0..15]), got '${text}'`);
}

/** Resolve the input into 256 trits (UsageError on bad input). */
export function resolveRosettaPattern(input: RosettaInput): RosettaPattern {
  const element = input.element ?? 0;
  if (!Number.isInteger(element) || element < 0 || element >= ROSETTA_ELEMENTS) {
    throw new UsageError(`--element must be 0 to 255, got '${element}'`);
  }
  const arrangement = input.arrangement ?? "row";
  if (input.codes !== undefined && input.seed !== undefined) throw new UsageError("give --codes or --seed, not both");
  if (input.codes !== undefined) {
    const { trits, note } = tritsOfCodes(input.codes);
    return { trits, element, arrangement, origin: `${note}; element ${element} followed` };
  }
  if (input.seed !== undefined) {
    const { trits } = resolveTernaryWeights({ seed: input.seed });
    const origin = `seed ${input.seed}: the trits of trilm explain tq2_0 --seed ${input.seed} (P(0) = 1/3); element ${element} followed`;
    return { trits, element, arrangement, origin };
  }
  const trits = new Int8Array(ROSETTA_ELEMENTS);
  trits[element] = 1;
  const origin = `a single +1 at element ${element}, every other weight 0: the one odd field in each layout is element ${element}`;
  return { trits, element, arrangement, origin };
}
