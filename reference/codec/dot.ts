/**
 * The dot product of a ternary weight row with a Q8_K activation row, in the order of
 * ggml's generic C code (ggml_vec_dot_tq{1,2}_0_q8_K_generic, ggml/src/ggml-cpu/quants.c).
 * Implements spec/formats.md §8.
 *
 * Per block i (exact integers):   sumi_i = Σ_e q8_i[e] · (code_i[e] − 1)
 * Across blocks (float32):         sumf = sumf + float(sumi_i) · (fp16_to_f32(d_w,i) · d_a,i)
 * The float32 additions happen in block order; SIMD builds add in another order (spec §8.2).
 */

import { f16BitsToF32 } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { Q8_0_BLOCK_BYTES, QK8_0 } from "./q8_0.js";
import { Q8_K_BLOCK_BYTES, unpackQ8KBlock } from "./q8_k.js";
import { TQ1_0_BLOCK_BYTES, unpackTq1Block } from "./tq1_0.js";
import { TQ2_0_BLOCK_BYTES, unpackTq2Block } from "./tq2_0.js";

/** Decoded ternary block: codes (0..3) and fp16 scale bits. */
type UnpackTernaryBlock = (block: Uint8Array) => { codes: Uint8Array; scaleBits: number };

/**
 * Σ over blocks of float(Σ_e q8[e]·(code[e]−1)) · (d_w · d_a), float32 accumulation in block order.
 * weights: Uint8Array[nb · weightBlockBytes]; activations: Q8_K Uint8Array[nb · 292]. Spec §8.1.
 */
function dotTernaryQ8K(
  weights: Uint8Array,
  activations: Uint8Array,
  weightBlockBytes: number,
  unpackWeightBlock: UnpackTernaryBlock,
): number {
  const blocks = weights.length / weightBlockBytes;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_K_BLOCK_BYTES) {
    throw new RangeError(
      `dot product: ${weights.length} weight bytes and ${activations.length} Q8_K bytes are not the same number of blocks`,
    );
  }
  let sumf = 0;
  for (let i = 0; i < blocks; i++) {
    const w = unpackWeightBlock(weights.subarray(i * weightBlockBytes, (i + 1) * weightBlockBytes));
    const a = unpackQ8KBlock(activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES));
    let sumi = 0; // int32: |sumi| ≤ 256 · 128 · 2, exact
    for (let e = 0; e < QK_K; e++) sumi += a.qs[e] * (w.codes[e] - 1);
    const d = Math.fround(f16BitsToF32(w.scaleBits) * a.d);
    sumf = Math.fround(sumf + Math.fround(Math.fround(sumi) * d));
  }
  return sumf;
}

/**
 * ggml_vec_dot_tq2_0_q8_K_generic: TQ2_0 weights Uint8Array[nb·66] · Q8_K activations Uint8Array[nb·292] → float32.
 * Implements spec/formats.md §8.1.
 */
export function vecDotTq2_0Q8K(weights: Uint8Array, activations: Uint8Array): number {
  return dotTernaryQ8K(weights, activations, TQ2_0_BLOCK_BYTES, unpackTq2Block);
}

/**
 * ggml_vec_dot_tq1_0_q8_K_generic: TQ1_0 weights Uint8Array[nb·54] · Q8_K activations Uint8Array[nb·292] → float32.
 * Implements spec/formats.md §8.1.
 */
export function vecDotTq1_0Q8K(weights: Uint8Array, activations: Uint8Array): number {
  return dotTernaryQ8K(weights, activations, TQ1_0_BLOCK_BYTES, unpackTq1Block);
}

/**
 * ggml_vec_dot_q8_0_q8_0_generic: Q8_0 · Q8_0 → float32; per 32-block an exact integer sum times
 * fp16(d_x)·fp16(d_y), accumulated in float32 in block order. Implements spec/formats.md §8.1.
 */
export function vecDotQ8_0Q8_0(weights: Uint8Array, activations: Uint8Array): number {
  if (weights.length !== activations.length || weights.length % Q8_0_BLOCK_BYTES !== 0) {
    throw new RangeError(
      `dot product: ${weights.length} and ${activations.length} bytes are not the same whole number of Q8_0 blocks`,
    );
  }
  let sumf = 0;
  for (let base = 0; base < weights.length; base += Q8_0_BLOCK_BYTES) {
    let sumi = 0;
    for (let j = 0; j < QK8_0; j++) {
      sumi += ((weights[base + 2 + j] << 24) >> 24) * ((activations[base + 2 + j] << 24) >> 24);
    }
    const dw = f16BitsToF32(weights[base] | (weights[base + 1] << 8));
    const da = f16BitsToF32(activations[base] | (activations[base + 1] << 8));
    sumf = Math.fround(sumf + Math.fround(sumi * Math.fround(dw * da)));
  }
  return sumf;
}
