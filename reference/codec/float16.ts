/**
 * IEEE-754 binary16 ("fp16", `ggml_fp16_t`) ↔ float32.
 * Implements spec/formats.md §2.2.
 *
 * binary16: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
 *   normal     (e in 1..30): (-1)^s · 2^(e-15) · (1 + m/1024)
 *   subnormal  (e = 0):      (-1)^s · 2^-14  · (m/1024)        = m · 2^-24
 *   e = 31:                  ±inf (m = 0) or NaN (m ≠ 0)
 */

import { f32ToBits } from "./float-bits.js";

/** Quiet NaN that ggml_compute_fp32_to_fp16 writes for every NaN input (sign kept). */
const F16_QUIET_NAN = 0x7e00;
const F16_INFINITY = 0x7c00;

/**
 * Round a value to float32, then to the nearest binary16, ties to even; returns the 16 bits.
 *
 * Same bits as ggml_compute_fp32_to_fp16 (ggml/src/ggml-impl.h): subnormal results are kept,
 * values ≥ 65520 round to ±inf, NaN becomes sign | 0x7e00. Implements spec/formats.md §2.2.
 */
export function f32ToF16Bits(x: number): number {
  const bits = f32ToBits(x); // float32 bits [1 | 8 | 23]
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;

  if (exponent === 0xff) return sign | (mantissa !== 0 ? F16_QUIET_NAN : F16_INFINITY);
  if (exponent === 0) return sign; // float32 zero or subnormal (< 2^-126): far below half the smallest fp16 subnormal

  const unbiased = exponent - 127; // value = 2^unbiased · (1 + mantissa/2^23)
  if (unbiased > 15) return sign | F16_INFINITY;

  if (unbiased >= -14) {
    // Normal fp16: keep the top 10 of the 23 mantissa bits, round the 13 dropped bits to nearest even.
    // A carry out of the mantissa correctly bumps the exponent (and 0x7bff + 1 = 0x7c00 = inf).
    const kept = ((unbiased + 15) << 10) | (mantissa >>> 13);
    return sign | roundShiftedToNearestEven(kept, mantissa & 0x1fff, 13);
  }

  // Subnormal fp16: the result is k · 2^-24 with k = value / 2^-24 rounded to nearest even.
  // value = significand · 2^(unbiased - 23), significand = 2^23 + mantissa (24 bits).
  const shift = -1 - unbiased; // = (-24) - (unbiased - 23): bits of the significand to drop, ≥ 14
  if (shift > 24) return sign; // value < 2^-25 = half the smallest subnormal: rounds to zero
  const significand = 0x800000 | mantissa;
  const kept = significand >>> shift;
  const dropped = significand & ((1 << shift) - 1);
  return sign | roundShiftedToNearestEven(kept, dropped, shift); // k = 1024 is the smallest normal, as it should be
}

/** `kept` plus one when the `droppedBits`-wide remainder `dropped` is above half, or exactly half and `kept` is odd. */
function roundShiftedToNearestEven(kept: number, dropped: number, droppedBits: number): number {
  const half = 1 << (droppedBits - 1);
  return dropped > half || (dropped === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** 2^-24: the value of one mantissa unit of a subnormal fp16. */
const F16_SUBNORMAL_UNIT = 2 ** -24;

/**
 * F16_EXPONENT_UNITS[e] = 2^(e − 25): the value of one unit of (1024 + m) in a normal fp16 of exponent field e,
 * tabulated once for e = 0..31 (exact powers of two; a table, not a cache: nothing is added to it).
 */
const F16_EXPONENT_UNITS: Float64Array = Float64Array.from({ length: 32 }, (_, e) => 2 ** (e - 25));

/**
 * The float32 value of 16 fp16 bits (exact: every binary16 value is a binary32 value).
 * Implements spec/formats.md §2.2.
 */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * F16_SUBNORMAL_UNIT; // zero (signed) or subnormal
  if (exponent === 0x1f) return mantissa !== 0 ? NaN : sign * Infinity;
  return sign * (1024 + mantissa) * F16_EXPONENT_UNITS[exponent]; // 2^(e-15) · (1024+m)/1024
}

/**
 * F16_VALUES[h] = f16BitsToF32(h) for every h = 0..65535 (256 KiB), tabulated once when the module loads, for
 * the loop that decodes whole rows of fp16 values (F16 embeddings and lm heads). Read-only. Spec §2.2.
 */
const F16_VALUES: Float32Array = Float32Array.from({ length: 0x10000 }, (_, h) => f16BitsToF32(h));

/**
 * A row of fp16 values, bytes: Uint8Array[2n] (little-endian 16-bit words), decoded into out: Float32Array[n]:
 * out[j] = f16BitsToF32(bytes[2j] | bytes[2j+1] << 8), read from its table. The decoding of every F16 row
 * (dequantizeRow, and row-by-row loops that reuse one buffer). Implements spec/formats.md §2.2.
 */
export function decodeF16RowInto(bytes: Uint8Array, out: Float32Array): void {
  if (bytes.length !== 2 * out.length)
    throw new RangeError(`fp16 row: ${bytes.length} bytes do not hold the ${out.length} values of the output`);
  for (let j = 0; j < out.length; j++) out[j] = F16_VALUES[bytes[2 * j] | (bytes[2 * j + 1] << 8)];
}

/**
 * x rounded to the nearest binary16 value (ties to even, as f32ToF16Bits rounds), returned as
 * float32: the one fp16 round trip every caller uses. Implements spec/formats.md §2.2.
 */
export function roundToF16(x: number): number {
  return f16BitsToF32(f32ToF16Bits(x));
}

/** True when the fp16 bits encode a subnormal (non-zero, exponent field 0). Spec §2.2. */
export function isF16Subnormal(h: number): boolean {
  return (h & 0x7c00) === 0 && (h & 0x3ff) !== 0;
}
