/**
 * Q4_0: 32 values as 4-bit codes with one fp16 scale (18 bytes, 4.5 bits per weight).
 * Implements spec/formats.md §12 (ggml type 2; block_q4_0 in ggml/src/ggml-common.h).
 *
 *   bytes 0..1 | 2 ............ 17
 *   d (fp16)   | qs[16]: element j in the low nibble of qs[j], element j + 16 in the high nibble
 */

import { f16BitsToF32, f32ToF16Bits } from "./float16.js";
import { mapBlocks, mapBlocksBack } from "./row.js";
import { wrapToInt8 } from "./rounding.js";

/** Elements per Q4_0 block. */
export const QK4_0 = 32;
/** Bytes per Q4_0 block. */
export const Q4_0_BLOCK_BYTES = 18;
const QS_OFFSET = 2;

/**
 * C's `(int8_t)(float)` on x86-64: cvttss2si truncates toward zero to int32 (0x80000000 for NaN and out of range),
 * then the low byte is kept.
 */
function truncateToInt8(v: number): number {
  const t = Math.trunc(v);
  return wrapToInt8(Math.abs(t) < 2 ** 31 ? t : -(2 ** 31));
}

/**
 * quantize_row_q4_0_ref for one block.  Implements spec/formats.md §12.2.
 *   max = the x with the largest |x| (first on ties);  d = max / −8;  id = d ? 1/d : 0     (float32)
 *   code[j] = min(15, (int8_t)(x[j]·id + 8.5))   (truncation: round half up of x·id, offset by 8)
 * x: Float32Array[32] → Uint8Array[18].
 */
export function quantizeQ4_0Block(x: Float32Array): Uint8Array {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK4_0; j++) {
    if (amax < Math.abs(x[j])) {
      amax = Math.abs(x[j]);
      max = x[j];
    }
  }
  const d = Math.fround(max / -8);
  const id = d !== 0 ? Math.fround(1 / d) : 0; // NaN d is truthy in C: id = 1/NaN
  const block = new Uint8Array(Q4_0_BLOCK_BYTES);
  const scaleBits = f32ToF16Bits(d);
  block[0] = scaleBits & 0xff;
  block[1] = scaleBits >>> 8;
  const code = (v: number): number => Math.min(15, truncateToInt8(Math.fround(Math.fround(v * id) + 8.5))) & 0xff;
  for (let j = 0; j < QK4_0 / 2; j++) {
    block[QS_OFFSET + j] = (code(x[j]) | (code(x[j + QK4_0 / 2]) << 4)) & 0xff;
  }
  return block;
}

/**
 * dequantize_row_q4_0 for one block: x[j] = ((qs[j] & 15) − 8)·d, x[j+16] = ((qs[j] >> 4) − 8)·d (float32).
 * Implements spec/formats.md §12.3.  block: Uint8Array[18] → Float32Array[32].
 */
export function dequantizeQ4_0Block(block: Uint8Array): Float32Array {
  const d = f16BitsToF32(block[0] | (block[1] << 8));
  const x = new Float32Array(QK4_0);
  for (let j = 0; j < QK4_0 / 2; j++) {
    x[j] = ((block[QS_OFFSET + j] & 0xf) - 8) * d;
    x[j + QK4_0 / 2] = ((block[QS_OFFSET + j] >> 4) - 8) * d;
  }
  return x;
}

/** Quantize a row x: Float32Array[n], n a multiple of 32 → Uint8Array[n/32 · 18]. Implements spec/formats.md §12.2. */
export function quantizeRowQ4_0(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK4_0, Q4_0_BLOCK_BYTES, quantizeQ4_0Block);
}

/** Dequantize Uint8Array[nb · 18] → Float32Array[nb · 32]. Implements spec/formats.md §12.3. */
export function dequantizeRowQ4_0(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, Q4_0_BLOCK_BYTES, QK4_0, dequantizeQ4_0Block);
}
