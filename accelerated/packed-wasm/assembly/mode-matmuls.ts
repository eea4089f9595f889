/**
 * The row kernel of TQ2_0, TQ1_0 and F16 in the f32 and int8-per-token modes
 * (spec/performance.md §2.1, §2.2), with index.ts's layout: W row r at weights + r·rowBytes; token b's activations
 * at activations + b·activationBytes; y[b, r] (float32) at out + 4·(b·rows + r).
 * `scales`: 0 in f32 mode (y = f32(Σ)); in int8-per-token mode the address of σ_b (float32, one per token), and
 * y = f32(Σ / σ_b), +0 where σ_b = 0 (an all-zero row: reference/model/activation-conversion.ts dotOutput).
 */

import { dotF16F32, dotTq1_0F32, dotTq1_0Int8, dotTq2_0F32, dotTq2_0Int8 } from "./float-sum-dot";
import { TQ1_0_BLOCK_BYTES } from "./tq1-dot";
import { TQ2_0_BLOCK_BYTES } from "./ternary-dot";

/** The float32 output of a float64 sum: f32(sum), or f32(sum / σ_b) (+0 for σ_b = 0) when `scales` ≠ 0. */
function output(sum: f64, scales: usize, b: i32): f32 {
  if (scales == 0) return <f32>sum;
  const sigma = load<f32>(scales + <usize>(4 * b));
  return sigma == 0 ? 0 : <f32>(sum / <f64>sigma);
}

/**
 * Which dot matmulFloatMode runs (every one: row at w, values at x, length in blocks or elements). The numbers are the
 * host's FLOAT_DOTS (accelerated/packed-wasm/mode-matmul.ts).
 */
const enum FloatDot {
  Tq2_0F32 = 0,
  Tq1_0F32 = 1,
  F16F32 = 2,
  Tq2_0Int8 = 3,
  Tq1_0Int8 = 4,
}

/**
 * The row kernel of the f32 and int8-per-token modes: y[b, r] = output(dot(W row r, token b), scales, b) for r in
 * [rowStart, rowEnd), b < batch, with the dot `dot` names (FloatDot): f32(Σ W·x) for TQ2_0, TQ1_0 and F16 W and float32
 * x in f32 mode; f32(Σ_i d_i·(T_i·q_b) / σ_b) for ternary W and int8 codes q_b in int8-per-token mode (F16 W takes the
 * codes as float32 through its f32 dot, with `scales`).
 */
export function matmulFloatMode(
  rowStart: i32,
  rowEnd: i32,
  dot: FloatDot,
  weights: usize,
  rowBytes: i32,
  rows: i32,
  activations: usize,
  activationBytes: i32,
  batch: i32,
  out: usize,
  scales: usize,
): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const w = weights + <usize>r * <usize>rowBytes;
    for (let b = 0; b < batch; b++) {
      const x = activations + <usize>(b * activationBytes);
      let sum: f64;
      if (dot == FloatDot.Tq2_0F32) sum = dotTq2_0F32(w, x, rowBytes / TQ2_0_BLOCK_BYTES);
      else if (dot == FloatDot.Tq1_0F32) sum = dotTq1_0F32(w, x, rowBytes / TQ1_0_BLOCK_BYTES);
      else if (dot == FloatDot.F16F32) sum = dotF16F32(w, x, rowBytes / 2);
      else if (dot == FloatDot.Tq2_0Int8) sum = dotTq2_0Int8(w, x, rowBytes / TQ2_0_BLOCK_BYTES);
      else sum = dotTq1_0Int8(w, x, rowBytes / TQ1_0_BLOCK_BYTES);
      store<f32>(out + <usize>(4 * (b * rows + r)), output(sum, scales, b));
    }
  }
}
