/**
 * The 256 ternary weights `trilm explain i2_s` and `trilm explain hf-bitnet` walk through: drawn from a seed as a
 * TriLM-like block (trits times one float32 scale, as `trilm explain tq2_0 --seed` draws them), or given as codes
 * 0..2 (t + 1) with scale 1. Every problem is a UsageError with a one-line message. Pure: no Node or browser APIs.
 */

import { UsageError } from "../errors.js";
import { DEFAULT_EXPLAIN_SEED, drawTriLmBlock } from "./input.js";
import { formatF32 } from "./numbers.js";

/** Weights walked through: one TQ block's worth. */
export const TERNARY_WEIGHTS = 256;

/** Where the weights come from: `codes` (1..256 codes 0..2, the rest 1 = t 0) or `seed` (default 1). */
export interface TernaryInput {
  readonly codes?: readonly number[];
  readonly seed?: number;
}

/** The weights: t and the float32 values t · scale the codec quantizes. */
export interface TernaryWeights {
  /** Int8Array[256]: t ∈ {−1, 0, +1}. */
  readonly trits: Int8Array;
  /** Float32Array[256]: t · scale, exact in float32. */
  readonly values: Float32Array;
  /** The float32 scale (1 for given codes). */
  readonly scale: number;
  /** One line saying where the weights came from. */
  readonly origin: string;
}

/** Parse `--codes c1,c2,…` (codes 0..2 = t + 1); UsageError naming the bad item. */
export function parseTernaryCodes(text: string): number[] {
  return text.split(",").map((item, index) => {
    const trimmed = item.trim();
    if (!/^[0-2]$/.test(trimmed)) {
      throw new UsageError(`--codes: item ${index + 1} ('${trimmed}') is not a code 0..2 (t + 1 of a ternary weight)`);
    }
    return Number(trimmed);
  });
}

/** Codes 0..2 → 256 trits (the rest 0); UsageError for a bad count or code. Returns the trits and a padding note. */
export function tritsOfCodes(codes: readonly number[]): { trits: Int8Array; note: string } {
  if (codes.length === 0 || codes.length > TERNARY_WEIGHTS) {
    throw new UsageError(`--codes: ${codes.length} codes given, give 1 to ${TERNARY_WEIGHTS}`);
  }
  const trits = new Int8Array(TERNARY_WEIGHTS);
  codes.forEach((code, i) => {
    if (!Number.isInteger(code) || code < 0 || code > 2) {
      throw new UsageError(`--codes: item ${i + 1} (${code}) is not a code 0..2`);
    }
    trits[i] = code - 1;
  });
  const padded = codes.length < TERNARY_WEIGHTS ? `; weights ${codes.length}..255 are 0 (code 1)` : "";
  return { trits, note: `${codes.length} codes given${padded}` };
}

/** Resolve the input (UsageError on bad input). */
export function resolveTernaryWeights(input: TernaryInput): TernaryWeights {
  if (input.codes !== undefined && input.seed !== undefined) throw new UsageError("give --codes or --seed, not both");
  if (input.codes !== undefined) {
    const { trits, note } = tritsOfCodes(input.codes);
    return { trits, values: Float32Array.from(trits), scale: 1, origin: `${note}; scale 1` };
  }
  const seed = input.seed ?? DEFAULT_EXPLAIN_SEED;
  const { values, scale } = drawTriLmBlock(seed);
  const trits = Int8Array.from(values, (v) => Math.sign(v));
  const origin =
    `seed ${seed}: a TriLM-like block, 256 trits (P(0) = 1/3) times one scale ${formatF32(scale)} ` +
    "(float32, mulberry32), as trilm explain tq2_0 --seed draws it";
  return { trits, values, scale, origin };
}
