/**
 * Q4_0 × Q8_0 and Q4_K / Q5_K / Q6_K × Q8_K dot products in the order of ggml's generic C code
 * (ggml_vec_dot_*_generic, ggml/src/ggml-cpu/quants.c), every float operation one float32 rounding (no FMA).
 * Implements spec/formats.md §16.1. (Q8_0 × Q8_0 is vecDotQ8_0Q8_0 in dot.ts.)
 */

import { f16BitsToF32 } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { scaleMinK4 } from "./k-scale-min.js";
import { Q4_0_BLOCK_BYTES, QK4_0 } from "./q4_0.js";
import { Q4_K_BLOCK_BYTES, q4KLevel } from "./q4_k.js";
import { Q5_K_BLOCK_BYTES, q5KLevel } from "./q5_k.js";
import { Q6_K_BLOCK_BYTES, Q6_K_D_OFFSET, Q6_K_SCALES_OFFSET, q6KValue } from "./q6_k.js";
import { Q8_0_BLOCK_BYTES } from "./q8_0.js";
import { Q8_K_BLOCK_BYTES, type Q8KBlock, unpackQ8KBlock } from "./q8_k.js";
import { wrapToInt8 } from "./rounding.js";

const f32 = Math.fround;

/** Number of blocks shared by a weight row and an activation row; RangeError when they disagree. */
function commonBlocks(
  weights: Uint8Array,
  weightBlockBytes: number,
  activations: Uint8Array,
  actBlockBytes: number,
): number {
  const blocks = weights.length / weightBlockBytes;
  if (!Number.isInteger(blocks) || activations.length !== blocks * actBlockBytes) {
    throw new RangeError(
      `dot product: ${weights.length} weight bytes and ${activations.length} activation bytes are not the same number of blocks`,
    );
  }
  return blocks;
}

/**
 * ggml_vec_dot_q4_0_q8_0_generic: per 32-block sumi = Σ (nibble − 8)·q8 (exact), then
 * sumf = sumf + (float(sumi)·d_x)·d_y in block order. weights Uint8Array[nb·18], activations Q8_0 Uint8Array[nb·34].
 * Implements spec/formats.md §16.1.
 */
export function vecDotQ4_0Q8_0(weights: Uint8Array, activations: Uint8Array): number {
  const blocks = commonBlocks(weights, Q4_0_BLOCK_BYTES, activations, Q8_0_BLOCK_BYTES);
  let sumf = 0;
  for (let i = 0; i < blocks; i++) {
    const x = i * Q4_0_BLOCK_BYTES;
    const y = i * Q8_0_BLOCK_BYTES;
    let sumi = 0;
    for (let j = 0; j < QK4_0 / 2; j++) {
      sumi += ((weights[x + 2 + j] & 0xf) - 8) * wrapToInt8(activations[y + 2 + j]);
      sumi += ((weights[x + 2 + j] >> 4) - 8) * wrapToInt8(activations[y + 2 + j + QK4_0 / 2]);
    }
    const dx = f16BitsToF32(weights[x] | (weights[x + 1] << 8));
    const dy = f16BitsToF32(activations[y] | (activations[y + 1] << 8));
    sumf = f32(sumf + f32(f32(f32(sumi) * dx) * dy));
  }
  return sumf;
}

/** Per-element weight level and sub-block scale of one K-quant block, as the generic kernels read them. */
interface KBlockView {
  /** Signed level of element e (Q4_K/Q5_K: 0..nmax; Q6_K: −32..31). */
  level(e: number): number;
  /** Integer scale multiplying element e's product. */
  scale(e: number): number;
}

/**
 * The shared generic K-quant loop: aux32[l] += scale(e)·(q8[e]·level(e)) for e ≡ l (mod 8), then
 * sums[l] += d·aux32[l] (d = f32(fp16 d_x · d_y)), minus-term sumf −= dmin·Σ bsums[j]·min(j/2), and
 * finally sumf += sums[0..7] in order. Spec §16.1.
 */
function dotKQuantGeneric(
  weights: Uint8Array,
  activations: Uint8Array,
  blockBytes: number,
  view: (block: Uint8Array) => KBlockView,
  dOffset: number,
  minTerm: ((block: Uint8Array, a: Q8KBlock) => number) | undefined,
): number {
  const blocks = commonBlocks(weights, blockBytes, activations, Q8_K_BLOCK_BYTES);
  const sums = new Float32Array(8);
  let sumf = 0;
  for (let i = 0; i < blocks; i++) {
    const block = weights.subarray(i * blockBytes, (i + 1) * blockBytes);
    const a = unpackQ8KBlock(activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES));
    const v = view(block);
    const aux32 = new Int32Array(8);
    for (let e = 0; e < QK_K; e++) aux32[e & 7] += v.scale(e) * (((a.qs[e] * v.level(e)) << 16) >> 16); // int16 aux16
    const d = f32(f16BitsToF32(block[dOffset] | (block[dOffset + 1] << 8)) * a.d);
    for (let l = 0; l < 8; l++) sums[l] = sums[l] + f32(d * f32(aux32[l]));
    if (minTerm !== undefined) {
      const dmin = f32(f16BitsToF32(block[2] | (block[3] << 8)) * a.d);
      sumf = f32(sumf - f32(dmin * f32(minTerm(block, a))));
    }
  }
  for (let l = 0; l < 8; l++) sumf = f32(sumf + sums[l]);
  return sumf;
}

/** sumi = Σ_(j=0..15) bsums[j]·min_(j div 2) of a Q4_K/Q5_K block (int32). */
function affineMinSum(block: Uint8Array, a: Q8KBlock): number {
  let sumi = 0;
  for (let j = 0; j < QK_K / 16; j++) sumi += a.bsums[j] * scaleMinK4(j >> 1, block, 4).min;
  return sumi;
}

/** Level/scale view of a Q4_K or Q5_K block: scale(e) = sc_(e div 32). */
function affineView(level: (block: Uint8Array, e: number) => number): (block: Uint8Array) => KBlockView {
  return (block) => {
    const sc = Array.from({ length: 8 }, (_, j) => scaleMinK4(j, block, 4).scale);
    return { level: (e) => level(block, e), scale: (e) => sc[e >> 5] };
  };
}

/**
 * ggml_vec_dot_q4_K_q8_K_generic: Q4_K weights Uint8Array[nb·144] · Q8_K activations Uint8Array[nb·292] → float32.
 * Implements spec/formats.md §16.1.
 */
export function vecDotQ4KQ8K(weights: Uint8Array, activations: Uint8Array): number {
  return dotKQuantGeneric(weights, activations, Q4_K_BLOCK_BYTES, affineView(q4KLevel), 0, affineMinSum);
}

/**
 * ggml_vec_dot_q5_K_q8_K_generic: Q5_K weights Uint8Array[nb·176] · Q8_K activations Uint8Array[nb·292] → float32.
 * Implements spec/formats.md §16.1.
 */
export function vecDotQ5KQ8K(weights: Uint8Array, activations: Uint8Array): number {
  return dotKQuantGeneric(weights, activations, Q5_K_BLOCK_BYTES, affineView(q5KLevel), 0, affineMinSum);
}

/**
 * ggml_vec_dot_q6_K_q8_K_generic: Q6_K weights Uint8Array[nb·210] · Q8_K activations Uint8Array[nb·292] → float32;
 * level = q − 32, scale(e) = int8 sc_(e div 16), no min term. Implements spec/formats.md §16.1.
 */
export function vecDotQ6KQ8K(weights: Uint8Array, activations: Uint8Array): number {
  const view = (block: Uint8Array): KBlockView => ({
    level: (e) => q6KValue(block, e) - 32,
    scale: (e) => wrapToInt8(block[Q6_K_SCALES_OFFSET + (e >> 4)]),
  });
  return dotKQuantGeneric(weights, activations, Q6_K_BLOCK_BYTES, view, Q6_K_D_OFFSET, undefined);
}
