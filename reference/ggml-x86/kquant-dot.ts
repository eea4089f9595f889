/**
 * Q4_K / Q5_K / Q6_K weight row · Q8_K activation row, exactly as the x86-64 kernels ggml_vec_dot_q{4,5,6}_K_q8_K
 * (ggml/src/ggml-cpu/arch/x86/quants.c) compute them in a GCC build. Each has only a `__AVX2__` path (the `#if` ladder
 * tests `__AVX2__` first), so AVX2 and AVX-512 builds agree. Implements spec/formats.md §16.2.
 *
 * Per 256-element block (integer lanes exact; int32 wrap-around kept):
 *   lane u (u = 0..7) of a 32-byte register holds elements 4u..4u+3 of that register
 *   (_mm256_maddubs_epi16 then _mm256_madd_epi16 with the sub-block scale broadcast as int16)
 *   Q4_K / Q5_K:  sumi_u = Σ_(c=0..3) [ sc_(2c)·Σ_(t<4) L[64c+4u+t]·q8[64c+4u+t] + sc_(2c+1)·Σ_(t<4) L[64c+32+4u+t]·q8[…] ]
 *                 acc_u = fma_f32(d, float(sumi_u), acc_u),  d = f32(y.d · fp16(x.d))
 *                 mins: q8s_k = bsums[2k] + bsums[2k+1] (int16), prod_t = m_(2t)·q8s_(2t) + m_(2t+1)·q8s_(2t+1), t = 0..3
 *                 Q4_K: accm_t = fma_f32(dmin, float(prod_t), accm_t); result = hsum8(acc) + ((accm_0+accm_2) + (accm_1+accm_3))
 *                 Q5_K: summs = fma_f32(dmin, float(Σ_t prod_t), summs);   result = hsum8(acc) + summs
 *                 with dmin = f32(−y.d · fp16(x.dmin))
 *   Q6_K:         register r (0..3) of 128-element half h: elements 128h + 32r + b, unsigned q (0..63),
 *                 scale sc_(8h + 2r + (u ≥ 4)) (int8);  sumi_u −= 32·(bsums[2u]·sc_(2u) + bsums[2u+1]·sc_(2u+1))
 *                 acc_u = fma_f32(d, float(sumi_u), acc_u);  result = hsum8(acc)
 * hsum8 = hsum_float_8 (hsum.ts). maddubs pair sums saturate to int16 (never reached: |pair| ≤ 2·63·128).
 */

import { f16BitsToF32 } from "../codec/float16.js";
import { QK_K } from "../codec/ggml-type.js";
import { scaleMinK4 } from "../codec/k-scale-min.js";
import { Q4_K_BLOCK_BYTES, q4KLevel } from "../codec/q4_k.js";
import { Q5_K_BLOCK_BYTES, q5KLevel } from "../codec/q5_k.js";
import { Q6_K_BLOCK_BYTES, Q6_K_D_OFFSET, Q6_K_SCALES_OFFSET, q6KValue } from "../codec/q6_k.js";
import { Q8_K_BLOCK_BYTES, unpackQ8KBlock } from "../codec/q8_k.js";
import { wrapToInt8 } from "../codec/rounding.js";
import { fmaF32 } from "./fma.js";
import { hsumF32x8 } from "./hsum.js";

const f32 = Math.fround;
const LANES = 8;

/** _mm256_maddubs_epi16's signed saturation of a pair sum to int16. */
function saturateInt16(v: number): number {
  return Math.max(-32768, Math.min(32767, v));
}

/** Wrap to int16 (_mm_hadd_epi16). */
function wrapInt16(v: number): number {
  return (v << 16) >> 16;
}

/** Blocks shared by the weight and activation rows; RangeError when they differ. */
function blockCount(weights: Uint8Array, blockBytes: number, activations: Uint8Array): number {
  const blocks = weights.length / blockBytes;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_K_BLOCK_BYTES) {
    throw new RangeError(
      `dot product: ${weights.length} weight bytes and ${activations.length} Q8_K bytes are not the same number of blocks`,
    );
  }
  return blocks;
}

/**
 * int32 lane u of madd(scale, maddubs(levels, q8)) over one 32-element register starting at element `start`:
 * scale · (sat16(L[4u]q[4u] + L[4u+1]q[4u+1]) + sat16(L[4u+2]q[4u+2] + L[4u+3]q[4u+3])).
 */
function registerLane(levels: Uint8Array, q8: Int8Array, start: number, u: number, scale: number): number {
  const e = start + 4 * u;
  const p0 = saturateInt16(levels[e] * q8[e] + levels[e + 1] * q8[e + 1]);
  const p1 = saturateInt16(levels[e + 2] * q8[e + 2] + levels[e + 3] * q8[e + 3]);
  return (scale * p0 + scale * p1) | 0;
}

/** Q4_K / Q5_K: the AVX2 kernel body; `accumulateMins` picks the Q4_K (vector) or Q5_K (scalar) min term. */
function dotAffineAvx2(
  weights: Uint8Array,
  activations: Uint8Array,
  blockBytes: number,
  level: (block: Uint8Array, e: number) => number,
  q5Mins: boolean,
): number {
  const blocks = blockCount(weights, blockBytes, activations);
  const acc = new Float32Array(LANES);
  const accm = new Float32Array(4);
  let summs = 0;
  const levels = new Uint8Array(QK_K);
  for (let i = 0; i < blocks; i++) {
    const block = weights.subarray(i * blockBytes, (i + 1) * blockBytes);
    const y = unpackQ8KBlock(activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES));
    const d = f32(y.d * f16BitsToF32(block[0] | (block[1] << 8)));
    const dmin = f32(-y.d * f16BitsToF32(block[2] | (block[3] << 8)));
    const sm = Array.from({ length: 8 }, (_, j) => scaleMinK4(j, block, 4));
    const q8s = Array.from({ length: 8 }, (_, k) => wrapInt16(y.bsums[2 * k] + y.bsums[2 * k + 1]));
    const prod = Array.from(
      { length: 4 },
      (_, t) => (sm[2 * t].min * q8s[2 * t] + sm[2 * t + 1].min * q8s[2 * t + 1]) | 0,
    );
    if (q5Mins) {
      summs = fmaF32(dmin, f32((prod[0] + prod[1] + prod[2] + prod[3]) | 0), summs);
    } else {
      for (let t = 0; t < 4; t++) accm[t] = fmaF32(dmin, f32(prod[t]), accm[t]);
    }
    for (let e = 0; e < QK_K; e++) levels[e] = level(block, e);
    for (let u = 0; u < LANES; u++) {
      let sumi = 0;
      for (let c = 0; c < QK_K / 64; c++) {
        const lo = registerLane(levels, y.qs, 64 * c, u, sm[2 * c].scale);
        const hi = registerLane(levels, y.qs, 64 * c + 32, u, sm[2 * c + 1].scale);
        sumi = (sumi + ((lo + hi) | 0)) | 0;
      }
      acc[u] = fmaF32(d, f32(sumi), acc[u]);
    }
  }
  if (q5Mins) return f32(hsumF32x8(acc) + summs);
  const m = f32(f32(accm[0] + accm[2]) + f32(accm[1] + accm[3]));
  return f32(hsumF32x8(acc) + m);
}

/**
 * ggml_vec_dot_q4_K_q8_K, x86 AVX2 path (also the AVX-512 build's): Q4_K Uint8Array[nb·144] · Q8_K Uint8Array[nb·292]
 * → float32. Implements spec/formats.md §16.2.
 */
export function vecDotQ4KQ8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotAffineAvx2(weights, activations, Q4_K_BLOCK_BYTES, q4KLevel, false);
}

/**
 * ggml_vec_dot_q5_K_q8_K, x86 AVX2 path (also the AVX-512 build's): Q5_K Uint8Array[nb·176] · Q8_K Uint8Array[nb·292]
 * → float32. Implements spec/formats.md §16.2.
 */
export function vecDotQ5KQ8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotAffineAvx2(weights, activations, Q5_K_BLOCK_BYTES, q5KLevel, true);
}

/**
 * ggml_vec_dot_q6_K_q8_K, x86 AVX2 path (also the AVX-512 build's): Q6_K Uint8Array[nb·210] · Q8_K Uint8Array[nb·292]
 * → float32. Implements spec/formats.md §16.2.
 */
export function vecDotQ6KQ8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  const blocks = blockCount(weights, Q6_K_BLOCK_BYTES, activations);
  const acc = new Float32Array(LANES);
  const values = new Uint8Array(QK_K);
  for (let i = 0; i < blocks; i++) {
    const block = weights.subarray(i * Q6_K_BLOCK_BYTES, (i + 1) * Q6_K_BLOCK_BYTES);
    const y = unpackQ8KBlock(activations.subarray(i * Q8_K_BLOCK_BYTES, (i + 1) * Q8_K_BLOCK_BYTES));
    const d = f32(y.d * f16BitsToF32(block[Q6_K_D_OFFSET] | (block[Q6_K_D_OFFSET + 1] << 8)));
    const sc = (j: number): number => wrapToInt8(block[Q6_K_SCALES_OFFSET + j]);
    for (let e = 0; e < QK_K; e++) values[e] = q6KValue(block, e);
    for (let u = 0; u < LANES; u++) {
      let sumi = 0;
      for (let h = 0; h < 2; h++) {
        for (let r = 0; r < 4; r++) {
          sumi = (sumi + registerLane(values, y.qs, 128 * h + 32 * r, u, sc(8 * h + 2 * r + (u >= 4 ? 1 : 0)))) | 0;
        }
      }
      const sub = ((y.bsums[2 * u] * sc(2 * u) + y.bsums[2 * u + 1] * sc(2 * u + 1)) << 5) | 0; // madd, slli 5
      acc[u] = fmaF32(d, f32((sumi - sub) | 0), acc[u]);
    }
  }
  return hsumF32x8(acc);
}
