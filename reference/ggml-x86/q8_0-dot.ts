/**
 * Q4_0 / Q8_0 weight row · Q8_0 activation row as ggml_vec_dot_q4_0_q8_0 and ggml_vec_dot_q8_0_q8_0
 * (ggml/src/ggml-cpu/arch/x86/quants.c, `__AVX2__` path) compute them in llama.cpp's -march=native build on a CPU with
 * AVX512-VNNI and AVX512-VL: mul_sum_us8_pairs_float then uses _mm256_dpbusd_epi32 (four u8·s8 products summed
 * into int32, no int16 saturation). Implements spec/formats.md §16.2.
 *
 * Per 32-element block (the register's byte b is element b for both types; Q4_0 level = nibble − 8):
 *   ax_b = |x_b| as u8 (|−128| = 128),  sy_b = sign(y_b, x_b) = (x_b < 0 ? −y_b : x_b = 0 ? 0 : y_b) wrapped to int8
 *   lane u (0..7) = Σ_(t<4) ax_(4u+t)·sy_(4u+t)      (int32; equals Σ x·y except where y = −128 meets x < 0)
 *   d = f32(fp16(x.d) · fp16(y.d));  acc_u = fma_f32(d, float(lane_u), acc_u)
 * Result: hsum_float_8(acc).
 */

import { f16BitsToF32 } from "../codec/float16.js";
import { Q4_0_BLOCK_BYTES, QK4_0 } from "../codec/q4_0.js";
import { Q8_0_BLOCK_BYTES } from "../codec/q8_0.js";
import { wrapToInt8 } from "../codec/rounding.js";
import { fmaF32 } from "./fma.js";
import { hsumF32x8 } from "./hsum.js";

const LANES = 8;

/** One byte pair through _mm256_sign_epi8 (both) and _mm256_dpbusd_epi32: u8(|x|)·s8(sign(y, x)). */
function signedPairProduct(x: number, y: number): number {
  const ax = x === -128 ? 128 : Math.abs(x);
  const sy = x < 0 ? wrapToInt8(-y) : x === 0 ? 0 : y;
  return ax * sy;
}

/** Σ over blocks as in the file comment; `level(block, j)` reads weight element j (signed). */
function dotQ8_0Avx2(
  weights: Uint8Array,
  weightBlockBytes: number,
  activations: Uint8Array,
  level: (weights: Uint8Array, base: number, j: number) => number,
): number {
  const blocks = weights.length / weightBlockBytes;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_0_BLOCK_BYTES) {
    throw new RangeError(
      `dot product: ${weights.length} weight bytes and ${activations.length} Q8_0 bytes are not the same number of blocks`,
    );
  }
  const acc = new Float32Array(LANES);
  for (let i = 0; i < blocks; i++) {
    const x = i * weightBlockBytes;
    const y = i * Q8_0_BLOCK_BYTES;
    const d = Math.fround(
      f16BitsToF32(weights[x] | (weights[x + 1] << 8)) * f16BitsToF32(activations[y] | (activations[y + 1] << 8)),
    );
    for (let u = 0; u < LANES; u++) {
      let lane = 0;
      for (let t = 0; t < 4; t++) {
        const j = 4 * u + t;
        lane += signedPairProduct(level(weights, x, j), wrapToInt8(activations[y + 2 + j]));
      }
      acc[u] = fmaF32(d, lane, acc[u]);
    }
  }
  return hsumF32x8(acc);
}

/**
 * ggml_vec_dot_q4_0_q8_0, x86 AVX2 path with AVX512-VNNI: Q4_0 Uint8Array[nb·18] · Q8_0 Uint8Array[nb·34] → float32.
 * Implements spec/formats.md §16.2.
 */
export function vecDotQ4_0Q8_0Avx2(weights: Uint8Array, activations: Uint8Array): number {
  const half = QK4_0 / 2;
  return dotQ8_0Avx2(weights, Q4_0_BLOCK_BYTES, activations, (w, base, j) =>
    j < half ? (w[base + 2 + j] & 0xf) - 8 : (w[base + 2 + j - half] >> 4) - 8,
  );
}

/**
 * ggml_vec_dot_q8_0_q8_0, x86 AVX2 path with AVX512-VNNI: Q8_0 Uint8Array[nb·34] · Q8_0 Uint8Array[nb·34] → float32.
 * Implements spec/formats.md §16.2.
 */
export function vecDotQ8_0Q8_0Avx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotQ8_0Avx2(weights, Q8_0_BLOCK_BYTES, activations, (w, base, j) => wrapToInt8(w[base + 2 + j]));
}
