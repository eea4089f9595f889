/**
 * I8_S: bitnet.cpp's activation row for the I2_S dot product — int8 values, one float32 scale per row and the row's
 * sum. Implements spec/bitnet.md §3.1 (Eddie-Wang1120/llama.cpp branch merge-dev, ggml/src/ggml-quants.c
 * `quantize_row_i8_s`, called once per activation row / token by ggml.c's mul_mat).
 *
 *   max   = MAX(1e-5, |x_0|, …, |x_{n−1}|)      in double, MAX(a, b) = a > b ? a : b
 *   s     = float(127 / max)                   the act_scale (q ≈ x · s)
 *   q_i   = clamp(nearest_int(float(x_i · s)), −128, 127)   nearest_int: ties to even (the 12582912 trick)
 *   sum   = Σ q_i                               int32, the act_sum the dot product subtracts
 */

import { nearestInt } from "./rounding.js";

/** The double the running maximum starts from (`double min = 0.00001`). */
export const I8S_MAX_FLOOR = 0.00001;

/** One quantized activation row. */
export interface I8sRow {
  /** q_i, Int8Array[n]. */
  readonly q: Int8Array;
  /** act_scale = float(127 / max): the factor x was multiplied by. */
  readonly scale: number;
  /** act_sum = Σ q_i (int32). */
  readonly sum: number;
}

/**
 * The running maximum exactly as merge-dev writes it: max = MAX(max, fabs(x)) with the macro a > b ? a : b — a NaN
 * element replaces max (NaN > … is false) and the next element replaces a NaN max, so only a NaN at the end survives.
 * Implements spec/bitnet.md §3.1.
 */
export function i8sRowMax(x: Float32Array): number {
  let max = I8S_MAX_FLOOR;
  for (const v of x) {
    const magnitude = Math.abs(v);
    max = max > magnitude ? max : magnitude;
  }
  return max;
}

/**
 * merge-dev's `quantize_row_i8_s(x, y, n, act_scales, act_sums)`, bit for bit (spec/bitnet.md §3.1): scale =
 * float(127 / max) (the division in double, then rounded to float), q = clamp(nearest_int(float(x·scale))).
 * x: Float32Array[n] → I8sRow.
 */
export function quantizeRowI8s(x: Float32Array): I8sRow {
  const scale = Math.fround(127 / i8sRowMax(x));
  const q = new Int8Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.min(127, Math.max(-128, nearestInt(Math.fround(x[i] * scale))));
    q[i] = v;
    sum = (sum + v) | 0;
  }
  return { q, scale, sum };
}
