/**
 * Q8_0: 32 values as int8 with one fp16 scale (34 bytes). The oracle needs it to read GGUF
 * files that hold Q8_0 tensors. Implements spec/formats.md §7 (ggml type 8).
 *
 *   bytes 0..1 | 2 .......... 33
 *   d (fp16)   | qs[32] (int8)
 */

import { f16BitsToF32, f32ToF16Bits } from "./float16.js";
import { mapBlocks, mapBlocksBack } from "./row.js";
import { lroundf, wrapToInt8 } from "./rounding.js";

/** Elements per Q8_0 block. */
export const QK8_0 = 32;
/** Bytes per Q8_0 block. */
export const Q8_0_BLOCK_BYTES = 34;

/**
 * quantize_row_q8_0_ref for one block.  Implements spec/formats.md §7.
 *   amax = max |x|;  d = amax / 127;  id = d ? 1/d : 0  (float32)
 *   q[j] = roundf(x[j] · id)   (half away from zero)
 * x: Float32Array[32] → Uint8Array[34].
 */
export function quantizeQ8_0Block(x: Float32Array): Uint8Array {
  let amax = 0;
  for (let j = 0; j < QK8_0; j++) {
    const magnitude = Math.abs(x[j]);
    amax = amax > magnitude ? amax : magnitude;
  }
  const d = Math.fround(amax / 127);
  const id = d === 0 ? 0 : Math.fround(1 / d);
  const block = new Uint8Array(Q8_0_BLOCK_BYTES);
  const scaleBits = f32ToF16Bits(d);
  block[0] = scaleBits & 0xff;
  block[1] = scaleBits >>> 8;
  for (let j = 0; j < QK8_0; j++) {
    // roundf then the float → int8_t conversion; x86-64 gives 0 for NaN (cvttss2si's 0x80000000, low byte 0).
    const rounded = lroundf(Math.fround(x[j] * id));
    block[2 + j] = wrapToInt8(rounded ?? 0) & 0xff;
  }
  return block;
}

/** dequantize_row_q8_0 for one block: x[j] = q[j] · fp16_to_f32(d). Implements spec/formats.md §7. */
export function dequantizeQ8_0Block(block: Uint8Array): Float32Array {
  const d = f16BitsToF32(block[0] | (block[1] << 8));
  const x = new Float32Array(QK8_0);
  for (let j = 0; j < QK8_0; j++) x[j] = ((block[2 + j] << 24) >> 24) * d;
  return x;
}

/** Quantize a row x: Float32Array[n], n a multiple of 32 → Uint8Array[n/32 · 34]. Implements spec/formats.md §7. */
export function quantizeRowQ8_0(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK8_0, Q8_0_BLOCK_BYTES, quantizeQ8_0Block);
}

/** Dequantize Uint8Array[nb · 34] → Float32Array[nb · 32]. Implements spec/formats.md §7. */
export function dequantizeRowQ8_0(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, Q8_0_BLOCK_BYTES, QK8_0, dequantizeQ8_0Block);
}
