/**
 * The ternary matmul benchmark: y = x·Wᵀ for a 4096 × 4096 weight matrix (the size of a 3.9B
 * TriLM's attention projections) stored as TQ2_0 and as TQ1_0 (the same trits), batch 1 and 16, in
 * the f32 and ggml-matmul activation modes (spec/forward.md §3.1), on every backend, after the
 * backend has prepared the matrix once.
 */

import { GgmlType, ggmlTypeTraits } from "../../reference/codec/index.js";
import type { BackendActivationMode } from "../../reference/model/modes.js";
import { packMatrix, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { Backend } from "../backend/backend.js";
import { mulberry32 } from "../random/index.js";
import { benchMatrix } from "./matrix.js";
import { measure, type MeasureOptions, type Measurement } from "./measure.js";

/** Rows and columns of the benchmark matrix. */
export const MATMUL_SIZE = 4096;
/** Batch sizes measured. */
export const MATMUL_BATCHES: readonly number[] = [1, 16];
/** Weight types measured, in table order. */
export const MATMUL_TYPES: readonly GgmlType[] = [GgmlType.TQ2_0, GgmlType.TQ1_0];
/** Activation modes measured, in table order. */
export const MATMUL_MODES: readonly BackendActivationMode[] = ["f32", "ggml-matmul"];

/** One backend's time for one weight type, activation mode and batch size. */
export interface MatmulBenchResult {
  /** The backend's label: `reference`, `packed-wasm (2 threads)`. */
  readonly backend: string;
  /** `4096x4096 tq2_0 batch 1, f32` */
  readonly shape: string;
  readonly batch: number;
  readonly mode: BackendActivationMode;
  readonly measurement: Measurement;
}

/** The fixed-seed benchmark matrix W: [4096, 4096], packed as each of MATMUL_TYPES (the same trits and scales). */
export function matmulBenchMatrices(seed: number): PackedMatrix[] {
  const { rows, cols, values } = benchMatrix(MATMUL_SIZE, MATMUL_SIZE, seed);
  return MATMUL_TYPES.map((type) => packMatrix(type, rows, cols, values));
}

/** Activations x: Float32Array[batch · 4096], uniform in (−1, 1), fixed seed. */
export function matmulBenchActivations(batch: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: batch * MATMUL_SIZE }, () => 2 * next() - 1);
}

/**
 * Time backend.matmul on `matrix` for each activation mode and batch size (the matrix is prepared
 * once, untimed); the results carry `label` as their backend.
 */
export function measureMatmul(
  backend: Backend,
  label: string,
  matrix: PackedMatrix,
  options: (batch: number) => MeasureOptions,
  onStart: (label: string) => void,
): MatmulBenchResult[] {
  const prepared = backend.prepareMatrix(matrix);
  const type = ggmlTypeTraits(matrix.type)?.name ?? String(matrix.type);
  try {
    return MATMUL_MODES.flatMap((mode) =>
      MATMUL_BATCHES.map((batch) => {
        const x = matmulBenchActivations(batch, batch);
        const shape = `${matrix.rows}x${matrix.cols} ${type} batch ${batch}, ${mode}`;
        onStart(`matmul ${shape} (${label})`);
        const measurement = measure(() => void backend.matmul(prepared, x, batch, mode), options(batch));
        return { backend: label, shape, batch, mode, measurement };
      }),
    );
  } finally {
    prepared.dispose();
  }
}
