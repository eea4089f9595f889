/**
 * The float tail of the AVX2 ternary dot: acc[u] = fma_f32(L_u, d, acc[u]) for integer lanes
 * L_u (|L_u| ≤ 2^17) and a float32 block scale d — two lanes at a time in float64x2 SIMD where that gives fmaF32's bits, in fmaF32
 * (fma.ts) where it might not.
 *
 * Why the SIMD path is exact: p = L·d is exact in float64 (17 + 24 bits); s = fl64(p + acc) and then f32(s) is
 * round_f32(p + acc) — rounding twice equals rounding once — unless s lies exactly on a midpoint between two float32s
 * (the only place a second rounding can go the wrong way), a midpoint of the subnormal float32 range (other bit
 * positions), or at or beyond FLT_MAX. Those s are flagged (`hazards`): a normal float32 midpoint is a float64 whose
 * low 29 significand bits are 1 followed by 28 zeros; |s| < 2^-126 (but not 0) and |s| ≥ FLT_MAX are flagged whole.
 * A flagged pair of lanes is computed lane by lane with fmaF32 from the accumulators before it.
 */

import { fmaF32 } from "./fma";

/** Float64 bits of 2^-126, the smallest normal float32. */
const SMALLEST_NORMAL_BITS: i64 = 0x3810000000000000;
/** Float64 bits of FLT_MAX. */
const FLT_MAX_BITS: i64 = 0x47efffffe0000000;

/** Lanes of float64x2 `s` where rounding s to float32 might differ from rounding p + acc exactly: all-ones there. */
function hazards(s: v128): v128 {
  const magnitude = v128.and(s, i64x2.splat(0x7fffffffffffffff));
  const midpoint = i64x2.eq(v128.and(s, i64x2.splat(0x1fffffff)), i64x2.splat(0x10000000));
  const subnormal = v128.and(
    i64x2.ne(magnitude, i64x2.splat(0)),
    i64x2.lt_s(magnitude, i64x2.splat(SMALLEST_NORMAL_BITS)),
  );
  const huge = i64x2.ge_s(magnitude, i64x2.splat(FLT_MAX_BITS));
  return v128.or(v128.or(midpoint, subnormal), huge);
}

/** f32(s) as float64, for both lanes. */
function toF32(s: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(s));
}

/**
 * [fma_f32(L_0, d, acc_0), fma_f32(L_1, d, acc_1)] for int32 lanes 0 and 1 of `lanes` and the accumulator pair `acc`
 * (float32 values held as float64x2).
 */
export function fmaLanePair(lanes: v128, d: f32, acc: v128): v128 {
  const s = f64x2.add(f64x2.mul(f64x2.convert_low_i32x4_s(lanes), f64x2.splat(<f64>d)), acc);
  if (!v128.any_true(hazards(s))) return toF32(s);
  return fmaPair(i32x4.extract_lane(lanes, 0), i32x4.extract_lane(lanes, 1), d, acc);
}

/** [fmaF32(l0, d, acc[0]), fmaF32(l1, d, acc[1])] for the accumulator pair `acc` (float64x2). */
function fmaPair(l0: i32, l1: i32, d: f32, acc: v128): v128 {
  const a0 = fmaF32(<f32>l0, d, <f32>f64x2.extract_lane(acc, 0));
  const a1 = fmaF32(<f32>l1, d, <f32>f64x2.extract_lane(acc, 1));
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
