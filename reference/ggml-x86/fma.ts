/**
 * Exact float32 fused multiply-add, the arithmetic of `_mm256_fmadd_ps` / C `fmaf` on x86-64 (FMA3).
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   fmaF32(a, b, c) = round_f32(a·b + c)      — one rounding, to nearest, ties to even
 *
 * How, with float64 arithmetic only:
 *   1. p = a·b is exact in float64 (two 24-bit significands give at most 48 bits; the exponent
 *      range of float64 holds every product of two float32s, subnormals included).
 *   2. s = fl64(p + c) and its exact error e = (p + c) − s (Knuth's TwoSum, exact without overflow).
 *   3. r = Math.fround(s). Rounding to float32 is monotone and steps only at the midpoints between
 *      neighbouring float32s, which are float64 values; fl64 is monotone too, so p + c and s round
 *      to the same float32 unless s sits exactly on a midpoint while e ≠ 0. Only then is r (ties to
 *      even) possibly wrong: the result is the neighbour on e's side of the midpoint.
 *   4. s is a midpoint exactly when s + (s − r) (the mirror of r through s, computed exactly
 *      there) is itself a float32; otherwise that mirror lies strictly between r and the next
 *      float32, where no float32 is. Past FLT_MAX the only midpoint is the overflow threshold
 *      2^128 − 2^103, which ties to ∞ (FLT_MAX is odd): just below it the result is FLT_MAX.
 * Non-finite a, b or c (or an infinite product) follow IEEE: Math.fround(a·b + c) is then exact.
 */

/** 2^128 − 2^103: the midpoint between FLT_MAX and 2^128, from which float32 rounding gives ∞. */
const F32_OVERFLOW_THRESHOLD = 2 ** 128 - 2 ** 103;
/** The largest finite float32, 2^128 − 2^104. */
const F32_MAX = 2 ** 128 - 2 ** 104;

/**
 * round_f32(a·b + c) with a single rounding (x86 `vfmadd…ss/ps` on float32 lanes, C `fmaf`).
 * a, b, c are float32 values (JS numbers holding float32s). Spec §9.
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const s = p + c;
  if (!Number.isFinite(s)) return Math.fround(s); // inf/NaN operands or product: IEEE semantics, no rounding subtleties
  const bv = s - p;
  const e = p - (s - bv) + (c - bv); // TwoSum: p + c = s + e exactly
  const r = Math.fround(s);
  if (e === 0 || r === s) return r; // p + c = s, or s a float32 with p + c within half a float64 ulp of it
  const towardZero = e > 0 !== s > 0;
  if (!Number.isFinite(r)) return Math.abs(s) === F32_OVERFLOW_THRESHOLD && towardZero ? Math.sign(s) * F32_MAX : r;
  const mirror = s + (s - r); // s − r is exact (Sterbenz, or r = 0)
  if (Math.fround(mirror) !== mirror) return r; // s is no midpoint
  return e > 0 === mirror > r ? mirror : r;
}
