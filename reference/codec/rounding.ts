/**
 * The two ways ggml rounds a float to an integer. Implements spec/formats.md §2.4.
 *
 *   lroundf(x)     — C library: nearest integer, halves AWAY from zero (-0.5 → -1, 2.5 → 3).
 *   nearest_int(x) — ggml-quants.c: halves to EVEN (2.5 → 2, -0.5 → 0), by the 1.5·2^23 trick.
 *
 * JavaScript's Math.round rounds halves UP (Math.round(-0.5) is -0), so it is neither.
 */

import { f32ToBits } from "./float-bits.js";

/**
 * C `lroundf` for a float32 `x` with |x| < 2^63: round half away from zero.
 * Returns `undefined` where x86-64's lroundf has no defined result (NaN, ±inf, |x| ≥ 2^63);
 * callers decide what the C code then does (see ternaryCode in block-scale.ts).
 * Implements spec/formats.md §2.4.
 */
export function lroundf(x: number): number | undefined {
  if (!(Math.abs(x) < 2 ** 63)) return undefined;
  const magnitude = Math.floor(Math.abs(x) + 0.5); // exact: x is a float32, x + 0.5 fits a double
  return x < 0 ? -magnitude : magnitude;
}

/** 1.5 · 2^23: adding it to a float32 of magnitude ≤ 2^22 leaves the rounded integer in the low mantissa bits. */
const MAGIC_ROUNDING_CONSTANT = 12582912;

/**
 * ggml's `nearest_int(float)`: fval + 12582912.0f in float32, then the low 23 bits minus 2^22.
 * For |x| ≤ 4194303 this is round-half-to-even; outside that range (and for NaN/inf) it returns
 * the same garbage ggml does, which is what the oracle must reproduce. Implements spec/formats.md §2.4.
 */
export function nearestInt(x: number): number {
  const shifted = Math.fround(Math.fround(x) + MAGIC_ROUNDING_CONSTANT);
  return (f32ToBits(shifted) & 0x007fffff) - 0x00400000;
}

/** Convert an integer the way C stores it into `int8_t` (two's-complement wrap-around). Spec §2.4. */
export function wrapToInt8(v: number): number {
  return (v << 24) >> 24;
}
