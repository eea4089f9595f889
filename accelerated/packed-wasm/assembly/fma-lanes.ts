/**
 * The float tail of the AVX2 ternary dot: acc[u] = fma_f32(L_u, d, acc[u]) for integer lanes
 * L_u (|L_u| ≤ 2^17) and a float32 block scale d — two lanes at a time in float64x2 SIMD where that gives fmaF32's bits, in fmaF32
 * (fma.ts) where it might not.
 *
 * Why the SIMD path is exact: p = L·d is exact in float64 (17 + 24 bits); s = fl64(p + acc), and f32(s) is
 * round_f32(p + acc) — rounding twice equals rounding once — unless s lies exactly on a midpoint between two float32s,
 * the only place a second rounding can go the wrong way. p and acc are multiples of 2^-149 (every float32 is), so is
 * their sum: below 2^-126 it is a float32 (subnormal) itself and fl64 is exact; fl64 can only be inexact from 2^-96 up,
 * in the normal range, where a float32 midpoint is a float64 whose low 29 significand bits are 1 followed by 28 zeros —
 * the overflow threshold 2^128 − 2^103 included, so no other range check is needed; NaN and ∞ pass through f32(s)
 * as in fmaF32. A block whose eight sums include such an s (`anyMidpoint`, one test for the block) is computed lane by
 * lane with fmaF32 from the accumulators before it. The kernels use it as
 *   s01 = pairSum(L01, [d, d], acc01) … s67;  if anyMidpoint(…) acc01 = fmaLanePair(L01, d, acc01) … else acc01 = roundPair(s01) …
 */

import { fmaF32 } from "./fma";

/** Lanes of float64x2 `s` that lie on a float32 midpoint: all-ones there (the only lanes f32(s) may get wrong). */
function midpoints(s: v128): v128 {
  return i64x2.eq(v128.and(s, i64x2.splat(0x1fffffff)), i64x2.splat(0x10000000));
}

/** f32(s) as float64, for both lanes: the new accumulator pair where `s` lies on no midpoint. */
export function roundPair(s: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(s));
}

/**
 * s = fl64(L·d + acc) for int32 lanes 0 and 1 of `lanes`, float64x2 `scale` = [d, d] and the accumulator pair `acc`
 * (float32 values held as float64). roundPair(s) is the new pair unless anyMidpoint says otherwise.
 */
export function pairSum(lanes: v128, scale: v128, acc: v128): v128 {
  return f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(lanes), scale), acc);
}

/**
 * pairSum for float32 lanes 0 and 1 of `lanes` (f32x4): s = fl64(x·d + acc). The Q6_K kernel's (q6k-dot.ts) lanes are
 * int32 sums up to 2^29 that the C code converts with (float) — rounded to nearest-even, as f32x4.convert_i32x4_s does —
 * before fma_f32(d, x, acc). The midpoint argument above holds unchanged: x·d is exact in float64 (24 + 24 bits) and a
 * multiple of 2^-149, so fmaLanePairF32 is the fallback.
 */
export function pairSumF32(lanes: v128, scale: v128, acc: v128): v128 {
  return f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(lanes), scale), acc);
}

/** Whether any lane of the four pair sums of a block lies on a float32 midpoint (then fmaLanePair decides). */
export function anyMidpoint(s01: v128, s23: v128, s45: v128, s67: v128): bool {
  return v128.any_true(v128.or(v128.or(midpoints(s01), midpoints(s23)), v128.or(midpoints(s45), midpoints(s67))));
}

/**
 * [fma_f32(L_0, d, acc_0), fma_f32(L_1, d, acc_1)] for int32 lanes 0 and 1 of `lanes` and the accumulator pair `acc`:
 * the path of a block whose pair sums hit a midpoint. Ties are common in real models (a small L times a 24-bit d often
 * needs exactly 25 bits) and are harmless when p + acc is exact in float64: Knuth's TwoSum error e = (p + acc) − s,
 * computed here for both lanes at once, is then 0 and roundPair(s) is the one rounding. Otherwise fmaF32, lane by lane.
 */
export function fmaLanePair(lanes: v128, d: f32, acc: v128): v128 {
  return fmaPair(f64x2.convert_low_i32x4_s(lanes), d, acc);
}

/** fmaLanePair for float32 lanes 0 and 1 of `lanes` (f32x4): the fallback of pairSumF32. */
export function fmaLanePairF32(lanes: v128, d: f32, acc: v128): v128 {
  return fmaPair(f64x2.promote_low_f32x4(lanes), d, acc);
}

/** [fma_f32(x_0, d, acc_0), fma_f32(x_1, d, acc_1)] for float64x2 `x` holding float32 values (fmaLanePair's body). */
function fmaPair(x: v128, d: f32, acc: v128): v128 {
  const p = f64x2.mul(x, f64x2.splat(<f64>d)); // exact
  const s = f64x2.add(p, acc);
  const bv = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bv)), f64x2.sub(acc, bv)); // TwoSum: p + acc = s + e
  if (!v128.any_true(f64x2.ne(e, f64x2.splat(0)))) return roundPair(s);
  const a0 = fmaF32(<f32>f64x2.extract_lane(x, 0), d, <f32>f64x2.extract_lane(acc, 0));
  const a1 = fmaF32(<f32>f64x2.extract_lane(x, 1), d, <f32>f64x2.extract_lane(acc, 1));
  return f64x2.replace_lane(f64x2.splat(<f64>a0), 1, <f64>a1);
}

/**
 * hsum_float_8 of acc[0..7] held as float64x2 pairs (acc01, acc23, acc45, acc67):
 * ((a0+a4) + (a2+a6)) + ((a1+a5) + (a3+a7)), every add a float32 rounding.
 */
export function horizontalSum(acc01: v128, acc23: v128, acc45: v128, acc67: v128): f32 {
  const a0 = <f32>f64x2.extract_lane(acc01, 0);
  const a1 = <f32>f64x2.extract_lane(acc01, 1);
  const a2 = <f32>f64x2.extract_lane(acc23, 0);
  const a3 = <f32>f64x2.extract_lane(acc23, 1);
  const a4 = <f32>f64x2.extract_lane(acc45, 0);
  const a5 = <f32>f64x2.extract_lane(acc45, 1);
  const a6 = <f32>f64x2.extract_lane(acc67, 0);
  const a7 = <f32>f64x2.extract_lane(acc67, 1);
  return a0 + a4 + (a2 + a6) + (a1 + a5 + (a3 + a7));
}
