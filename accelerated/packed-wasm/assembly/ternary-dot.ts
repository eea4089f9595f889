/**
 * TQ2_0 / TQ1_0 weight rows · Q8_K activation rows with 128-bit WebAssembly SIMD, giving the bits of the x86-64
 * AVX2 kernels ggml_vec_dot_tq2_0_q8_K / ggml_vec_dot_tq1_0_q8_K that reference/ggml-x86/tq-dot.ts emulates
 * (spec/forward.md §9; spec/performance.md §2 shows the lane mapping):
 *   lane16[k] = Σ_{e : (e mod 32) >> 1 = k} c_e·q_e − bsums[k]     (int16, wrapping; c_e = stored code 0..2)
 *   lane32[u] = lane16[2u] + lane16[2u+1]
 *   acc[u]    = fma_f32(f32(lane32[u]), f32(y.d · fp16(x.d)), acc[u])   over the blocks
 *   result    = ((acc0+acc4) + (acc2+acc6)) + ((acc1+acc5) + (acc3+acc7))   (hsum_float_8)
 * The integer part is exact in any order; only the float tail's order matters, and it is the kernel's.
 */

import { fmaLanePair, horizontalSum } from "./fma-lanes";
import { f16ToF32 } from "./float16";
import { finishLanes, Q8K_BLOCK_BYTES, Q8K_BSUMS, Q8K_QS } from "./q8k";

/** Bytes per TQ2_0 block: qs[64] (4 codes a byte) then d (fp16). */
export const TQ2_0_BLOCK_BYTES: i32 = 66;

/**
 * One TQ2_0 row (`blocks` blocks at `weights`) · one Q8_K row (at `activations`) → float32.
 * Byte 32·h + m of a block holds the codes of elements 128·h + 32·s + m at bits 2·s (spec/formats.md §4.2): so a
 * 16-byte load of codes lines up with a 16-byte load of the q's of the same elements, and element m's products
 * land in pair lane m >> 1. Products are summed in int16 lanes (|c·q| ≤ 384, eight of them ≤ 3072: no overflow),
 * then paired into int32 (extadd_pairwise), which equals maddubs's pair sums summed over the eight (h, s) steps.
 */
export function dotTq2_0Q8K(weights: usize, activations: usize, blocks: i32): f32 {
  let acc01 = f64x2.splat(0); // acc[0], acc[1]: float32 values held as float64
  let acc23 = f64x2.splat(0);
  let acc45 = f64x2.splat(0);
  let acc67 = f64x2.splat(0);
  const three = i8x16.splat(3);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ2_0_BLOCK_BYTES);
    const y = activations + <usize>(i * Q8K_BLOCK_BYTES);
    let s0 = i16x8.splat(0); // products of elements m = 0..7 (every h, s), int16
    let s1 = i16x8.splat(0); // m = 8..15
    let s2 = i16x8.splat(0); // m = 16..23
    let s3 = i16x8.splat(0); // m = 24..31
    for (let h = 0; h < 2; h++) {
      const bytesLow = v128.load(w + <usize>(32 * h)); // bytes m = 0..15 of half h
      const bytesHigh = v128.load(w + <usize>(32 * h + 16)); // m = 16..31
      const q = y + <usize>(Q8K_QS + 128 * h);
      for (let s = 0; s < 4; s++) {
        const codesLow = v128.and(i8x16.shr_u(bytesLow, 2 * s), three); // codes of elements 128h + 32s + m
        const codesHigh = v128.and(i8x16.shr_u(bytesHigh, 2 * s), three);
        const qLow = v128.load(q + <usize>(32 * s)); // their q's, m = 0..15
        const qHigh = v128.load(q + <usize>(32 * s + 16)); // m = 16..31
        s0 = i16x8.add(s0, i16x8.extmul_low_i8x16_s(codesLow, qLow));
        s1 = i16x8.add(s1, i16x8.extmul_high_i8x16_s(codesLow, qLow));
        s2 = i16x8.add(s2, i16x8.extmul_low_i8x16_s(codesHigh, qHigh));
        s3 = i16x8.add(s3, i16x8.extmul_high_i8x16_s(codesHigh, qHigh));
      }
    }
    // pair lanes k = 0..3 | 4..7 from s0 | s1 → lane32 u = 0..3; k = 8..15 from s2, s3 → u = 4..7
    const low = finishLanes(i32x4.extadd_pairwise_i16x8_s(s0), i32x4.extadd_pairwise_i16x8_s(s1), y + <usize>Q8K_BSUMS);
    const high = finishLanes(
      i32x4.extadd_pairwise_i16x8_s(s2),
      i32x4.extadd_pairwise_i16x8_s(s3),
      y + <usize>(Q8K_BSUMS + 16),
    );
    const d: f32 = load<f32>(y) * f16ToF32(<u32>load<u16>(w, 64)); // f32(y.d · fp16(x.d))
    acc01 = fmaLanePair(low, d, acc01);
    acc23 = fmaLanePair(i32x4.shuffle(low, low, 2, 3, 2, 3), d, acc23);
    acc45 = fmaLanePair(high, d, acc45);
    acc67 = fmaLanePair(i32x4.shuffle(high, high, 2, 3, 2, 3), d, acc67);
  }
  return horizontalSum(acc01, acc23, acc45, acc67);
}
