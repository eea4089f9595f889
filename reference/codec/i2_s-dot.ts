/**
 * The I2_S · I8_S dot product: a row of 2-bit weight codes against an int8 activation row, as bitnet.cpp computes it.
 * Implements spec/bitnet.md §3.2–§3.4 (microsoft/BitNet src/ggml-bitnet-mad.cpp `ggml_vec_dot_i2_i8_s_1x1`, and the
 * scaling in Eddie-Wang1120/llama.cpp merge-dev ggml/src/ggml.c `ggml_compute_forward_mul_mat`).
 *
 *   sumi = Σ_j code_j · q_j             codes 0, 1, 2 unsigned (the −1 offset is not applied here), j < ⌊k/QK⌋·QK
 *   y    = f32(f32(f32(f32(sumi) − f32(act_sum)) / act_scale) · w_scale)      = Σ t_j·q_j · w_scale / act_scale
 *
 * Kernels (I2sDotKernel), each returning sumi and a report of its int16 lanes:
 *   "exact-x86" / "exact-arm": the exact integer sum over the x86 (QK 128) or ARM (QK 64) layout (what the NEON
 *                               dotprod path's int32 vdotq_s32 computes);
 *   "avx2-1x1": 16 int16 lanes; per 128-weight block, _mm256_maddubs_epi16 (u8·s8 pairs, SATURATING to int16) for each
 *               of the 4 planes, then _mm256_add_epi16 (WRAPPING) into the accumulator, over up to 32 blocks, then
 *               _mm256_madd_epi16 widens to int32;
 *   "neon-1x1": the NEON path without dotprod — 8 int16 lanes, vmlal_s8 (int8·int8 products, WRAPPING) over up to 32
 *               blocks of 64, then widened to int32.
 */

import { i2sBlockElements, i2sElementLocation, type I2sLayout, type I2sLocation } from "./i2_s.js";
import type { I8sRow } from "./i8_s.js";

/** The dot-product kernels the oracle emulates. */
export type I2sDotKernel = "exact-x86" | "exact-arm" | "avx2-1x1" | "neon-1x1";

/** Every kernel, in the order spec/bitnet.md §3.3 lists them. */
export const I2S_DOT_KERNELS: readonly I2sDotKernel[] = ["exact-x86", "exact-arm", "avx2-1x1", "neon-1x1"];

/** The I2_S layout each kernel reads. */
export const I2S_DOT_KERNEL_LAYOUT: Readonly<Record<I2sDotKernel, I2sLayout>> = {
  "exact-x86": "x86",
  "exact-arm": "arm",
  "avx2-1x1": "x86",
  "neon-1x1": "arm",
};

/** Blocks whose int16 partial sums share one accumulator before it is widened (the kernels' `group32_num`). */
export const I2S_BLOCKS_PER_INT16_GROUP = 32;

/** One int16 lane that saturated (maddubs) or wrapped (add_epi16 / vmlal_s8) in an emulated kernel. */
export interface I2sLaneEvent {
  readonly kind: "saturate" | "wrap";
  /** The 0-based block of the row (QK weights each) being accumulated when it happened. */
  readonly block: number;
  /** The int16 lane (0..15 for AVX2, 0..7 for NEON). */
  readonly lane: number;
  /** The mathematically exact value, and the int16 the lane holds instead. */
  readonly exact: number;
  readonly stored: number;
}

/** A row's dot product as a kernel computes it. */
export interface I2sRowDot {
  /** sumi as the kernel returns it (int32; `(float)sumi` is what it stores). */
  readonly sum: number;
  /** The exact Σ code·q over the same elements. */
  readonly exactSum: number;
  /** The first `limit` lane events, in the order they happened. */
  readonly events: readonly I2sLaneEvent[];
  /** How many lane events happened in all. */
  readonly eventCount: number;
}

/** Two's-complement wrap into int16. */
function wrap16(v: number): number {
  return (v << 16) >> 16;
}

/** Saturate into int16. */
function saturate16(v: number): number {
  return Math.max(-32768, Math.min(32767, v));
}

/**
 * One int16 lane of `_mm256_maddubs_epi16(a, b)`: a0·b0 + a1·b1 with a unsigned bytes (0..255), b signed (−128..127),
 * saturated to int16. Spec §3.3. For I2_S codes (a ≤ 3) |a0·b0 + a1·b1| ≤ 768, so it never saturates there.
 */
export function maddubsLane(a0: number, b0: number, a1: number, b1: number): number {
  return saturate16(a0 * b0 + a1 * b1);
}

/** Collects lane events, keeping the first `limit`. */
class LaneReport {
  readonly events: I2sLaneEvent[] = [];
  count = 0;
  constructor(private readonly limit: number) {}
  /** Record an event when `stored` differs from `exact`; return `stored`. */
  note(kind: "saturate" | "wrap", block: number, lane: number, exact: number, stored: number): number {
    if (stored !== exact) {
      this.count++;
      if (this.events.length < this.limit) this.events.push({ kind, block, lane, exact, stored });
    }
    return stored;
  }
}

/** The code of row element j (row-relative layout, k weights): (row[byte] >> shift) & 3. */
function codeAt(row: Uint8Array, location: I2sLocation): number {
  return (row[location.byte] >> location.shift) & 3;
}

/** Σ code_j·q_j over the ⌊k/QK⌋ full blocks of one row, exactly. Implements spec/bitnet.md §3.2. */
function exactRowSum(layout: I2sLayout, row: Uint8Array, q: Int8Array, k: number): number {
  const qk = i2sBlockElements(layout) as number;
  const shape = { rows: 1, cols: k };
  let sum = 0;
  for (let j = 0; j < Math.floor(k / qk) * qk; j++)
    sum += codeAt(row, i2sElementLocation(layout, shape, 0, j) as I2sLocation) * q[j];
  return sum;
}

/**
 * The blocks of one int16 accumulation: groups of 32 blocks, then one group of the rest (`group32_num` full groups,
 * then `la_num` = nb % 32 blocks). Yields the first block and the block count of each group.
 */
function int16Groups(blocks: number): { first: number; count: number }[] {
  const groups: { first: number; count: number }[] = [];
  for (let first = 0; first < blocks; first += I2S_BLOCKS_PER_INT16_GROUP) {
    groups.push({ first, count: Math.min(I2S_BLOCKS_PER_INT16_GROUP, blocks - first) });
  }
  return groups;
}

/**
 * `ggml_vec_dot_i2_i8_s_1x1`, AVX2 path, lane by lane (spec/bitnet.md §3.3). Block b (128 weights) is 32 bytes
 * x[32b..32b+31]; plane p (shift 6 − 2p) of byte i meets q[128b + 32p + i]; int16 lane l takes bytes 2l and 2l+1:
 *   m_p[l]  = sat16(c_p(2l)·q[128b+32p+2l] + c_p(2l+1)·q[128b+32p+2l+1])          (_mm256_maddubs_epi16)
 *   acc[l]  = wrap16(wrap16(acc[l] + wrap16(m_0[l] + m_1[l])) + wrap16(m_2[l] + m_3[l]))   (_mm256_add_epi16)
 * after each group of ≤ 32 blocks: accu32[m] += acc[2m] + acc[2m+1] (_mm256_madd_epi16 with ones), and
 * sumi = wrap32(Σ accu32) (hsum_i32_8).
 */
function avx2RowSum(row: Uint8Array, q: Int8Array, k: number, report: LaneReport): number {
  let sumi = 0;
  for (const group of int16Groups(Math.floor(k / 128))) {
    const acc = new Array<number>(16).fill(0);
    for (let b = group.first; b < group.first + group.count; b++) {
      const m = [0, 1, 2, 3].map((p) =>
        Array.from({ length: 16 }, (_, l) => {
          const [i0, i1] = [2 * l, 2 * l + 1];
          const [c0, c1] = [(row[32 * b + i0] >> (6 - 2 * p)) & 3, (row[32 * b + i1] >> (6 - 2 * p)) & 3];
          const [y0, y1] = [q[128 * b + 32 * p + i0], q[128 * b + 32 * p + i1]];
          return report.note("saturate", b, l, c0 * y0 + c1 * y1, maddubsLane(c0, y0, c1, y1));
        }),
      );
      for (let l = 0; l < 16; l++) {
        const s01 = report.note("wrap", b, l, m[0][l] + m[1][l], wrap16(m[0][l] + m[1][l]));
        acc[l] = report.note("wrap", b, l, acc[l] + s01, wrap16(acc[l] + s01));
        const s23 = report.note("wrap", b, l, m[2][l] + m[3][l], wrap16(m[2][l] + m[3][l]));
        acc[l] = report.note("wrap", b, l, acc[l] + s23, wrap16(acc[l] + s23));
      }
    }
    for (const lane of acc) sumi = (sumi + lane) | 0;
  }
  return sumi;
}

/**
 * `ggml_vec_dot_i2_i8_s_1x1`, NEON path without dotprod, lane by lane (spec/bitnet.md §3.3). Block b (64 weights) is
 * 16 bytes x[16b..16b+15]; plane p (shift 6 − 2p) of byte i meets q[64b + 16p + i]; int16 lane l takes bytes l and
 * l + 8 (vget_low / vget_high), one vmlal_s8 product at a time, in the order plane 0 low, plane 0 high, …, plane 3 high:
 *   acc[l] = wrap16(acc[l] + c·q)
 * after each group of ≤ 32 blocks: accu[m] += acc[m] + acc[m+4], and sumi = int32(Σ accu) (vaddlvq_s32 then `int`).
 */
function neonRowSum(row: Uint8Array, q: Int8Array, k: number, report: LaneReport): number {
  let sumi = 0;
  for (const group of int16Groups(Math.floor(k / 64))) {
    const acc = new Array<number>(8).fill(0);
    for (let b = group.first; b < group.first + group.count; b++) {
      for (let p = 0; p < 4; p++) {
        for (const half of [0, 8]) {
          for (let l = 0; l < 8; l++) {
            const product = ((row[16 * b + half + l] >> (6 - 2 * p)) & 3) * q[64 * b + 16 * p + half + l];
            acc[l] = report.note("wrap", b, l, acc[l] + product, wrap16(acc[l] + product));
          }
        }
      }
    }
    for (const lane of acc) sumi = (sumi + lane) | 0;
  }
  return sumi;
}

/**
 * One row's Σ code·q as `kernel` computes it, with the exact sum and its int16 lane events (at most `limit` kept).
 * row: the row's code bytes (from byte ⌊r·k/4⌋ of the tensor); q: Int8Array[≥ ⌊k/QK⌋·QK]. Only the ⌊k/QK⌋ full
 * blocks are read (a partial block is skipped by every kernel). Implements spec/bitnet.md §3.2–§3.3.
 */
export function i2sDotRowSum(kernel: I2sDotKernel, row: Uint8Array, q: Int8Array, k: number, limit = 64): I2sRowDot {
  const layout = I2S_DOT_KERNEL_LAYOUT[kernel];
  const qk = i2sBlockElements(layout) as number;
  if (q.length < Math.floor(k / qk) * qk) throw new RangeError(`I2_S dot: ${q.length} activations for k = ${k}`);
  const exactSum = exactRowSum(layout, row, q, k);
  const report = new LaneReport(limit);
  const sum =
    kernel === "avx2-1x1"
      ? avx2RowSum(row, q, k, report)
      : kernel === "neon-1x1"
        ? neonRowSum(row, q, k, report)
        : exactSum | 0;
  return { sum, exactSum, events: report.events, eventCount: report.count };
}

/**
 * merge-dev's scaling of a row sum (ggml.c: `tmp = (tmp - act_sums[i1]) / (act_scales[i1]) * (*scale)`), each step
 * rounded to float32 as C does: y = f32(f32(f32(f32(sumi) − f32(actSum)) / actScale) · weightScale).
 * Implements spec/bitnet.md §3.2.
 */
export function i2sDotOutput(sum: number, actSum: number, actScale: number, weightScale: number): number {
  const centered = Math.fround(Math.fround(sum) - Math.fround(actSum));
  return Math.fround(Math.fround(centered / actScale) * weightScale);
}

/** A matrix-vector product over an I2_S tensor: y per row, and each row's dot report. */
export interface I2sMatVec {
  readonly y: Float32Array;
  readonly rows: readonly I2sRowDot[];
}

/**
 * y = W·x for an I2_S weight W (rows × k, `bytes` of ⌊rows·k/4⌋ + 32) and a quantized activation row, as merge-dev's
 * mul_mat drives `kernel` (one row per call: row r's bytes start at ⌊r·k/4⌋, the weight scale is the float32 at
 * ⌊rows·k/4⌋). Implements spec/bitnet.md §3.2. → Float32Array[rows] and a report per row.
 */
export function i2sMatVec(
  kernel: I2sDotKernel,
  rows: number,
  k: number,
  bytes: Uint8Array,
  act: I8sRow,
  limit = 64,
): I2sMatVec {
  const scaleOffset = Math.floor((rows * k) / 4);
  if (bytes.length < scaleOffset + 4)
    throw new RangeError(`I2_S ${rows}×${k}: ${bytes.length} bytes, need ${scaleOffset + 4}`);
  const weightScale = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(scaleOffset, true);
  const y = new Float32Array(rows);
  const reports: I2sRowDot[] = [];
  for (let r = 0; r < rows; r++) {
    const report = i2sDotRowSum(kernel, bytes.subarray(Math.floor((r * k) / 4)), act.q, k, limit);
    reports.push(report);
    y[r] = i2sDotOutput(report.sum, act.sum, act.scale, weightScale);
  }
  return { y, rows: reports };
}
