/**
 * `trilm explain trirun`: one 16×16 tile of a TriRun weight walked from codes to B words (spec/trirun.md §3–§5), the
 * kernel's decode of one word (§7), and which MMA lane, register and half consumes each element (§4.3). Every number
 * printed is computed by reference/codec/. Pure: no Node or browser APIs.
 */

import {
  marlinBasePermutation,
  MARLIN_INTERLEAVE,
  TRIRUN_CRUMB_INTERLEAVE,
  TRIRUN_TILE,
  trirunElementAt,
  trirunElementLocation,
} from "../../reference/codec/trirun.js";
import {
  TRIRUN_DEQUANT_ADD,
  TRIRUN_DEQUANT_EX,
  TRIRUN_DEQUANT_HI,
  TRIRUN_DEQUANT_LO,
  TRIRUN_DEQUANT_MUL,
  TRIRUN_DEQUANT_SUB,
  trirunDequantCrumbs,
  trirunDequantWord,
} from "../../reference/codec/trirun-dequant.js";
import { trirunFragmentPosition } from "../../reference/codec/trirun-fragment.js";
import { f16BitsToF32 } from "../../reference/codec/float16.js";
import { binary, hexHalfWord, signedTrit } from "./numbers.js";
import { heading, INDENT, table, wrap, walkTitle } from "./text.js";
import { resolveTrirunStrip, STRIP_K, STRIP_N, type TrirunExplainInput, type TrirunStrip } from "./trirun-input.js";

const SPEC = "spec/trirun.md";
/** The right shifts the kernel's matmul applies before dequant: 2·(j % 2) + 8·fragment (spec/trirun.md §4.3). */
const KERNEL_SHIFTS = [0, 2, 8, 10] as const;

/** A strip packed into its 64 words (B row 0, columns 0..63), with the tile followed. */
interface PackedStrip extends TrirunStrip {
  /** Int32Array[64]: B[0][column], built with trirunElementLocation (the map packTrirun uses). */
  readonly words: Int32Array;
}

/**
 * The walk-through of one tile as plain text (lines ≤ 100 columns, ending in a newline): 1. the tile's codes;
 * 2. tile-major order; 3. the permutation stage by stage for the tile's first word; 4. the words in hex with each
 * crumb's (k, n); 5. the kernel's decode of the first word; 6. the lane, register and half that consume each element.
 * Throws UsageError (one line) for bad input.
 */
export function explainTrirunTile(input: TrirunExplainInput = {}): string {
  const strip = packStrip(resolveTrirunStrip(input));
  const lines = [
    ...walkTitle(`TriRun: one 16×16 tile of a 16×64 strip, from codes to B words, step by step`),
    ...wrap(strip.origin),
    ...codesSection(strip),
    ...tileOrderSection(strip),
    ...permutationSection(strip),
    ...wordsSection(strip),
    ...dequantSection(strip),
    ...consumersSection(strip),
  ];
  return `${lines.join("\n")}\n`;
}

/** B[0][column] |= code(k, n) << 2·crumb for every element of the strip (spec/trirun.md §5). */
function packStrip(strip: TrirunStrip): PackedStrip {
  const words = new Int32Array(STRIP_N);
  for (let k = 0; k < STRIP_K; k++) {
    for (let n = 0; n < STRIP_N; n++) {
      const { column, crumb } = trirunElementLocation(STRIP_N, k, n);
      words[column] |= strip.codes[k * STRIP_N + n] << (2 * crumb);
    }
  }
  return { ...strip, words };
}

/** The n of the tile's first column. */
const firstN = (strip: TrirunStrip): number => TRIRUN_TILE * strip.tile;
/** The B column of the first word that holds codes of the tile: tiles 0, 1 start at column 0; tiles 2, 3 at 1. */
const firstWordColumn = (strip: TrirunStrip): number => trirunElementLocation(STRIP_N, 0, firstN(strip)).column;
/** `0x1234abcd` */
const hexWord = (word: number): string => `0x${(word >>> 0).toString(16).padStart(8, "0")}`;
/** A row of right-aligned cells. */
const cells = (values: readonly (number | string)[], width: number): string =>
  values.map((v) => String(v).padStart(width)).join(" ");

/** 1. The tile's 256 codes as a grid, k down and n across. */
function codesSection(strip: TrirunStrip): string[] {
  const n0 = firstN(strip);
  const rows = Array.from({ length: TRIRUN_TILE }, (_, k) => {
    const codes = Array.from({ length: TRIRUN_TILE }, (_, c) => strip.codes[k * STRIP_N + n0 + c]);
    return `${INDENT}k=${String(k).padStart(2)} | ${cells(codes, 2)}`;
  });
  return [
    ...heading(`1. The codes of tile ${strip.tile} (n = ${n0}..${n0 + 15})`, "§2, §3", SPEC),
    ...wrap("code = t + 1: t = −1, 0, +1 are codes 0, 1, 2 (3 would be t = +2, never ternary)."),
    `${INDENT}      n=${cells(
      Array.from({ length: TRIRUN_TILE }, (_, c) => n0 + c),
      2,
    )}`,
    ...rows,
  ];
}

/** 2. Where tile-major order puts the tile in the strip. */
function tileOrderSection(strip: TrirunStrip): string[] {
  const n0 = firstN(strip);
  const example = { k: 1, n: n0 + 2 };
  const p = 256 * strip.tile + 16 * example.k + 2;
  return [
    ...heading("2. Tile-major order", "§3", SPEC),
    ...wrap("Layer.pack cuts the codes into 16×16 tiles and lays them out tile after tile, each tile row by row:"),
    `${INDENT}  element (k, n) of a 16×64 strip → position p = 256·(n / 16) + 16·(k mod 16) + n mod 16`,
    ...wrap(
      `Tile ${strip.tile} is positions ${256 * strip.tile}..${256 * strip.tile + 255}; ` +
        `e.g. (k, n) = (${example.k}, ${example.n}) is p = ${p}.`,
    ),
  ];
}

/** 3. The three stages of the permutation for the 16 positions of the tile's first word. */
function permutationSection(strip: TrirunStrip): string[] {
  const column = firstWordColumn(strip);
  const base = marlinBasePermutation();
  const first = 16 * column;
  const stage1 = Array.from({ length: 16 }, (_, j) => base[first + j]);
  const stage2 = Array.from({ length: 16 }, (_, j) => base[first + 8 * (j >> 3) + MARLIN_INTERLEAVE[j % 8]]);
  const stage3 = Array.from({ length: 16 }, (_, j) => stage2[TRIRUN_CRUMB_INTERLEAVE[j]]);
  const label = (text: string): string => `${INDENT}${text.padEnd(14)}`;
  return [
    ...heading(`3. The permutation for word B[0][${column}]`, "§4", SPEC),
    ...wrap(
      `Packed positions ${first}..${first + 15} (crumbs 0..15 of B[0][${column}]) take the tile-ordered positions ` +
        "T[j] below; each stage reorders the previous one:",
    ),
    `${label("crumb")}${cells(
      Array.from({ length: 16 }, (_, j) => j),
      4,
    )}`,
    `${label("base §4.1")}${cells(stage1, 4)}`,
    `${label("per 8 §4.2")}${cells(stage2, 4)}`,
    `${label("per 16 §4.2")}${cells(stage3, 4)}`,
  ];
}

/** "(k, n)" of crumb `crumb` of B[0][column]. */
function elementOf(column: number, crumb: number): { k: number; n: number } {
  return trirunElementAt(0, column, crumb);
}

/** 4. The 32 words holding the tile's codes, in hex with their (k, n) sets, and the first word crumb by crumb. */
function wordsSection(strip: PackedStrip): string[] {
  const n0 = firstN(strip);
  const column = firstWordColumn(strip);
  const wordLines: string[] = [];
  for (let w = 0; w < STRIP_N; w++) {
    const elements = Array.from({ length: 16 }, (_, c) => elementOf(w, c));
    if (!elements.some(({ n }) => n >= n0 && n < n0 + TRIRUN_TILE)) continue;
    const ks = [...new Set(elements.map((e) => e.k))].sort((a, b) => a - b);
    const ns = [...new Set(elements.map((e) => e.n))].sort((a, b) => a - b);
    wordLines.push(
      `${INDENT}B[0][${String(w).padStart(2)}] = ${hexWord(strip.words[w])}   k ∈ {${ks.join(", ")}}   n ∈ {${ns.join(", ")}}`,
    );
  }
  const word = strip.words[column];
  const rows = Array.from({ length: 16 }, (_, c) => {
    const { k, n } = elementOf(column, c);
    const code = (word >>> (2 * c)) & 3;
    return [
      String(c),
      `${2 * c}-${2 * c + 1}`,
      binary(code, 2),
      `${code} (${signedTrit(code).trim()})`,
      `(${k}, ${n})`,
      String(n >> 4),
    ];
  });
  return [
    ...heading("4. Words: 16 codes per int32, LSB first", "§5", SPEC),
    ...wrap(
      `Crumb i (bits 2i, 2i+1) of B[0][w] is packed position 16w + i. The tile's 256 codes fill these 32 words; ` +
        "each also holds 8 codes of a neighbouring tile (a word spans n and n + 16):",
    ),
    ...wordLines,
    "",
    ...wrap(`B[0][${column}] = ${hexWord(word)} crumb by crumb:`),
    ...table(["crumb", "bits", "value", "code (t)", "(k, n)", "tile"], rows, [
      "right",
      "left",
      "left",
      "left",
      "left",
      "right",
    ]),
  ];
}

/** 5. The kernel's dequant of the first word at its four shifts. */
function dequantSection(strip: PackedStrip): string[] {
  const column = firstWordColumn(strip);
  const word = strip.words[column];
  const half = (bits: number): string => `${hexHalfWord(bits)} = ${f16BitsToF32(bits)}`;
  const constants = [
    `LO = ${hexWord(TRIRUN_DEQUANT_LO)}   HI = ${hexWord(TRIRUN_DEQUANT_HI)}   EX = ${hexWord(TRIRUN_DEQUANT_EX)} (fp16 1024, ulp 1)`,
    `SUB = ${hexWord(TRIRUN_DEQUANT_SUB)} (1025)   MUL = ${hexWord(TRIRUN_DEQUANT_MUL)} (1/16)   ADD = ${hexWord(TRIRUN_DEQUANT_ADD)} (−65)`,
  ].map((line) => INDENT + line);
  const calls = KERNEL_SHIFTS.flatMap((shift) => {
    const q = word >> shift;
    const lo = (q & TRIRUN_DEQUANT_LO) | TRIRUN_DEQUANT_EX;
    const hi = (q & TRIRUN_DEQUANT_HI) | TRIRUN_DEQUANT_EX;
    const values = trirunDequantWord(q);
    const crumbs = trirunDequantCrumbs(shift);
    const at = crumbs.map((c) => elementOf(column, c)).map(({ k, n }) => `(${k}, ${n})`);
    return [
      `${INDENT}dequant(word >> ${String(shift).padStart(2)}): crumbs ${crumbs.join(", ")} = (k, n) ${at.join(" ")}`,
      `${INDENT}   lo = ${half(lo & 0xffff)}, ${half(lo >>> 16)} → frag_b[0] = lo − 1025 = ${f16BitsToF32(values[0])}, ${f16BitsToF32(values[1])}`,
      `${INDENT}   hi = ${half(hi & 0xffff)}, ${half(hi >>> 16)} → frag_b[1] = hi/16 − 65 = ${f16BitsToF32(values[2])}, ${f16BitsToF32(values[3])}`,
    ];
  });
  return [
    ...heading(`5. Decoding B[0][${column}]: the 0x6400 trick`, "§7", SPEC),
    ...wrap(
      "An fp16 with exponent field 25 lies in [1024, 2048) with ulp 1, so OR-ing a code c into its mantissa gives " +
        "1024 + c (LO field) or 1024 + 16c (HI field, 4 bits up); one subtraction or one fma gives t = c − 1 exactly.",
    ),
    ...constants,
    ...calls,
  ];
}

/** 6. The lane of each element of the tile, and the register/half (by k) and MMA call/fragment/word (by n). */
function consumersSection(strip: TrirunStrip): string[] {
  const n0 = firstN(strip);
  const lanes = Array.from({ length: TRIRUN_TILE }, (_, k) => {
    const row = Array.from({ length: TRIRUN_TILE }, (_, c) => trirunFragmentPosition(k, n0 + c).lane);
    return `${INDENT}k=${String(k).padStart(2)} | ${cells(row, 2)}`;
  });
  const byK = Array.from({ length: TRIRUN_TILE }, (_, k) => {
    const p = trirunFragmentPosition(k, n0);
    return `b${p.register}.${p.half === 0 ? "lo" : "hi"}`;
  });
  const byN = Array.from({ length: TRIRUN_TILE }, (_, c) => {
    const p = trirunFragmentPosition(0, n0 + c);
    return `j${p.mma}f${p.fragment}`;
  });
  const sample = trirunFragmentPosition(0, n0);
  return [
    ...heading("6. Who consumes each element", "§4.3", SPEC),
    ...wrap(
      "Lane l loads B columns 2l and 2l+1 of the strip (one int2); MMA call j uses word j/2 shifted right by " +
        "2·(j mod 2), and by 8 more for frag_b1. The PTX B fragment gives",
    ),
    `${INDENT}  lane = 4·(n mod 8) + (k mod 8)/2:`,
    `${INDENT}      n=${cells(
      Array.from({ length: TRIRUN_TILE }, (_, c) => n0 + c),
      2,
    )}`,
    ...lanes,
    "",
    ...wrap(`Register and half by k (b0 = frag_b[0], LO mask; b1 = frag_b[1], HI mask; lo/hi = fp16 half):`),
    `${INDENT}k =  0..7:  ${byK.slice(0, 8).join(" ")}`,
    `${INDENT}k = 8..15:  ${byK.slice(8).join(" ")}`,
    ...wrap(`MMA call j and fragment f by n (n8 sub-tile 2j + f; word = j/2, shift = 2·(j mod 2) + 8f):`),
    `${INDENT}n = ${n0}..${n0 + 15}: ${byN.join(" ")}`,
    ...wrap(
      `E.g. (0, ${n0}): lane ${sample.lane}, word ${sample.word}, j = ${sample.mma}, frag_b${sample.fragment}, ` +
        `b${sample.register} ${sample.half === 0 ? "low" : "high"} half, shift ${sample.shift}.`,
    ),
  ];
}
