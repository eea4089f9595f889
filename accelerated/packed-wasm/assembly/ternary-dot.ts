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

import { accumulateBlock, accumulatedSum, clearAccumulators } from "./fma-lanes";
import { f16ToF32 } from "./float16";
import { finishLanes, Q8K_BLOCK_BYTES, Q8K_BSUMS } from "./q8k";

/** Bytes per TQ2_0 block: qs[64] (4 codes a byte) then d (fp16). */
export const TQ2_0_BLOCK_BYTES: i32 = 66;

/**
 * One TQ2_0 row (`blocks` blocks at `weights`) · one Q8_K row (at `activations`, its q's also widened to int16 at
 * `q16`: q16[e] = qs[e] for every element, laid out as the blocks' qs) → float32.
 * Byte 32·h + m of a block holds the codes of elements 128·h + 32·s + m at bits 2·s (spec/formats.md §4.2). Eight
 * code bytes m..m+7 are loaded widened to int16 (`v128.load8x8_u`), shifted and masked per s, and multiplied with the
 * int16 q's of the same elements by `i32x4.dot_i16x8_s`, which adds adjacent pairs: pair lane k = m >> 1 of the AVX2
 * kernel, summed over the eight (h, s) steps in int32 (equal to maddubs's int16 pair sums: |c·q| ≤ 384, no overflow).
 * The widened q's let one dot instruction do eight multiply-adds; widening once per activation row (the host does it,
 * spec/performance.md §2) saves it on every weight row.
 */
export function dotTq2_0Q8K(weights: usize, activations: usize, q16: usize, blocks: i32): f32 {
  clearAccumulators();
  const three = i16x8.splat(3);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ2_0_BLOCK_BYTES);
    const y = activations + <usize>(i * Q8K_BLOCK_BYTES);
    const q = q16 + <usize>(i * 512);
    let p0 = i32x4.splat(0); // pair lanes k = 0..3 (code bytes m = 0..7 of both halves)
    let p1 = i32x4.splat(0); // k = 4..7 (m = 8..15)
    let p2 = i32x4.splat(0); // k = 8..11 (m = 16..23)
    let p3 = i32x4.splat(0); // k = 12..15 (m = 24..31)
    for (let h = 0; h < 2; h++) {
      const bytes0 = v128.load8x8_u(w + <usize>(32 * h)); // code bytes m = 0..7 of half h, as int16
      const bytes1 = v128.load8x8_u(w + <usize>(32 * h + 8));
      const bytes2 = v128.load8x8_u(w + <usize>(32 * h + 16));
      const bytes3 = v128.load8x8_u(w + <usize>(32 * h + 24));
      for (let s = 0; s < 4; s++) {
        const qs = q + <usize>(256 * h + 64 * s); // int16 q's of elements 128h + 32s + m, m = 0..31
        p0 = i32x4.add(p0, i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(bytes0, 2 * s), three), v128.load(qs)));
        p1 = i32x4.add(p1, i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(bytes1, 2 * s), three), v128.load(qs, 16)));
        p2 = i32x4.add(p2, i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(bytes2, 2 * s), three), v128.load(qs, 32)));
        p3 = i32x4.add(p3, i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(bytes3, 2 * s), three), v128.load(qs, 48)));
      }
    }
    const low = finishLanes(p0, p1, y + <usize>Q8K_BSUMS); // lane32 u = 0..3
    const high = finishLanes(p2, p3, y + <usize>(Q8K_BSUMS + 16)); // u = 4..7
    const d: f32 = load<f32>(y) * f16ToF32(<u32>load<u16>(w, 64)); // f32(y.d · fp16(x.d))
    accumulateBlock(f32x4.convert_i32x4_s(low), f32x4.convert_i32x4_s(high), d); // exact: |lane| ≤ 2^17
  }
  return accumulatedSum();
}
