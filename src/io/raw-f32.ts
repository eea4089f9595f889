/**
 * Raw float32 files (`.f32`): the values back to back, 4 bytes each, little-endian, no header.
 * Pure: no Node APIs.
 */

import { InputError } from "../errors.js";
import { float32FromLittleEndian, writeFloat32LittleEndian } from "./float32-bytes.js";

/** Bytes per value. */
export const F32_BYTES = 4;

/** Parse a raw little-endian float32 file; InputError(fileName, …) when its length is not a multiple of 4. */
export function parseRawF32(bytes: Uint8Array, fileName: string): Float32Array {
  if (bytes.length % F32_BYTES !== 0) {
    throw new InputError(fileName, `raw float32 file is ${bytes.length} bytes, not a multiple of ${F32_BYTES}`);
  }
  return float32FromLittleEndian(bytes);
}

/** Serialize values as a raw little-endian float32 file, bit for bit. */
export function serializeRawF32(values: Float32Array): Uint8Array {
  const out = new Uint8Array(F32_BYTES * values.length);
  writeFloat32LittleEndian(values, out, 0);
  return out;
}
