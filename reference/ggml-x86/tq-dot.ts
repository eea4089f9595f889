/**
 * TQ1_0 / TQ2_0 weight row · Q8_K activation row, exactly as the x86-64 AVX2 kernels
 * ggml_vec_dot_tq1_0_q8_K and ggml_vec_dot_tq2_0_q8_K (ggml/src/ggml-cpu/arch/x86/quants.c) compute
 * it in a GCC build, which contracts the kernel's `_mm256_add_ps(_mm256_mul_ps(…), sumf)` into an
 * FMA. They are the only x86 SIMD versions, so AVX2 and AVX-512 builds agree.
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 * Per 256-element block i (code c_e ∈ 0..3 is the stored trit, weight = c_e − 1; q_e the int8 activation):
 *   int16 lane k (k = 0..15) = Σ over the even e with (e mod 32) >> 1 = k of
 *                                c_e·q_e + c_(e+1)·q_(e+1)             (_mm256_maddubs_epi16)
 *                              − bsums[k]                              (int16 arithmetic, wrapping)
 *   int32 lane u (u = 0..7)  = lane16[2u] + lane16[2u+1]              (_mm256_madd_epi16 with ones)
 *   d_i                      = f32(y.d · fp16_to_f32(x.d))
 *   acc_u                    = fma_f32(float(lane32_u), d_i, acc_u)   (float32 lanes across blocks)
 * Result: hsum_float_8(acc) = ((acc0+acc4) + (acc2+acc6)) + ((acc1+acc5) + (acc3+acc7)).
 * Every y register load is 32-aligned in the block, so element e always lands in byte (e mod 32)
 * of some register: that is what ties an element to its lanes above.
 * maddubs saturates its pair sums to int16, which cannot happen here (codes ≤ 3, |q| ≤ 128, so
 * |pair| ≤ 768). The int16 lane sums wrap only for inconsistent bsums (|lane16| ≤ 8·768 + 2048
 * otherwise); the wrap is kept so arbitrary bytes give the kernel's result. Non-finite scales
 * propagate as IEEE float32 arithmetic does (0·inf = NaN, …).
 */

import { f16BitsToF32 } from "../codec/float16.js";
import { QK_K } from "../codec/ggml-type.js";
import { Q8_K_BLOCK_BYTES } from "../codec/q8_k.js";
import { TQ1_0_BLOCK_BYTES, TQ1_0_ELEMENT_POSITIONS, TQ1_0_SCALE_OFFSET } from "../codec/tq1_0.js";
import { TQ2_0_BLOCK_BYTES, TQ2_0_ELEMENT_POSITIONS, TQ2_0_SCALE_OFFSET } from "../codec/tq2_0.js";
import { fmaF32 } from "./fma.js";
import { hsumF32x8 } from "./hsum.js";

/** Byte offsets inside a 292-byte block_q8_K: float d, int8 qs[256], int16 bsums[16]. */
const Q8K_QS_OFFSET = 4;
const Q8K_BSUMS_OFFSET = 260;
const INT16_LANES = 16;
const INT32_LANES = 8; // __m256i of int32 / __m256 of float32

/** Wrap to int16 (`_mm256_add_epi16` / `_mm256_sub_epi16`). */
function wrapInt16(x: number): number {
  return (x << 16) >> 16;
}

/**
 * The AVX2 TQ1_0 trit extraction for a byte already multiplied by 3^n (mod 256):
 *   t = subs_epu8(b, 1);  a = avg_epu8(t, avg_epu8(t, 0));  trit = (a >> 6) & 3
 * where avg_epu8(x, y) = (x + y + 1) >> 1. Equal to ((b · 3) >> 8) for every byte (checked by the tests).
 */
function tritOfScaledByte(scaled: number): number {
  const t = scaled === 0 ? 0 : scaled - 1;
  const a = (t + ((t + 1) >> 1) + 1) >> 1;
  return (a >> 6) & 3;
}

/**
 * TRIT_TABLE[n·256 + byte] = trit n of a packed byte: the kernel's shifts, masks and adds give (byte·3^n) mod 256.
 * Read-only (a plain array: V8 reads frozen arrays slowly).
 */
const TRIT_TABLE: readonly number[] = Array.from({ length: 5 * 256 }, (_, i) =>
  tritOfScaledByte(((i % 256) * 3 ** Math.floor(i / 256)) & 0xff),
);

/**
 * Fill codes[0..256) with the trit codes (0..2) of a TQ1_0 block, in element order: element e is trit n of
 * byte b, (b, n) from the codec's map (spec/formats.md §5.2), extracted as the kernel does.
 */
function decodeTq1Codes(block: Uint8Array, codes: Uint8Array): void {
  for (let e = 0; e < QK_K; e++) {
    const { byte, trit } = TQ1_0_ELEMENT_POSITIONS[e];
    codes[e] = TRIT_TABLE[trit * 256 + block[byte]];
  }
}

/**
 * Fill codes[0..256) with the 2-bit codes (0..3) of a TQ2_0 block, in element order: (qs[b] >> s) & 3 with
 * (b, s) from the codec's map (spec/formats.md §4.2).
 */
function decodeTq2Codes(block: Uint8Array, codes: Uint8Array): void {
  for (let e = 0; e < QK_K; e++) {
    const { byte, shift } = TQ2_0_ELEMENT_POSITIONS[e];
    codes[e] = (block[byte] >> shift) & 3;
  }
}

/** Σ over blocks as in the file comment. weights: nb blocks of blockBytes; activations: nb · 292 bytes. */
function dotTernaryQ8KAvx2(
  weights: Uint8Array,
  activations: Uint8Array,
  blockBytes: number,
  scaleOffset: number,
  decodeCodes: (block: Uint8Array, codes: Uint8Array) => void,
): number {
  const blocks = weights.length / blockBytes;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_K_BLOCK_BYTES) {
    throw new RangeError(
      `dot product: ${weights.length} weight bytes and ${activations.length} Q8_K bytes are not the same number of blocks`,
    );
  }
  const view = new DataView(activations.buffer, activations.byteOffset, activations.byteLength);
  const acc = new Float32Array(INT32_LANES); // __m256 sumf
  const codes = new Uint8Array(QK_K); // the block's codes, in element order
  const lane16 = new Int32Array(INT16_LANES);
  for (let i = 0; i < blocks; i++) {
    const block = weights.subarray(i * blockBytes, (i + 1) * blockBytes);
    const y = i * Q8_K_BLOCK_BYTES;
    decodeCodes(block, codes);
    lane16.fill(0);
    for (let e = 0; e < QK_K; e += 2) {
      const q0 = (activations[y + Q8K_QS_OFFSET + e] << 24) >> 24;
      const q1 = (activations[y + Q8K_QS_OFFSET + e + 1] << 24) >> 24;
      const k = (e & 31) >> 1;
      lane16[k] = wrapInt16(lane16[k] + codes[e] * q0 + codes[e + 1] * q1); // |pair| ≤ 768: no saturation
    }
    for (let k = 0; k < INT16_LANES; k++)
      lane16[k] = wrapInt16(lane16[k] - view.getInt16(y + Q8K_BSUMS_OFFSET + 2 * k, true));
    const d = Math.fround(view.getFloat32(y, true) * f16BitsToF32(block[scaleOffset] | (block[scaleOffset + 1] << 8)));
    for (let u = 0; u < INT32_LANES; u++) acc[u] = fmaF32(lane16[2 * u] + lane16[2 * u + 1], d, acc[u]);
  }
  return hsumF32x8(acc);
}

/**
 * ggml_vec_dot_tq2_0_q8_K, x86 AVX2 build: TQ2_0 weights Uint8Array[nb·66] · Q8_K activations
 * Uint8Array[nb·292] → float32. Implements spec/forward.md §9.
 */
export function vecDotTq2_0Q8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotTernaryQ8KAvx2(weights, activations, TQ2_0_BLOCK_BYTES, TQ2_0_SCALE_OFFSET, decodeTq2Codes);
}

/**
 * ggml_vec_dot_tq1_0_q8_K, x86 AVX2 build: TQ1_0 weights Uint8Array[nb·54] · Q8_K activations
 * Uint8Array[nb·292] → float32. Implements spec/forward.md §9.
 */
export function vecDotTq1_0Q8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotTernaryQ8KAvx2(weights, activations, TQ1_0_BLOCK_BYTES, TQ1_0_SCALE_OFFSET, decodeTq1Codes);
}

/** Trit n (0..4) of a TQ1_0 byte as the AVX2 kernel extracts it (exported for the tests). Spec §9. */
export function tq1TritAvx2(byte: number, n: number): number {
  return TRIT_TABLE[n * 256 + (byte & 0xff)];
}
