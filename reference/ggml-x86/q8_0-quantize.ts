/**
 * quantize_row_q8_0 as ggml's CPU backend runs it on x86-64 (ggml/src/ggml-cpu/arch/x86/quants.c, `__AVX2__` path):
 * the from_float that turns activations into Q8_0 before a Q4_0 or Q8_0 dot product. Not quantize_row_q8_0_ref
 * (spec/formats.md §7): the scale inverse and the rounding differ. Implements spec/formats.md §16.3.
 *
 * Per 32-element block:
 *   m_t    = max(max(max(|x_t|, |x_(8+t)|), |x_(16+t)|), |x_(24+t)|)        t = 0..7   (_mm256_max_ps)
 *   n_k    = max(m_(4+k), m_k)  k = 0..3;   amax = max(max(n_0, n_2), max(n_1, n_3))
 *            with max(a, b) = a > b ? a : b  (maxps returns its second operand on NaN or equality)
 *   d      = amax / 127 → fp16;   id = amax ≠ 0 ? 127 / amax : 0                     (float32)
 *   q_j    = sat_int8(sat_int16(cvtps_epi32(round_half_even(x_j · id))))             (NaN and |v| ≥ 2^31 → INT32_MIN)
 */

import { f32ToF16Bits } from "../codec/float16.js";
import { Q8_0_BLOCK_BYTES, QK8_0 } from "../codec/q8_0.js";
import { mapBlocks } from "../codec/row.js";

/** _mm_max_ps / _mm256_max_ps on one lane: the first operand only when it is strictly greater. */
function maxps(a: number, b: number): number {
  return a > b ? a : b;
}

/** _mm256_round_ps(v, _MM_ROUND_NEAREST) then _mm256_cvtps_epi32: ties to even, INT32_MIN when out of range or NaN. */
function roundToInt32(v: number): number {
  if (!(Math.abs(v) < 2 ** 31)) return -(2 ** 31);
  const floor = Math.floor(v);
  const rest = v - floor; // exact for a float32 v
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The two signed saturations of _mm256_packs_epi32 then _mm256_packs_epi16, as one clamp to int8. */
function saturateInt8(v: number): number {
  return Math.max(-128, Math.min(127, v));
}

/** One block x: Float32Array[32] → Uint8Array[34] (fp16 d, int8 qs). Implements spec/formats.md §16.3. */
export function quantizeQ8_0BlockAvx2(x: Float32Array): Uint8Array {
  const m = new Float32Array(8);
  for (let t = 0; t < 8; t++) {
    m[t] = maxps(maxps(maxps(Math.abs(x[t]), Math.abs(x[8 + t])), Math.abs(x[16 + t])), Math.abs(x[24 + t]));
  }
  const n = [0, 1, 2, 3].map((k) => maxps(m[4 + k], m[k]));
  const amax = maxps(maxps(n[0], n[2]), maxps(n[1], n[3]));
  const d = Math.fround(amax / 127);
  const id = amax !== 0 ? Math.fround(127 / amax) : 0;
  const block = new Uint8Array(Q8_0_BLOCK_BYTES);
  const scaleBits = f32ToF16Bits(d);
  block[0] = scaleBits & 0xff;
  block[1] = scaleBits >>> 8;
  for (let j = 0; j < QK8_0; j++) block[2 + j] = saturateInt8(roundToInt32(Math.fround(x[j] * id))) & 0xff;
  return block;
}

/** x: Float32Array[n], n a multiple of 32 → Uint8Array[n/32 · 34]. Implements spec/formats.md §16.3. */
export function quantizeRowQ8_0Avx2(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK8_0, Q8_0_BLOCK_BYTES, quantizeQ8_0BlockAvx2);
}
