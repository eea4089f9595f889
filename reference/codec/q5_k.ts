/**
 * Q5_K: 256 values in eight 32-element sub-blocks, 5-bit levels with 6-bit sub-block scales and mins
 * (176 bytes, 5.5 bits per weight). Implements spec/formats.md §14 (ggml type 13; block_q5_K in ggml-common.h).
 *
 *   bytes 0..1 | 2..3        | 4 ...... 15        | 16 ........ 47 | 48 ............. 175
 *   d (fp16)   | dmin (fp16) | scales[12] (§13.2) | qh[32]          | qs[128] (low 4 bits, as Q4_K)
 * Bit 4 of element 64c + 32h + l (h = 0, 1) is bit 2c + h of qh[l].
 */

import { QK_K } from "./ggml-type.js";
import { affineSubBlockScales, quantizeAffineSuperBlock } from "./k-affine-block.js";
import { mapBlocks, mapBlocksBack } from "./row.js";

/** Bytes per Q5_K block. */
export const Q5_K_BLOCK_BYTES = 176;
/** Byte offset of qh[32] in a Q5_K block. */
export const Q5_K_QH_OFFSET = 16;
/** Byte offset of qs[128] in a Q5_K block. */
export const Q5_K_QS_OFFSET = 48;

/** Level (0..31) of element e (0..255) of a Q5_K block: the Q4_K nibble plus 16 · bit (e div 32) of qh[e mod 32]. Spec §14.1. */
export function q5KLevel(block: Uint8Array, e: number): number {
  const byte = block[Q5_K_QS_OFFSET + 32 * (e >> 6) + (e & 31)];
  const low = (e & 32) !== 0 ? byte >> 4 : byte & 0xf;
  return low + (((block[Q5_K_QH_OFFSET + (e & 31)] >> (e >> 5)) & 1) << 4);
}

/**
 * quantize_row_q5_K_ref for one block (no importance matrix): the §13.4 pass with nmax = 31, rmin = −0.5, nstep = 15,
 * then the low 4 bits as Q4_K and bit 4 of L[64c + 32h + l] into bit 2c + h of qh[l].  Implements spec/formats.md §14.2.
 * x: Float32Array[256] → Uint8Array[176].
 */
export function quantizeQ5KBlock(x: Float32Array): Uint8Array {
  const q = quantizeAffineSuperBlock(x, { nmax: 31, rmin: -0.5, nstep: 15 });
  const block = new Uint8Array(Q5_K_BLOCK_BYTES);
  block[0] = q.dBits & 0xff;
  block[1] = q.dBits >>> 8;
  block[2] = q.dminBits & 0xff;
  block[3] = q.dminBits >>> 8;
  block.set(q.scales, 4);
  for (let c = 0; c < QK_K / 64; c++) {
    for (let l = 0; l < 32; l++) {
      const l1 = q.levels[64 * c + l];
      const l2 = q.levels[64 * c + 32 + l];
      block[Q5_K_QS_OFFSET + 32 * c + l] = (l1 & 0xf) | ((l2 & 0xf) << 4);
      block[Q5_K_QH_OFFSET + l] |= ((l1 >> 4) << (2 * c)) | ((l2 >> 4) << (2 * c + 1));
    }
  }
  return block;
}

/**
 * dequantize_row_q5_K for one block: x[e] = d_j·L[e] − m_j (float32), j = e div 32.  Implements spec/formats.md §14.3.
 * block: Uint8Array[176] → Float32Array[256].
 */
export function dequantizeQ5KBlock(block: Uint8Array): Float32Array {
  const { d, m } = affineSubBlockScales(block);
  const x = new Float32Array(QK_K);
  for (let e = 0; e < QK_K; e++) x[e] = Math.fround(d[e >> 5] * q5KLevel(block, e)) - m[e >> 5];
  return x;
}

/** Quantize a row x: Float32Array[n], n a multiple of 256 → Uint8Array[n/256 · 176]. Implements spec/formats.md §14.2. */
export function quantizeRowQ5K(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK_K, Q5_K_BLOCK_BYTES, quantizeQ5KBlock);
}

/** Dequantize Uint8Array[nb · 176] → Float32Array[nb · 256]. Implements spec/formats.md §14.3. */
export function dequantizeRowQ5K(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, Q5_K_BLOCK_BYTES, QK_K, dequantizeQ5KBlock);
}
