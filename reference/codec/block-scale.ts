/**
 * How TQ1_0 and TQ2_0 choose a block's scale and turn each weight into a trit code.
 * Implements spec/formats.md §3 (quantize_row_tq{1,2}_0_ref in ggml/src/ggml-quants.c).
 */

import { f32ToF16Bits } from "./float16.js";
import { lroundf } from "./rounding.js";

/** The scale of one 256-element block as the reference quantizer computes it. */
export interface TernaryBlockScale {
  /** amax = max |x| over the block, float32, with ggml's MAX semantics for NaN. */
  readonly amax: number;
  /** id = amax ? 1/amax : 0, float32: what the quantizer multiplies by (the UNROUNDED amax). */
  readonly inverse: number;
  /** d = fp16(amax): the 16 bits stored in the block. */
  readonly scaleBits: number;
}

/**
 * amax = MAX(amax, |x_j|) for j = 0..255, with `#define MAX(a,b) ((a) > (b) ? (a) : (b))`;
 * d = fp16(amax); id = amax ? 1/amax : 0.  Implements spec/formats.md §3.
 *
 * `x` is Float32Array[256] (or a 256-element view). A NaN element makes amax NaN
 * (NaN > … is false), and the next element then replaces the NaN; only a NaN in the
 * last position survives into d.
 */
export function chooseTernaryBlockScale(x: Float32Array): TernaryBlockScale {
  let amax = 0;
  for (let j = 0; j < x.length; j++) {
    const magnitude = Math.abs(x[j]);
    amax = amax > magnitude ? amax : magnitude;
  }
  // `d ? 1.0f/d : 0.0f`: NaN is truthy in C, so a NaN amax gives a NaN id.
  const inverse = amax === 0 ? 0 : Math.fround(1 / amax);
  return { amax, inverse, scaleBits: f32ToF16Bits(amax) };
}

/**
 * code = (int)(lroundf(x · id) + 1): −1, 0, +1 → 0, 1, 2.  Implements spec/formats.md §3.
 *
 * x·id is rounded to float32 first. When id is +inf (amax ≤ 2^-128, so 1/amax overflows) or NaN,
 * x·id is ±inf or NaN and x86-64's lroundf returns LONG_MIN; LONG_MIN + 1 truncated to int is 1,
 * so such weights get code 1 (zero). Normally |x·id| ≤ 1 and the code is 0, 1 or 2; but a NaN
 * element restarts amax (§3), and then an earlier, larger element gets a code above 2 — returned
 * here exactly as C's `int` holds it (the long sum truncated to 32 bits), for the caller to wrap
 * as the format does (TQ2_0: `& 3`; TQ1_0: uint8 arithmetic).
 */
export function ternaryCode(x: number, inverse: number): number {
  const rounded = lroundf(Math.fround(x * inverse));
  if (rounded === undefined) return 1;
  if (Math.abs(rounded) < 2 ** 52) return (rounded + 1) | 0;
  return Number(BigInt.asIntN(32, BigInt(rounded) + 1n)); // exact long arithmetic, then (int)
}
