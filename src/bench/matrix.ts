/**
 * The fixed input of `npm run bench`: a weight matrix shaped like a TriLM layer, ternary × one
 * scale per row, drawn with mulberry32 from a fixed seed so every run measures the same data.
 */

import { drawTrit, mulberry32 } from "../random/index.js";

/** A rows × cols float32 matrix, row-major. */
export interface BenchMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Float32Array[rows · cols]. */
  readonly values: Float32Array;
}

/** The scale range of a row, as in TriLM checkpoints (0.01..0.1). */
const ROW_SCALE_MIN = 0.01;
const ROW_SCALE_MAX = 0.1;

/** Trits with P(0) = 1/3 times a float32 scale per row drawn from 0.01..0.1. */
export function benchMatrix(rows: number, cols: number, seed: number): BenchMatrix {
  const next = mulberry32(seed);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const scale = Math.fround(ROW_SCALE_MIN + (ROW_SCALE_MAX - ROW_SCALE_MIN) * next());
    for (let c = 0; c < cols; c++) values[r * cols + c] = drawTrit(next()) * scale;
  }
  return { rows, cols, values };
}

/** "256x4096" */
export function shapeName(matrix: BenchMatrix): string {
  return `${matrix.rows}x${matrix.cols}`;
}
