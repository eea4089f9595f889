/**
 * Q4_K: 256 values in eight 32-element sub-blocks, 4-bit levels with 6-bit sub-block scales and mins
 * (144 bytes, 4.5 bits per weight). Implements spec/formats.md §13 (ggml type 12; block_q4_K in ggml-common.h).
 *
 *   bytes 0..1 | 2..3       | 4 ...... 15         | 16 ............. 143
 *   d (fp16)   | dmin (fp16) | scales[12] (§13.2) | qs[128]: chunk c (64 elements) in qs[32c..32c+31],
 *                                                   element 64c + l low nibble, 64c + 32 + l high nibble
 */

import { QK_K } from "./ggml-type.js";
import { affineSubBlockScales, quantizeAffineSuperBlock } from "./k-affine-block.js";
import { mapBlocks, mapBlocksBack } from "./row.js";

/** Bytes per Q4_K block. */
export const Q4_K_BLOCK_BYTES = 144;
/** Byte offset of qs[128] in a Q4_K block. */
export const Q4_K_QS_OFFSET = 16;

/** Level (0..15) of element e (0..255) of a Q4_K block: nibble (e mod 64) ≥ 32 of qs[32·(e div 64) + e mod 32]. Spec §13.1. */
export function q4KLevel(block: Uint8Array, e: number): number {
  const byte = block[Q4_K_QS_OFFSET + 32 * (e >> 6) + (e & 31)];
  return (e & 32) !== 0 ? byte >> 4 : byte & 0xf;
}

/**
 * quantize_row_q4_K_ref for one block (no importance matrix): the §13.4 pass with nmax = 15, rmin = −1, nstep = 20,
 * then qs[32c + l] = L[64c + l] | L[64c + 32 + l] << 4.  Implements spec/formats.md §13.4.
 * x: Float32Array[256] → Uint8Array[144].
 */
export function quantizeQ4KBlock(x: Float32Array): Uint8Array {
  const q = quantizeAffineSuperBlock(x, { nmax: 15, rmin: -1, nstep: 20 });
  const block = new Uint8Array(Q4_K_BLOCK_BYTES);
  block[0] = q.dBits & 0xff;
  block[1] = q.dBits >>> 8;
  block[2] = q.dminBits & 0xff;
  block[3] = q.dminBits >>> 8;
  block.set(q.scales, 4);
  for (let c = 0; c < QK_K / 64; c++) {
    for (let l = 0; l < 32; l++)
      block[Q4_K_QS_OFFSET + 32 * c + l] = q.levels[64 * c + l] | (q.levels[64 * c + 32 + l] << 4);
  }
  return block;
}

/**
 * dequantize_row_q4_K for one block: x[e] = d_j·L[e] − m_j (float32, two roundings), j = e div 32,
 * d_j = d·sc_j, m_j = dmin·min_j.  Implements spec/formats.md §13.5.  block: Uint8Array[144] → Float32Array[256].
 */
export function dequantizeQ4KBlock(block: Uint8Array): Float32Array {
  const { d, m } = affineSubBlockScales(block);
  const x = new Float32Array(QK_K);
  for (let e = 0; e < QK_K; e++) x[e] = Math.fround(d[e >> 5] * q4KLevel(block, e)) - m[e >> 5];
  return x;
}

/** Quantize a row x: Float32Array[n], n a multiple of 256 → Uint8Array[n/256 · 144]. Implements spec/formats.md §13.4. */
export function quantizeRowQ4K(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK_K, Q4_K_BLOCK_BYTES, quantizeQ4KBlock);
}

/** Dequantize Uint8Array[nb · 144] → Float32Array[nb · 256]. Implements spec/formats.md §13.5. */
export function dequantizeRowQ4K(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, Q4_K_BLOCK_BYTES, QK_K, dequantizeQ4KBlock);
}
