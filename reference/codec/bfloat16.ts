/**
 * bfloat16 ↔ float32: bf16 is the top 16 bits of a float32.
 * Implements spec/formats.md §2.3.
 */

import { bitsToF32, f32ToBits } from "./float-bits.js";

/**
 * Round a float32 to bf16, ties to even; NaN is made quiet (bit 6 set) as
 * ggml_compute_fp32_to_bf16 does (ggml/src/ggml-impl.h). Implements spec/formats.md §2.3.
 */
export function f32ToBf16Bits(x: number): number {
  const bits = f32ToBits(x);
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 64) & 0xffff;
  // bits + 0x7fff + (bit 16 of bits): adds just under half, or exactly half when the kept part is odd.
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** The float32 value of 16 bf16 bits (exact). Implements spec/formats.md §2.3. */
export function bf16BitsToF32(h: number): number {
  return bitsToF32((h & 0xffff) << 16);
}

/**
 * x rounded to bf16 (ties to even, NaN made quiet, as f32ToBf16Bits rounds), returned as float32:
 * the one bf16 round trip every caller uses. Implements spec/formats.md §2.3.
 */
export function roundToBf16(x: number): number {
  return bf16BitsToF32(f32ToBf16Bits(x));
}
