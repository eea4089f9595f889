/**
 * Q4_0 weight row · Q8_0 activation row as llama.cpp's CPU backend computes it on x86-64 when it has repacked the
 * Q4_0 matrix into block_q4_0x8 (ggml/src/ggml-cpu/repack.cpp, ggml_repack_get_optimal_repack_type: AVX2 present and
 * ne[1] — the row count — a multiple of 8). A repacked matrix is multiplied by ggml_gemm_q4_0_8x8_q8_0 for each
 * group of four activation rows of the batch and by ggml_gemv_q4_0_8x8_q8_0 for the rest (arch/x86/repack.cpp,
 * the AVX-512BW/DQ gemm and the AVX2 gemv). Their activations come from ggml_quantize_mat_q8_0_4x8 and
 * quantize_row_q8_0, which compute the same blocks as quantizeRowQ8_0Avx2 (d = amax/127, id = 127/amax,
 * round half to even). Both kernels give each output the same float32 sum: one FMA per 32-element block,
 * in block order, from +0 (unlike ggml_vec_dot_q4_0_q8_0's eight lanes and final horizontal sum):
 *
 *   isum_b = Σ_(j<32) (q_(b,j) − 8) · y_(b,j)                       (exact: |isum_b| ≤ 32·8·128)
 *   acc    = fma_f32(float(isum_b), f32(fp16(d_w,b) · fp16(d_y,b)), acc)       b = 0 .. nb−1
 * Implements spec/forward.md §15.
 */

import { f16BitsToF32 } from "../codec/float16.js";
import { Q4_0_BLOCK_BYTES, QK4_0 } from "../codec/q4_0.js";
import { Q8_0_BLOCK_BYTES } from "../codec/q8_0.js";
import { wrapToInt8 } from "../codec/rounding.js";
import { fmaF32 } from "./fma.js";

/** Rows per block_q4_0x8: a Q4_0 matrix is repacked on x86 when its row count is a multiple of this. */
export const Q4_0_REPACK_ROWS = 8;

/**
 * Whether llama.cpp's x86 CPU backend (AVX2 or AVX-512, default settings: weights in the CPU_REPACK buffer) repacks
 * a Q4_0 matrix of `rows` rows (ne[1]) and multiplies it with the gemv/gemm kernels of this file. Spec §15.
 */
export function isRepackedQ4_0(rows: number): boolean {
  return rows % Q4_0_REPACK_ROWS === 0;
}

/** Σ_(j<32) (q_j − 8)·y_j of one Q4_0 block (at `w`) and one Q8_0 block (at `a`): exact int. */
function blockIntegerDot(weights: Uint8Array, w: number, activations: Uint8Array, a: number): number {
  const half = QK4_0 / 2;
  let isum = 0;
  for (let j = 0; j < half; j++) {
    const packed = weights[w + 2 + j];
    isum += ((packed & 0xf) - 8) * wrapToInt8(activations[a + 2 + j]);
    isum += ((packed >> 4) - 8) * wrapToInt8(activations[a + 2 + j + half]);
  }
  return isum;
}

/**
 * One output of ggml_gemv_q4_0_8x8_q8_0 / ggml_gemm_q4_0_8x8_q8_0 (x86, repacked Q4_0): Q4_0 row
 * Uint8Array[nb·18] · Q8_0 row Uint8Array[nb·34] → float32, one FMA per block as in the file comment.
 * Implements spec/forward.md §15.
 */
export function repackedDotQ4_0Q8_0(weights: Uint8Array, activations: Uint8Array): number {
  const blocks = weights.length / Q4_0_BLOCK_BYTES;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_0_BLOCK_BYTES) {
    throw new RangeError(
      `repacked Q4_0 dot: ${weights.length} weight bytes and ${activations.length} Q8_0 bytes are not the same number of blocks`,
    );
  }
  let acc = 0;
  for (let b = 0; b < blocks; b++) {
    const w = b * Q4_0_BLOCK_BYTES;
    const a = b * Q8_0_BLOCK_BYTES;
    const scale = Math.fround(
      f16BitsToF32(weights[w] | (weights[w + 1] << 8)) * f16BitsToF32(activations[a] | (activations[a + 1] << 8)),
    );
    acc = fmaF32(blockIntegerDot(weights, w, activations, a), scale, acc);
  }
  return acc;
}
