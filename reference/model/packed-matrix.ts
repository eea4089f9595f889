/**
 * A weight matrix kept exactly as it is stored (packed), decoded one row at a time.
 * Implements spec/forward.md §2.2 (the weights stay packed).
 */

import {
  decodeF16RowInto,
  dequantizeRow,
  dequantizeRowTq2_0Into,
  GgmlType,
  ggmlTypeTraits,
  quantizeRow,
  rowByteSize,
} from "../codec/index.js";

/**
 * W: [rows, cols] in ggml type `type`; row r is the bytes data[r·rowBytes, (r+1)·rowBytes).
 * In GGUF terms ne = [cols, rows]; in Hugging Face terms the tensor shape is [rows, cols] = [out, in].
 */
export interface PackedMatrix {
  readonly type: GgmlType;
  /** Output features (rows). */
  readonly rows: number;
  /** Input features (cols): a whole number of the type's blocks. */
  readonly cols: number;
  /** rows · rowBytes bytes. */
  readonly data: Uint8Array;
}

/** Bytes of one row of `matrix` (spec/formats.md §1: a row is its blocks). Spec §2.2. */
export function packedRowBytes(matrix: PackedMatrix): number {
  const traits = ggmlTypeTraits(matrix.type);
  if (traits === undefined) throw new RangeError(`unknown ggml type ${matrix.type}`);
  return rowByteSize(traits, matrix.cols);
}

/** The packed bytes of row r: Uint8Array[rowBytes] (a view, not a copy). Spec §2.2. */
export function packedRow(matrix: PackedMatrix, r: number): Uint8Array {
  const rowBytes = packedRowBytes(matrix);
  return matrix.data.subarray(r * rowBytes, (r + 1) * rowBytes);
}

/** Row r decoded to float32: Float32Array[cols] (exact for every type: decoding never rounds). Spec §2.2. */
export function decodeMatrixRow(matrix: PackedMatrix, r: number): Float32Array {
  return dequantizeRow(matrix.type, packedRow(matrix, r), matrix.cols);
}

/**
 * Row r decoded into w: Float32Array[cols], for loops that decode row after row into one buffer: F16 rows (the
 * lm heads) and TQ2_0 rows in place, other types through decodeMatrixRow. Spec §2.2.
 */
export function decodeMatrixRowInto(matrix: PackedMatrix, r: number, w: Float32Array): void {
  if (w.length !== matrix.cols) throw new RangeError(`row buffer of ${w.length} values for ${matrix.cols} columns`);
  if (matrix.type === GgmlType.F16) decodeF16RowInto(packedRow(matrix, r), w);
  else if (matrix.type === GgmlType.TQ2_0) dequantizeRowTq2_0Into(packedRow(matrix, r), w);
  else w.set(decodeMatrixRow(matrix, r));
}

/** A PackedMatrix from float32 values W: Float32Array[rows · cols], stored as `type`. Spec §2.2. */
export function packMatrix(type: GgmlType, rows: number, cols: number, values: Float32Array): PackedMatrix {
  const parts: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = values.subarray(r * cols, (r + 1) * cols);
    parts.push(quantizeRow(type, row));
  }
  const rowBytes = parts[0]?.length ?? 0;
  const data = new Uint8Array(rows * rowBytes);
  parts.forEach((p, r) => data.set(p, r * rowBytes));
  return { type, rows, cols, data };
}
