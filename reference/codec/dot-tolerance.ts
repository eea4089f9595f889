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
 *
 * Overflow: a partial sum of any evaluation adds terms p·d_i whose lanes hold Σ_S c·q8 − Σ_T q8, so it is
 * at most L = max(P, N) + γ_k·A in magnitude, where P (N) adds up every element's positive (negative)
 * contributions c·q8·d_i and −q8·d_i. When L < Ω = 2^128 − 2^103 no correct evaluation is non-finite; from Ω
 * on, the split that gathers one side may overflow even where the exact value is small (an AVX2 lane holds
 * q8 − bsums, not the block's sum), and a non-finite result is then correct too (ternaryDotMayOverflow).
 */

import { f16BitsToF32 } from "./float16.js";
import { GgmlType, QK_K } from "./ggml-type.js";
import { Q8_K_BLOCK_BYTES, unpackQ8KBlock } from "./q8_k.js";
import { TQ1_0_BLOCK_BYTES, unpackTq1Block } from "./tq1_0.js";
import { TQ2_0_BLOCK_BYTES, unpackTq2Block } from "./tq2_0.js";
import { gammaF32, gammaF64, mayOverflowF32, SMALLEST_SUBNORMAL_F32 } from "../tolerances/floating-point.js";

/** Lanes of the widest SIMD accumulator the bound allows for (AVX2: 8 float32 lanes). */
const SIMD_LANES = 8;

/**
 * Blocks of a ternary row of `format`; the magnitude A = Σ_i |d_i| · Σ_e |q8|·(code + 1) (∞ when a d_i is not
 * finite); and the sums P and N (P + N = A) of the positive and of the negative contributions c·q8·d_i, −q8·d_i.
 */
function blocksAndMagnitude(
  format: GgmlType.TQ1_0 | GgmlType.TQ2_0,
  weights: Uint8Array,
  activations: Uint8Array,
): { blocks: number; magnitude: number; positive: number; negative: number } {
  const blockBytes = format === GgmlType.TQ1_0 ? TQ1_0_BLOCK_BYTES : TQ2_0_BLOCK_BYTES;
  const unpack = format === GgmlType.TQ1_0 ? unpackTq1Block : unpackTq2Block;
  const blocks = weights.length / blockBytes;
  let magnitude = 0;
  let positive = 0;
  let negative = 0;
  for (let i = 0; i < blocks; i++) {
    const w = unpack(weights.subarray(i * blockBytes, (i + 1) * blockBytes));
    const a = unpackQ8KBlock(activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES));
    let integerMagnitude = 0;
    let up = 0; // Σ_e c·max(q8, 0) + max(−q8, 0): the contributions of the sign of d_i
    for (let e = 0; e < QK_K; e++) {
      const q = a.qs[e];
      integerMagnitude += Math.abs(q) * (w.codes[e] + 1);
      up += q > 0 ? w.codes[e] * q : -q;
    }
    const d = Math.fround(f16BitsToF32(w.scaleBits) * a.d);
    if (!Number.isFinite(d)) return { blocks, magnitude: Infinity, positive: Infinity, negative: Infinity };
    magnitude += Math.abs(d) * integerMagnitude;
    positive += Math.abs(d) * (d > 0 ? up : integerMagnitude - up);
    negative += Math.abs(d) * (d > 0 ? integerMagnitude - up : up);
  }
  return { blocks, magnitude, positive, negative };
}

/** Roundings on a path from a term to the result: product or FMA, nb accumulations, log2(8) hsum levels. */
function roundingsOnAPath(blocks: number): number {
  return blocks + 1 + Math.log2(SIMD_LANES);
}

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
  const { blocks, magnitude } = blocksAndMagnitude(format, weights, activations);
  if (magnitude === Infinity) return Infinity;
  const operations = 2 * SIMD_LANES * (blocks + 1);
  return 2 * gammaF32(roundingsOnAPath(blocks)) * magnitude + operations * SMALLEST_SUBNORMAL_F32;
}

/**
 * Can a correct float32 evaluation of this ternary · Q8_K dot product (any order and lane split of §8.2)
 * overflow to ±∞ or NaN although every d_i is finite? True exactly when max(P, N) + γ_(nb+4) · A reaches the
 * overflow threshold Ω = 2^128 − 2^103 (P, N: the sums of the positive and negative contributions, P + N = A,
 * each inflated by (1 + γ⁽⁶⁴⁾_(nb+1)) for its own float64 evaluation); a non-finite result is then correct.
 * Also true when a d_i is not finite. Implements spec/formats.md §8.2.
 */
export function ternaryDotMayOverflow(
  format: GgmlType.TQ1_0 | GgmlType.TQ2_0,
  weights: Uint8Array,
  activations: Uint8Array,
): boolean {
  const { blocks, magnitude, positive, negative } = blocksAndMagnitude(format, weights, activations);
  const float64Error = 1 + gammaF64(blocks + 1);
  return mayOverflowF32(
    Math.max(positive, negative) * float64Error,
    magnitude * float64Error,
    roundingsOnAPath(blocks),
  );
}

/**
 * Do two evaluations of the same ternary · Q8_K dot product agree under `bound`
 * (from ternaryDotErrorBound)? With an infinite bound (a non-finite scale) both must be
 * non-finite. Otherwise two finite values agree when |a − b| ≤ bound, and a non-finite value
 * (on either side) only when `mayOverflow` (from ternaryDotMayOverflow, or floatDotMayOverflow for
 * a float dot product) says that some correct float32 order overflows: a finite value cannot be
 * compared with an overflowed one, so both are accepted there. Implements spec/formats.md §8.2.
 */
export function dotResultsAgree(a: number, b: number, bound: number, mayOverflow = false): boolean {
  if (bound === Infinity) return !Number.isFinite(a) && !Number.isFinite(b);
  if (Number.isFinite(a) && Number.isFinite(b)) return Math.abs(a - b) <= bound;
  return mayOverflow;
}
