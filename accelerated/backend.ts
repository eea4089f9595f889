/**
 * The operations a TriLM forward pass needs, as one interface that the reference and every
 * accelerated backend implement. Implements spec/tolerances.md §1 (which op may differ by how much).
 *
 * Shapes: a batch of B row vectors is one Float32Array of B·n values, row b at [b·n, (b+1)·n).
 * Weights are PackedMatrix (reference/model/packed-matrix.ts): W [rows R, cols C] in a ggml type,
 * y = x·Wᵀ, i.e. y[b, r] = Σ_c W[r, c] · x[b, c].
 */

import type { AttentionShape } from "../reference/model/attention.js";
import type { RopeStyle } from "../reference/model/config.js";
import type { BackendActivationMode } from "../reference/model/modes.js";
import type { PackedMatrix } from "../reference/model/packed-matrix.js";

export type { AttentionShape };

/** A weight matrix after a backend has taken it in (uploaded, repacked or decoded once). */
export interface PreparedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Free the backend's copy (GPU textures, wasm tensors). Idempotent. */
  dispose(): void;
}

/**
 * Memory a backend computes on that a model file can be read straight into (spec/performance.md §4): prepareMatrix
 * then uses each matrix where it lies instead of copying it. The shape of src/io/input-file.ts InputFileMemory.
 */
export interface BackendWeightMemory {
  /** What it is, for messages: "the packed-wasm engine's WebAssembly memory". */
  readonly name: string;
  /** The most bytes `allocate` can give now (what is left of the address space, less what the backend keeps for itself). */
  readonly maxBytes: number;
  /** A view of `bytes` fresh bytes of it, kept as long as the backend. */
  allocate(bytes: number): Uint8Array;
}

/** One backend: the reference or an accelerated implementation. */
export interface Backend {
  /** Name as `trilm run --backend` and the benchmarks spell it: "reference", "gpujs", "tfjs-cpu", "tfjs-wasm", "tfjs-webgl". */
  readonly name: string;
  /** What actually runs, for logs: e.g. "gpu.js 2.24.1 mode webasm", "tfjs 4.22.0 backend wasm (simd, 1 thread)". */
  describe(): string;
  /** Take a weight matrix in once, before it is used (TQ1_0, TQ2_0, F16, F32 at least). */
  prepareMatrix(matrix: PackedMatrix): PreparedMatrix;
  /**
   * y = x·Wᵀ for a batch: x Float32Array[B·C] → y Float32Array[B·R]. Each row of x is converted by
   * reference/model/activation-conversion.ts's convertActivations for `mode` and W's type (spec/forward.md
   * §3): "f32" uses x as given; "ggml-matmul" converts it as ggml does (Q8_K for TQ1_0/TQ2_0, fp16 for
   * F16 where tinyBLAS does not take it, …); "int8-per-token" as BitNet. The conversion runs on the host,
   * the sums are the backend's own (dotOutput finishes each output).
   */
  matmul(weight: PreparedMatrix, x: Float32Array, batch: number, mode: BackendActivationMode): Float32Array;
  /** y = rmsnorm(x) ⊙ weight per row: x [B·n], weight [n] → [B·n]. */
  rmsNorm(x: Float32Array, weight: Float32Array, eps: number, batch: number): Float32Array;
  /** Rotate each row in place: x [B · nHeads·headDim], row b at position positions[b]. */
  rope(
    x: Float32Array,
    headDim: number,
    ropeDim: number,
    theta: number,
    style: RopeStyle,
    positions: readonly number[],
  ): void;
  /** h = silu(gate) ⊙ up: [B·n], [B·n] → [B·n]. */
  swiglu(gate: Float32Array, up: Float32Array): Float32Array;
  /**
   * Causal attention of B query rows at positions positions[b] over cached keys/values:
   * q [B · nHeads·hd]; keys, values [T · nKvHeads·hd] for positions 0..T−1 (T > max position);
   * query b sees positions 0..positions[b]. Returns [B · nHeads·hd].
   */
  attention(
    q: Float32Array,
    keys: Float32Array,
    values: Float32Array,
    positions: readonly number[],
    shape: AttentionShape,
  ): Float32Array;
  /** Rows of the embedding for each token: E [vocab, dim] → [B·dim]. */
  embedding(table: PackedMatrix, tokens: readonly number[]): Float32Array;
  /** Free everything. */
  dispose(): void;
  /** Where a model file can be read so that prepareMatrix needs no copy; absent where the backend has no such memory. */
  readonly weightMemory?: BackendWeightMemory;
}

/**
 * Check the arguments of Backend.attention against its contract and return T, the number of cached
 * positions: q holds B = positions.length rows of nHeads·headDim, keys and values T rows of
 * nKvHeads·headDim, and every position has a cached key (0 ≤ pos < T). RangeError, prefixed with
 * `backendName`, otherwise.
 */
export function attentionKeyCount(
  backendName: string,
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  positions: readonly number[],
  shape: AttentionShape,
): number {
  const { nHeads, nKvHeads, headDim } = shape;
  const count = keys.length / (nKvHeads * headDim);
  if (!Number.isInteger(count) || values.length !== keys.length) {
    throw new RangeError(`${backendName} attention: keys and values must both hold T rows of nKvHeads·headDim`);
  }
  if (q.length !== positions.length * nHeads * headDim) {
    throw new RangeError(
      `${backendName} attention: q has ${q.length} values, expected ${positions.length}·${nHeads}·${headDim}`,
    );
  }
  for (const pos of positions) {
    if (!Number.isInteger(pos) || pos < 0 || pos >= count)
      throw new RangeError(`${backendName} attention: position ${pos} has no cached key (T = ${count})`);
  }
  return count;
}
