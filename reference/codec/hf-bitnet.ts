/**
 * Hugging Face BitNet packed weights: transformers' `pack_weights` / `unpack_weights` (transformers 5.18.0,
 * src/transformers/integrations/bitnet.py) and the two meanings of `weight_scale`.
 * Implements spec/bitnet.md §7.
 *
 *   W: [out, in] ternary, t ∈ {−1, 0, +1}, code = t + 1 ∈ {0, 1, 2} (3 decodes to +2, never written)
 *   R = ceil(out / 4) packed rows (pack_weights' row_dim); packed: uint8 [R, in], row-major
 *   packed[p, c] bits 2i..2i+1 = code of W[i·R + p, c]      i = 0..3 (planar over output rows)
 *   unpack_weights: [R, in] → [4R, in], row i·R + p = ((packed[p, c] >> 2i) & 3) − 1
 *
 * With out % 4 ≠ 0, pack_weights writes ceil(out/4) rows and leaves the unused crumbs 0 (they unpack to −1), while
 * BitLinear allocates floor(out/4) rows and AutoBitLinear unpacks only when rows·4 = out: transformers cannot load
 * what it packed (hazard H2). `hfBitnetProblems` refuses it.
 *
 *   weight_scale s (one value per tensor), the linear class chosen by quantization_config.linear_class:
 *   "multiply"  AutoBitLinear (offline): y = (x̂ · Wᵀ) · s          x̂ = fake-quantized activations
 *   "divide"    BitLinear:               y = (x_q · Wᵀ) / (s · σ)   x_q = int8 codes, σ = 127 / max|x|
 */

/** Ternary values per packed byte (transformers' VALUES_PER_ITEM). Spec §7.1. */
export const HF_BITNET_VALUES_PER_BYTE = 4;

/** How a layer's output uses `weight_scale`: multiplied (AutoBitLinear) or divided (BitLinear). Spec §7.3. */
export type HfBitnetScaleConvention = "multiply" | "divide";

/** The rows `pack_weights` writes for a weight of `rows` output rows: ceil(rows / 4) (its row_dim). Spec §7.1. */
export function hfBitnetPackedRows(rows: number): number {
  return Math.ceil(rows / HF_BITNET_VALUES_PER_BYTE);
}

/** Where element (row, column) of W lives in the packed tensor: packed row p, the same column, crumb i. Spec §7.1. */
export interface HfBitnetLocation {
  readonly packedRow: number;
  readonly column: number;
  /** Which 2-bit field of the byte: bits 2·crumb .. 2·crumb + 1. */
  readonly crumb: number;
}

/** W[row, column] of a weight with `rows` output rows → its place: p = row mod R, i = ⌊row / R⌋, R = ceil(rows/4). Spec §7.1. */
export function hfBitnetElementLocation(rows: number, row: number, column: number): HfBitnetLocation {
  const packedRows = hfBitnetPackedRows(rows);
  return { packedRow: row % packedRows, column, crumb: Math.floor(row / packedRows) };
}

/** The inverse: packed row p, crumb i of a tensor of `packedRows` rows holds W[i·packedRows + p, column]. Spec §7.1. */
export function hfBitnetElementAt(
  packedRows: number,
  packedRow: number,
  column: number,
  crumb: number,
): { readonly row: number; readonly column: number } {
  return { row: crumb * packedRows + packedRow, column };
}

/** Throw RangeError unless `rows` and `cols` are positive integers and `length` = rows · cols. */
function checkShape(what: string, length: number, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows <= 0 || !Number.isInteger(cols) || cols <= 0)
    throw new RangeError(`${what}: shape [${rows}, ${cols}] is not two positive integers`);
  if (length !== rows * cols) throw new RangeError(`${what}: ${length} values, expected ${rows}·${cols}`);
}

/**
 * transformers' pack_weights: ternary W: Int8Array[rows·cols] (row-major [out, in], values in {−1, 0, +1}) →
 * packed: Uint8Array[ceil(rows/4)·cols], crumbs that hold no element left 0. Spec §7.1.
 */
export function packHfBitnet(ternary: Int8Array, rows: number, cols: number): Uint8Array {
  checkShape("packHfBitnet", ternary.length, rows, cols);
  const packedRows = hfBitnetPackedRows(rows);
  const packed = new Uint8Array(packedRows * cols);
  for (let row = 0; row < rows; row++) {
    const { packedRow, crumb } = hfBitnetElementLocation(rows, row, 0);
    for (let c = 0; c < cols; c++) {
      const t = ternary[row * cols + c];
      if (t !== -1 && t !== 0 && t !== 1) throw new RangeError(`packHfBitnet: W[${row}, ${c}] = ${t} is not ternary`);
      packed[packedRow * cols + c] |= (t + 1) << (2 * crumb);
    }
  }
  return packed;
}

/**
 * transformers' unpack_weights: packed: Uint8Array[packedRows·cols] → Int8Array[4·packedRows·cols], row-major
 * [4·packedRows, cols], each value code − 1 ∈ {−1, 0, +1, +2} (code 3 gives +2, as unpack_weights does). Spec §7.1.
 */
export function unpackHfBitnet(packed: Uint8Array, packedRows: number, cols: number): Int8Array {
  checkShape("unpackHfBitnet", packed.length, packedRows, cols);
  const out = new Int8Array(HF_BITNET_VALUES_PER_BYTE * packedRows * cols);
  for (let crumb = 0; crumb < HF_BITNET_VALUES_PER_BYTE; crumb++) {
    for (let p = 0; p < packedRows; p++) {
      const { row } = hfBitnetElementAt(packedRows, p, 0, crumb);
      for (let c = 0; c < cols; c++) out[row * cols + c] = ((packed[p * cols + c] >> (2 * crumb)) & 3) - 1;
    }
  }
  return out;
}

/**
 * Everything wrong with a packed weight meant as W: [rows, cols] with scale `scale`, one line each (empty when
 * transformers would load and run it as a ternary weight): rows not a multiple of 4 (hazard H2), a byte count other
 * than rows/4 · cols, a code 3 (it unpacks to +2: not ternary), a scale that is NaN, infinite or ≤ 0. Spec §7.4.
 */
export function hfBitnetProblems(packed: Uint8Array, rows: number, cols: number, scale: number): string[] {
  const problems: string[] = [];
  if (rows % HF_BITNET_VALUES_PER_BYTE !== 0) {
    problems.push(
      `${rows} output rows is not a multiple of 4: pack_weights writes ${hfBitnetPackedRows(rows)} packed rows, ` +
        `BitLinear holds ${Math.floor(rows / HF_BITNET_VALUES_PER_BYTE)}`,
    );
  } else if (packed.length !== (rows / HF_BITNET_VALUES_PER_BYTE) * cols) {
    problems.push(
      `${packed.length} bytes, expected ${rows / HF_BITNET_VALUES_PER_BYTE}·${cols} for [${rows}, ${cols}]`,
    );
  } else {
    const at = packed.findIndex((byte) => (byte & 0x55 & (byte >> 1)) !== 0); // some crumb is 0b11
    if (at >= 0) {
      const crumb = [0, 1, 2, 3].find((i) => ((packed[at] >> (2 * i)) & 3) === 3) ?? 0;
      const { row } = hfBitnetElementAt(rows / HF_BITNET_VALUES_PER_BYTE, Math.floor(at / cols), 0, crumb);
      problems.push(`code 3 (unpacks to +2, not ternary) at W[${row}, ${at % cols}]`);
    }
  }
  if (!(scale > 0) || !Number.isFinite(scale)) problems.push(`weight_scale ${scale} is not a positive finite number`);
  return problems;
}
