/**
 * ggml_v_expf and ggml_v_silu (ggml/src/ggml-cpu/vec.h, "adapted from arm limited optimized routine"),
 * the AVX2+FMA and the AVX-512F+DQ versions, one lane at a time (lanes never interact: the early
 * returns when no lane needs the special path give the same value as the blends).
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 * Both: exp(x) = 2^n · e^b with n = round(x / ln 2), b = x − n·ln 2 (ln 2 split in two float32s):
 *   z = fma(x, 1/ln2, 0x1.8p23)      adding 1.5·2^23 rounds x/ln2 to the integer n (in z's low bits)
 *   n = z − 0x1.8p23
 *   b = fma(−n, 0x1.7f7d1cp−20, fma(−n, 0x1.62e4p−1, x))
 *   u = b·b;   P = fma(fma(C4, b, C3), u, fma(C2, b, C1))
 * AVX2:    j = fma(P, u, C0·b) ≈ e^b − 1;   k = bits(bits(z) << 23 + bits(1.0f)) = 2^n
 *          |n| ≤ 126: fma(j, k, k)
 *          |n| > 126: g = (n ≤ 0 ? 0x82000000 : 0), s1 = bits(g + 0x7f000000), s2 = bits(e − g),
 *                     |n| > 192 ? s1·s1 : fma(s2, j, s2)·s1      (32-bit integer arithmetic on bits)
 * AVX-512: j = fma(P, u, fma(C0, b, 1)) ≈ e^b;  |n| ≤ 192: scalef(j, n) = j·2^n rounded once;
 *          |n| > 192: n ≤ 0 ? 0 : +inf
 * Accuracy (ggml's comment): ≤ 1.45358 + 0.5 ulp from e^x; x > 88.38 → +inf, x < −103.97 → 0.
 * NaN → NaN; −inf → 0; +inf → +inf.
 */

import { bitsToF32, f32ToBits } from "../codec/float-bits.js";
import { fmaF32 } from "./fma.js";
import type { X86Isa } from "./isa.js";

const SHIFTER = 12582912; // 0x1.8p23f
const INV_LN2 = Math.fround(0x1715476 * 2 ** -24); // 0x1.715476p+0f
const LN2_HI = Math.fround(0x162e4 * 2 ** -17); // 0x1.62e4p-1f
const LN2_LO = Math.fround(0x17f7d1c * 2 ** -44); // 0x1.7f7d1cp-20f
const C4 = Math.fround(0x10e4020 * 2 ** -31); // 0x1.0e4020p-7f
const C3 = Math.fround(0x1573e2e * 2 ** -29); // 0x1.573e2ep-5f
const C2 = Math.fround(0x1555e66 * 2 ** -27); // 0x1.555e66p-3f
const C1 = Math.fround(0x1fffdb6 * 2 ** -26); // 0x1.fffdb6p-2f
const C0 = Math.fround(0x1ffffec * 2 ** -25); // 0x1.ffffecp-1f
const ONE_BITS = 0x3f800000;

/** ggml_v_expf, one lane, AVX2+FMA version: float32 x → float32 ≈ e^x. Spec §9. */
export function vExpfAvx2(x: number): number {
  const z = fmaF32(x, INV_LN2, SHIFTER);
  const n = Math.fround(z - SHIFTER);
  const b = fmaF32(-n, LN2_LO, fmaF32(-n, LN2_HI, x)); // _mm256_fnmadd_ps(a, b, c) = −(a·b) + c
  const e = (f32ToBits(z) << 23) >>> 0; // _mm256_slli_epi32
  const k = bitsToF32((e + ONE_BITS) >>> 0); // _mm256_add_epi32 (wrapping)
  const u = Math.fround(b * b);
  const j = fmaF32(fmaF32(fmaF32(C4, b, C3), u, fmaF32(C2, b, C1)), u, Math.fround(C0 * b));
  const absN = Math.abs(n);
  if (!(absN > 126)) return fmaF32(j, k, k); // _CMP_GT_OQ is false for NaN
  const g = n <= 0 ? 0x82000000 : 0; // _CMP_LE_OQ is false for NaN
  const s1 = bitsToF32((g + 0x7f000000) >>> 0);
  const s2 = bitsToF32((e - g) >>> 0);
  if (absN > 192) return Math.fround(s1 * s1);
  return Math.fround(fmaF32(s2, j, s2) * s1);
}

/** ggml_v_expf, one lane, AVX-512F+DQ version: float32 x → float32 ≈ e^x. Spec §9. */
export function vExpfAvx512(x: number): number {
  const z = fmaF32(x, INV_LN2, SHIFTER);
  const n = Math.fround(z - SHIFTER);
  const b = fmaF32(-n, LN2_LO, fmaF32(-n, LN2_HI, x));
  const u = Math.fround(b * b);
  const j = fmaF32(fmaF32(fmaF32(C4, b, C3), u, fmaF32(C2, b, C1)), u, fmaF32(C0, b, 1));
  if (Math.abs(n) > 192) return n <= 0 ? 0 : Infinity; // mask_blend(d, res, alt); NaN n keeps res (NaN)
  return Math.fround(j * 2 ** n); // _mm512_scalef_ps(j, n): exact in float64, one rounding (n is an integer)
}

/** ggml_v_expf of `isa`, one lane. Spec §9. */
export function vExpf(x: number, isa: X86Isa): number {
  return isa === "avx512" ? vExpfAvx512(x) : vExpfAvx2(x);
}

/** ggml_v_silu of `isa`, one lane: x / (1 + v_expf(0 − x)), each step rounded to float32. Spec §9. */
export function vSilu(x: number, isa: X86Isa): number {
  return Math.fround(x / Math.fround(1 + vExpf(Math.fround(0 - x), isa)));
}
