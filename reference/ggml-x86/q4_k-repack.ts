/**
 * Q4_K weight row · Q8_K activation row as llama.cpp's CPU backend computes it on x86-64 when it has repacked the
 * Q4_K matrix into block_q4_Kx8 (ggml/src/ggml-cpu/repack.cpp: AVX2 present and ne[1] — the row count — a multiple
 * of 8). Activations: quantize_row_q8_K for the rows ggml_gemv_q4_K_8x8_q8_K takes, ggml_quantize_mat_q8_K_4x8 for
 * the groups of four that ggml_gemm_q4_K_8x8_q8_K takes; both give quantizeRowQ8K's blocks (the 4x8 one could pick
 * the other sign when +max and −max tie in a block). Implements spec/forward.md §15.
 *
 * Per 256-element block, with (sc_j, m_j) the 6-bit scale and min of sub-block j (0..7), L the 4-bit levels,
 * dot_j = Σ_(e in sub-block j) L_e·q8_e and s_j = bsums[2j] + bsums[2j+1] (integers, exact):
 *   d = f32(fp16(x.d) · y.d),  dm = f32(fp16(x.dmin) · y.d)
 *   gemv (ggml_gemv_q4_K_8x8_q8_K, AVX2): one FMA pair per block
 *     acc  = fma_f32(float(Σ_j sc_j·dot_j), d, acc);   accm = fma_f32(float(Σ_j m_j·s_j), dm, accm)
 *   gemm (ggml_gemm_q4_K_8x8_q8_K, AVX-512BW/DQ and AVX2 alike): one FMA pair per 64 elements, p = 0..3
 *     acc  = fma_f32(float(sc_2p·dot_2p + sc_2p+1·dot_2p+1), d, acc);   accm = fma_f32(float(m_2p·s_2p + m_2p+1·s_2p+1), dm, accm)
 * Result: f32(acc − accm). float(n) rounds an int32 to float32 (_mm256_cvtepi32_ps).
 */

import { f16BitsToF32 } from "../codec/float16.js";
import { QK_K } from "../codec/ggml-type.js";
import { scaleMinK4 } from "../codec/k-scale-min.js";
import { Q4_K_BLOCK_BYTES, q4KLevel } from "../codec/q4_k.js";
import { Q8_K_BLOCK_BYTES, unpackQ8KBlock } from "../codec/q8_k.js";
import { fmaF32 } from "./fma.js";

const f32 = Math.fround;
const SUB_BLOCKS = 8;
const SUB_BLOCK = QK_K / SUB_BLOCKS;

/** Rows per block_q4_Kx8: a Q4_K matrix is repacked on x86 when its row count is a multiple of this. */
export const Q4_K_REPACK_ROWS = 8;

/**
 * Which kernel multiplies one activation row by a repacked matrix: "gemm" for the rows of a batch that fall in a
 * whole group of four (the first n − n mod 4 of n rows), "gemv" for the others (forward_mul_mat_one_chunk). Spec §15.
 */
export type RepackKernel = "gemv" | "gemm";

/**
 * Whether llama.cpp's x86 CPU backend (AVX2 or AVX-512, default settings: weights in the CPU_REPACK buffer) repacks
 * a Q4_K matrix of `rows` rows (ne[1]). Spec §15.
 */
export function isRepackedQ4K(rows: number): boolean {
  return rows % Q4_K_REPACK_ROWS === 0;
}

/** Per-sub-block integer sums of one block pair: Σ sc_j·dot_j and Σ m_j·s_j for each j. */
function subBlockSums(block: Uint8Array, activations: Uint8Array): { scaled: number[]; mins: number[] } {
  const y = unpackQ8KBlock(activations);
  const scaled: number[] = [];
  const mins: number[] = [];
  for (let j = 0; j < SUB_BLOCKS; j++) {
    const { scale, min } = scaleMinK4(j, block, 4);
    let dot = 0;
    for (let e = SUB_BLOCK * j; e < SUB_BLOCK * (j + 1); e++) dot += q4KLevel(block, e) * y.qs[e];
    scaled.push(scale * dot);
    mins.push(min * (y.bsums[2 * j] + y.bsums[2 * j + 1]));
  }
  return { scaled, mins };
}

/**
 * One output of the repacked Q4_K kernels: Q4_K row Uint8Array[nb·144] · Q8_K row Uint8Array[nb·292] → float32,
 * with the FMA grouping of `kernel` (file comment). Implements spec/forward.md §15.
 */
export function repackedDotQ4KQ8K(weights: Uint8Array, activations: Uint8Array, kernel: RepackKernel): number {
  const blocks = weights.length / Q4_K_BLOCK_BYTES;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_K_BLOCK_BYTES) {
    throw new RangeError(
      `repacked Q4_K dot: ${weights.length} weight bytes and ${activations.length} Q8_K bytes are not the same number of blocks`,
    );
  }
  const group = kernel === "gemm" ? 2 : SUB_BLOCKS; // sub-blocks per FMA
  let acc = 0;
  let accm = 0;
  for (let i = 0; i < blocks; i++) {
    const block = weights.subarray(i * Q4_K_BLOCK_BYTES, (i + 1) * Q4_K_BLOCK_BYTES);
    const y = activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES);
    const yd = unpackQ8KBlock(y).d;
    const d = f32(f16BitsToF32(block[0] | (block[1] << 8)) * yd);
    const dm = f32(f16BitsToF32(block[2] | (block[3] << 8)) * yd);
    const { scaled, mins } = subBlockSums(block, y);
    for (let j = 0; j < SUB_BLOCKS; j += group) {
      let isum = 0;
      let imin = 0;
      for (let t = j; t < j + group; t++) {
        isum += scaled[t];
        imin += mins[t];
      }
      acc = fmaF32(f32(isum), d, acc);
      accm = fmaF32(f32(imin), dm, accm);
    }
  }
  return f32(acc - accm);
}
