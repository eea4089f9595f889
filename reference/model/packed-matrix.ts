/**
 * A weight matrix kept exactly as it is stored (packed), decoded one row at a time.
 * Implements spec/forward.md §2.2 (the weights stay packed).
 */

import { dequantizeRow, GgmlType, ggmlTypeTraits, quantizeRow, rowByteSize } from "../codec/index.js";

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
