/**
 * How far two correct float32 evaluations of a ternary · Q8_K dot product may differ.
 * Implements spec/formats.md §8.2.
 *
 * Both ggml's generic code and its SIMD kernels form, per block i, exact integer partial sums
 * s_i,l (the generic code one per block, AVX2 eight lanes) and the same float32 d_i = d_w,i · d_a,i;
 * they differ only in how many float32 products s_i,l · d_i they round and in the order of the
 * float32 additions. The AVX2 kernels multiply the UNSIGNED codes (0..2) with q8 and subtract
 * bsums, so a lane holds Σ q8·code − (some bsums): its magnitude is bounded by Σ_e |q8[e]|·(code[e] + 1),
 * not by Σ_e |q8[e]·(code[e] − 1)|, and lanes may cancel. With u = 2^-24 and γ_k = k·u / (1 − k·u)
 * (Higham, Accuracy and Stability of Numerical Algorithms, section 3.1), an evaluation with at most k
 * rounding steps on any path is within γ_k · A of the exact value, where
 *   A = Σ_i |d_i| · Σ_e |q8_i[e]| · (code_i[e] + 1)
 * bounds Σ_i Σ_l |s_i,l · d_i| for every such lane split. The generic code has k = nb + 1 and an
 * 8-lane kernel k ≤ 1 + nb + 3 (product, accumulation, horizontal sum), so two correct
 * evaluations differ by at most 2·γ_(nb+4)·A, plus 2^-149 per operation for subnormal underflow,
 * which relative bounds do not cover.
 *
 * A non-finite block scale makes the bound infinite: the generic code then returns ±inf (or NaN),
 * an AVX2 kernel NaN (a lane whose partial sum is 0 gives 0·inf); both are correct, a finite
 * result is not (see dotResultsAgree).
 */

import { f16BitsToF32 } from "./float16.js";
import { GgmlType, QK_K } from "./ggml-type.js";
import { Q8_K_BLOCK_BYTES, unpackQ8KBlock } from "./q8_k.js";
import { TQ1_0_BLOCK_BYTES, unpackTq1Block } from "./tq1_0.js";
import { TQ2_0_BLOCK_BYTES, unpackTq2Block } from "./tq2_0.js";
import { gammaF32, SMALLEST_SUBNORMAL_F32 } from "../tolerances/floating-point.js";

/** Lanes of the widest SIMD accumulator the bound allows for (AVX2: 8 float32 lanes). */
const SIMD_LANES = 8;

/**
 * The §8.2 bound on |dot_a − dot_b| for two correct float32 evaluations of the dot product of a
 * ternary row (TQ1_0 or TQ2_0 bytes, nb blocks) with a Q8_K row (nb · 292 bytes).
 * Infinite when a scale is not finite (the result is then NaN or ±inf and must match as such).
 */
export function ternaryDotErrorBound(
  format: GgmlType.TQ1_0 | GgmlType.TQ2_0,
  weights: Uint8Array,
  activations: Uint8Array,
): number {
  const blockBytes = format === GgmlType.TQ1_0 ? TQ1_0_BLOCK_BYTES : TQ2_0_BLOCK_BYTES;
  const unpack = format === GgmlType.TQ1_0 ? unpackTq1Block : unpackTq2Block;
  const blocks = weights.length / blockBytes;
  let magnitude = 0; // A = Σ_i |d_i| · Σ_e |q8|·(code + 1)
  for (let i = 0; i < blocks; i++) {
    const w = unpack(weights.subarray(i * blockBytes, (i + 1) * blockBytes));
    const a = unpackQ8KBlock(activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES));
    let integerMagnitude = 0;
    for (let e = 0; e < QK_K; e++) integerMagnitude += Math.abs(a.qs[e]) * (w.codes[e] + 1);
    const d = Math.fround(f16BitsToF32(w.scaleBits) * a.d);
    if (!Number.isFinite(d)) return Infinity;
    magnitude += Math.abs(d) * integerMagnitude;
  }
  const roundingsOnAPath = blocks + 1 + Math.log2(SIMD_LANES);
  const operations = 2 * SIMD_LANES * (blocks + 1);
  return 2 * gammaF32(roundingsOnAPath) * magnitude + operations * SMALLEST_SUBNORMAL_F32;
}

/**
 * Do two evaluations of the same ternary · Q8_K dot product agree under `bound`
 * (from ternaryDotErrorBound)? With an infinite bound (a non-finite scale) both must be
 * non-finite; otherwise both finite and |a − b| ≤ bound. Implements spec/formats.md §8.2.
 */
export function dotResultsAgree(a: number, b: number, bound: number): boolean {
  if (bound === Infinity) return !Number.isFinite(a) && !Number.isFinite(b);
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= bound;
}
