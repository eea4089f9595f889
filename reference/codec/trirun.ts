/**
 * TriRun: the Spectra-1.1 GPU kernel's packed weight layout (NolanoOrg/TriRun, a fork of Marlin).
 * Implements spec/trirun.md §2–§6 and §9 (`trirun/__init__.py::_get_perms` and `Layer.pack`).
 *
 *   logical matrix W[k][n]   k = input index (0..K-1), n = output index (0..N-1)
 *   code = t + 1 ∈ {0, 1, 2} for t ∈ {-1, 0, +1} (3 = +2 is representable, never ternary)
 *
 *   B: Int32Array[(K/16) × N]    row r holds the codes of k = 16r..16r+15, 16 codes per word, LSB first
 *   s: Uint16Array (fp16 bits)   [1 × N] (per output column) or [K/128 × N] (groups of 128 inputs),
 *                                both permuted for the kernel's fragment order
 *
 * Word B[r][w] crumb i (bits 2i..2i+1) holds the code of
 *   p = T[16·(w mod 64) + i]                      T = the generated 1024-entry permutation (§4)
 *   k = 16r + (p mod 256) / 16,  n = 64·(w / 64) + 16·(p / 256) + p mod 16
 */

import { f16BitsToF32 } from "./float16.js";

/** Side of a TriRun tile (k and n): the m16n8k16 MMA's k extent. Spec §3. */
export const TRIRUN_TILE = 16;
/** Codes per int32 word of B (2 bits each). Spec §5. */
export const TRIRUN_CODES_PER_WORD = 16;
/** Entries of the weight permutation: four 16×16 tiles (64 output columns × 16 inputs). Spec §4. */
export const TRIRUN_PERMUTATION_SIZE = 1024;
/** The grouped scale mode's group size (inputs per scale); the other mode is one scale per column. Spec §6. */
export const TRIRUN_GROUP_SIZE = 128;
/** `Layer` requires k to be a multiple of this. Spec §9. */
export const TRIRUN_K_MULTIPLE = 128;
/** `Layer` requires n to be a multiple of this. Spec §9. */
export const TRIRUN_N_MULTIPLE = 256;

/** -1: one scale per output column (`s` is 1 × n); 128: one scale per 128 inputs of a column (`s` is k/128 × n). */
export type TrirunGroupSize = -1 | 128;

/** The shape of one TriRun weight: k inputs, n outputs, the scale mode. */
export interface TrirunShape {
  readonly k: number;
  readonly n: number;
  readonly groupSize: TrirunGroupSize;
}

/**
 * A ternary matrix in TriRun's logical (k, n) orientation, before packing.
 * codes[kIndex·n + nIndex] = t + 1 ∈ {0..3}; scales: fp16 bits, [groups × n] row-major
 * (groups = 1 per column, k/128 grouped), scales[g·n + nIndex] scales inputs 128g..128g+127.
 */
export interface TrirunMatrix extends TrirunShape {
  readonly codes: Uint8Array;
  readonly scales: Uint16Array;
}

/** TriRun's packed tensors for one weight: `B` (k/16 × n int32) and the permuted `s` (fp16 bits, groups × n). */
export interface TrirunPacked extends TrirunShape {
  readonly B: Int32Array;
  readonly s: Uint16Array;
}

/** Where one element (k, n) lives in B. Spec §5. */
export interface TrirunElementLocation {
  /** Row of B: k / 16. */
  readonly row: number;
  /** Column of B within the row (0..n-1). */
  readonly column: number;
  /** Flat index into B: row·n + column. */
  readonly word: number;
  /** Crumb (2-bit field) within the word, 0..15: bits 2·crumb .. 2·crumb+1. */
  readonly crumb: number;
}

/** Number of scale rows: 1 per column, k/128 grouped. Spec §6. */
export function trirunScaleRows(shape: TrirunShape): number {
  return shape.groupSize === -1 ? 1 : shape.k / TRIRUN_GROUP_SIZE;
}

/**
 * Marlin's base permutation of one 16×64 strip (Spec §4.1), from `_get_perms`: for each of the 32 lanes i,
 *   col = i / 4, rows = [2(i%4), 2(i%4)+1, 2(i%4+4), 2(i%4+4)+1], entry 16·row + col + 8·block (block 0, 1),
 * repeated for the four tiles j = 0..3 (+256·j). 1024 entries.
 */
export function marlinBasePermutation(): Int32Array {
  const perm: number[] = [];
  for (let lane = 0; lane < 32; lane++) {
    const col = Math.floor(lane / 4);
    const rows = [2 * (lane % 4), 2 * (lane % 4) + 1, 2 * ((lane % 4) + 4), 2 * ((lane % 4) + 4) + 1];
    const lanePerm: number[] = [];
    for (const block of [0, 1]) for (const row of rows) lanePerm.push(16 * row + col + 8 * block);
    for (let tile = 0; tile < 4; tile++) for (const p of lanePerm) perm.push(p + 256 * tile);
  }
  return Int32Array.from(perm);
}

/** Apply `order` within each consecutive group of order.length entries: out[g·L + j] = perm[g·L + order[j]]. */
function permuteWithinGroups(perm: Int32Array, order: readonly number[]): Int32Array {
  const out = new Int32Array(perm.length);
  for (let g = 0; g < perm.length; g += order.length) {
    for (let j = 0; j < order.length; j++) out[g + j] = perm[g + order[j]];
  }
  return out;
}

/** Marlin's 4-bit interleave: within 8 entries, [0, 2, 4, 6, 1, 3, 5, 7] (even fp16 lanes, then odd). Spec §4.2. */
export const MARLIN_INTERLEAVE: readonly number[] = [0, 2, 4, 6, 1, 3, 5, 7];

/** TriRun's 2-bit interleave: within 16 entries, i / 2 + 8·(i % 2) — two 4-bit words merged crumb by crumb. Spec §4.2. */
export const TRIRUN_CRUMB_INTERLEAVE: readonly number[] = Array.from({ length: 16 }, (_, i) => (i >> 1) + 8 * (i & 1));

/**
 * The 1024-entry TriRun weight permutation T (Spec §4): Marlin's base permutation, then Marlin's interleave
 * per 8, then TriRun's crumb interleave per 16 — generated from `_get_perms`' definition, never tabulated.
 * Packed position j of a 1024-element strip takes the tile-ordered element T[j].
 */
export function trirunWeightPermutation(): Int32Array {
  return permuteWithinGroups(permuteWithinGroups(marlinBasePermutation(), MARLIN_INTERLEAVE), TRIRUN_CRUMB_INTERLEAVE);
}

/** The grouped-scale permutation (64 entries, an 8×8 transpose: i + 8j for i, j = 0..7). Spec §6.2. */
export function trirunGroupedScalePermutation(): Int32Array {
  const perm: number[] = [];
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) perm.push(i + 8 * j);
  return Int32Array.from(perm);
}

/** The per-column scale permutation (32 entries: 2i + j for i = 0..3, j ∈ [0, 1, 8, 9, 16, 17, 24, 25]). Spec §6.1. */
export function trirunColumnScalePermutation(): Int32Array {
  const perm: number[] = [];
  for (let i = 0; i < 4; i++) for (const j of [0, 1, 8, 9, 16, 17, 24, 25]) perm.push(2 * i + j);
  return Int32Array.from(perm);
}

const WEIGHT_PERMUTATION = trirunWeightPermutation();
const WEIGHT_PERMUTATION_INVERSE = invertPermutation(WEIGHT_PERMUTATION);

/** inverse[perm[j]] = j. */
function invertPermutation(perm: Int32Array): Int32Array {
  const inverse = new Int32Array(perm.length);
  for (let j = 0; j < perm.length; j++) inverse[perm[j]] = j;
  return inverse;
}

/**
 * Where element (kIndex, nIndex) of a k × n matrix is stored (Spec §5.1): its tile-ordered strip position
 * p = 256·((n mod 64) / 16) + 16·(k mod 16) + n mod 16, the packed position j = T⁻¹[p], then
 * row = k / 16, column = 64·(n / 64) + j / 16, crumb = j mod 16.
 */
export function trirunElementLocation(n: number, kIndex: number, nIndex: number): TrirunElementLocation {
  const p = 256 * ((nIndex % 64) >> 4) + 16 * (kIndex % 16) + (nIndex % 16);
  const j = WEIGHT_PERMUTATION_INVERSE[p];
  const row = kIndex >> 4;
  const column = 64 * Math.floor(nIndex / 64) + (j >> 4);
  return { row, column, word: row * n + column, crumb: j & 15 };
}

/**
 * Which element (k, n) crumb `crumb` of B[row][column] holds (Spec §5.1): p = T[16·(column mod 64) + crumb],
 * k = 16·row + (p mod 256) / 16, n = 64·(column / 64) + 16·(p / 256) + p mod 16.
 */
export function trirunElementAt(row: number, column: number, crumb: number): { k: number; n: number } {
  const p = WEIGHT_PERMUTATION[16 * (column % 64) + crumb];
  return { k: 16 * row + ((p % 256) >> 4), n: 64 * Math.floor(column / 64) + 16 * (p >> 8) + (p % 16) };
}

/**
 * The same map in closed form, without the table (Spec §5.2):
 *   column = 64·(n/64) + 2·(4·(n mod 8) + (k mod 8)/2) + (n mod 64)/32
 *   crumb  = 8·(k mod 2) + 2·((k mod 16)/8) + 4·((n mod 32)/8 mod 2) + (n mod 32)/16
 */
export function trirunElementLocationClosedForm(n: number, kIndex: number, nIndex: number): TrirunElementLocation {
  const row = kIndex >> 4;
  const column = 64 * Math.floor(nIndex / 64) + 2 * (4 * (nIndex % 8) + ((kIndex % 8) >> 1)) + ((nIndex % 64) >> 5);
  const crumb = 8 * (kIndex % 2) + 2 * ((kIndex % 16) >> 3) + 4 * (((nIndex % 32) >> 3) % 2) + ((nIndex % 32) >> 4);
  return { row, column, word: row * n + column, crumb };
}

/** Thrown for a shape TriRun's `Layer` refuses; the message names the constraint. Spec §9. */
export class TrirunShapeError extends Error {
  override readonly name = "TrirunShapeError";
}

/** The reasons `Layer(k, n, groupSize)` would refuse this shape, empty when it accepts it. Spec §9. */
export function trirunShapeProblems(shape: TrirunShape): string[] {
  const problems: string[] = [];
  const { k, n, groupSize } = shape;
  if (!Number.isInteger(k) || k <= 0 || k % TRIRUN_K_MULTIPLE !== 0) {
    problems.push(`k = ${k} must be a positive multiple of ${TRIRUN_K_MULTIPLE}`);
  }
  if (!Number.isInteger(n) || n <= 0 || n % TRIRUN_N_MULTIPLE !== 0) {
    problems.push(`n = ${n} must be a positive multiple of ${TRIRUN_N_MULTIPLE}`);
  }
  if (groupSize !== -1 && groupSize !== TRIRUN_GROUP_SIZE) {
    problems.push(`group size ${String(groupSize)} must be -1 (per column) or ${TRIRUN_GROUP_SIZE}`);
  }
  return problems;
}

/** Throw a TrirunShapeError unless TriRun accepts the shape. Spec §9. */
export function assertTrirunShape(shape: TrirunShape): void {
  const problems = trirunShapeProblems(shape);
  if (problems.length > 0) throw new TrirunShapeError(`TriRun shape ${shape.k}×${shape.n}: ${problems.join("; ")}`);
}

/** Check array lengths against the shape (codes k·n or B k/16·n, scales rows·n). */
function assertLength(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new TrirunShapeError(`TriRun ${what} has ${actual} entries, expected ${expected}`);
}

/**
 * The scale permutation TriRun applies to this shape (Spec §6): the per-column one whenever `s` has one row —
 * per column, and also grouped with k = 128, where `Layer.pack` takes its per-column branch (groupsize == k)
 * and the kernel reads one scale row as groupsize -1 (`trirun_cuda.cpp`: `s.size(0) == 1 ? -1 : ...`) —
 * and the grouped one when there are k/128 ≥ 2 rows.
 */
export function trirunScalePermutation(shape: TrirunShape): Int32Array {
  return trirunScaleRows(shape) === 1 ? trirunColumnScalePermutation() : trirunGroupedScalePermutation();
}

/**
 * Does the kernel apply the scale after accumulation (per-column arithmetic, Spec §6.1, §8.1)? True whenever `s` has
 * one row: groupSize −1, and also groupSize 128 with k = 128, which `Layer.pack` and `trirun_cuda.cpp`
 * (`groupsize = s.size(0) == 1 ? -1 : …`) both treat as per column.
 */
export function trirunScalesPerColumn(shape: TrirunShape): boolean {
  return trirunScaleRows(shape) === 1;
}

/**
 * Permute logical scales [rows × n] into TriRun's `s` (Spec §6): with one scale row, each run of 32 columns
 * takes s[32c + j] = scales[32c + P₃₂[j]]; with k/128 ≥ 2 rows, the row-major scales are cut into runs of 64
 * and s[64c + j] = scales[64c + P₆₄[j]] (trirunScalePermutation).
 */
export function permuteTrirunScales(shape: TrirunShape, scales: Uint16Array): Uint16Array {
  const perm = trirunScalePermutation(shape);
  const out = new Uint16Array(scales.length);
  for (let g = 0; g < scales.length; g += perm.length) {
    for (let j = 0; j < perm.length; j++) out[g + j] = scales[g + perm[j]];
  }
  return out;
}

/** Inverse of permuteTrirunScales: logical scales from TriRun's `s`. Spec §6. */
export function unpermuteTrirunScales(shape: TrirunShape, s: Uint16Array): Uint16Array {
  const perm = trirunScalePermutation(shape);
  const out = new Uint16Array(s.length);
  for (let g = 0; g < s.length; g += perm.length) {
    for (let j = 0; j < perm.length; j++) out[g + perm[j]] = s[g + j];
  }
  return out;
}

/**
 * Pack a logical ternary matrix into TriRun's B and s, as `Layer.pack` does (Spec §5, §6):
 *   B[row][column] |= code(k, n) << 2·crumb  for (row, column, crumb) = location(k, n).
 * codes: Uint8Array[k·n] (0..3), scales: Uint16Array[rows·n] → B: Int32Array[(k/16)·n], s: Uint16Array[rows·n].
 */
export function packTrirun(matrix: TrirunMatrix): TrirunPacked {
  assertTrirunShape(matrix);
  const { k, n, groupSize } = matrix;
  assertLength("codes", matrix.codes.length, k * n);
  assertLength("scales", matrix.scales.length, trirunScaleRows(matrix) * n);
  const B = new Int32Array((k / TRIRUN_TILE) * n);
  for (let kIndex = 0; kIndex < k; kIndex++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      const { word, crumb } = trirunElementLocation(n, kIndex, nIndex);
      B[word] |= (matrix.codes[kIndex * n + nIndex] & 3) << (2 * crumb);
    }
  }
  return { k, n, groupSize, B, s: permuteTrirunScales(matrix, matrix.scales) };
}

/**
 * Unpack TriRun's B and s into the logical matrix (Spec §5, §6): code(k, n) = (B[word] >> 2·crumb) & 3.
 * The inverse of packTrirun on every input (B's 32 bits all carry a code).
 */
export function unpackTrirun(packed: TrirunPacked): TrirunMatrix {
  assertTrirunShape(packed);
  const { k, n, groupSize } = packed;
  assertLength("B", packed.B.length, (k / TRIRUN_TILE) * n);
  assertLength("s", packed.s.length, trirunScaleRows(packed) * n);
  const codes = new Uint8Array(k * n);
  for (let kIndex = 0; kIndex < k; kIndex++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      const { word, crumb } = trirunElementLocation(n, kIndex, nIndex);
      codes[kIndex * n + nIndex] = (packed.B[word] >>> (2 * crumb)) & 3;
    }
  }
  return { k, n, groupSize, codes, scales: unpermuteTrirunScales(packed, packed.s) };
}

/** The fp16 scale bits that apply to element (kIndex, nIndex) of a logical matrix. Spec §6. */
export function trirunScaleBitsAt(matrix: TrirunMatrix, kIndex: number, nIndex: number): number {
  const group = matrix.groupSize === -1 ? 0 : Math.floor(kIndex / TRIRUN_GROUP_SIZE);
  return matrix.scales[group * matrix.n + nIndex];
}

/** The kinds of finding validateTrirun reports. Spec §9. */
export type TrirunFindingKind = "code-3" | "scale-nan" | "scale-infinite" | "scale-negative" | "scale-zero-with-codes";

/** One thing validateTrirun found in a packed TriRun weight. */
export interface TrirunFinding {
  readonly kind: TrirunFindingKind;
  /** "invalid": not a ternary TriRun weight; "non-canonical": decodes, but no ternary quantizer writes it. */
  readonly severity: "invalid" | "non-canonical";
  /** The element (k, n) the finding is about. */
  readonly k: number;
  readonly n: number;
  /** Where it lives: flat index into B (codes) or into s (scales). */
  readonly index: number;
  /** One line for a person. */
  readonly message: string;
}

/**
 * Validate a packed TriRun weight (Spec §9): shape errors throw TrirunShapeError; each code 3 (+2, never a
 * ternary weight), each NaN / infinite / negative scale, and each zero scale that multiplies non-zero codes is a
 * finding. Reports at most `limit` findings (default 64) so a hostile input cannot allocate without bound.
 */
export function validateTrirun(packed: TrirunPacked, limit = 64): TrirunFinding[] {
  const matrix = unpackTrirun(packed);
  const findings: TrirunFinding[] = [];
  const { k, n } = matrix;
  const push = (finding: TrirunFinding): boolean => (findings.push(finding), findings.length >= limit);
  for (let kIndex = 0; kIndex < k; kIndex++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      if (matrix.codes[kIndex * n + nIndex] !== 3) continue;
      const { word, crumb } = trirunElementLocation(n, kIndex, nIndex);
      const message = `code 3 (+2) at k=${kIndex}, n=${nIndex} (B word ${word}, crumb ${crumb}): not a ternary weight`;
      if (push({ kind: "code-3", severity: "invalid", k: kIndex, n: nIndex, index: word, message })) return findings;
    }
  }
  const rows = trirunScaleRows(matrix);
  const groupRows = matrix.groupSize === -1 ? k : TRIRUN_GROUP_SIZE;
  const permuted = permuteTrirunScales(
    matrix,
    Uint16Array.from({ length: rows * n }, (_, i) => i),
  );
  const packedIndexOf = invertPermutation(Int32Array.from(permuted));
  for (let g = 0; g < rows; g++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      const bits = matrix.scales[g * n + nIndex];
      const value = f16BitsToF32(bits);
      const index = packedIndexOf[g * n + nIndex];
      const where = `scale of n=${nIndex}${rows > 1 ? `, inputs ${g * groupRows}..${(g + 1) * groupRows - 1}` : ""} (s[${index}])`;
      let kind: TrirunFindingKind | undefined;
      let severity: "invalid" | "non-canonical" = "invalid";
      if (Number.isNaN(value)) kind = "scale-nan";
      else if (!Number.isFinite(value)) kind = "scale-infinite";
      else if (bits & 0x8000 && value !== 0) [kind, severity] = ["scale-negative", "non-canonical"];
      else if (value === 0 && columnGroupHasCodes(matrix, g * groupRows, groupRows, nIndex)) {
        [kind, severity] = ["scale-zero-with-codes", "non-canonical"];
      }
      if (kind === undefined) continue;
      const message = `${where}: ${kind.replace(/-/g, " ")} (fp16 0x${bits.toString(16).padStart(4, "0")})`;
      if (push({ kind, severity, k: g * groupRows, n: nIndex, index, message })) return findings;
    }
  }
  return findings;
}

/** Does column nIndex have a non-zero weight (code ≠ 1) among inputs first..first+count-1? */
function columnGroupHasCodes(matrix: TrirunMatrix, first: number, count: number, nIndex: number): boolean {
  for (let kIndex = first; kIndex < first + count; kIndex++) {
    if (matrix.codes[kIndex * matrix.n + nIndex] !== 1) return true;
  }
  return false;
}
