/**
 * Q8_K: 256 activations as int8 with one float32 scale and 16 int16 partial sums (292 bytes).
 * Implements spec/formats.md §6 (ggml type 15; block_q8_K in ggml/src/ggml-common.h).
 *
 *   bytes 0..3 | 4 ................ 259 | 260 ............... 291
 *   d (f32)    | qs[256] (int8)          | bsums[16] (int16): Σ of each 16 qs
 */

import { QK_K } from "./ggml-type.js";
import { mapBlocks, mapBlocksBack } from "./row.js";
import { nearestInt, wrapToInt8 } from "./rounding.js";

/** Bytes per Q8_K block. */
export const Q8_K_BLOCK_BYTES = 292;
const QS_OFFSET = 4;
const BSUMS_OFFSET = 4 + QK_K;

/** One Q8_K block, unpacked. */
export interface Q8KBlock {
  /** The float32 scale d (x ≈ d · q). */
  readonly d: number;
  /** Int8Array[256]: the quantized values. */
  readonly qs: Int8Array;
  /** Int16Array[16]: bsums[j] = Σ qs[16j .. 16j+15]. */
  readonly bsums: Int16Array;
}

/**
 * quantize_row_q8_K_ref for one block.  Implements spec/formats.md §6.2.
 *
 *   max    = the x[j] with the largest |x[j]| (the first one on ties; NaN never wins)
 *   iscale = −127 / max                                  (float32)
 *   q[j]   = min(127, nearest_int(iscale · x[j]))        (half to even; stored as int8)
 *   d      = 1 / iscale                                  (float32, carries the sign of −max)
 * An all-zero block (amax = 0) is d = 0, q = 0, bsums = 0.
 * x: Float32Array[256] → Q8KBlock.
 */
export function quantizeQ8KBlockValues(x: Float32Array): Q8KBlock {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK_K; j++) {
    const magnitude = Math.abs(x[j]);
    if (magnitude > amax) {
      amax = magnitude;
      max = x[j];
    }
  }
  const qs = new Int8Array(QK_K);
  const bsums = new Int16Array(QK_K / 16);
  if (amax === 0) return { d: 0, qs, bsums };

  const iscale = Math.fround(-127 / max);
  for (let j = 0; j < QK_K; j++) {
    qs[j] = wrapToInt8(Math.min(127, nearestInt(Math.fround(iscale * x[j]))));
  }
  for (let j = 0; j < QK_K / 16; j++) {
    let sum = 0;
    for (let i = 0; i < 16; i++) sum += qs[j * 16 + i];
    bsums[j] = sum;
  }
  return { d: Math.fround(1 / iscale), qs, bsums };
}

/** Serialize a Q8KBlock into its 292 little-endian bytes. Implements spec/formats.md §6.1. */
export function packQ8KBlock(block: Q8KBlock): Uint8Array {
  const bytes = new Uint8Array(Q8_K_BLOCK_BYTES);
  const view = new DataView(bytes.buffer);
  view.setFloat32(0, block.d, true);
  for (let j = 0; j < QK_K; j++) view.setInt8(QS_OFFSET + j, block.qs[j]);
  for (let j = 0; j < QK_K / 16; j++) view.setInt16(BSUMS_OFFSET + 2 * j, block.bsums[j], true);
  return bytes;
}

/** Read a Q8KBlock from 292 bytes. Implements spec/formats.md §6.1. */
export function unpackQ8KBlock(bytes: Uint8Array): Q8KBlock {
  const view = new DataView(bytes.buffer, bytes.byteOffset, Q8_K_BLOCK_BYTES);
  const qs = new Int8Array(QK_K);
  const bsums = new Int16Array(QK_K / 16);
  for (let j = 0; j < QK_K; j++) qs[j] = view.getInt8(QS_OFFSET + j);
  for (let j = 0; j < QK_K / 16; j++) bsums[j] = view.getInt16(BSUMS_OFFSET + 2 * j, true);
  return { d: view.getFloat32(0, true), qs, bsums };
}

/** Quantize one block to bytes: x: Float32Array[256] → Uint8Array[292]. Implements spec/formats.md §6.2. */
export function quantizeQ8KBlock(x: Float32Array): Uint8Array {
  return packQ8KBlock(quantizeQ8KBlockValues(x));
}

/** dequantize_row_q8_K for one block: x[j] = d · q[j] (float32). Implements spec/formats.md §6.3. */
export function dequantizeQ8KBlock(bytes: Uint8Array): Float32Array {
  const { d, qs } = unpackQ8KBlock(bytes);
  const x = new Float32Array(QK_K);
  for (let j = 0; j < QK_K; j++) x[j] = d * qs[j];
  return x;
}

/** Quantize a row x: Float32Array[n], n a multiple of 256 → Uint8Array[n/256 · 292]. Implements spec/formats.md §6.2. */
export function quantizeRowQ8K(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK_K, Q8_K_BLOCK_BYTES, quantizeQ8KBlock);
}

/** Dequantize Uint8Array[nb · 292] → Float32Array[nb · 256]. Implements spec/formats.md §6.3. */
export function dequantizeRowQ8K(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, Q8_K_BLOCK_BYTES, QK_K, dequantizeQ8KBlock);
}
