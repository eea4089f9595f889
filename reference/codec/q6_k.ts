/**
 * Q6_K: 256 values in sixteen 16-element sub-blocks, 6-bit levels with int8 sub-block scales and one fp16
 * super-scale (210 bytes, 6.5625 bits per weight). Implements spec/formats.md §15 (ggml type 14; block_q6_K).
 *
 *   bytes 0 ........ 127 | 128 ....... 191 | 192 ........ 207 | 208..209
 *   ql[128] (low 4 bits) | qh[64] (2 high) | scales[16] (int8) | d (fp16)
 * Element e = 128h + 32r + l (h = 0..1, r = 0..3, l = 0..31): low 4 bits are nibble (r ≥ 2) of ql[64h + 32·(r mod 2) + l],
 * high 2 bits are bits 2r..2r+1 of qh[32h + l]; stored value q = 0..63, weight level q − 32.
 */

import { f16BitsToF32, f32ToF16Bits } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { GROUP_MAX_EPS, makeQxQuants } from "./k-quant-search.js";
import { mapBlocks, mapBlocksBack } from "./row.js";
import { nearestInt, wrapToInt8 } from "./rounding.js";

const f32 = Math.fround;
/** Bytes per Q6_K block. */
export const Q6_K_BLOCK_BYTES = 210;
/** Byte offset of qh[64]. */
export const Q6_K_QH_OFFSET = 128;
/** Byte offset of the int8 scales[16]. */
export const Q6_K_SCALES_OFFSET = 192;
/** Byte offset of the fp16 d. */
export const Q6_K_D_OFFSET = 208;

/** The stored 6-bit value (0..63) of element e (0..255); the weight level is this minus 32. Spec §15.1. */
export function q6KValue(block: Uint8Array, e: number): number {
  const h = e >> 7;
  const r = (e >> 5) & 3;
  const l = e & 31;
  const lowByte = block[64 * h + 32 * (r & 1) + l];
  const low = r >= 2 ? lowByte >> 4 : lowByte & 0xf;
  return low | (((block[Q6_K_QH_OFFSET + 32 * h + l] >> (2 * r)) & 3) << 4);
}

/**
 * quantize_row_q6_K_ref for one block (no importance matrix).  Implements spec/formats.md §15.2.
 *   per 16-element sub-block: scale_j = make_qx_quants(16, 32, x_j, L, rmse_type 1)          (§15.3)
 *   max_scale = the scale_j with the largest |scale_j|;  |max_scale| < 1e-15 ⇒ all-zero block
 *   iscale = −128 / max_scale;  d = fp16(1/iscale);  sc_j = (int8) min(127, nearest_int(iscale·scale_j))
 *   where d·sc_j ≠ 0:  L = clamp(nearest_int(x / (d·sc_j)), −32, 31) + 32
 * x: Float32Array[256] → Uint8Array[210].
 */
export function quantizeQ6KBlock(x: Float32Array): Uint8Array {
  const block = new Uint8Array(Q6_K_BLOCK_BYTES);
  const levels = new Uint8Array(QK_K);
  const scales = new Float32Array(QK_K / 16);
  let maxScale = 0;
  let maxAbsScale = 0;
  for (let ib = 0; ib < QK_K / 16; ib++) {
    scales[ib] = makeQxQuants(x.subarray(16 * ib, 16 * ib + 16), 32, levels.subarray(16 * ib));
    if (Math.abs(scales[ib]) > maxAbsScale) {
      maxAbsScale = Math.abs(scales[ib]);
      maxScale = scales[ib];
    }
  }
  if (maxAbsScale < GROUP_MAX_EPS) return block; // memset 0; d = fp16(0) = 0
  const iscale = f32(-128 / maxScale);
  const dBits = f32ToF16Bits(f32(1 / iscale));
  block[Q6_K_D_OFFSET] = dBits & 0xff;
  block[Q6_K_D_OFFSET + 1] = dBits >>> 8;
  for (let ib = 0; ib < QK_K / 16; ib++) {
    block[Q6_K_SCALES_OFFSET + ib] = wrapToInt8(Math.min(127, nearestInt(f32(iscale * scales[ib])))) & 0xff;
  }
  for (let j = 0; j < QK_K / 16; j++) {
    const d = f32(f16BitsToF32(dBits) * wrapToInt8(block[Q6_K_SCALES_OFFSET + j]));
    if (d === 0) continue; // keeps make_qx_quants' levels
    for (let i = 0; i < 16; i++) {
      const l = nearestInt(f32(x[16 * j + i] / d));
      levels[16 * j + i] = Math.max(-32, Math.min(31, l)) + 32;
    }
  }
  for (let h = 0; h < 2; h++) {
    for (let l = 0; l < 32; l++) {
      const [q1, q2, q3, q4] = [0, 1, 2, 3].map((r) => levels[128 * h + 32 * r + l]);
      block[64 * h + l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
      block[64 * h + 32 + l] = (q2 & 0xf) | ((q4 & 0xf) << 4);
      block[Q6_K_QH_OFFSET + 32 * h + l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
    }
  }
  return block;
}

/**
 * dequantize_row_q6_K for one block: x[e] = (d·sc_(e div 16))·(q_e − 32), float32 (two roundings).
 * Implements spec/formats.md §15.4.  block: Uint8Array[210] → Float32Array[256].
 */
export function dequantizeQ6KBlock(block: Uint8Array): Float32Array {
  const d = f16BitsToF32(block[Q6_K_D_OFFSET] | (block[Q6_K_D_OFFSET + 1] << 8));
  const x = new Float32Array(QK_K);
  for (let e = 0; e < QK_K; e++) {
    const scale = wrapToInt8(block[Q6_K_SCALES_OFFSET + (e >> 4)]);
    x[e] = f32(d * scale) * (q6KValue(block, e) - 32);
  }
  return x;
}

/** Quantize a row x: Float32Array[n], n a multiple of 256 → Uint8Array[n/256 · 210]. Implements spec/formats.md §15.2. */
export function quantizeRowQ6K(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK_K, Q6_K_BLOCK_BYTES, quantizeQ6KBlock);
}

/** Dequantize Uint8Array[nb · 210] → Float32Array[nb · 256]. Implements spec/formats.md §15.4. */
export function dequantizeRowQ6K(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, Q6_K_BLOCK_BYTES, QK_K, dequantizeQ6KBlock);
}
