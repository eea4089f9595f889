/**
 * Reinterpreting float32 values as their 32 bits and back, as C does with `memcpy`
 * or a union. Implements spec/formats.md §2.1.
 *
 * Finite values and infinities are converted arithmetically (binary32: sign | 8-bit exponent,
 * bias 127 | 23-bit fraction), exactly. NaNs go through a float32 buffer made for the call, so
 * their sign and payload are whatever the engine's float32 stores and loads keep, as in C.
 */

/** POWERS_OF_TWO[k + 150] = 2^k for k = −150..150 (read-only; looked up because `2 ** k` is slow in V8). */
const POWERS_OF_TWO: readonly number[] = Array.from({ length: 301 }, (_, i) => 2 ** (i - 150));

/** 2^k for an integer k in −150..150. */
function powerOfTwo(k: number): number {
  return POWERS_OF_TWO[k + 150];
}

/** Bits of the float32 NaN `x`, stored through a buffer of its own (no shared scratch). */
function nanToBits(x: number): number {
  const word = Float32Array.of(x);
  return new Uint32Array(word.buffer)[0];
}

/** The float32 NaN with bits `bits`, loaded through a buffer of its own. */
function bitsToNan(bits: number): number {
  const word = Uint32Array.of(bits);
  return new Float32Array(word.buffer)[0];
}

/** The IEEE-754 binary32 bits of `x` after rounding it to float32 (`x` → u32). Spec §2.1. */
export function f32ToBits(x: number): number {
  const f = Math.fround(x);
  if (f !== f) return nanToBits(f);
  const sign = f < 0 || (f === 0 && 1 / f < 0) ? 0x80000000 : 0;
  const magnitude = Math.abs(f);
  if (magnitude === Infinity) return (sign | 0x7f800000) >>> 0;
  if (magnitude < 2 ** -126) return (sign | (magnitude * 2 ** 149)) >>> 0; // zero or subnormal: fraction · 2^-149
  // Math.log2 is implementation-approximated (ECMA-262): V8's is exact enough here, the checks keep any engine right.
  let exponent = Math.floor(Math.log2(magnitude));
  if (powerOfTwo(exponent) > magnitude) exponent--;
  else if (powerOfTwo(exponent + 1) <= magnitude) exponent++;
  const fraction = magnitude * powerOfTwo(23 - exponent) - 2 ** 23; // exact: 24 significant bits
  return (sign | ((exponent + 127) << 23) | fraction) >>> 0;
}

/** The float32 value whose bits are `bits` (u32 → float32, returned as a JS number). Spec §2.1. */
export function bitsToF32(bits: number): number {
  const word = bits >>> 0;
  const sign = word >>> 31 === 1 ? -1 : 1;
  const exponent = (word >>> 23) & 0xff;
  const fraction = word & 0x7fffff;
  if (exponent === 0xff) return fraction === 0 ? sign * Infinity : bitsToNan(word);
  if (exponent === 0) return sign * fraction * 2 ** -149; // zero (signed) or subnormal
  return sign * (0x800000 + fraction) * powerOfTwo(exponent - 150);
}
