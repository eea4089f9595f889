/**
 * Exact float32 fused multiply-add, the arithmetic of `_mm256_fmadd_ps` / C `fmaf` on x86-64 (FMA3).
 * Implements spec/forward.md §9 ("ggml mode emulates the x86-64 build of ggml").
 *
 *   fmaF32(a, b, c) = round_f32(a·b + c)      — one rounding, to nearest, ties to even
 *
 * How, with float64 arithmetic only:
 *   1. p = a·b is exact in float64 (two 24-bit significands give at most 48 bits; the exponent
 *      range of float64 holds every product of two float32s, subnormals included).
 *   2. s = fl64(p + c) and its exact error e = (p + c) − s (Knuth's TwoSum, exact without overflow).
 *   3. Round s to odd: when e ≠ 0 and the last significand bit of s is 0, replace s by its float64
 *      neighbour towards p + c (that neighbour has an odd last bit). Rounding-to-odd at 53 bits
 *      followed by one round-to-nearest to 24 bits equals a single round-to-nearest of p + c
 *      (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums", 2008): the 29 extra
 *      bits keep the sticky information a plain double rounding would lose at ties.
 *   4. Math.fround.
 * Non-finite a, b or c (or an infinite product) follow IEEE: Math.fround(a·b + c) is then exact.
 */

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer); // little-endian: words[0] = low 32 bits, words[1] = sign|exponent|high 20 bits

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
  if (e === 0) return Math.fround(s);
  scratch[0] = s;
  const low = words[0];
  if ((low & 1) === 1) return Math.fround(s); // already odd
  // s ≠ 0 here (a sum that rounds to zero in float64 is exactly zero). Step one ulp towards p + c.
  const awayFromZero = e > 0 === s > 0;
  if (awayFromZero) {
    words[0] = low + 1; // even low word: no carry
  } else if (low !== 0) {
    words[0] = low - 1;
  } else {
    words[0] = 0xffffffff;
    words[1] = words[1] - 1; // borrow; s is nonzero so the magnitude bits are nonzero
  }
  return Math.fround(scratch[0]);
}
