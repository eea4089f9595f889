/**
 * The I2_S matmul a kernel is judged against: y[i, r] = Σ_c t(r, c)·x[i, c] · α with x quantized per row to I8_S,
 * every weight read through the tensor's own element map (so every layout, and k % QK ≠ 0, mean what the file stores).
 * Implements spec/tolerances.md §12.1 (the sum of spec/bitnet.md §3.2 over unpackI2s's codes, merge-dev's scaling).
 *
 *   W     I2_S bytes, n rows (outputs) × k columns (inputs), layout x86 | arm | 1x4      ⌊n·k/4⌋ + 32 bytes
 *   act_i quantizeRowI8s(x[i, :])  → q_i Int8Array[k], σ_i = act_scale, A_i = act_sum
 *   S     = Σ_c code(r, c) · q_i[c]                                                    int32, exact
 *   y     = f32(f32(f32(S) − f32(A_i)) / σ_i) · α)                                       i2sDotOutput
 */

import { unpackI2s, type I2sLayout } from "./i2_s.js";
import { i2sDotOutput } from "./i2_s-dot.js";
import type { I8sRow } from "./i8_s.js";

/** An I2_S matmul's exact integer sums and float32 outputs, both [m × n] row-major (activation row i, weight row r). */
export interface I2sMatmulResult {
  /** S[i·n + r] = Σ_c code(r, c)·q_i[c], exact (codes 0, 1, 2: the −1 offset is act_sum's). */
  readonly sums: Float64Array;
  /** S − A_i = Σ_c t(r, c)·q_i[c], the integer the output stands for. */
  readonly centered: Float64Array;
  /** y[i·n + r], float32 in merge-dev's order. */
  readonly y: Float32Array;
  /** α, the float32 weight scale at byte ⌊n·k/4⌋. */
  readonly weightScale: number;
}

/**
 * y = W·xᵀ for an I2_S weight (`rows` = n outputs × `cols` = k inputs) and quantized activation rows, every weight read
 * through `layout`'s element map (unpackI2s). Implements spec/tolerances.md §12.1. The layout must store every element
 * (n·k a multiple of QK for x86 / arm): RangeError otherwise.
 */
export function i2sMatmul(
  layout: I2sLayout,
  shape: { readonly rows: number; readonly cols: number },
  bytes: Uint8Array,
  acts: readonly I8sRow[],
): I2sMatmulResult {
  const tensor = unpackI2s(layout, shape, bytes);
  const { rows: n, cols: k } = shape;
  if (tensor.codes.length !== n * k)
    throw new RangeError(`I2_S ${layout} ${n}×${k}: only ${tensor.codes.length} of ${n * k} weights are stored`);
  const m = acts.length;
  const sums = new Float64Array(m * n);
  const centered = new Float64Array(m * n);
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const { q, sum: actSum, scale: actScale } = acts[i];
    if (q.length !== k) throw new RangeError(`I2_S matmul: activation row ${i} has ${q.length} values, k = ${k}`);
    for (let r = 0; r < n; r++) {
      let s = 0; // Σ code·q, exact (|s| ≤ 2·128·k < 2^53)
      for (let c = 0; c < k; c++) s += tensor.codes[r * k + c] * q[c];
      sums[i * n + r] = s;
      centered[i * n + r] = s - actSum;
      y[i * n + r] = i2sDotOutput(s, actSum, actScale, tensor.scale);
    }
  }
  return { sums, centered, y, weightScale: tensor.scale };
}
