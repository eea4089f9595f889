/**
 * Q6_K weight rows · Q8_K activation rows with 128-bit WebAssembly SIMD, giving the bits of the x86-64 AVX2 kernel
 * ggml_vec_dot_q6_K_q8_K that reference/ggml-x86/kquant-dot.ts vecDotQ6KQ8KAvx2 emulates (spec/formats.md §16.2;
 * spec/performance.md §2.3):
 *   sumi[u] = Σ_(h, r) sc[8h + 2r + (u ≥ 4)] · Σ_(t<4) q[128h + 32r + 4u + t] · q8[…]   (q = 0..63, sc int8)
 *             − 32 · (bsums[2u]·sc[2u] + bsums[2u+1]·sc[2u+1])
 *   acc[u]  = fma_f32(d, f32(sumi[u]), acc[u]),  d = f32(y.d · fp16(x.d))        over the blocks
 *   result  = hsum_float_8(acc)
 * The integer lanes are exact in any order (int32; the kernel's int16 maddubs pairs, |pair| ≤ 2·63·128, never
 * saturate); f32(sumi) is rounded from int32 (f32x4.convert_i32x4_s, nearest-even like the C cast), then the float
 * tail of fma-lanes.ts (accumulateBlock) accumulates in the kernel's order.
 */

import { accumulateBlock, accumulatedSum, clearAccumulators } from "./fma-lanes";
import { f16ToF32 } from "./float16";
import { Q8K_BLOCK_BYTES, Q8K_BSUMS, Q8K_QS } from "./q8k";

/** Bytes per Q6_K block: ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (int8), d (fp16). */
export const Q6_K_BLOCK_BYTES: i32 = 210;
const QH: i32 = 128;
const SCALES: i32 = 192;
const D: i32 = 208;

/**
 * acc + the scaled pair sums of elements 0..7 of a 16-element chunk (one sub-block, its scale `scale` broadcast as
 * int16): `values` the sixteen 6-bit q's (int8), their q8's at `q8`. The products are exact int16 (|q·q8| ≤ 8064);
 * i32x4.dot_i16x8_s with the scale is _mm256_madd_epi16(scale, maddubs pairs): [pair 0, pair 1] of lane u, then
 * of lane u + 1.
 */
function chunkLow(values: v128, q8: usize, scale: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extmul_low_i8x16_s(values, v128.load(q8)), scale));
}

/** chunkLow for elements 8..15 of the chunk. */
function chunkHigh(values: v128, q8: usize, scale: v128, acc: v128): v128 {
  return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extmul_high_i8x16_s(values, v128.load(q8)), scale));
}

/** sc[j] of the block at `w`, broadcast as int16. */
function scaleAt(w: usize, j: i32): v128 {
  return i16x8.splat(<i16>load<i8>(w + <usize>(SCALES + j)));
}

/**
 * One Q6_K row (`blocks` blocks at `weights`) · one Q8_K row (at `activations`) → float32.
 * Chunk c (0, 1) of register r of half h holds elements 128h + 32r + 16c + l (l < 16): low nibble (r ≥ 2: high
 * nibble) of ql[64h + 32·(r mod 2) + 16c + l], high bits 2r..2r+1 of qh[32h + 16c + l] (spec/formats.md §15.1).
 * Its elements 0..7 are lanes u = 4c, 4c + 1 of the AVX2 kernel, 8..15 lanes 4c + 2, 4c + 3.
 */
export function dotQ6KQ8K(weights: usize, activations: usize, blocks: i32): f32 {
  clearAccumulators();
  const low4 = i8x16.splat(0x0f);
  const high2 = i8x16.splat(0x30);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * Q6_K_BLOCK_BYTES);
    const y = activations + <usize>(i * Q8K_BLOCK_BYTES);
    let a0 = i32x4.splat(0); // pair sums of lanes u = 0, 1
    let a1 = i32x4.splat(0); // u = 2, 3
    let a2 = i32x4.splat(0); // u = 4, 5
    let a3 = i32x4.splat(0); // u = 6, 7
    for (let h = 0; h < 2; h++) {
      for (let c = 0; c < 2; c++) {
        const qh = v128.load(w + <usize>(QH + 32 * h + 16 * c));
        const ql0 = v128.load(w + <usize>(64 * h + 16 * c)); // registers r = 0 (low nibbles) and 2 (high)
        const ql1 = v128.load(w + <usize>(64 * h + 32 + 16 * c)); // r = 1 and 3
        const q8 = y + <usize>(Q8K_QS + 128 * h + 16 * c);
        const v0 = v128.or(v128.and(ql0, low4), v128.and(i8x16.shl(qh, 4), high2));
        const v1 = v128.or(v128.and(ql1, low4), v128.and(i8x16.shl(qh, 2), high2));
        const v2 = v128.or(i8x16.shr_u(ql0, 4), v128.and(qh, high2));
        const v3 = v128.or(i8x16.shr_u(ql1, 4), v128.and(i8x16.shr_u(qh, 2), high2));
        const s0 = scaleAt(w, 8 * h + c); // sub-block 8h + 2r + c of register r
        const s1 = scaleAt(w, 8 * h + 2 + c);
        const s2 = scaleAt(w, 8 * h + 4 + c);
        const s3 = scaleAt(w, 8 * h + 6 + c);
        if (c == 0) {
          a0 = chunkLow(
            v3,
            q8 + 96,
            s3,
            chunkLow(v2, q8 + 64, s2, chunkLow(v1, q8 + 32, s1, chunkLow(v0, q8, s0, a0))),
          );
          a1 = chunkHigh(
            v3,
            q8 + 96,
            s3,
            chunkHigh(v2, q8 + 64, s2, chunkHigh(v1, q8 + 32, s1, chunkHigh(v0, q8, s0, a1))),
          );
        } else {
          a2 = chunkLow(
            v3,
            q8 + 96,
            s3,
            chunkLow(v2, q8 + 64, s2, chunkLow(v1, q8 + 32, s1, chunkLow(v0, q8, s0, a2))),
          );
          a3 = chunkHigh(
            v3,
            q8 + 96,
            s3,
            chunkHigh(v2, q8 + 64, s2, chunkHigh(v1, q8 + 32, s1, chunkHigh(v0, q8, s0, a3))),
          );
        }
      }
    }
    // sumi[u] = pair 0 + pair 1; minus 32·(bsums[2u]·sc[2u] + bsums[2u+1]·sc[2u+1]) (madd, slli 5)
    const scales = v128.load(w + <usize>SCALES);
    const subLow = i32x4.shl(i32x4.dot_i16x8_s(v128.load(y + <usize>Q8K_BSUMS), i16x8.extend_low_i8x16_s(scales)), 5);
    const subHigh = i32x4.shl(
      i32x4.dot_i16x8_s(v128.load(y + <usize>(Q8K_BSUMS + 16)), i16x8.extend_high_i8x16_s(scales)),
      5,
    );
    const sumLow = i32x4.sub(i32x4.add(i32x4.shuffle(a0, a1, 0, 2, 4, 6), i32x4.shuffle(a0, a1, 1, 3, 5, 7)), subLow);
    const sumHigh = i32x4.sub(i32x4.add(i32x4.shuffle(a2, a3, 0, 2, 4, 6), i32x4.shuffle(a2, a3, 1, 3, 5, 7)), subHigh);
    const low = f32x4.convert_i32x4_s(sumLow); // f32(sumi[u]), u = 0..3
    const high = f32x4.convert_i32x4_s(sumHigh); // u = 4..7
    const d: f32 = load<f32>(y) * f16ToF32(<u32>load<u16>(w, D)); // f32(y.d · fp16(x.d))
    accumulateBlock(low, high, d);
  }
  return accumulatedSum();
}
