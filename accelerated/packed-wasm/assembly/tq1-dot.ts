/**
 * TQ1_0 weight rows with 128-bit WebAssembly SIMD: the trits read straight from the packed bytes as the x86-64 AVX2
 * kernel ggml_vec_dot_tq1_0_q8_K reads them (reference/ggml-x86/tq-dot.ts vecDotTq1_0Q8KAvx2), and the TQ1_0 · Q8_K
 * dot in that kernel's lanes and float tail (spec/performance.md §2.1):
 *   lane16[k] = Σ_{e : (e mod 32) >> 1 = k} c_e·q_e − bsums[k]     (int16, wrapping)
 *   lane32[u] = lane16[2u] + lane16[2u+1];  acc[u] = fma_f32(f32(lane32[u]), f32(y.d · fp16(x.d)), acc[u])
 *   result    = hsum_float_8(acc)
 * Block layout (spec/formats.md §5.2): qs[0..32) holds trit n of element 32n + m in byte m; qs[32..48) trit n of
 * element 160 + 16n + j in byte 32 + j; qh[0..4) trit n of element 240 + 4n + j in byte 48 + j; d (fp16) at 52.
 * Trit n of byte b: the byte times 3^n mod 256 (byte lanes wrap, as the kernel's do), then the kernel's
 * t = subs_epu8(v, 1), a = avg_epu8(t, avg_epu8(t, 0)), trit = a >> 6 — WebAssembly has the same three byte
 * instructions (sub_sat_u, avgr_u, shr_u), so no multiply is needed.
 */

import { accumulateBlock, accumulatedSum, clearAccumulators } from "./fma-lanes";
import { f16ToF32 } from "./float16";
import { finishLanes, Q8K_BLOCK_BYTES, Q8K_BSUMS, Q8K_QS } from "./q8k";

/** Bytes per TQ1_0 block: qs[48] (5 trits a byte), qh[4] (4 trits a byte), d (fp16). */
export const TQ1_0_BLOCK_BYTES: i32 = 54;
/** Offset of the fp16 scale in a TQ1_0 block. */
export const TQ1_0_SCALE: i32 = 52;
/** Offset of qh. */
const TQ1_0_QH: i32 = 48;

/** Every byte lane times 3, mod 256. */
export function times3(bytes: v128): v128 {
  return i8x16.add(bytes, i8x16.add(bytes, bytes));
}

/** The AVX2 kernel's trit (0..2) of every byte lane v = byte·3^n mod 256: subs(v, 1), two averages, >> 6. */
export function tritsOfScaled(scaled: v128): v128 {
  const t = i8x16.sub_sat_u(scaled, i8x16.splat(1));
  return i8x16.shr_u(i8x16.avgr_u(t, i8x16.avgr_u(t, i8x16.splat(0))), 6);
}

/** The four qh bytes at `block + 48`, repeated, lane 4n + j holding byte j times 3^n (the order of elements 240..255). */
export function scaledQh(block: usize): v128 {
  const v = i32x4.splat(load<i32>(block + <usize>TQ1_0_QH));
  const v3 = times3(v);
  const v9 = times3(v3);
  const v27 = times3(v9);
  return i32x4.shuffle(i32x4.shuffle(v, v3, 0, 5, 2, 3), i32x4.shuffle(v9, v27, 0, 1, 2, 7), 0, 1, 6, 7);
}

/** Per-element-position sums of the last addTq1Block call (int16 lanes): m = 0..7, 8..15, 16..23, 24..31. */
let sumM0: v128 = i16x8.splat(0);
let sumM1: v128 = i16x8.splat(0);
let sumM2: v128 = i16x8.splat(0);
let sumM3: v128 = i16x8.splat(0);

/**
 * sumM0..sumM3[m] = Σ_{e mod 32 = m} (c_e − offset)·q_e for the TQ1_0 block at `block` and the 256 int8 q's at `q`;
 * `offset` (0 or 1, in every byte lane) makes the factor the code (the Q8_K dot) or the trit c − 1 (int8 codes).
 * Eight products a lane, each |·| ≤ 256: no int16 overflow. (Module globals: every thread has its own instance.)
 */
export function addTq1Block(block: usize, q: usize, offset: v128): void {
  let s0 = i16x8.splat(0);
  let s1 = i16x8.splat(0);
  let s2 = i16x8.splat(0);
  let s3 = i16x8.splat(0);
  let low = v128.load(block); // qs[0..16): trit n of elements 32n + m, m = 0..15
  let high = v128.load(block, 16); // qs[16..32): m = 16..31
  for (let n = 0; n < 5; n++) {
    const codesLow = i8x16.sub(tritsOfScaled(low), offset);
    const codesHigh = i8x16.sub(tritsOfScaled(high), offset);
    const qLow = v128.load(q + <usize>(32 * n));
    const qHigh = v128.load(q + <usize>(32 * n + 16));
    s0 = i16x8.add(s0, i16x8.extmul_low_i8x16_s(codesLow, qLow));
    s1 = i16x8.add(s1, i16x8.extmul_high_i8x16_s(codesLow, qLow));
    s2 = i16x8.add(s2, i16x8.extmul_low_i8x16_s(codesHigh, qHigh));
    s3 = i16x8.add(s3, i16x8.extmul_high_i8x16_s(codesHigh, qHigh));
    low = times3(low);
    high = times3(high);
  }
  let middle = v128.load(block, 32); // qs[32..48): trit n of elements 160 + 16n + j, e mod 32 = 16·(n mod 2) + j
  for (let n = 0; n < 5; n++) {
    const codes = i8x16.sub(tritsOfScaled(middle), offset);
    const qs = v128.load(q + <usize>(160 + 16 * n));
    if ((n & 1) == 0) {
      s0 = i16x8.add(s0, i16x8.extmul_low_i8x16_s(codes, qs));
      s1 = i16x8.add(s1, i16x8.extmul_high_i8x16_s(codes, qs));
    } else {
      s2 = i16x8.add(s2, i16x8.extmul_low_i8x16_s(codes, qs));
      s3 = i16x8.add(s3, i16x8.extmul_high_i8x16_s(codes, qs));
    }
    middle = times3(middle);
  }
  const codes = i8x16.sub(tritsOfScaled(scaledQh(block)), offset); // elements 240..255: e mod 32 = 16..31
  const qs = v128.load(q + 240);
  sumM0 = s0;
  sumM1 = s1;
  sumM2 = i16x8.add(s2, i16x8.extmul_low_i8x16_s(codes, qs));
  sumM3 = i16x8.add(s3, i16x8.extmul_high_i8x16_s(codes, qs));
}

/** Σ of every lane of the last addTq1Block call (int32). */
export function tq1BlockTotal(): i32 {
  const pairs = i32x4.add(
    i32x4.add(i32x4.extadd_pairwise_i16x8_s(sumM0), i32x4.extadd_pairwise_i16x8_s(sumM1)),
    i32x4.add(i32x4.extadd_pairwise_i16x8_s(sumM2), i32x4.extadd_pairwise_i16x8_s(sumM3)),
  );
  return (
    i32x4.extract_lane(pairs, 0) +
    i32x4.extract_lane(pairs, 1) +
    i32x4.extract_lane(pairs, 2) +
    i32x4.extract_lane(pairs, 3)
  );
}

/**
 * One TQ1_0 row (`blocks` blocks at `weights`) · one Q8_K row (at `activations`) → float32, bit for bit
 * ggml_vec_dot_tq1_0_q8_K (AVX2): pair lanes k = m >> 1 from the position sums, bsums subtracted in int16, the
 * float64x2 FMA tail of ternary-dot.ts.
 */
export function dotTq1_0Q8K(weights: usize, activations: usize, blocks: i32): f32 {
  clearAccumulators();
  const codes = i8x16.splat(0);
  for (let i = 0; i < blocks; i++) {
    const w = weights + <usize>(i * TQ1_0_BLOCK_BYTES);
    const y = activations + <usize>(i * Q8K_BLOCK_BYTES);
    addTq1Block(w, y + <usize>Q8K_QS, codes);
    const bsums = y + <usize>Q8K_BSUMS;
    const low = finishLanes(i32x4.extadd_pairwise_i16x8_s(sumM0), i32x4.extadd_pairwise_i16x8_s(sumM1), bsums);
    const high = finishLanes(i32x4.extadd_pairwise_i16x8_s(sumM2), i32x4.extadd_pairwise_i16x8_s(sumM3), bsums + 16);
    const d: f32 = load<f32>(y) * f16ToF32(<u32>load<u16>(w, TQ1_0_SCALE)); // f32(y.d · fp16(x.d))
    accumulateBlock(f32x4.convert_i32x4_s(low), f32x4.convert_i32x4_s(high), d); // exact: |lane| ≤ 2^17
  }
  return accumulatedSum();
}
