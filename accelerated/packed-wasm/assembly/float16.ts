/**
 * IEEE binary16 → binary32, exact (every fp16 value is a float32). Spec/formats.md §2.3; the same value as
 * reference/codec/float16.ts f16BitsToF32 (a NaN keeps its payload here; a NaN is a NaN to every caller).
 */

/** The float32 value of fp16 bits h (0..65535). */
export function f16ToF32(h: u32): f32 {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent == 0x1f) return reinterpret<f32>(sign | 0x7f800000 | (mantissa << 13)); // ±inf, NaN
  if (exponent != 0) return reinterpret<f32>(sign | ((exponent + 112) << 23) | (mantissa << 13)); // normal
  // zero or subnormal: mantissa · 2^-24, exact in float32
  const magnitude = <f32>mantissa * reinterpret<f32>(0x33800000); // 2^-24
  return sign != 0 ? -magnitude : magnitude;
}
