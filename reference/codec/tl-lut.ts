/**
 * The arithmetic of bitnet.cpp's TL1 (ARM NEON) and TL2 (x86 AVX2) LUT kernels for one output row, as an
 * exact model: activation quantization, the int16 lookup tables, int16 sums per block, int32 across blocks,
 * the float epilogue. Implements spec/bitnet.md §4 and §5 (utils/codegen_tl1.py, codegen_tl2.py, microsoft/BitNet
 * 16da220a: `per_tensor_quant`, `lut_ctor` / `three_lut_ctor` / `two_lut_ctor`, `tbl_impl_*`, `qgemm_lut_*`).
 *
 *   lutScale = 127 / max|b|            float32, NO epsilon: max = 0 gives +inf (B10)
 *   q_j = round_even(f32(b_j · lutScale))     NEON vcvtnq_s32_f32: NaN → 0, saturating, then vmovn → int16 (wrap)
 *                                             AVX2 round_ps + cvtps_epi32: NaN / out of range → INT32_MIN
 *   LUT[idx] = Σ w_i·q_i                TL1: int16 arithmetic; TL2: int32 arithmetic, packs_epi32 → int16 (saturate)
 *   TL2 sign: (LUT[|v|] + s) ^ s, s = −1 for a negative triple (int16)
 *   block sum: int16 (wraps) over BK inputs (TL2's remainder: blocks of 32); CBits: int32 over blocks
 *   C = f32( f32( f32(CBits) / lutScale ) · Scale )
 */

import { tl1Pair } from "./tl1.js";
import { tl2Triple } from "./tl2.js";

/** Which kernel's arithmetic: TL1 is generated for ARM NEON, TL2 for x86 AVX2. */
export type TlKernel = "tl1" | "tl2";

/** The quantized activations of one row as the LUT builder sees them. */
export interface TlActivations {
  /** 127 / max|b| in float32 (+inf when max|b| = 0). */
  readonly lutScale: number;
  /** q_j: int16 for TL1 (after vmovn), int32 for TL2 (before packs). */
  readonly q: Int32Array;
}

/** The model's result for one output row. */
export interface TlRowResult {
  /** C: the kernel's float32 output. */
  readonly value: number;
  /** CBits: the int32 accumulator. */
  readonly cbits: number;
  /** Indices of the blocks whose int16 sum left [−32768, 32767] (the kernel's sum wrapped there). */
  readonly int16Overflow: number[];
  /** True when lutScale is not finite (all-zero or tiny activations: 127 / max overflowed). */
  readonly lutScaleInfinite: boolean;
}

const INT32_MIN = -2147483648;

/** Wrap to int16 (two's complement). */
function wrap16(v: number): number {
  return (v << 16) >> 16;
}

/** Saturate an int32 to int16 (`_mm256_packs_epi32`). */
function saturate16(v: number): number {
  return Math.max(-32768, Math.min(32767, v));
}

/** Round half to even of a float32 value. */
function roundEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff !== 0.5) return Math.round(v);
  return floor % 2 === 0 ? floor : floor + 1;
}

/** NEON `vcvtnq_s32_f32`: nearest, ties to even, NaN → 0, saturating to int32. */
function cvtnNeon(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.max(INT32_MIN, Math.min(2147483647, roundEven(v)));
}

/** AVX `_mm256_cvtps_epi32(_mm256_round_ps(v, nearest))`: ties to even; NaN or outside int32 → INT32_MIN. */
function cvtAvx(v: number): number {
  if (Number.isNaN(v)) return INT32_MIN;
  const r = roundEven(v);
  return r < INT32_MIN || r > 2147483647 ? INT32_MIN : r;
}

/**
 * max|b| as `per_tensor_quant` reduces it: NEON `vmaxq_f32` propagates NaN; AVX `_mm256_max_ps(|b|, max)`
 * returns its second operand when either is NaN, so NaN elements are skipped.
 */
function absMax(b: Float32Array, kernel: TlKernel): number {
  let max = 0;
  for (const v of b) {
    const a = Math.abs(v);
    if (kernel === "tl1") max = Number.isNaN(a) || Number.isNaN(max) ? NaN : Math.max(a, max);
    else max = a > max ? a : max;
  }
  return max;
}

/** `per_tensor_quant` and the conversions of the LUT builder. Implements spec/bitnet.md §4, §5. */
export function quantizeTlActivations(b: Float32Array, kernel: TlKernel): TlActivations {
  const lutScale = Math.fround(127 / absMax(b, kernel));
  const q = new Int32Array(b.length);
  for (let j = 0; j < b.length; j++) {
    const product = Math.fround(b[j] * lutScale);
    q[j] = kernel === "tl1" ? wrap16(cvtnNeon(product)) : cvtAvx(product);
  }
  return { lutScale, q };
}

/** Accumulates group contributions: int16 per block, int32 across blocks, noting overflowing blocks. */
class BlockAccumulator {
  cbits = 0;
  readonly overflow: number[] = [];
  private exact = 0;
  private block = 0;

  /** Add one int16 LUT value to the current block. */
  add(v: number): void {
    this.exact += v;
  }

  /** Close the block: wrap its sum to int16 (the kernel's int16 lanes) and add it to CBits as int32. */
  close(): void {
    const wrapped = wrap16(this.exact);
    if (wrapped !== this.exact) this.overflow.push(this.block);
    this.cbits = (this.cbits + wrapped) | 0;
    this.exact = 0;
    this.block++;
  }
}

/** C = f32(f32(f32(CBits) / lutScale) · scale). */
function epilogue(acc: BlockAccumulator, lutScale: number, scale: number): TlRowResult {
  const value = Math.fround(Math.fround(Math.fround(acc.cbits) / lutScale) * scale);
  return { value, cbits: acc.cbits, int16Overflow: acc.overflow, lutScaleInfinite: !Number.isFinite(lutScale) };
}

/**
 * One TL1 output row: weights [k] ternary, b [k] float32 activations, scale the tensor's `_scale`, BK the
 * tiling's input block. LUT entries are int16 (NEON int16x8 arithmetic on the narrowed q).
 * Implements spec/bitnet.md §4.
 */
export function tl1RowDot(weights: Int8Array, b: Float32Array, scale: number, BK: number): TlRowResult {
  if (weights.length !== b.length || b.length % BK !== 0)
    throw new Error(`TL1: k = ${b.length} weights/activations must match and be a multiple of BK = ${BK}`);
  const { lutScale, q } = quantizeTlActivations(b, "tl1");
  const acc = new BlockAccumulator();
  for (let j = 0; j < b.length; j += 2) {
    const [w0, w1] = tl1Pair(3 * weights[j] + weights[j + 1] + 4);
    acc.add(wrap16(w0 * q[j] + w1 * q[j + 1]));
    if ((j + 2) % BK === 0) acc.close();
  }
  return epilogue(acc, lutScale, scale);
}

/** TL2's three-weight LUT entry for |v|, then the sign: int32 sums, packs to int16, (e + s) ^ s. */
function tl2ThreeValue(v: number, q0: number, q1: number, q2: number): number {
  const [d0, d1, d2] = tl2Triple(Math.abs(v));
  const entry = saturate16((d0 * q0 + d1 * q1 + d2 * q2) | 0);
  return v < 0 ? wrap16(-entry) : entry;
}

/**
 * One TL2 output row: weights [k] ternary (k3 = k − k mod BK in triples, the rest in pairs), b [k] float32
 * activations, scale the `_scale` value. Triples are summed in int16 per BK block, the remainder's pairs per
 * 32 inputs (BK2). Implements spec/bitnet.md §5.
 */
export function tl2RowDot(weights: Int8Array, b: Float32Array, scale: number, BK: number): TlRowResult {
  const k = b.length;
  const k3 = k - (k % BK);
  if (weights.length !== k || (k - k3) % 32 !== 0 || BK % 3 !== 0)
    throw new Error(`TL2: k = ${k} and BK = ${BK} do not split into triples and 32-input pair blocks`);
  const { lutScale, q } = quantizeTlActivations(b, "tl2");
  const acc = new BlockAccumulator();
  for (let j = 0; j < k3; j += 3) {
    const v = 9 * weights[j] + 3 * weights[j + 1] + weights[j + 2];
    acc.add(tl2ThreeValue(v, q[j], q[j + 1], q[j + 2]));
    if ((j + 3) % BK === 0) acc.close();
  }
  for (let j = k3; j < k; j += 2) {
    acc.add(saturate16((weights[j] * q[j] + weights[j + 1] * q[j + 1]) | 0));
    if ((j + 2 - k3) % 32 === 0) acc.close();
  }
  return epilogue(acc, lutScale, scale);
}
