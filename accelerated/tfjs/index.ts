/**
 * The TensorFlow.js backend: the Backend interface (src/backend/backend.ts) on @tensorflow/tfjs-core
 * 4.22 with its cpu, wasm (XNNPACK) or webgl kernels. How far it may differ from the reference:
 * spec/tolerances.md (§2 matmul, §3 ggml-matmul matmul, §4 RMSNorm, §5 RoPE, §6 SwiGLU, §7 softmax and
 * attention, §8 embedding).
 *
 * Where each op runs:
 *   prepareMatrix  decodes the packed weight ONCE on the host (exact) into a float32 tensor Wᵀ [C, R]
 *                  that stays on the tfjs backend (wasm heap / cpu arrays / webgl texture) until dispose.
 *   matmul         host: each row converted by reference/model/activation-conversion.ts for the mode and
 *                  W's type, as the float values it consumes (dotInputValues: x̃ = d·q for Q8_K and Q8_0
 *                  blocks, fp16/bf16-rounded x, int8 codes); tfjs: tf.matMul(x [B, C], Wᵀ [C, R]) → y [B, R];
 *                  host: dotOutput per output (int8-per-token's division by σ).
 *   rmsNorm        tfjs: square, sum, div, add, sqrt, div, mul, mul.
 *   rope           host: the angles cos θ_i, sin θ_i (reference/model/rope.ts ropeAngles, so no device
 *                  trigonometry — WebGL's sin/cos are not correctly rounded, spec/tolerances.md §5);
 *                  tfjs: the rotation (slice, mul, sub, add, stack/concat); result copied back into x.
 *   swiglu         tfjs: g / (1 + exp(−g)) · up.
 *   attention      tfjs: per-head matMul of q and Kᵀ, scale, causal mask (−inf), max/sub/exp/sum/div
 *                  softmax, matMul with V.
 *   embedding      host: decodeMatrixRow of the packed table (exact; the table is not a prepared
 *                  matrix, so there is no device copy to gather from).
 * Every op runs inside tf.tidy and reads its result back with dataSync, so no tensor outlives a call
 * except the prepared matrices.
 */

import * as tf from "@tensorflow/tfjs-core";
import { attentionKeyCount, type Backend, type PreparedMatrix } from "../backend.js";
import { dequantizeRow, GgmlType } from "../../reference/codec/index.js";
import {
  convertActivations,
  dotInputValues,
  dotOutput,
  type ConvertedActivations,
} from "../../reference/model/activation-conversion.js";
import type { RopeStyle } from "../../reference/model/config.js";
import type { BackendActivationMode } from "../../reference/model/modes.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import { decodeMatrixRow } from "../../reference/model/packed-matrix.js";
import { ropeAngles } from "../../reference/model/rope.js";

/** Which tfjs kernels run. */
export type TfjsKind = "cpu" | "wasm" | "webgl";

/** Options of createTfjsBackend. */
export interface TfjsBackendOptions {
  /**
   * wasm only: where the .wasm files are (a URL prefix ending in "/", or setWasmPaths's object form
   * as a prefix). Browser pages must pass it; in Node it defaults to the package's dist folder.
   */
  readonly wasmPaths?: string;
  /**
   * wasm only: XNNPACK threads, used when the threaded build loads (a cross-origin isolated page);
   * default: tfjs's choice. Takes effect on the first wasm backend of the process only.
   */
  readonly wasmThreads?: number;
}

/** A weight decoded once into a tfjs tensor Wᵀ [cols, rows]. */
class TfjsMatrix implements PreparedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly type: GgmlType;
  private tensor: tf.Tensor2D | undefined;
  constructor(
    matrix: PackedMatrix,
    transposed: tf.Tensor2D,
    private readonly onDispose: (m: TfjsMatrix) => void,
  ) {
    this.rows = matrix.rows;
    this.cols = matrix.cols;
    this.type = matrix.type;
    this.tensor = transposed;
  }
  /** Wᵀ [C, R]; throws after dispose. */
  get weightT(): tf.Tensor2D {
    if (this.tensor === undefined) throw new Error("tfjs backend: matrix used after dispose");
    return this.tensor;
  }
  dispose(): void {
    this.tensor?.dispose();
    this.tensor = undefined;
    this.onDispose(this);
  }
}

/**
 * Each row of x: Float32Array[B·C] converted by convertActivations for `mode` and W's `type`
 * (spec/forward.md §3): the float values the matMul consumes, [B·C], and each row's conversion.
 */
function convertRows(
  mode: BackendActivationMode,
  type: GgmlType,
  x: Float32Array,
  batch: number,
  cols: number,
): { readonly values: Float32Array; readonly rows: readonly ConvertedActivations[] } {
  const values = new Float32Array(batch * cols);
  const rows: ConvertedActivations[] = [];
  for (let b = 0; b < batch; b++) {
    const converted = convertActivations(mode, type, x.subarray(b * cols, (b + 1) * cols));
    rows.push(converted);
    values.set(dotInputValues(converted), b * cols);
  }
  return { values, rows };
}

let wasmModule: typeof import("@tensorflow/tfjs-backend-wasm") | undefined;

/** Load the kernels of `kind` and make it tfjs's active backend. */
async function activate(kind: TfjsKind, options: TfjsBackendOptions): Promise<void> {
  switch (kind) {
    case "cpu":
      await import("@tensorflow/tfjs-backend-cpu");
      break;
    case "wasm": {
      if (wasmModule === undefined) {
        wasmModule = await import("@tensorflow/tfjs-backend-wasm");
        const isNode = typeof process !== "undefined" && process.versions?.node !== undefined;
        const paths =
          options.wasmPaths ?? (isNode ? (await import("./node-wasm-paths.js")).nodeWasmPaths() : undefined);
        if (paths !== undefined) wasmModule.setWasmPaths(paths);
        if (options.wasmThreads !== undefined) wasmModule.setThreadsCount(options.wasmThreads);
      }
      break;
    }
    case "webgl":
      await import("@tensorflow/tfjs-backend-webgl");
      break;
  }
  if (!(await tf.setBackend(kind))) throw new Error(`tfjs backend: could not initialise the ${kind} backend`);
  await tf.ready();
}

/** A describe() line: tfjs version, backend and, for wasm, SIMD and threads. */
async function describeRuntime(kind: TfjsKind): Promise<string> {
  const head = `tfjs ${tf.version_core} backend ${kind}`;
  if (kind === "wasm" && wasmModule !== undefined) {
    const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
    const threaded = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) === true;
    const threads = wasmModule.getThreadsCount();
    return (
      `${head} (${simd ? "simd" : "no simd"}, ` +
      `${threaded ? "threaded build" : "single-threaded build"}, ${threads} thread${threads === 1 ? "" : "s"}; weights decoded once to float32 Wᵀ tensors)`
    );
  }
  if (kind === "webgl") {
    return `${head} (WEBGL_VERSION ${String(tf.env().get("WEBGL_VERSION"))}, float32 textures; weights decoded once to float32 Wᵀ tensors)`;
  }
  return `${head} (weights decoded once to float32 Wᵀ tensors)`;
}

/**
 * A Backend on tfjs's `kind` kernels (spec/tolerances.md §2–§8). The tfjs engine is global: every op
 * first makes `kind` the active backend again (synchronous once initialised), so tfjs-cpu and
 * tfjs-wasm Backends can coexist in one process.
 */
export async function createTfjsBackend(kind: TfjsKind, options: TfjsBackendOptions = {}): Promise<Backend> {
  await activate(kind, options);
  const description = await describeRuntime(kind);
  const prepared = new Set<TfjsMatrix>();
  const use = (): void => {
    if (tf.getBackend() !== kind) void tf.setBackend(kind); // already initialised: switches synchronously
  };
  /** Run `f` in tf.tidy and read its single result back as a fresh Float32Array. */
  const compute = (f: () => tf.Tensor): Float32Array => {
    use();
    const t = tf.tidy(f);
    try {
      return new Float32Array(t.dataSync() as Float32Array);
    } finally {
      t.dispose();
    }
  };

  return {
    name: `tfjs-${kind}`,
    describe: () => description,
    prepareMatrix(matrix) {
      use();
      const values = dequantizeRow(matrix.type, matrix.data, matrix.rows * matrix.cols); // exact, row-major [R, C]
      const transposed = tf.tidy(() => tf.transpose(tf.tensor2d(values, [matrix.rows, matrix.cols])) as tf.Tensor2D);
      const m = new TfjsMatrix(matrix, transposed, (done) => prepared.delete(done));
      prepared.add(m);
      return m;
    },
    matmul(weight, x, batch, mode) {
      if (!(weight instanceof TfjsMatrix))
        throw new TypeError("tfjs backend: matmul needs a matrix prepared by this backend");
      const { rows, cols } = weight;
      if (x.length !== batch * cols)
        throw new RangeError(`matmul: expected ${batch} rows of ${cols} values, got ${x.length}`);
      if (batch === 0) return new Float32Array(0);
      const converted = convertRows(mode, weight.type, x, batch, cols);
      const y = compute(() => tf.matMul(tf.tensor2d(converted.values, [batch, cols]), weight.weightT));
      for (let b = 0; b < batch; b++)
        for (let r = 0; r < rows; r++) y[b * rows + r] = dotOutput(converted.rows[b], y[b * rows + r]);
      return y;
    },
    rmsNorm(x, weight, eps, batch) {
      const n = weight.length;
      if (x.length !== batch * n)
        throw new RangeError(`rmsNorm: expected ${batch} rows of ${n} values, got ${x.length}`);
      if (batch === 0) return new Float32Array(0);
      return compute(() => {
        const xt = tf.tensor2d(x, [batch, n]);
        const mean = tf.div(tf.sum(tf.square(xt), 1, true), tf.scalar(n));
        const scale = tf.div(tf.scalar(1), tf.sqrt(tf.add(mean, tf.scalar(Math.fround(eps)))));
        return tf.mul(tf.mul(xt, scale), tf.tensor1d(weight));
      });
    },
    rope(
      x: Float32Array,
      headDim: number,
      ropeDim: number,
      theta: number,
      style: RopeStyle,
      positions: readonly number[],
    ) {
      const batch = positions.length;
      if (batch === 0) return;
      const n = x.length / batch;
      const heads = n / headDim;
      const pairs = ropeDim / 2;
      if (!Number.isInteger(heads) || !Number.isInteger(pairs) || ropeDim > headDim)
        throw new RangeError("rope: x must hold B rows of nHeads·headDim, ropeDim even ≤ headDim");
      const cos = new Float32Array(batch * pairs);
      const sin = new Float32Array(batch * pairs);
      positions.forEach((pos, b) => {
        const angles = ropeAngles(pos, ropeDim, theta, "f32"); // host: the reference's float32 cos/sin (spec/tolerances.md §5)
        cos.set(angles.cos, b * pairs);
        sin.set(angles.sin, b * pairs);
      });
      const rotated = compute(() => {
        const xt = tf.tensor3d(x, [batch, heads, headDim]);
        const rot = ropeDim === headDim ? xt : tf.slice(xt, [0, 0, 0], [batch, heads, ropeDim]);
        let a: tf.Tensor3D;
        let b: tf.Tensor3D;
        if (style === "adjacent") {
          const r4 = tf.reshape(rot, [batch, heads, pairs, 2]);
          a = tf.reshape(tf.slice(r4, [0, 0, 0, 0], [batch, heads, pairs, 1]), [batch, heads, pairs]);
          b = tf.reshape(tf.slice(r4, [0, 0, 0, 1], [batch, heads, pairs, 1]), [batch, heads, pairs]);
        } else {
          a = tf.slice(rot, [0, 0, 0], [batch, heads, pairs]);
          b = tf.slice(rot, [0, 0, pairs], [batch, heads, pairs]);
        }
        const c = tf.tensor3d(cos, [batch, 1, pairs]);
        const s = tf.tensor3d(sin, [batch, 1, pairs]);
        const na = tf.sub(tf.mul(a, c), tf.mul(b, s));
        const nb = tf.add(tf.mul(a, s), tf.mul(b, c));
        const newRot =
          style === "adjacent" ? tf.reshape(tf.stack([na, nb], 3), [batch, heads, ropeDim]) : tf.concat([na, nb], 2);
        return ropeDim === headDim
          ? newRot
          : tf.concat([newRot, tf.slice(xt, [0, 0, ropeDim], [batch, heads, headDim - ropeDim])], 2);
      });
      x.set(rotated);
    },
    swiglu(gate, up) {
      if (gate.length !== up.length) throw new RangeError("swiglu: gate and up differ in length");
      if (gate.length === 0) return new Float32Array(0);
      return compute(() => {
        const g = tf.tensor1d(gate);
        return tf.mul(tf.div(g, tf.add(tf.scalar(1), tf.exp(tf.neg(g)))), tf.tensor1d(up));
      });
    },
    attention(q, keys, values, positions, shape) {
      const { nHeads, nKvHeads, headDim } = shape;
      const batch = positions.length;
      const count = attentionKeyCount(`tfjs-${kind}`, q, keys, values, positions, shape);
      if (batch === 0) return new Float32Array(0);
      const mask = new Float32Array(batch * count);
      positions.forEach((pos, b) => {
        mask.fill(-Infinity, b * count + pos + 1, (b + 1) * count);
      });
      const headsPerKv = nHeads / nKvHeads;
      const kvOfHead = Int32Array.from({ length: nHeads }, (_, h) => Math.floor(h / headsPerKv));
      const scale = Math.fround(1 / Math.sqrt(headDim));
      return compute(() => {
        const qh = tf.transpose(tf.tensor3d(q, [batch, nHeads, headDim]), [1, 0, 2]); // [H, B, hd]
        const byHead = (data: Float32Array): tf.Tensor3D =>
          tf.gather(
            tf.transpose(tf.tensor3d(data, [count, nKvHeads, headDim]), [1, 0, 2]),
            tf.tensor1d(kvOfHead, "int32"),
          ) as tf.Tensor3D; // [H, T, hd]
        const scores = tf.add(
          tf.mul(tf.matMul(qh, byHead(keys), false, true), tf.scalar(scale)),
          tf.tensor3d(mask, [1, batch, count]),
        ); // [H, B, T]
        const shifted = tf.sub(scores, tf.max(scores, 2, true));
        const e = tf.exp(shifted);
        const p = tf.div(e, tf.sum(e, 2, true));
        return tf.transpose(tf.matMul(p, byHead(values)), [1, 0, 2]); // [B, H, hd]
      });
    },
    embedding(table, tokens) {
      const y = new Float32Array(tokens.length * table.cols);
      tokens.forEach((token, b) => {
        if (!Number.isInteger(token) || token < 0 || token >= table.rows)
          throw new RangeError(`embedding: token ${token} outside 0..${table.rows - 1}`);
        y.set(decodeMatrixRow(table, token), b * table.cols); // host, exact (spec/tolerances.md §8)
      });
      return y;
    },
    dispose() {
      for (const m of [...prepared]) m.dispose();
    },
  };
}
