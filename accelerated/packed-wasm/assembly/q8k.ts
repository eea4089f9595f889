/**
 * The Q8_K activation block as the dot kernels read it (spec/formats.md §6.1; block_q8_K in ggml-common.h):
 *   bytes 0..3 d (f32) | 4..259 qs[256] (int8) | 260..291 bsums[16] (int16, Σ of each 16 qs)
 */

/** Bytes per Q8_K block. */
export const Q8K_BLOCK_BYTES: i32 = 292;
/** Offset of qs[0] in a Q8_K block. */
export const Q8K_QS: i32 = 4;
/** Offset of bsums[0] in a Q8_K block. */
export const Q8K_BSUMS: i32 = 260;

/**
 * Four int32 lanes of an AVX2 ternary dot (spec/forward.md §9) from the pair sums of eight int16 lanes k..k+7
 * (`pairsLow` k..k+3, `pairsHigh` k+4..k+7) and their bsums (eight int16 at `bsums`), finished as the kernel does:
 *   lane16[k] = wrap16(pairs[k] − bsums[k])          (_mm256_sub_epi16: int16, wrapping)
 *   lane32[u] = lane16[2u] + lane16[2u+1]            (_mm256_madd_epi16 with ones)
 * Returns lane32[k/2 .. k/2 + 3] as int32x4.
 */
export function finishLanes(pairsLow: v128, pairsHigh: v128, bsums: usize): v128 {
  const b = v128.load(bsums);
  const low = wrap16(i32x4.sub(pairsLow, i32x4.extend_low_i16x8_s(b)));
  const high = wrap16(i32x4.sub(pairsHigh, i32x4.extend_high_i16x8_s(b)));
  return i32x4.extadd_pairwise_i16x8_s(i16x8.narrow_i32x4_s(low, high)); // narrowing is exact: int16 range already
}

/** Wrap every i32 lane to int16 and sign-extend it back (reduction mod 2^16, as int16 adds do). */
function wrap16(v: v128): v128 {
  return i32x4.shr_s(i32x4.shl(v, 16), 16);
}
