/**
 * Converting ternary weights between TQ2_0 / TQ1_0, unpacked ("HF ternary") values and TriRun's logical matrix,
 * losslessly where the formats allow and refusing with the reason where they do not. Implements spec/trirun.md §10.
 *
 *   TQ (ggml)   n rows (outputs) of k inputs, k/256 blocks a row, one fp16 d per block:  w[n][k] = (code − 1)·d
 *   TriRun      codes[k·n] in (k, n) order, fp16 scales per column (1 × n) or per 128 inputs (k/128 × n)
 *
 * Why per-256 maps to groups of 128: group g of column n covers inputs 128g..128g+127, and since 128 divides 256
 * those lie inside block ⌊g/2⌋ of row n (256⌊g/2⌋ ≤ 128g and 128g + 127 ≤ 256⌊g/2⌋ + 255), so the group takes
 * that block's d, bits unchanged: always exact. One scale per column exists exactly when every block of the row
 * that scales something has the same bits.
 *
 * Free scales: a block (or group) whose codes are all 1 (t = 0) with a finite scale decodes to 0·d = ±0 whatever d
 * is, so its scale is ignored when blocks must agree. Writing TQ, such a block gets d = +0, the scale ggml's
 * quantizer writes for an all-zero block. Guarantee: decoded weights are equal (±0 counted equal; every other value
 * bit for bit) on every path; TQ → TriRun → TQ gives back the same bytes when the TQ input is canonical
 * (validate() finds nothing non-canonical in it).
 */

import { f16BitsToF32, f32ToF16Bits } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { TQ1_0_BLOCK_BYTES, packTq1Block, unpackTq1Block } from "./tq1_0.js";
import { TQ2_0_BLOCK_BYTES, packTq2Block, unpackTq2Block } from "./tq2_0.js";
import { TRIRUN_GROUP_SIZE, trirunShapeProblems, type TrirunGroupSize, type TrirunMatrix } from "./trirun.js";

/** The ggml ternary block formats. Spec §10. */
export type TqFormat = "tq2_0" | "tq1_0";

/** A TQ2_0 / TQ1_0 weight as ggml stores it: n rows (outputs) of k inputs, each row k/256 blocks. Spec §10. */
export interface TqMatrix {
  readonly format: TqFormat;
  /** Inputs per row (ggml ne[0]): a multiple of 256. */
  readonly k: number;
  /** Rows = outputs (ggml ne[1]). */
  readonly n: number;
  /** n · (k/256) blocks, row after row. */
  readonly data: Uint8Array;
}

/** The group size to produce: -1 or 128, or "auto": per column where that is lossless, else 128. Spec §10. */
export type TrirunGroupChoice = TrirunGroupSize | "auto";

/** A conversion's result and what it carried over that a validator flags (code 3), one line each. Spec §10. */
export interface TrirunConversion<T> {
  readonly result: T;
  readonly warnings: readonly string[];
}

/** A conversion the formats do not allow; the message names the element, block or scale and the rule. Spec §10. */
export class TrirunConversionError extends Error {
  override readonly name = "TrirunConversionError";
}

const PER_COLUMN_RULE = "per-column TriRun keeps one scale per output column (use group size 128)";

/** fp16 bits as "0x3c00 (1)". */
function scaleText(bits: number): string {
  return `0x${bits.toString(16).padStart(4, "0")} (${f16BitsToF32(bits)})`;
}

/** Bytes of one block of `format`. */
function tqBlockBytes(format: TqFormat): number {
  return format === "tq2_0" ? TQ2_0_BLOCK_BYTES : TQ1_0_BLOCK_BYTES;
}

/** Is a scale free: all its codes are 1 (t = 0) and it is finite, so it multiplies nothing? Spec §10. */
function isFreeScale(allZero: boolean, bits: number): boolean {
  return allZero && Number.isFinite(f16BitsToF32(bits));
}

/** Refuse a shape TriRun's Layer refuses (k % 128, n % 256), naming the constraint. Spec §9. */
function assertTrirunConvertible(k: number, n: number): void {
  const problems = trirunShapeProblems({ k, n, groupSize: TRIRUN_GROUP_SIZE });
  if (problems.length > 0) throw new TrirunConversionError(`TriRun shape k=${k}, n=${n}: ${problems.join("; ")}`);
}

/** Refuse a k that is not whole TQ blocks. */
function assertTqInputs(k: number): void {
  if (!Number.isInteger(k) || k <= 0 || k % QK_K !== 0) {
    throw new TrirunConversionError(
      `k = ${k} must be a positive multiple of ${QK_K} (QK_K: a TQ block holds 256 inputs)`,
    );
  }
}

/** One warning line for code-3 elements, or none. */
function code3Warnings(count: number, first: { k: number; n: number } | undefined): string[] {
  if (count === 0 || first === undefined) return [];
  return [
    `${count} code 3 (+2) element(s), first at k=${first.k}, n=${first.n}: carried over, not ternary (both formats decode it as +2·scale; validate flags it)`,
  ];
}

/**
 * One scale per column from per-group (or per-block) bits: the bits every non-free unit shares, +0 when all are
 * free, or a refusal naming the two units that differ and `rule`. bits[u], allZero[u] for the column's units.
 */
function commonColumnScale(
  bits: readonly number[],
  allZero: readonly boolean[],
  describe: (u: number) => string,
  rule: string,
): number {
  let first = -1;
  for (let u = 0; u < bits.length; u++) {
    if (isFreeScale(allZero[u], bits[u])) continue;
    if (first < 0) first = u;
    else if (bits[u] !== bits[first]) {
      throw new TrirunConversionError(
        `${describe(first)} has scale ${scaleText(bits[first])} but ${describe(u)} has ${scaleText(bits[u])}: ${rule}`,
      );
    }
  }
  return first < 0 ? 0 : bits[first];
}

/**
 * TQ2_0 / TQ1_0 → TriRun (Spec §10): codes transposed to (k, n); grouped scales take their block's d
 * (group g ← block ⌊g/2⌋, always exact); per column only when every non-free block of the row shares its bits.
 */
export function tqToTrirun(tq: TqMatrix, groupSize: TrirunGroupChoice): TrirunConversion<TrirunMatrix> {
  const { format, k, n } = tq;
  assertTqInputs(k);
  assertTrirunConvertible(k, n);
  const blocksPerRow = k / QK_K;
  const blockBytes = tqBlockBytes(format);
  if (tq.data.length !== n * blocksPerRow * blockBytes) {
    throw new TrirunConversionError(
      `${format} data has ${tq.data.length} bytes, but ${n} rows of ${blocksPerRow} blocks take ${n * blocksPerRow * blockBytes}`,
    );
  }
  const codes = new Uint8Array(k * n); // (k, n)
  const blockBits: number[][] = []; // [n][k/256]
  const blockZero: boolean[][] = [];
  let code3 = 0;
  let firstCode3: { k: number; n: number } | undefined;
  for (let nIndex = 0; nIndex < n; nIndex++) {
    blockBits.push([]);
    blockZero.push([]);
    for (let b = 0; b < blocksPerRow; b++) {
      const at = (nIndex * blocksPerRow + b) * blockBytes;
      const block = tq.data.subarray(at, at + blockBytes);
      const { codes: blockCodes, scaleBits } = format === "tq2_0" ? unpackTq2Block(block) : unpackTq1Block(block);
      let allZero = true;
      for (let e = 0; e < QK_K; e++) {
        const kIndex = b * QK_K + e;
        codes[kIndex * n + nIndex] = blockCodes[e];
        if (blockCodes[e] !== 1) allZero = false;
        if (blockCodes[e] === 3 && code3++ === 0) firstCode3 = { k: kIndex, n: nIndex };
      }
      blockBits[nIndex].push(scaleBits);
      blockZero[nIndex].push(allZero);
    }
  }
  const warnings = code3Warnings(code3, firstCode3);
  const columnScales = (): Uint16Array =>
    Uint16Array.from({ length: n }, (_, nIndex) =>
      commonColumnScale(
        blockBits[nIndex],
        blockZero[nIndex],
        (b) => `output row n=${nIndex}: block ${b} (inputs ${b * QK_K}..${b * QK_K + QK_K - 1})`,
        PER_COLUMN_RULE,
      ),
    );
  const groupedScales = (): Uint16Array => {
    const groups = k / TRIRUN_GROUP_SIZE;
    const scales = new Uint16Array(groups * n);
    for (let g = 0; g < groups; g++)
      for (let nIndex = 0; nIndex < n; nIndex++) scales[g * n + nIndex] = blockBits[nIndex][g >> 1];
    return scales;
  };
  if (groupSize === 128) return { result: { k, n, groupSize, codes, scales: groupedScales() }, warnings };
  if (groupSize === -1) return { result: { k, n, groupSize, codes, scales: columnScales() }, warnings };
  try {
    return { result: { k, n, groupSize: -1, codes, scales: columnScales() }, warnings };
  } catch (error) {
    if (!(error instanceof TrirunConversionError)) throw error;
    return { result: { k, n, groupSize: 128, codes, scales: groupedScales() }, warnings };
  }
}

/** Are the codes of column nIndex for inputs first..first+count-1 all 1 (t = 0)? */
function columnRunIsZero(matrix: TrirunMatrix, first: number, count: number, nIndex: number): boolean {
  for (let kIndex = first; kIndex < first + count; kIndex++)
    if (matrix.codes[kIndex * matrix.n + nIndex] !== 1) return false;
  return true;
}

/**
 * TriRun → TQ2_0 / TQ1_0 (Spec §10): row n, block b takes the codes of inputs 256b..256b+255 of column n and the
 * scale of the column (per column) or the one both its 128-groups share (grouped; a free group yields to the
 * other), d = +0 for an all-zero block. Refuses code 3 for TQ1_0 (trits hold 0..2) and a block whose two groups
 * scale codes with different bits.
 */
export function trirunToTq(matrix: TrirunMatrix, format: TqFormat): TrirunConversion<TqMatrix> {
  const { k, n } = matrix;
  assertTqInputs(k);
  const blocksPerRow = k / QK_K;
  const blockBytes = tqBlockBytes(format);
  const data = new Uint8Array(n * blocksPerRow * blockBytes);
  let code3 = 0;
  let firstCode3: { k: number; n: number } | undefined;
  for (let nIndex = 0; nIndex < n; nIndex++) {
    for (let b = 0; b < blocksPerRow; b++) {
      const blockCodes = new Uint8Array(QK_K);
      for (let e = 0; e < QK_K; e++) {
        const kIndex = b * QK_K + e;
        const code = matrix.codes[kIndex * n + nIndex];
        if (code === 3) {
          if (format === "tq1_0") {
            throw new TrirunConversionError(
              `element k=${kIndex}, n=${nIndex} has code 3 (+2), which TQ1_0 cannot store (a trit holds codes 0..2)`,
            );
          }
          if (code3++ === 0) firstCode3 = { k: kIndex, n: nIndex };
        }
        blockCodes[e] = code;
      }
      const groups = matrix.groupSize === -1 ? [0] : [2 * b, 2 * b + 1];
      const bits = groups.map((g) => matrix.scales[g * n + nIndex]);
      const zero = groups.map((g) =>
        matrix.groupSize === -1
          ? columnRunIsZero(matrix, b * QK_K, QK_K, nIndex)
          : columnRunIsZero(matrix, g * TRIRUN_GROUP_SIZE, TRIRUN_GROUP_SIZE, nIndex),
      );
      const where = (u: number): string =>
        `output n=${nIndex}, block ${b}: group ${groups[u]} (inputs ${groups[u] * TRIRUN_GROUP_SIZE}..${groups[u] * TRIRUN_GROUP_SIZE + 127})`;
      const d = commonColumnScale(bits, zero, where, "a TQ block holds one scale");
      const block = format === "tq2_0" ? packTq2Block(blockCodes, d) : packTq1Block(blockCodes, d);
      data.set(block, (nIndex * blocksPerRow + b) * blockBytes);
    }
  }
  return { result: { format, k, n, data }, warnings: code3Warnings(code3, firstCode3) };
}

/**
 * TriRun → TriRun with another group size (Spec §10): per column → grouped always (every group takes the column's
 * bits); grouped → per column when every non-free group of a column shares its bits.
 */
export function regroupTrirun(matrix: TrirunMatrix, groupSize: TrirunGroupSize): TrirunMatrix {
  const { k, n, codes } = matrix;
  if (groupSize === matrix.groupSize) return matrix;
  const groups = k / TRIRUN_GROUP_SIZE;
  if (groupSize === TRIRUN_GROUP_SIZE) {
    const scales = new Uint16Array(groups * n);
    for (let g = 0; g < groups; g++) scales.set(matrix.scales.subarray(0, n), g * n);
    return { k, n, groupSize, codes, scales };
  }
  const scales = Uint16Array.from({ length: n }, (_, nIndex) =>
    commonColumnScale(
      Array.from({ length: groups }, (_, g) => matrix.scales[g * n + nIndex]),
      Array.from({ length: groups }, (_, g) =>
        columnRunIsZero(matrix, g * TRIRUN_GROUP_SIZE, TRIRUN_GROUP_SIZE, nIndex),
      ),
      (g) => `output n=${nIndex}: group ${g} (inputs ${g * TRIRUN_GROUP_SIZE}..${g * TRIRUN_GROUP_SIZE + 127})`,
      PER_COLUMN_RULE,
    ),
  );
  return { k, n, groupSize, codes, scales };
}

/**
 * Unpacked ternary values → TriRun (Spec §10). values: Float32Array[n·k], row nIndex = output (Hugging Face's
 * [out, in]); each 128-group of a row must hold 0 and ±one magnitude s, s an fp16 value; code = sign(w) + 1.
 * Per column when every row's non-zero groups share s (or groupSize -1 demands it), else grouped.
 */
export function ternaryValuesToTrirun(
  values: Float32Array,
  n: number,
  k: number,
  groupSize: TrirunGroupChoice,
): TrirunMatrix {
  assertTrirunConvertible(k, n);
  if (values.length !== n * k)
    throw new TrirunConversionError(`values has ${values.length} entries, (n, k) = (${n}, ${k}) takes ${n * k}`);
  const groups = k / TRIRUN_GROUP_SIZE;
  const codes = new Uint8Array(k * n);
  const groupBits = new Uint16Array(groups * n);
  for (let nIndex = 0; nIndex < n; nIndex++) {
    for (let g = 0; g < groups; g++) {
      let magnitude = 0;
      for (let kIndex = g * TRIRUN_GROUP_SIZE; kIndex < (g + 1) * TRIRUN_GROUP_SIZE; kIndex++) {
        const v = values[nIndex * k + kIndex];
        const where = `output row n=${nIndex}, input k=${kIndex}`;
        if (!Number.isFinite(v)) throw new TrirunConversionError(`${where}: value ${v} is not finite`);
        codes[kIndex * n + nIndex] = v > 0 ? 2 : v < 0 ? 0 : 1;
        if (v === 0) continue;
        if (magnitude === 0) magnitude = Math.abs(v);
        else if (Math.abs(v) !== magnitude) {
          throw new TrirunConversionError(
            `${where}: |${v}| differs from ${magnitude} earlier in inputs ${g * TRIRUN_GROUP_SIZE}..${g * TRIRUN_GROUP_SIZE + 127}: ` +
              "not ternary (a group of 128 holds 0 and ±one scale)",
          );
        }
      }
      const bits = f32ToF16Bits(magnitude);
      if (f16BitsToF32(bits) !== magnitude) {
        throw new TrirunConversionError(
          `output row n=${nIndex}, inputs ${g * TRIRUN_GROUP_SIZE}..${g * TRIRUN_GROUP_SIZE + 127}: scale ${magnitude} is not an fp16 value ` +
            `(nearest ${f16BitsToF32(bits)}); TriRun stores fp16 scales`,
        );
      }
      groupBits[g * n + nIndex] = bits;
    }
  }
  const grouped: TrirunMatrix = { k, n, groupSize: 128, codes, scales: groupBits };
  if (groupSize === 128) return grouped;
  try {
    return regroupTrirun(grouped, -1);
  } catch (error) {
    if (groupSize === -1 || !(error instanceof TrirunConversionError)) throw error;
    return grouped;
  }
}
