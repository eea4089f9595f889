/**
 * The TriRun view's model: one 16×64 strip of codes (four 16×16 tiles, spec/trirun.md §3), packed into its 64 B
 * words, and everything the page says about one element (k, n): its word and crumb (§5.1), the word's 16 elements,
 * and the MMA lane, register, half, call and fragment that consume it (§4.3), with the kernel's decode of it (§7).
 * The strip comes from the same module as `trilm explain trirun` (src/explain/trirun-input.ts), so a seed gives the
 * same strip on the page and in the CLI. Pure: no DOM, no Node APIs.
 */

import { f16BitsToF32 } from "../../../reference/codec/float16.js";
import {
  TRIRUN_CODES_PER_WORD,
  TRIRUN_TILE,
  trirunElementAt,
  trirunElementLocation,
} from "../../../reference/codec/trirun.js";
import { trirunDecodeCode, trirunDequantCrumbs, trirunDequantWord } from "../../../reference/codec/trirun-dequant.js";
import {
  type TrirunFragmentPosition,
  trirunFragmentPosition,
  trirunFragmentSource,
} from "../../../reference/codec/trirun-fragment.js";
import { STRIP_K, STRIP_N } from "../../explain/trirun-input.js";

/** Codes in one tile: 16 × 16. */
export const TILE_CODES = TRIRUN_TILE * TRIRUN_TILE;

/** A strip and its packed words. */
export interface TrirunStripModel {
  /** Uint8Array[16·64]: code of (k, n) at k·64 + n, 0..3. */
  readonly codes: Uint8Array;
  /** Int32Array[64]: B[0][column] for the strip's 64 columns (spec/trirun.md §5). */
  readonly words: Int32Array;
}

/** Pack a strip: B[0][column] |= code(k, n) << 2·crumb with (column, crumb) = trirunElementLocation (spec §5.1). */
export function packTrirunStrip(codes: Uint8Array): TrirunStripModel {
  const words = new Int32Array(STRIP_N);
  for (let k = 0; k < STRIP_K; k++) {
    for (let n = 0; n < STRIP_N; n++) {
      const { column, crumb } = trirunElementLocation(STRIP_N, k, n);
      words[column] |= codes[k * STRIP_N + n] << (2 * crumb);
    }
  }
  return { codes, words };
}

/** The strip with tile `tile`'s 256 codes replaced by `tileCodes` (row by row: k, then n within the tile). */
export function withTileCodes(codes: Uint8Array, tile: number, tileCodes: readonly number[]): Uint8Array {
  const out = Uint8Array.from(codes);
  tileCodes.forEach((code, i) => {
    out[Math.floor(i / TRIRUN_TILE) * STRIP_N + TRIRUN_TILE * tile + (i % TRIRUN_TILE)] = code;
  });
  return out;
}

/** Tile `tile`'s 256 codes, row by row. */
export function tileCodesOf(codes: Uint8Array, tile: number): number[] {
  return Array.from(
    { length: TILE_CODES },
    (_, i) => codes[Math.floor(i / TRIRUN_TILE) * STRIP_N + TRIRUN_TILE * tile + (i % TRIRUN_TILE)],
  );
}

/** A tile's codes as text: 16 lines (k = 0..15) of 16 digits. */
export function formatTileCodes(tileCodes: readonly number[]): string {
  return Array.from({ length: TRIRUN_TILE }, (_, k) =>
    tileCodes.slice(TRIRUN_TILE * k, TRIRUN_TILE * (k + 1)).join(" "),
  ).join("\n");
}

/** Parsed codes of a tile: 256 codes (those not given are 1, t = 0) and how many were given. */
export interface ParsedTileCodes {
  readonly ok: true;
  readonly codes: number[];
  readonly given: number;
}

/** Why the text is not a tile's codes: one line. */
export interface TileCodesError {
  readonly ok: false;
  readonly error: string;
}

/** Parse 1..256 codes 0..3 separated by spaces, commas or newlines; missing codes are 1 (t = 0), as `--codes` pads. */
export function parseTileCodes(text: string): ParsedTileCodes | TileCodesError {
  const tokens = text.split(/[\s,]+/).filter((t) => t !== "");
  if (tokens.length === 0) return { ok: false, error: "codes: none given; type 1 to 256 codes 0..3" };
  if (tokens.length > TILE_CODES)
    return { ok: false, error: `codes: ${tokens.length} codes given, a tile holds 1 to ${TILE_CODES}` };
  const bad = tokens.findIndex((t) => !/^[0-3]$/.test(t));
  if (bad >= 0) return { ok: false, error: `codes: item ${bad + 1} ('${tokens[bad]}') is not a code 0..3` };
  const codes = Array.from({ length: TILE_CODES }, (_, i) => (i < tokens.length ? Number(tokens[i]) : 1));
  return { ok: true, codes, given: tokens.length };
}

/** One crumb of a word: which element it holds and its code. */
export interface WordCrumb {
  readonly crumb: number;
  readonly k: number;
  readonly n: number;
  readonly code: number;
}

/** Everything the page shows about element (k, n) of the strip. */
export interface TrirunElementFacts {
  readonly k: number;
  readonly n: number;
  /** The element's tile in the strip, n / 16. */
  readonly tile: number;
  readonly code: number;
  /** t = code − 1 (spec §2). */
  readonly t: number;
  /** B row k / 16 (0 in a strip). */
  readonly row: number;
  /** B column 0..63 of the strip. */
  readonly column: number;
  /** Crumb 0..15: bits 2·crumb .. 2·crumb + 1 of the word. */
  readonly crumb: number;
  /** The B word as a signed int32. */
  readonly word: number;
  /** The word's 16 crumbs, crumb 0 first. */
  readonly crumbs: readonly WordCrumb[];
  /** The MMA lane, register, half, call and fragment that consume the element (spec §4.3). */
  readonly position: TrirunFragmentPosition;
  /** The crumbs `dequant(word >> shift)` reads, in fragment order b0.lo, b0.hi, b1.lo, b1.hi (spec §7). */
  readonly dequantCrumbs: readonly number[];
  /** The fp16 bits the kernel's dequant gives for this element (its register and half of that call). */
  readonly kernelBits: number;
  /** The value they stand for: equals t (spec §7). */
  readonly kernelValue: number;
  /** The (column, crumb) the kernel reads for `position` (trirunFragmentSource): the same as the packer's. */
  readonly kernelSource: { readonly column: number; readonly crumb: number };
}

/** The facts of element (k, n), 0 ≤ k < 16, 0 ≤ n < 64, of a packed strip. */
export function trirunElementFacts(strip: TrirunStripModel, k: number, n: number): TrirunElementFacts {
  const { row, column, crumb } = trirunElementLocation(STRIP_N, k, n);
  const word = strip.words[column];
  const crumbs = Array.from({ length: TRIRUN_CODES_PER_WORD }, (_, c) => {
    const at = trirunElementAt(row, column, c);
    return { crumb: c, k: at.k, n: at.n, code: (word >>> (2 * c)) & 3 };
  });
  const position = trirunFragmentPosition(k, n);
  const kernelBits = trirunDequantWord(word >> position.shift)[2 * position.register + position.half];
  const code = strip.codes[k * STRIP_N + n];
  return {
    k,
    n,
    tile: Math.floor(n / TRIRUN_TILE),
    code,
    t: trirunDecodeCode(code),
    row,
    column,
    crumb,
    word,
    crumbs,
    position,
    dequantCrumbs: trirunDequantCrumbs(position.shift),
    kernelBits,
    kernelValue: f16BitsToF32(kernelBits),
    kernelSource: trirunFragmentSource(position),
  };
}
