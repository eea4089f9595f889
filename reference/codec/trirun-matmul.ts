/**
 * What TriRun's kernel computes, C = A · W (trirun/trirun_cuda_kernel.cu), for one thread block that owns
 * a whole column slice: fp16 A times the decoded ternary weights, exact products, float32 sums in k order,
 * the scale where each mode applies it, fp16 output. Implements spec/trirun.md §8.1 and §8.2.
 *
 *   A = x: Uint16Array fp16 bits [m × k] row-major     W: TrirunMatrix (codes [k × n], scales [rows × n])
 *   C = y: Uint16Array fp16 bits [m × n] row-major
 *
 * The kernel's other launches differ only in summation order and in fp16 partial sums between thread
 * blocks (spec/trirun.md §8.3); spec/tolerances.md §10 bounds that difference around trirunMatmulExact.
 */

import { f16BitsToF32, f32ToF16Bits, roundToF16 } from "./float16.js";
import {
  assertTrirunShape,
  TRIRUN_GROUP_SIZE,
  trirunScaleRows,
  trirunScalesPerColumn,
  type TrirunMatrix,
} from "./trirun.js";
import { trirunDecodeCode } from "./trirun-dequant.js";

/** Throw a RangeError unless x holds m rows of k fp16 values and the matrix arrays match its shape. */
function assertMatmulOperands(weights: TrirunMatrix, x: Uint16Array, m: number): void {
  assertTrirunShape(weights);
  const { k, n } = weights;
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`TriRun matmul: m = ${m} must be a non-negative integer`);
  if (x.length !== m * k) throw new RangeError(`TriRun matmul: x has ${x.length} values, expected m·k = ${m * k}`);
  if (weights.codes.length !== k * n)
    throw new RangeError(`TriRun matmul: codes has ${weights.codes.length} entries, expected ${k * n}`);
  const scaleCount = trirunScaleRows(weights) * n;
  if (weights.scales.length !== scaleCount) {
    throw new RangeError(`TriRun matmul: scales has ${weights.scales.length} entries, expected ${scaleCount}`);
  }
}

/**
 * The weights each MMA multiplies, as float32 values [k × n] (row kIndex, column nIndex):
 *   per column (one scale row: groupSize −1, or k = 128): w = t = code − 1           (dequant, spec/trirun.md §7; the scale waits for the output)
 *   grouped (128):             w = fp16(t · s[kIndex/128][n])  (scale(): __hmul2, one fp16 rounding — exact
 *                                                             except where 2·s overflows to ±inf for code 3)
 * Implements spec/trirun.md §8.1, §8.2.
 */
export function trirunEffectiveWeights(weights: TrirunMatrix): Float32Array {
  const { k, n, codes, scales } = weights;
  const perColumn = trirunScalesPerColumn(weights);
  const w = new Float32Array(k * n);
  for (let kIndex = 0; kIndex < k; kIndex++) {
    const group = Math.floor(kIndex / TRIRUN_GROUP_SIZE);
    for (let nIndex = 0; nIndex < n; nIndex++) {
      const t = trirunDecodeCode(codes[kIndex * n + nIndex]);
      w[kIndex * n + nIndex] = perColumn ? t : roundToF16(t * f16BitsToF32(scales[group * n + nIndex]));
    }
  }
  return w;
}

/**
 * TriRun's matmul as one thread block with one slice computes it (spec/trirun.md §8.1, §8.2):
 *   acc = Σ_kIndex fl32(acc + x[b][kIndex] · w[kIndex][n])   in k order; every product is exact in float32
 *                                                           (fp16 × {−1,0,1,2}, or fp16 × fp16: 22 bits)
 *   per column: y[b][n] = fp16(fp16(acc) · s[n])   write_result: __float2half, then __hmul2 (one rounding
 *                                                  of the exact product)
 *   grouped:    y[b][n] = fp16(acc)                write_result: __float2half
 * x: fp16 bits [m × k]; returns fp16 bits [m × n].
 */
export function trirunMatmul(weights: TrirunMatrix, x: Uint16Array, m: number): Uint16Array {
  assertMatmulOperands(weights, x, m);
  const { k, n, scales } = weights;
  const perColumn = trirunScalesPerColumn(weights);
  const w = trirunEffectiveWeights(weights); // [k × n]
  const xValues = Float32Array.from(x, f16BitsToF32); // [m × k]
  const y = new Uint16Array(m * n); // [m × n]
  for (let b = 0; b < m; b++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      let acc = 0; // float32 accumulator (frag_c)
      for (let kIndex = 0; kIndex < k; kIndex++) {
        acc = Math.fround(acc + xValues[b * k + kIndex] * w[kIndex * n + nIndex]);
      }
      y[b * n + nIndex] = perColumn ? f32ToF16Bits(roundToF16(acc) * f16BitsToF32(scales[nIndex])) : f32ToF16Bits(acc);
    }
  }
  return y;
}

/**
 * The centre of spec/tolerances.md §10: TriRun's result without the kernel's roundings, in float64 [m × n]:
 *   per column: Σ_kIndex x·t, then · s[n]   (no fp16 rounding of the sum or of the output)
 *   grouped:    Σ_kIndex x·w, w = fp16(t·s)  (the weight rounding is the mode's own: every launch multiplies
 *                                          the same fp16 w; no rounding of the sum or of the output)
 * Products are exact in float64; the sum runs in k order in float64. Per column it is exact whenever
 * Σ|x·t| ≤ 2^29 (every term is a multiple of 2^-24, so every partial sum an integer multiple below 2^53
 * of it), which holds for k ≤ 4096; otherwise, and in grouped mode (terms are multiples of 2^-48 up to 2^32),
 * it is within γ⁽⁶⁴⁾_k · Σ|x·w|, and the per-column product · s adds one float64 rounding (u₆₄ relative).
 * spec/tolerances.md §10 adds both to the bound. Implements spec/trirun.md §8.1, §8.2.
 */
export function trirunMatmulExact(weights: TrirunMatrix, x: Uint16Array, m: number): Float64Array {
  assertMatmulOperands(weights, x, m);
  const { k, n, scales } = weights;
  const perColumn = trirunScalesPerColumn(weights);
  const w = trirunEffectiveWeights(weights); // [k × n]
  const xValues = Float64Array.from(x, f16BitsToF32); // [m × k]
  const center = new Float64Array(m * n); // [m × n]
  for (let b = 0; b < m; b++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      let sum = 0;
      for (let kIndex = 0; kIndex < k; kIndex++) sum += xValues[b * k + kIndex] * w[kIndex * n + nIndex];
      center[b * n + nIndex] = perColumn ? sum * f16BitsToF32(scales[nIndex]) : sum;
    }
  }
  return center;
}
