/**
 * Exact float32 fused multiply-add from float64 arithmetic: the same algorithm, operation for operation, as
 * reference/ggml-x86/fma.ts fmaF32 (spec/forward.md §9), so the two give the same bits for every input.
 *
 *   fmaF32(a, b, c) = round_f32(a·b + c)   one rounding, to nearest, ties to even
 * p = a·b is exact in float64; s = fl64(p + c) and its TwoSum error e; r = f32(s) is right unless s sits exactly
 * on a midpoint between two float32s while e ≠ 0 — then the neighbour on e's side of the midpoint is.
 */

/** 2^128 − 2^103: the midpoint between FLT_MAX and 2^128, from which float32 rounding gives ∞. */
const F32_OVERFLOW_THRESHOLD: f64 = 340282356779733661637539395458142568448.0;
/** The largest finite float32, 2^128 − 2^104. */
const F32_MAX: f64 = 340282346638528859811704183484516925440.0;

/** round_f32(a·b + c) with a single rounding (x86 `vfmadd…ps` on float32 lanes). */
export function fmaF32(a: f32, b: f32, c: f32): f32 {
  const p: f64 = <f64>a * <f64>b; // exact
  const s: f64 = p + <f64>c;
  if (!isFinite<f64>(s)) return <f32>s;
  const bv: f64 = s - p;
  const e: f64 = p - (s - bv) + (<f64>c - bv); // TwoSum: p + c = s + e exactly
  const r: f32 = <f32>s;
  const rd: f64 = <f64>r;
  if (e == 0 || rd == s) return r;
  const towardZero = e > 0 != s > 0;
  if (!isFinite<f32>(r)) {
    if (Math.abs(s) == F32_OVERFLOW_THRESHOLD && towardZero) return <f32>(s > 0 ? F32_MAX : -F32_MAX);
    return r;
  }
  const mirror: f64 = s + (s - rd); // s − r is exact
  if (<f64>(<f32>mirror) != mirror) return r; // s is no midpoint
  return e > 0 == mirror > rd ? <f32>mirror : r;
}
