/**
 * The float32 input of `trilm encode`: a `.npy` file (float32, C order, any number of dimensions,
 * the last a multiple of the block size; its rows are concatenated) or a raw little-endian `.f32`
 * file (one row). The format follows from the extension; sizes are checked before reading where the
 * file's length alone decides.
 */

import { extname } from "node:path";
import { InputError } from "../errors.js";
import { inputFileSize, readInputFile } from "../io/input-file.js";
import { parseNpy, pythonTupleRepr } from "../io/npy.js";
import { F32_BYTES, parseRawF32 } from "../io/raw-f32.js";

/** Rows of float32 values, concatenated. */
export interface FloatRows {
  /** All values, row after row. */
  readonly values: Float32Array;
  /** Values per row (the last dimension). */
  readonly rowLength: number;
  /** Number of rows (the product of the other dimensions). */
  readonly rowCount: number;
}

/** Rows of a .npy file: float32 with at least one dimension, the last a non-zero multiple of `blockSize`. */
function readNpyRows(path: string, blockSize: number): FloatRows {
  const array = parseNpy(readInputFile(path), path);
  if (array.dtype !== "<f4")
    throw new InputError(path, `dtype '${array.dtype}' is not float32; encode reads '<f4' arrays`);
  const shape = array.shape;
  if (shape.length === 0) {
    throw new InputError(
      path,
      `is a 0-d array (shape ()); encode needs rows whose length is a multiple of ${blockSize}`,
    );
  }
  const rowLength = shape[shape.length - 1];
  if (rowLength % blockSize !== 0 || rowLength === 0) {
    throw new InputError(
      path,
      `last dimension ${rowLength} of shape ${pythonTupleRepr(shape)} is not a positive multiple of ${blockSize}`,
    );
  }
  if (array.data.length === 0) throw new InputError(path, `shape ${pythonTupleRepr(shape)} holds no values`);
  return { values: array.data, rowLength, rowCount: array.data.length / rowLength };
}

/** One row: a raw float32 file whose length is a whole number of blocks of values. */
function readRawF32Row(path: string, blockSize: number): FloatRows {
  const size = inputFileSize(path);
  if (size % F32_BYTES !== 0)
    throw new InputError(path, `raw float32 file is ${size} bytes, not a multiple of ${F32_BYTES}`);
  const count = size / F32_BYTES;
  if (count % blockSize !== 0)
    throw new InputError(path, `holds ${count} float32 values, not a multiple of ${blockSize}`);
  const values = parseRawF32(readInputFile(path), path);
  return { values, rowLength: values.length, rowCount: 1 };
}

/** Read float32 rows for encoding from a `.npy` or `.f32` file; InputError for anything else. */
export function readFloatRows(path: string, blockSize: number): FloatRows {
  const extension = extname(path).toLowerCase();
  if (extension === ".npy") return readNpyRows(path, blockSize);
  if (extension === ".f32") return readRawF32Row(path, blockSize);
  const shown = extension === "" ? "no extension" : `extension '${extension}'`;
  throw new InputError(path, `${shown}: expected a .npy file or a raw little-endian float32 .f32 file`);
}
