/**
 * The float tail of the AVX2 ternary and K-quant dots: acc[u] = fma_f32(x_u, d, acc[u]) for u = 0..7 over the blocks,
 * then hsum_float_8 — x_u the block's lane sums as float32 (exact for the ternary kernels' |L| ≤ 2^17; rounded from
 * int32 for Q6_K, as the C cast rounds), d the block's float32 scale — two lanes at a time in float64x2 SIMD where
 * that gives fmaF32's bits, in fmaF32 (fma.ts) where it might not.
 *
 * Why the SIMD path is exact: p = x·d is exact in float64 (24 + 24 bits); s = fl64(p + acc), and f32(s) is
 * round_f32(p + acc) — rounding twice equals rounding once — unless s lies exactly on a midpoint between two float32s,
 * the only place a second rounding can go the wrong way. p and acc are multiples of 2^-149 (every float32 and every
 * product of a float32 with an integer-valued float32 is), so is their sum: below 2^-126 it is a float32 (subnormal)
 * itself and fl64 is exact; fl64 can only be inexact from 2^-96 up, in the normal range, where a float32 midpoint is a
 * float64 whose low 29 significand bits are 1 followed by 28 zeros — the overflow threshold 2^128 − 2^103 included, so
 * no other range check is needed; NaN and ∞ pass through f32(s) as in fmaF32. A block whose eight sums include such
 * an s (one test for the block) is computed pair by pair: where Knuth's TwoSum shows p + acc exact in float64 (ties are
 * common in real models: a small L times a 24-bit d often needs exactly 25 bits) f32(s) is still the one rounding,
 * else fmaF32.
 *
 * A kernel calls clearAccumulators(), then accumulateBlock(x_0..3, x_4..7, d) per block, then accumulatedSum(). The
 * accumulators are module state: every thread runs its own instance of the module (thread-pool.ts), so they are
 * never shared.
 */

import { fmaF32 } from "./fma";

/** Lanes of float64x2 `s` that lie on a float32 midpoint: all-ones there (the only lanes f32(s) may get wrong). */
function midpoints(s: v128): v128 {
  return i64x2.eq(v128.and(s, i64x2.splat(0x1fffffff)), i64x2.splat(0x10000000));
}

/** f32(s) as float64, for both lanes: the new accumulator pair where `s` lies on no midpoint. */
function roundPair(s: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(s));
}

/** s = fl64(x·d + acc) for float32 lanes 0 and 1 of `lanes`, float64x2 `scale` = [d, d] and the accumulator pair `acc`. */
function pairSum(lanes: v128, scale: v128, acc: v128): v128 {
  return f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(lanes), scale), acc);
}

/** Whether any lane of the four pair sums of a block lies on a float32 midpoint. */
function anyMidpoint(s01: v128, s23: v128, s45: v128, s67: v128): bool {
  return v128.any_true(v128.or(v128.or(midpoints(s01), midpoints(s23)), v128.or(midpoints(s45), midpoints(s67))));
}

/**
 * [fma_f32(x_0, d, acc_0), fma_f32(x_1, d, acc_1)] for float32 lanes 0 and 1 of `lanes` and the accumulator pair
 * `acc`: roundPair(s) where TwoSum's error e = (p + acc) − s is 0 in both lanes, else fmaF32 lane by lane.
 */
function fmaLanePair(lanes: v128, d: f32, acc: v128): v128 {
  const x = f64x2.promote_low_f32x4(lanes);
  const p = f64x2.mul(x, f64x2.splat(<f64>d)); // exact
  const s = f64x2.add(p, acc);
  const bv = f64x2.sub(s, p);
  const e = f64x2.add(f64x2.sub(p, f64x2.sub(s, bv)), f64x2.sub(acc, bv)); // TwoSum: p + acc = s + e
  if (!v128.any_true(f64x2.ne(e, f64x2.splat(0)))) return roundPair(s);
  const a0 = fmaF32(<f32>f64x2.extract_lane(x, 0), d, <f32>f64x2.extract_lane(acc, 0));
  const a1 = fmaF32(<f32>f64x2.extract_lane(x, 1), d, <f32>f64x2.extract_lane(acc, 1));
  return f64x2.replace_lane(f64x2.splat(<f64>a0), 1, <f64>a1);
}

/** acc[0..7]: float32 values held as float64, two per register (an __m256 of the C kernel). */
let acc01: v128 = f64x2.splat(0);
let acc23: v128 = f64x2.splat(0);
let acc45: v128 = f64x2.splat(0);
let acc67: v128 = f64x2.splat(0);

/** acc[0..7] = +0: the start of a row. */
export function clearAccumulators(): void {
  acc01 = f64x2.splat(0);
  acc23 = f64x2.splat(0);
  acc45 = f64x2.splat(0);
  acc67 = f64x2.splat(0);
}

/** acc[u] = fma_f32(x_u, d, acc[u]) for one block: x_0..3 in float32x4 `low`, x_4..7 in `high`. */
export function accumulateBlock(low: v128, high: v128, d: f32): void {
  const lanes23 = f32x4.shuffle(low, low, 2, 3, 2, 3);
  const lanes67 = f32x4.shuffle(high, high, 2, 3, 2, 3);
  const scale = f64x2.splat(<f64>d);
  const s01 = pairSum(low, scale, acc01);
  const s23 = pairSum(lanes23, scale, acc23);
  const s45 = pairSum(high, scale, acc45);
  const s67 = pairSum(lanes67, scale, acc67);
  if (anyMidpoint(s01, s23, s45, s67)) {
    acc01 = fmaLanePair(low, d, acc01);
    acc23 = fmaLanePair(lanes23, d, acc23);
    acc45 = fmaLanePair(high, d, acc45);
    acc67 = fmaLanePair(lanes67, d, acc67);
  } else {
    acc01 = roundPair(s01);
    acc23 = roundPair(s23);
    acc45 = roundPair(s45);
    acc67 = roundPair(s67);
  }
}

/** hsum_float_8 of acc[0..7]: ((a0+a4) + (a2+a6)) + ((a1+a5) + (a3+a7)), every add a float32 rounding. */
export function accumulatedSum(): f32 {
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
