/**
 * Exact float64 fused multiply-add, `vfmadd…sd` / C `fma`, for emulating libm code that GCC
 * compiled with FMA contraction (glibc's `__sinf_fma` / `__cosf_fma`, see glibc-trig.ts).
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   fmaF64(a, b, c) = round_f64(a·b + c)      — one rounding, to nearest, ties to even
 *
 * Computed exactly with BigInt: a = ma·2^ea, b = mb·2^eb, c = mc·2^ec (integer significands), the
 * sum aligned to the smallest exponent, then rounded once to the float64 grid at its magnitude
 * (subnormal results keep fewer bits, as IEEE requires). Slow, and used only for a handful of
 * values per position.
 */

/** x = m·2^e with m an integer (BigInt, signed) — exact for every finite float64. */
function decompose(x: number): { m: bigint; e: number } {
  const words = new Uint32Array(Float64Array.of(x).buffer); // little-endian: words[1] = sign|exponent|high 20 bits
  const hi = words[1];
  const lo = words[0];
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) {
    e = -1074; // subnormal (or zero)
  } else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  return { m: hi >>> 31 ? -m : m, e };
}

/** The float64 nearest to m·2^e (ties to even), m a BigInt. */
function roundToDouble(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const negative = m < 0n;
  let magnitude = negative ? -m : m;
  const bits = magnitude.toString(2).length;
  // The result's lowest kept bit is at 2^q: q = (exponent of the leading bit) − 52, but not below −1074.
  const leading = e + bits - 1;
  const q = Math.max(leading - 52, -1074);
  if (q > e) {
    const shift = BigInt(q - e);
    const kept = magnitude >> shift;
    const rest = magnitude - (kept << shift);
    const half = 1n << (shift - 1n);
    magnitude = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    e = q;
  }
  const value = Number(magnitude) * 2 ** e; // magnitude < 2^54: exact; the power-of-two scaling is exact or overflows to ±inf
  return negative ? -value : value;
}

/** round_f64(a·b + c) with a single rounding (C `fma`). Spec §9. */
export function fmaF64(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const productMantissa = x.m * y.m;
  const productExponent = x.e + y.e;
  if (productMantissa === 0n) return a * b + c; // exact zero product: IEEE signed-zero rules via plain arithmetic
  const low = Math.min(productExponent, z.e);
  const sum = (productMantissa << BigInt(productExponent - low)) + (z.m << BigInt(z.e - low));
  if (sum === 0n) return 0; // exact cancellation: +0 in round-to-nearest
  return roundToDouble(sum, low);
}
