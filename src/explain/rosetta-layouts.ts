/**
 * The Rosetta stone's model: the same 256 ternary weights packed by every layout's codec — TQ2_0, TQ1_0, I2_S (x86,
 * arm, 1x4), Hugging Face packed, TriRun, W2A8 — with, for each element, the byte and 2-bit field (or base-3 digit)
 * that holds it, and the inverse: which of the 256 a field holds. Each layout packs a minimal matrix of its own (a
 * layout whose unit is a whole matrix needs one) with the 256 at the arrangement's place and 0 everywhere else; the
 * bytes come from the codec's packer, the places from its element map, the inverse from its inverse map where it
 * has one. Nothing is tabulated. Shared by `trilm explain rosetta` and the page's `#rosetta` view.
 * Pure: no Node or browser APIs.
 */

import { f32ToF16Bits } from "../../reference/codec/float16.js";
import { hfBitnetElementAt, hfBitnetElementLocation, packHfBitnet } from "../../reference/codec/hf-bitnet.js";
import {
  type I2sLayout,
  type I2sShape,
  i2sByteElements,
  i2sElementLocation,
  i2sScaleOffset,
  quantizeI2s,
} from "../../reference/codec/i2_s.js";
import {
  TQ1_0_BLOCK_BYTES,
  TQ1_0_QH_OFFSET,
  quantizeRowTq1_0,
  tq1ElementPosition,
  tritOfByte,
} from "../../reference/codec/tq1_0.js";
import { TQ2_0_BLOCK_BYTES, quantizeRowTq2_0, tq2ElementPosition } from "../../reference/codec/tq2_0.js";
import {
  packTrirun,
  TRIRUN_K_MULTIPLE,
  TRIRUN_N_MULTIPLE,
  trirunElementAt,
  trirunElementLocation,
} from "../../reference/codec/trirun.js";
import { W2A8_BLOCK_K, W2A8_BLOCK_N, packW2a8, w2a8Code, w2a8ElementMap } from "../../reference/codec/w2a8.js";
import {
  ROSETTA_ELEMENTS,
  type RosettaArrangement,
  type RosettaPattern,
  rosettaMatrixPosition,
} from "./rosetta-input.js";

/** The layouts of the Rosetta stone, in the order shown. */
export const ROSETTA_LAYOUT_IDS = [
  "tq2_0",
  "tq1_0",
  "i2_s-x86",
  "i2_s-arm",
  "i2_s-1x4",
  "hf",
  "trirun",
  "w2a8",
] as const;

/** One of ROSETTA_LAYOUT_IDS. */
export type RosettaLayoutId = (typeof ROSETTA_LAYOUT_IDS)[number];

/** Where one weight's code is: a 2-bit field `(bytes[byte] >> field) & 3`, or base-3 digit `field` of a TQ1_0 byte. */
export interface RosettaPlace {
  /** Offset in the layout's packed bytes. */
  readonly byte: number;
  /** Crumb layouts: the shift 0, 2, 4, 6; TQ1_0: the trit n, 0 = most significant. */
  readonly field: number;
  /** In the layout's own terms: `block 0 qs[37] bits 1:0`, `B[2][6] crumb 9 (bits 19:18)`. */
  readonly where: string;
}

/** One layout holding the 256 weights. */
export interface RosettaLayout {
  readonly id: RosettaLayoutId;
  /** `I2_S x86`. */
  readonly name: string;
  /** Short column heading: `x86`. */
  readonly short: string;
  readonly fieldKind: "crumb" | "trit";
  /** The stored code of a weight t: t + 1, or t + 2 (W2A8). */
  readonly codeOf: (t: number) => number;
  /** `t + 1`. */
  readonly codeRule: string;
  /** The minimal matrix packed, in W[out][in] terms: `1×256`. */
  readonly matrix: string;
  /** Where the 256 sit in it, and why that matrix. */
  readonly placement: string;
  /** Where the scale is. */
  readonly scale: string;
  /** `spec/bitnet.md §2.2` */
  readonly spec: string;
  /** The packed bytes of the whole minimal matrix, from the codec. */
  readonly bytes: Uint8Array;
  /** places[e] for the 256 elements. */
  readonly places: readonly RosettaPlace[];
  /** The element (0..255) whose code field (byte, field) holds, or undefined (another weight, a scale, padding). */
  readonly elementAt: (byte: number, field: number) => number | undefined;
  /** Word layouts (TriRun's B, W2A8's int32 words): the name of word `word`; undefined for byte layouts. */
  readonly wordName?: (word: number) => string;
}

/** The pattern packed in every layout. */
export interface RosettaModel {
  readonly pattern: RosettaPattern;
  readonly layouts: readonly RosettaLayout[];
}

/** The weight matrix W[out][in] (row-major Int8Array) with the 256 at their arrangement's place, 0 elsewhere. */
interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly w: Int8Array;
}

/** `bits 5:4` */
const bitsLabel = (shift: number): string => `bits ${shift + 1}:${shift}`;

/** Build every layout of a pattern. */
export function rosettaModel(pattern: RosettaPattern): RosettaModel {
  const a = pattern.arrangement;
  return {
    pattern,
    layouts: [
      tq2Layout(pattern, a),
      tq1Layout(pattern, a),
      i2sLayout(pattern, a, "x86"),
      i2sLayout(pattern, a, "arm"),
      i2sLayout(pattern, a, "1x4"),
      hfLayout(pattern, a),
      trirunLayout(pattern, a),
      w2a8Layout(pattern, a),
    ],
  };
}

/** The code field at a place of a layout's bytes. */
export function rosettaCodeAt(layout: RosettaLayout, place: RosettaPlace): number {
  const byte = layout.bytes[place.byte];
  return layout.fieldKind === "trit" ? tritOfByte(byte, place.field) : (byte >> place.field) & 3;
}

/** Every (byte, field) of a layout that holds one of the 256, ascending bytes: the bytes to show. */
export function rosettaBytesShown(layout: RosettaLayout): number[] {
  return [...new Set(layout.places.map((p) => p.byte))].sort((x, y) => x - y);
}

/** The fields of a byte, in the order drawn: shifts 6, 4, 2, 0, or trits 0..4. */
export function rosettaFieldsOfByte(layout: RosettaLayout): readonly number[] {
  return layout.fieldKind === "trit" ? [0, 1, 2, 3, 4] : [6, 4, 2, 0];
}

/** A rows × cols zero matrix with the pattern placed. */
function matrixOf(pattern: RosettaPattern, rows: number, cols: number): Matrix {
  const w = new Int8Array(rows * cols);
  for (let e = 0; e < ROSETTA_ELEMENTS; e++) {
    const { row, col } = rosettaMatrixPosition(pattern.arrangement, e);
    w[row * cols + col] = pattern.trits[e];
  }
  return { rows, cols, w };
}

/** The element at W[row][col], or undefined when that weight is not one of the 256. */
function elementOfPosition(arrangement: RosettaArrangement, row: number, col: number): number | undefined {
  if (arrangement === "row") return row === 0 && col < ROSETTA_ELEMENTS ? col : undefined;
  return row < 16 && col < 16 ? 16 * row + col : undefined;
}

/** The places of the 256 from a position → place function. */
function placesOf(arrangement: RosettaArrangement, place: (row: number, col: number) => RosettaPlace): RosettaPlace[] {
  return Array.from({ length: ROSETTA_ELEMENTS }, (_, e) => {
    const { row, col } = rosettaMatrixPosition(arrangement, e);
    return place(row, col);
  });
}

/** A matrix as float32 weights t·1.0 (the scale is 1). */
const asFloats = (m: Matrix): Float32Array => Float32Array.from(m.w);

/** The 256 weights sit in rows of one 256-element TQ block (row) or in the first 16 of 16 blocks (square). */
function tqShape(a: RosettaArrangement): { rows: number; placement: string } {
  return a === "row"
    ? { rows: 1, placement: "one block: element e is block element e" }
    : {
        rows: 16,
        placement: "16 rows of one block each (a block is 256 inputs of one row); W[r][c] is element c of block r",
      };
}

/** Index of element (row, col) in its block's 256, by scanning the codec's map inverse (the codec has no inverse). */
function tqElementAt(
  position: (e: number) => { byte: number },
  byteInBlock: number,
  matches: (e: number) => boolean,
): number | undefined {
  for (let e = 0; e < ROSETTA_ELEMENTS; e++) if (position(e).byte === byteInBlock && matches(e)) return e;
  return undefined;
}

/** TQ2_0 (spec/formats.md §4.2): quantizeRowTq2_0 of each row; d = fp16 1.0. */
function tq2Layout(pattern: RosettaPattern, a: RosettaArrangement): RosettaLayout {
  const { rows, placement } = tqShape(a);
  const m = matrixOf(pattern, rows, 256);
  return {
    id: "tq2_0",
    name: "TQ2_0",
    short: "TQ2_0",
    fieldKind: "crumb",
    codeOf: (t) => t + 1,
    codeRule: "t + 1",
    matrix: `${rows}×256`,
    placement,
    scale: "d, fp16, at bytes 64..65 of each 66-byte block: one scale per 256 weights",
    spec: "spec/formats.md §4.2",
    bytes: quantizeRowTq2_0(asFloats(m)),
    places: placesOf(a, (row, col) => {
      const { byte, shift } = tq2ElementPosition(col);
      return {
        byte: TQ2_0_BLOCK_BYTES * row + byte,
        field: shift,
        where: `block ${row} qs[${byte}] ${bitsLabel(shift)}`,
      };
    }),
    elementAt: (byte, field) => {
      const row = Math.floor(byte / TQ2_0_BLOCK_BYTES);
      const col = tqElementAt(
        tq2ElementPosition,
        byte % TQ2_0_BLOCK_BYTES,
        (e) => tq2ElementPosition(e).shift === field,
      );
      return col === undefined || row >= rows ? undefined : elementOfPosition(a, row, col);
    },
  };
}

/** TQ1_0 (spec/formats.md §5.2): quantizeRowTq1_0 of each row; d = fp16 1.0. */
function tq1Layout(pattern: RosettaPattern, a: RosettaArrangement): RosettaLayout {
  const { rows, placement } = tqShape(a);
  const m = matrixOf(pattern, rows, 256);
  const where = (byte: number, trit: number): string =>
    byte < TQ1_0_QH_OFFSET ? `qs[${byte}] trit ${trit}` : `qh[${byte - TQ1_0_QH_OFFSET}] trit ${trit}`;
  return {
    id: "tq1_0",
    name: "TQ1_0",
    short: "TQ1_0",
    fieldKind: "trit",
    codeOf: (t) => t + 1,
    codeRule: "t + 1 (a base-3 digit)",
    matrix: `${rows}×256`,
    placement,
    scale: "d, fp16, at bytes 52..53 of each 54-byte block: one scale per 256 weights",
    spec: "spec/formats.md §5.2",
    bytes: quantizeRowTq1_0(asFloats(m)),
    places: placesOf(a, (row, col) => {
      const { byte, trit } = tq1ElementPosition(col);
      return { byte: TQ1_0_BLOCK_BYTES * row + byte, field: trit, where: `block ${row} ${where(byte, trit)}` };
    }),
    elementAt: (byte, field) => {
      const row = Math.floor(byte / TQ1_0_BLOCK_BYTES);
      const col = tqElementAt(
        tq1ElementPosition,
        byte % TQ1_0_BLOCK_BYTES,
        (e) => tq1ElementPosition(e).trit === field,
      );
      return col === undefined || row >= rows ? undefined : elementOfPosition(a, row, col);
    },
  };
}

/** I2_S's minimal matrix: the flattened layouts need none beyond the 256; 1x4 needs rows % 4 = 0. */
function i2sShape(a: RosettaArrangement, layout: I2sLayout): { shape: I2sShape; placement: string } {
  if (a === "square") {
    return {
      shape: { rows: 16, cols: 16 },
      placement:
        layout === "1x4"
          ? "16×16 itself: a byte holds one column of 4 consecutive rows"
          : "16×16 itself, flattened row by row: blocks run over the flattened tensor, so the bytes equal the row case's",
    };
  }
  if (layout === "1x4")
    return {
      shape: { rows: 4, cols: 256 },
      placement: "row 0 of 4×256 (1x4 needs rows % 4 = 0): shift 6 of every byte",
    };
  return {
    shape: { rows: 1, cols: 256 },
    placement: `1×256: ${layout === "x86" ? "two 128" : "four 64"}-weight blocks`,
  };
}

/** I2_S (spec/bitnet.md §2.2): quantizeI2s of the minimal matrix (scale = max|w|). */
function i2sLayout(pattern: RosettaPattern, a: RosettaArrangement, layout: I2sLayout): RosettaLayout {
  const { shape, placement } = i2sShape(a, layout);
  const m = matrixOf(pattern, shape.rows, shape.cols);
  const flatTo = (flat: number): number | undefined =>
    elementOfPosition(a, Math.floor(flat / shape.cols), flat % shape.cols);
  return {
    id: `i2_s-${layout}`,
    name: `I2_S ${layout}`,
    short: layout,
    fieldKind: "crumb",
    codeOf: (t) => t + 1,
    codeRule: "t + 1",
    matrix: `${shape.rows}×${shape.cols}`,
    placement,
    scale: `one float32 for the whole tensor at byte ⌊n/4⌋ = ${i2sScaleOffset(shape)}, then 28 pad bytes`,
    spec: "spec/bitnet.md §2.2",
    bytes: quantizeI2s(layout, shape, asFloats(m)),
    places: placesOf(a, (row, col) => {
      const { byte, shift } = i2sElementLocation(layout, shape, row, col) as { byte: number; shift: number };
      return { byte, field: shift, where: `byte ${byte} ${bitsLabel(shift)}` };
    }),
    elementAt: (byte, field) => {
      if (byte >= i2sScaleOffset(shape) || field % 2 !== 0 || field < 0 || field > 6) return undefined;
      return flatTo(i2sByteElements(layout, shape, byte)[(6 - field) / 2]);
    },
  };
}

/** Hugging Face packed (spec/bitnet.md §7.1): packHfBitnet of a matrix whose rows are a multiple of 4. */
function hfLayout(pattern: RosettaPattern, a: RosettaArrangement): RosettaLayout {
  const shape = a === "row" ? { rows: 4, cols: 256 } : { rows: 16, cols: 16 };
  const packedRows = shape.rows / 4;
  const m = matrixOf(pattern, shape.rows, shape.cols);
  return {
    id: "hf",
    name: "HF packed",
    short: "HF",
    fieldKind: "crumb",
    codeOf: (t) => t + 1,
    codeRule: "t + 1",
    matrix: `${shape.rows}×${shape.cols}`,
    placement:
      a === "row"
        ? "row 0 of 4×256 (transformers loads rows % 4 = 0 only): planar over output rows, so row 0 is crumb 0 of packed row 0"
        : "16×16: R = 4 packed rows, W[r][c] in packed[r mod 4, c] crumb ⌊r/4⌋",
    scale: "weight_scale: a separate one-element tensor, multiplied (AutoBitLinear) or divided (BitLinear)",
    spec: "spec/bitnet.md §7.1",
    bytes: packHfBitnet(m.w, shape.rows, shape.cols),
    places: placesOf(a, (row, col) => {
      const { packedRow, crumb } = hfBitnetElementLocation(shape.rows, row, col);
      const byte = packedRow * shape.cols + col;
      return { byte, field: 2 * crumb, where: `packed[${packedRow}, ${col}] crumb ${crumb} (${bitsLabel(2 * crumb)})` };
    }),
    elementAt: (byte, field) => {
      const p = Math.floor(byte / shape.cols);
      if (p >= packedRows || field % 2 !== 0 || field < 0 || field > 6) return undefined;
      const { row, column } = hfBitnetElementAt(packedRows, p, byte % shape.cols, field / 2);
      return elementOfPosition(a, row, column);
    },
  };
}

/** Little-endian bytes of int32 words. */
function wordBytes(words: Int32Array): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  words.forEach((w, i) => {
    for (let b = 0; b < 4; b++) out[4 * i + b] = (w >>> (8 * b)) & 0xff;
  });
  return out;
}

/** TriRun (spec/trirun.md §5.1): packTrirun of the transposed minimal matrix, (k, n) = (in, out), k % 128, n % 256. */
function trirunLayout(pattern: RosettaPattern, a: RosettaArrangement): RosettaLayout {
  const k = a === "row" ? 256 : TRIRUN_K_MULTIPLE;
  const n = TRIRUN_N_MULTIPLE;
  const m = matrixOf(pattern, n, k); // W[out][in] = W[n][k]
  const codes = new Uint8Array(k * n);
  for (let kk = 0; kk < k; kk++) for (let nn = 0; nn < n; nn++) codes[kk * n + nn] = m.w[nn * k + kk] + 1;
  const { B } = packTrirun({ k, n, groupSize: -1, codes, scales: new Uint16Array(n).fill(f32ToF16Bits(1)) });
  return {
    id: "trirun",
    name: "TriRun",
    short: "TriRun",
    fieldKind: "crumb",
    codeOf: (t) => t + 1,
    codeRule: "t + 1",
    matrix: `${n}×${k}`,
    placement:
      `k = ${k} inputs × n = ${n} outputs (TriRun needs k % 128 = 0, n % 256 = 0), logical (k, n) = W[n][k]: ` +
      (a === "row" ? "output column n = 0, k = 0..255" : "outputs n = 0..15, inputs k = 0..15: one 16×16 tile"),
    scale: "s: fp16 per output column (or per 128 inputs), a separate permuted tensor",
    spec: "spec/trirun.md §5.1",
    bytes: wordBytes(B),
    wordName: (word) => `B[${Math.floor(word / n)}][${word % n}]`,
    places: placesOf(a, (row, col) => {
      const at = trirunElementLocation(n, col, row);
      const byte = 4 * at.word + (at.crumb >> 2);
      return {
        byte,
        field: 2 * (at.crumb & 3),
        where: `B[${at.row}][${at.column}] crumb ${at.crumb} (bits ${2 * at.crumb + 1}:${2 * at.crumb})`,
      };
    }),
    elementAt: (byte, field) => {
      const word = byte >> 2;
      if (word >= B.length || field % 2 !== 0 || field < 0 || field > 6) return undefined;
      const at = trirunElementAt(Math.floor(word / n), word % n, 4 * (byte & 3) + field / 2);
      return elementOfPosition(a, at.n, at.k);
    },
  };
}

/** W2A8 (spec/bitnet.md §6.1): packW2a8 of the minimal (n, k) = (out, in) matrix, n % 16 = 0, k % 32 = 0. */
function w2a8Layout(pattern: RosettaPattern, a: RosettaArrangement): RosettaLayout {
  const n = W2A8_BLOCK_N;
  const k = a === "row" ? 256 : W2A8_BLOCK_K;
  const m = matrixOf(pattern, n, k);
  const map = w2a8ElementMap(n, k);
  const inverse = new Int32Array(n * k).fill(-1); // (4·word + crumb/4)·4 + crumb%4 → element of W
  map.forEach(({ word, crumb }, index) => {
    inverse[4 * (4 * word + (crumb >> 2)) + (crumb & 3)] = index;
  });
  return {
    id: "w2a8",
    name: "W2A8 (GPU)",
    short: "W2A8",
    fieldKind: "crumb",
    codeOf: (t) => w2a8Code(t),
    codeRule: "t + 2",
    matrix: `${n}×${k}`,
    placement:
      a === "row"
        ? "row 0 of 16×256 (n % 16, k % 32): row 0 of eight 16×32 blocks"
        : "16×32, one block (n % 16, k % 32): its left half",
    scale: "ws: a separate float tensor of per-tensor scales (spec/bitnet.md §6.3)",
    spec: "spec/bitnet.md §6.1",
    bytes: packW2a8(m.w, n, k),
    wordName: (word) => `word ${word}`,
    places: placesOf(a, (row, col) => {
      const { word, crumb } = map[row * k + col];
      const byte = 4 * word + (crumb >> 2);
      return {
        byte,
        field: 2 * (crumb & 3),
        where: `word ${word} crumb ${crumb} (bits ${2 * crumb + 1}:${2 * crumb})`,
      };
    }),
    elementAt: (byte, field) => {
      if (byte >= (n * k) / 4 || field % 2 !== 0 || field < 0 || field > 6) return undefined;
      const index = inverse[4 * byte + field / 2];
      return elementOfPosition(a, Math.floor(index / k), index % k);
    },
  };
}
