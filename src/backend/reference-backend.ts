/**
 * The reference backend: every Backend op delegates to reference/model, with exactly the reference
 * semantics (spec/forward.md §3–§7 in f32 arithmetic; spec/tolerances.md §1 takes it as the ground truth).
 *
 *   matmul     linear(W, x_b, mode) for every row b of the batch (f32: float64 sums, one rounding;
 *              ggml-matmul: its own order is linear's ggml-exact one, llama.cpp's x86 kernels)
 *   rmsNorm    rmsNorm(x_b, w, eps) per row              rope  ropeAngles + applyRope per row, "f32"
 *   swiglu     swiglu(gate, up, "f32")                   attention  attendQuery(…, "f32") per query row
 *   embedding  decodeMatrixRow(E, token) (exact)
 */

import { attendQuery } from "../../reference/model/attention.js";
import type { RopeStyle } from "../../reference/model/config.js";
import { linear } from "../../reference/model/linear.js";
import type { BackendActivationMode, ForwardActivationMode } from "../../reference/model/modes.js";
import { decodeMatrixRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import { rmsNorm } from "../../reference/model/rmsnorm.js";
import { applyRope, ropeAngles } from "../../reference/model/rope.js";
import { swiglu } from "../../reference/model/swiglu.js";
import { attentionKeyCount, type AttentionShape, type Backend, type PreparedMatrix } from "./backend.js";

/** A matrix as the reference keeps it: still packed (spec/forward.md §2.2). */
class ReferenceMatrix implements PreparedMatrix {
  readonly rows: number;
  readonly cols: number;
  constructor(readonly matrix: PackedMatrix) {
    this.rows = matrix.rows;
    this.cols = matrix.cols;
  }
  dispose(): void {}
}

/** Row b of a batch of rows of n values: a view. */
function rowOf(x: Float32Array, b: number, n: number): Float32Array {
  return x.subarray(b * n, (b + 1) * n);
}

/** Throw unless x holds exactly batch rows of n values. */
function checkBatch(op: string, x: Float32Array, batch: number, n: number): void {
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * n) {
    throw new RangeError(`${op}: expected ${batch} rows of ${n} values, got ${x.length} values`);
  }
}

/**
 * matmul of the reference: y[b] = linear(W, x[b], mode), ggml-matmul summed as linear's ggml-exact
 * (the conversion is the same, activation-conversion.ts). x [B·C] → y [B·R]. Spec/forward.md §3.
 */
function referenceMatmul(
  weight: PreparedMatrix,
  x: Float32Array,
  batch: number,
  mode: BackendActivationMode,
): Float32Array {
  if (!(weight instanceof ReferenceMatrix))
    throw new TypeError("reference backend: matmul needs a matrix prepared by the reference backend");
  const { rows, cols } = weight;
  checkBatch("matmul", x, batch, cols);
  const linearMode: ForwardActivationMode = mode === "ggml-matmul" ? "ggml-exact" : mode;
  const y = new Float32Array(batch * rows);
  for (let b = 0; b < batch; b++) y.set(linear(weight.matrix, rowOf(x, b, cols), linearMode), b * rows);
  return y;
}

/** Causal attention through reference/model's attendQuery in f32 arithmetic, one query row at a time. Spec/forward.md §7. */
function referenceAttention(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  positions: readonly number[],
  shape: AttentionShape,
): Float32Array {
  const qDim = shape.nHeads * shape.headDim;
  attentionKeyCount("reference", q, keys, values, positions, shape);
  const out = new Float32Array(positions.length * qDim);
  positions.forEach((pos, b) => {
    const o = attendQuery(keys, values, pos + 1, rowOf(q, b, qDim), shape, { arithmetic: "f32", cacheType: "f32" });
    out.set(o, b * qDim);
  });
  return out;
}

/** The reference backend: reference/model behind the Backend interface (spec/tolerances.md §1). */
export function createReferenceBackend(): Backend {
  return {
    name: "reference",
    describe: () => "reference (pure TypeScript, reference/model; float64 sums in f32 mode)",
    prepareMatrix: (matrix) => new ReferenceMatrix(matrix),
    matmul: referenceMatmul,
    rmsNorm(x, weight, eps, batch) {
      const n = weight.length;
      checkBatch("rmsNorm", x, batch, n);
      const y = new Float32Array(batch * n);
      for (let b = 0; b < batch; b++) y.set(rmsNorm(rowOf(x, b, n), weight, eps), b * n);
      return y;
    },
    rope(
      x: Float32Array,
      headDim: number,
      ropeDim: number,
      theta: number,
      style: RopeStyle,
      positions: readonly number[],
    ) {
      const n = x.length / Math.max(positions.length, 1);
      checkBatch("rope", x, positions.length, n);
      positions.forEach((pos, b) =>
        applyRope(rowOf(x, b, n), headDim, ropeAngles(pos, ropeDim, theta, "f32"), style, "f32"),
      );
    },
    swiglu(gate, up) {
      if (gate.length !== up.length) throw new RangeError("swiglu: gate and up differ in length");
      return swiglu(gate, up, "f32");
    },
    attention: referenceAttention,
    embedding(table, tokens) {
      const y = new Float32Array(tokens.length * table.cols);
      tokens.forEach((token, b) => {
        if (!Number.isInteger(token) || token < 0 || token >= table.rows)
          throw new RangeError(`embedding: token ${token} outside 0..${table.rows - 1}`);
        y.set(decodeMatrixRow(table, token), b * table.cols);
      });
      return y;
    },
    dispose() {},
  };
}
