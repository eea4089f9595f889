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
import { TQ2_0_BLOCK_BYTES, TQ2_0_SCALE_OFFSET } from "../codec/tq2_0.js";
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
 * lane16[k] += Σ c_e·q_e over the elements e of the TQ1_0 block at byte `block` of `weights` with (e mod 32) >> 1 = k,
 * q_e = q[qs + e]: c_e is trit n of byte b, (b, n) from the codec's map (spec/formats.md §5.2), extracted as the
 * kernel does (TRIT_TABLE).
 */
function addTq1BlockLanes(weights: Uint8Array, block: number, q: Int8Array, qs: number, lane16: Int32Array): void {
  for (let e = 0; e < QK_K; e++) {
    const { byte, trit } = TQ1_0_ELEMENT_POSITIONS[e];
    lane16[(e & 31) >> 1] += TRIT_TABLE[trit * 256 + weights[block + byte]] * q[qs + e];
  }
}

/**
 * lane16[k] += Σ c_e·q_e over the elements e of the TQ2_0 block at byte `block` of `weights` with (e mod 32) >> 1 = k,
 * q_e = q[qs + e], read straight from the packed bytes (spec/formats.md §4.2): byte 32·h + m (h = 0..1, m = 0..31)
 * holds the codes of elements 128·h + 32·s + m at bits 2·s (s = 0..3), and all four land in lane m >> 1; lane k
 * takes bytes m = 2k and 2k + 1 of each half h.
 */
function addTq2BlockLanes(weights: Uint8Array, block: number, q: Int8Array, qs: number, lane16: Int32Array): void {
  for (let h = 0; h < 2; h++) {
    for (let k = 0; k < INT16_LANES; k++) {
      const b0 = weights[block + 32 * h + 2 * k]; // codes of elements 128·h + 32·s + 2k, s = 0..3
      const b1 = weights[block + 32 * h + 2 * k + 1]; // codes of elements 128·h + 32·s + 2k + 1
      const e = qs + 128 * h + 2 * k; // q of element 128·h + 2k
      const s0 = (b0 & 3) * q[e] + (b1 & 3) * q[e + 1];
      const s1 = ((b0 >> 2) & 3) * q[e + 32] + ((b1 >> 2) & 3) * q[e + 33];
      const s2 = ((b0 >> 4) & 3) * q[e + 64] + ((b1 >> 4) & 3) * q[e + 65];
      const s3 = (b0 >> 6) * q[e + 96] + (b1 >> 6) * q[e + 97];
      lane16[k] += s0 + s1 + s2 + s3;
    }
  }
}

/** Σ over blocks as in the file comment. weights: nb blocks of blockBytes; activations: nb · 292 bytes. */
function dotTernaryQ8KAvx2(
  weights: Uint8Array,
  activations: Uint8Array,
  blockBytes: number,
  scaleOffset: number,
  addBlockLanes: (weights: Uint8Array, block: number, q: Int8Array, qs: number, lane16: Int32Array) => void,
): number {
  const blocks = weights.length / blockBytes;
  if (!Number.isInteger(blocks) || activations.length !== blocks * Q8_K_BLOCK_BYTES) {
    throw new RangeError(
      `dot product: ${weights.length} weight bytes and ${activations.length} Q8_K bytes are not the same number of blocks`,
    );
  }
  const view = new DataView(activations.buffer, activations.byteOffset, activations.byteLength);
  const q = new Int8Array(activations.buffer, activations.byteOffset, activations.byteLength); // qs as int8 (a view)
  const acc = new Float32Array(INT32_LANES); // __m256 sumf
  const lane16 = new Int32Array(INT16_LANES);
  for (let i = 0; i < blocks; i++) {
    const block = i * blockBytes; // byte offset of weight block i
    const qs = i * Q8_K_BLOCK_BYTES + Q8K_QS_OFFSET;
    lane16.fill(0);
    // |pair| ≤ 768: no saturation. The int16 wrap is taken once per lane below: wrapping is reduction mod 2^16, so
    // wrapping after every add, as the kernel's int16 lanes do, gives the same lane (8 pairs a lane: |sum| ≤ 8·768).
    addBlockLanes(weights, block, q, qs, lane16);
    const bsums = i * Q8_K_BLOCK_BYTES + Q8K_BSUMS_OFFSET;
    for (let k = 0; k < INT16_LANES; k++) lane16[k] = wrapInt16(lane16[k] - view.getInt16(bsums + 2 * k, true));
    const xd = f16BitsToF32(weights[block + scaleOffset] | (weights[block + scaleOffset + 1] << 8));
    const d = Math.fround(view.getFloat32(i * Q8_K_BLOCK_BYTES, true) * xd);
    for (let u = 0; u < INT32_LANES; u++) acc[u] = fmaF32(lane16[2 * u] + lane16[2 * u + 1], d, acc[u]);
  }
  return hsumF32x8(acc);
}

/**
 * ggml_vec_dot_tq2_0_q8_K, x86 AVX2 build: TQ2_0 weights Uint8Array[nb·66] · Q8_K activations
 * Uint8Array[nb·292] → float32. Implements spec/forward.md §9.
 */
export function vecDotTq2_0Q8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotTernaryQ8KAvx2(weights, activations, TQ2_0_BLOCK_BYTES, TQ2_0_SCALE_OFFSET, addTq2BlockLanes);
}

/**
 * ggml_vec_dot_tq1_0_q8_K, x86 AVX2 build: TQ1_0 weights Uint8Array[nb·54] · Q8_K activations
 * Uint8Array[nb·292] → float32. Implements spec/forward.md §9.
 */
export function vecDotTq1_0Q8KAvx2(weights: Uint8Array, activations: Uint8Array): number {
  return dotTernaryQ8KAvx2(weights, activations, TQ1_0_BLOCK_BYTES, TQ1_0_SCALE_OFFSET, addTq1BlockLanes);
}

/** Trit n (0..4) of a TQ1_0 byte as the AVX2 kernel extracts it (exported for the tests). Spec §9. */
export function tq1TritAvx2(byte: number, n: number): number {
  return TRIT_TABLE[n * 256 + (byte & 0xff)];
}
