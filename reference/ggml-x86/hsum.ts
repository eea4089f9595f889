/**
 * Horizontal sums of float32 registers in the orders ggml's x86-64 code uses (GCC build).
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 * Every addition is one float32 rounding.
 */

import { f32Lanes, type X86Isa } from "./isa.js";

/**
 * hsum_float_8 (ggml/src/ggml-cpu/arch/x86/quants.c), tinyBLAS `hsum(__m256)` (llamafile/sgemm.cpp)
 * and the per-chunk sum of the AVX2 ggml_vec_soft_max_f32 (vec.cpp) — one instruction sequence:
 *   r_j = v_(j+4) + v_j               (_mm_add_ps of the high and low 128-bit halves), j = 0..3
 *   s   = (r_0 + r_2) + (r_1 + r_3)   (_mm_movehl_ps, then _mm_movehdup_ps + _mm_add_ss)
 * v: 8 float32 lanes starting at `offset`. Returns a float32. Spec §9.
 */
export function hsumF32x8(v: ArrayLike<number>, offset = 0): number {
  const r0 = Math.fround(v[offset + 4] + v[offset]);
  const r1 = Math.fround(v[offset + 5] + v[offset + 1]);
  const r2 = Math.fround(v[offset + 6] + v[offset + 2]);
  const r3 = Math.fround(v[offset + 7] + v[offset + 3]);
  return Math.fround(Math.fround(r0 + r2) + Math.fround(r1 + r3));
}

/**
 * `_mm512_reduce_add_ps` as GCC implements it (avx512fintrin.h, __MM512_REDUCE_OP), used by tinyBLAS
 * `hsum(__m512)`, the AVX-512 ggml_vec_soft_max_f32 and GGML_F32x16_REDUCE:
 *   t_i = v_(i+8) + v_i   (i = 0..7);   u_j = t_(j+4) + t_j   (j = 0..3)
 *   s   = (u_0 + u_2) + (u_1 + u_3)
 * v: 16 float32 lanes starting at `offset`. Returns a float32. Spec §9.
 */
export function reduceAddF32x16(v: ArrayLike<number>, offset = 0): number {
  const t = new Float32Array(8);
  for (let i = 0; i < 8; i++) t[i] = v[offset + i + 8] + v[offset + i];
  const u0 = Math.fround(t[4] + t[0]);
  const u1 = Math.fround(t[5] + t[1]);
  const u2 = Math.fround(t[6] + t[2]);
  const u3 = Math.fround(t[7] + t[3]);
  return Math.fround(Math.fround(u0 + u2) + Math.fround(u1 + u3));
}

/** The horizontal sum of one register of `isa` (8 or 16 lanes from `offset`): hsumF32x8 or reduceAddF32x16. Spec §9. */
export function hsumRegister(isa: X86Isa, v: ArrayLike<number>, offset = 0): number {
  return isa === "avx512" ? reduceAddF32x16(v, offset) : hsumF32x8(v, offset);
}

/**
 * GGML_F32_VEC_REDUCE (ggml/src/ggml-cpu/simd-mappings.h; GGML_F32x8_REDUCE / GGML_F32x16_REDUCE) of
 * the four accumulators of ggml_vec_dot_f32/f16 (GGML_F32_ARR = 4), L = 8 or 16 lanes each:
 *   x0 += x2, x1 += x3;  x0 += x1                           lane-wise
 *   AVX2:    t_j = x0_j + x0_(j+4);  s = (t_0 + t_1) + (t_2 + t_3)   (two _mm_hadd_ps)
 *   AVX-512: s = _mm512_reduce_add_ps(x0)
 * acc: Float32Array[4·L], accumulator a at [a·L, (a+1)·L). Returns a float32. Spec §9.
 */
export function reduceFourAccumulators(isa: X86Isa, acc: Float32Array): number {
  const lanes = f32Lanes(isa);
  const x0 = new Float32Array(lanes);
  for (let lane = 0; lane < lanes; lane++) {
    const x02 = Math.fround(acc[lane] + acc[2 * lanes + lane]); // x[0] += x[2]
    const x13 = Math.fround(acc[lanes + lane] + acc[3 * lanes + lane]); // x[1] += x[3]
    x0[lane] = x02 + x13; // x[0] += x[1] (rounded by the store)
  }
  if (isa === "avx512") return reduceAddF32x16(x0);
  const t0 = Math.fround(x0[0] + x0[4]);
  const t1 = Math.fround(x0[1] + x0[5]);
  const t2 = Math.fround(x0[2] + x0[6]);
  const t3 = Math.fround(x0[3] + x0[7]);
  return Math.fround(Math.fround(t0 + t1) + Math.fround(t2 + t3));
}
