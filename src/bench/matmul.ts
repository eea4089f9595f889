/**
 * The ternary matmul benchmark: y = x·Wᵀ for a 4096 × 4096 TQ2_0 weight matrix (the size of a
 * 3.9B TriLM's attention projections), batch 1 and 16, on every backend, after the backend has
 * prepared the matrix once. Activations f32 (spec/forward.md §3.1).
 */

import { GgmlType } from "../../reference/codec/index.js";
import { packMatrix, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { Backend } from "../backend/backend.js";
import { mulberry32 } from "../random/index.js";
import { benchMatrix } from "./matrix.js";
import { measure, type MeasureOptions, type Measurement } from "./measure.js";

/** Rows and columns of the benchmark matrix. */
export const MATMUL_SIZE = 4096;
/** Batch sizes measured. */
export const MATMUL_BATCHES: readonly number[] = [1, 16];

/** One backend's time for one batch size. */
export interface MatmulBenchResult {
  readonly backend: string;
  /** `4096x4096 tq2_0 batch 1` */
  readonly shape: string;
  readonly batch: number;
  readonly measurement: Measurement;
}

/** The fixed-seed TQ2_0 benchmark matrix W: [4096, 4096], packed. */
export function matmulBenchMatrix(seed: number): PackedMatrix {
  const { rows, cols, values } = benchMatrix(MATMUL_SIZE, MATMUL_SIZE, seed);
  return packMatrix(GgmlType.TQ2_0, rows, cols, values);
}

/** Activations x: Float32Array[batch · 4096], uniform in (−1, 1), fixed seed. */
export function matmulBenchActivations(batch: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: batch * MATMUL_SIZE }, () => 2 * next() - 1);
}

/** Time backend.matmul on `matrix` for each batch size (the matrix is prepared once, untimed). */
export function measureMatmul(
  backend: Backend,
  matrix: PackedMatrix,
  options: (batch: number) => MeasureOptions,
  onStart: (label: string) => void,
): MatmulBenchResult[] {
  const prepared = backend.prepareMatrix(matrix);
  try {
    return MATMUL_BATCHES.map((batch) => {
      const x = matmulBenchActivations(batch, batch);
      const shape = `${matrix.rows}x${matrix.cols} tq2_0 batch ${batch}`;
      onStart(`matmul ${shape} (${backend.name})`);
      const measurement = measure(() => void backend.matmul(prepared, x, batch, "f32"), options(batch));
      return { backend: backend.name, shape, batch, measurement };
    });
  } finally {
    prepared.dispose();
  }
}
