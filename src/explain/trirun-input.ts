/**
 * What `trilm explain trirun` walks through: one 16×64 strip of TriRun codes (four 16×16 tiles, spec/trirun.md §3)
 * and the tile it follows. The strip is drawn from a seed, or one tile is given as codes (`--codes`) with the other
 * three tiles left at code 1 (t = 0). Every problem is a UsageError with a one-line message. Pure: no Node or browser APIs.
 */

import { TRIRUN_TILE } from "../../reference/codec/trirun.js";
import { UsageError } from "../errors.js";
import { drawTrit, mulberry32 } from "../random/index.js";
import { DEFAULT_EXPLAIN_SEED } from "./input.js";

/** Inputs (k) of a strip: one tile's height. */
export const STRIP_K = TRIRUN_TILE;
/** Outputs (n) of a strip: four tiles, the 64 columns one warp reads (spec/trirun.md §4.3). */
export const STRIP_N = 4 * TRIRUN_TILE;

/** Where the strip comes from: `codes` (1..256 codes 0..3 of the chosen tile, row by row) or `seed`; `tile` 0..3. */
export interface TrirunExplainInput {
  readonly codes?: readonly number[];
  readonly seed?: number;
  readonly tile?: number;
}

/** The strip to explain: codes[k·64 + n] (0..3), the tile followed, and a line saying where it came from. */
export interface TrirunStrip {
  /** Uint8Array[16·64]: code of (k, n), k = 0..15, n = 0..63. */
  readonly codes: Uint8Array;
  /** The tile walked through, 0..3 (outputs 16·tile .. 16·tile + 15). */
  readonly tile: number;
  readonly origin: string;
}

/** Parse `--codes c1,c2,…` (digits 0..3, comma-separated); UsageError naming the bad item. */
export function parseCodeList(text: string): number[] {
  return text.split(",").map((item, index) => {
    const trimmed = item.trim();
    if (!/^[0-3]$/.test(trimmed)) throw new UsageError(`--codes: item ${index + 1} ('${trimmed}') is not a code 0..3`);
    return Number(trimmed);
  });
}

/** Parse `--tile T`, 0..3; UsageError otherwise. */
export function parseTile(text: string): number {
  const trimmed = text.trim();
  if (!/^[0-3]$/.test(trimmed))
    throw new UsageError(`--tile must be 0, 1, 2 or 3 (a tile of the 64-column strip), got '${trimmed}'`);
  return Number(trimmed);
}

/**
 * The strip: from `codes` (1..256 codes of the tile, row-major k then n, padded with code 1) or from `seed`
 * (default 1): per element one mulberry32 draw u, trit as drawTrit(u), code = trit + 1.
 */
export function resolveTrirunStrip(input: TrirunExplainInput): TrirunStrip {
  const tile = input.tile ?? 0;
  if (!Number.isInteger(tile) || tile < 0 || tile > 3)
    throw new UsageError(`--tile must be 0, 1, 2 or 3, got '${tile}'`);
  if (input.codes !== undefined && input.seed !== undefined) throw new UsageError("give --codes or --seed, not both");
  const codes = new Uint8Array(STRIP_K * STRIP_N).fill(1);
  if (input.codes !== undefined) {
    const given = input.codes;
    const size = TRIRUN_TILE * TRIRUN_TILE;
    if (given.length === 0 || given.length > size) {
      throw new UsageError(`--codes: ${given.length} codes given, a tile holds 1 to ${size}`);
    }
    given.forEach((code, i) => {
      if (!Number.isInteger(code) || code < 0 || code > 3)
        throw new UsageError(`--codes: item ${i + 1} (${code}) is not a code 0..3`);
      codes[Math.floor(i / TRIRUN_TILE) * STRIP_N + TRIRUN_TILE * tile + (i % TRIRUN_TILE)] = code;
    });
    const padded = given.length < size ? `; the rest of the tile is padded with code 1 (t = 0)` : "";
    return {
      codes,
      tile,
      origin: `${given.length} codes given for tile ${tile}${padded}; the other tiles hold code 1`,
    };
  }
  const seed = input.seed ?? DEFAULT_EXPLAIN_SEED;
  const next = mulberry32(seed);
  for (let i = 0; i < codes.length; i++) codes[i] = drawTrit(next()) + 1;
  return {
    codes,
    tile,
    origin: `seed ${seed}: a 16×64 strip of random trits (P(0) = 1/3, mulberry32), tile ${tile} followed`,
  };
}
