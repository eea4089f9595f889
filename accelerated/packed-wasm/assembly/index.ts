/**
 * The packed-wasm engine's exports: matrix × activation-batch loops over the packed weight bytes, one output row
 * range [rowStart, rowEnd) per call so that threads can split the rows (accelerated/packed-wasm/engine.ts).
 * Layout of every call: W row r at weights + r·rowBytes; token b's activations at activations + b·activationBytes;
 * y[b, r] (float32) at out + 4·(b·rows + r). The engine never allocates: every pointer comes from the host.
 */

import { dotF16Ggml, dotF16TinyBlas } from "./float16-dot";
export { f16AllFinite } from "./float16-dot";
import { Q8K_BLOCK_BYTES } from "./q8k";
import { dotQ6KQ8K, Q6_K_BLOCK_BYTES } from "./q6k-dot";
import { dotTq2_0Q8K, TQ2_0_BLOCK_BYTES } from "./ternary-dot";
import { dotTq1_0Q8K, TQ1_0_BLOCK_BYTES } from "./tq1-dot";

/** First byte the host may use: everything below is the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}

/** Which dot matmulQ8K runs; the numbers are the host's Q8K_DOTS (accelerated/packed-wasm/index.ts). */
const enum Q8KDot {
  Tq2_0 = 0,
  Tq1_0 = 1,
  Q6_K = 2,
}

/**
 * y[b, r] = ggml_vec_dot_{tq2_0,tq1_0,q6_K}_q8_K(W row r, Q8_K row b) for r in [rowStart, rowEnd), b < batch, `dot`
 * naming the weight type (Q8KDot). Token b's region (activationBytes) holds its Q8_K blocks and, for TQ2_0, then its q's
 * widened to int16 (2·cols bytes), which dotTq2_0Q8K reads.
 */
export function matmulQ8K(
  rowStart: i32,
  rowEnd: i32,
  dot: Q8KDot,
  weights: usize,
  rowBytes: i32,
  rows: i32,
  activations: usize,
  activationBytes: i32,
  batch: i32,
  out: usize,
): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const w = weights + <usize>r * <usize>rowBytes;
    for (let b = 0; b < batch; b++) {
      const y8 = activations + <usize>(b * activationBytes);
      let y: f32;
      if (dot == Q8KDot.Tq2_0) {
        const blocks = rowBytes / TQ2_0_BLOCK_BYTES;
        y = dotTq2_0Q8K(w, y8, y8 + <usize>(blocks * Q8K_BLOCK_BYTES), blocks);
      } else if (dot == Q8KDot.Tq1_0) y = dotTq1_0Q8K(w, y8, rowBytes / TQ1_0_BLOCK_BYTES);
      else y = dotQ6KQ8K(w, y8, rowBytes / Q6_K_BLOCK_BYTES);
      store<f32>(out + <usize>(4 * (b * rows + r)), y);
    }
  }
}

/**
 * y[b, r] = the F16 dot of W row r with float32 row b of `activations` (fp16-valued), n = cols: tinyBLAS's order when
 * `tinyBlas` (llamafile_sgemm takes the matmul), else ggml_vec_dot_f16's.
 */
export function matmulF16(
  rowStart: i32,
  rowEnd: i32,
  weights: usize,
  cols: i32,
  rows: i32,
  activations: usize,
  batch: i32,
  out: usize,
  tinyBlas: bool,
): void {
  for (let r = rowStart; r < rowEnd; r++) {
    const w = weights + <usize>r * <usize>(2 * cols);
    for (let b = 0; b < batch; b++) {
      const x = activations + <usize>(4 * b * cols);
      const y = tinyBlas ? dotF16TinyBlas(w, x, cols) : dotF16Ggml(w, x, cols);
      store<f32>(out + <usize>(4 * (b * rows + r)), y);
    }
  }
}

export { attentionRows } from "./attention";
export { rmsNormRows } from "./norm";
export { ropeRows } from "./rope";
export { swigluRows } from "./swiglu";
export { matmulFloatMode } from "./mode-matmuls";
export { quantizeRowsQ8K } from "./q8k-quantize";
