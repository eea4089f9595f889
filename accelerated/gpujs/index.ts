/**
 * The "gpujs" backend: the linear layers and attention as gpu.js kernels (webasm in Node,
 * WebGL/WebGL2 in a browser), everything else on the host with the reference's arithmetic.
 *
 * Ternary matmuls read the packed TQ2_0/TQ1_0 bytes (as 16-bit words, layout.ts) and decode the
 * 2-bit codes / base-3 trits inside the kernel (kernels.ts); weights are never expanded to floats
 * on the host. F32/F16/BF16/Q8_0 weights are decoded to float32 once, on the host, in prepareMatrix.
 * In GL modes (WebGL/WebGL2 in the page) prepareMatrix also puts those weight arrays into textures
 * once (KernelCache.resident); each matmul then uploads only the activations and their block scales.
 */

import { GPU, Texture } from "gpu.js";
import gpujsPackage from "gpu.js/package.json" with { type: "json" };
import { GgmlType, Q8_K_BLOCK_BYTES, QK_K, unpackQ8KBlock } from "../../reference/codec/index.js";
import {
  convertActivations,
  dotInputValues,
  dotOutput,
  type ConvertedActivations,
} from "../../reference/model/activation-conversion.js";
import { softmax } from "../../reference/model/attention.js";
import type { RopeStyle } from "../../reference/model/config.js";
import type { BackendActivationMode } from "../../reference/model/modes.js";
import { decodeMatrixRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import { rmsNorm as referenceRmsNorm } from "../../reference/model/rmsnorm.js";
import { applyRope, ropeAngles } from "../../reference/model/rope.js";
import { swiglu as referenceSwiglu } from "../../reference/model/swiglu.js";
import { attentionKeyCount, type AttentionShape, type Backend, type PreparedMatrix } from "../backend.js";
import { KernelCache, type KernelArgument } from "./kernels.js";
import { layoutMatrix, type MatrixLayout } from "./layout.js";

/** The gpu.js version this backend runs on (from its package.json). */
export const GPUJS_VERSION: string = gpujsPackage.version;

/**
 * A matrix taken in by the gpujs backend: the original type, the layout's kind and blocks per row, and
 * the weight-side kernel arguments — ternary: [words, scales], float: [values] (layout.ts) — each a
 * host array, or in GL modes a texture holding it (KernelCache.resident), deleted by dispose().
 */
class GpujsMatrix implements PreparedMatrix {
  private disposed = false;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly type: GgmlType,
    readonly kind: MatrixLayout["kind"],
    /** Blocks per row (cols / 256) of a ternary layout; 0 for a float one. */
    readonly blocksPerRow: number,
    private current: readonly KernelArgument[] | null,
  ) {}

  /** The weight-side kernel arguments; throws after dispose(). */
  get weights(): readonly KernelArgument[] {
    if (this.current === null) throw new Error("gpujs: matrix used after dispose()");
    return this.current;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const weight of this.current ?? []) if (weight instanceof Texture) weight.delete();
    this.current = null;
  }
}

/** Activations converted on the host (activation-conversion.ts): values fed to the kernel, block scales, each row's conversion. */
interface HostActivations {
  /** Float32Array[B·C]: the Q8_K q of Q8_K rows, else dotInputValues of the row. */
  readonly x: Float32Array;
  /** Float32Array[B·nb]: the Q8_K d per block of Q8_K rows, else 1 (nb = C/256 for ternary weights, else 0). */
  readonly blockScales: Float32Array;
  /** Each batch row's conversion, which dotOutput turns the kernel's sums into outputs with. */
  readonly rows: readonly ConvertedActivations[];
}

/** Options of createGpujsBackend. */
export interface GpujsBackendOptions {
  /** gpu.js mode; default: gpu.js's choice ("webasm" in Node without headless-gl, WebGL in a browser). */
  readonly mode?: "webasm" | "webgl" | "webgl2" | "cpu" | "gpu";
}

/** The gpujs Backend. Create it with createGpujsBackend. */
export class GpujsBackend implements Backend {
  readonly name = "gpujs";
  /** Compiled kernels, one per kernel, output shape and constants. */
  readonly kernels: KernelCache;

  constructor(readonly gpu: GPU) {
    this.kernels = new KernelCache(gpu);
  }

  /**
   * Which axis the ternary kernels put on thread.x. "rows": thread.x = r, so the kernel's output is
   * y[b][r] directly; in webasm four neighbouring rows form one SIMD quad (decode vectorized over
   * 4 rows, x read once per quad). "batch": thread.x = b (the words are then lane-uniform, decoded
   * once per quad, x gathered per lane), output transposed on the host. "auto" = "rows": at
   * 4096×4096, batch 16, webasm, rows took ≈ 230 ms and batch ≈ 263 ms.
   */
  orientation: "auto" | "rows" | "batch" = "auto";

  private rowsOnX(): boolean {
    return this.orientation !== "batch";
  }

  describe(): string {
    return `gpu.js ${GPUJS_VERSION} mode ${this.gpu.mode}`;
  }

  prepareMatrix(matrix: PackedMatrix): PreparedMatrix {
    const layout = layoutMatrix(matrix);
    const arrays = layout.kind === "float" ? [layout.values] : [layout.words, layout.scales];
    const blocksPerRow = layout.kind === "float" ? 0 : layout.blocksPerRow;
    const weights = arrays.map((values) => this.kernels.resident(values));
    return new GpujsMatrix(matrix.rows, matrix.cols, matrix.type, layout.kind, blocksPerRow, weights);
  }

  matmul(weight: PreparedMatrix, x: Float32Array, batch: number, mode: BackendActivationMode): Float32Array {
    if (!(weight instanceof GpujsMatrix))
      throw new TypeError("gpujs: matmul needs a matrix prepared by the gpujs backend");
    const { rows, cols } = weight;
    if (x.length !== batch * cols) throw new RangeError(`gpujs: x has ${x.length} values, expected ${batch}·${cols}`);
    if (batch === 0 || rows === 0) return new Float32Array(batch * rows);
    const { kind, blocksPerRow } = weight;
    let y: Float32Array;
    const host = hostActivations(mode, weight.type, x, batch, cols, kind === "float" ? 0 : cols / QK_K);
    if (kind === "float") {
      y = this.kernels.get("floatMatmul", [rows, batch], { cols })(...weight.weights, host.x);
    } else {
      const rowsOnX = this.rowsOnX();
      const name =
        kind === "tq2" ? (rowsOnX ? "tq2Matmul" : "tq2MatmulBatchX") : rowsOnX ? "tq1Matmul" : "tq1MatmulBatchX";
      const output = rowsOnX ? ([rows, batch] as const) : ([batch, rows] as const);
      const constants = { nb: blocksPerRow, cols };
      y = this.kernels.get(name, output, constants)(...weight.weights, host.x, host.blockScales);
      if (!rowsOnX) y = transpose(y, rows, batch); // [R, B] → [B, R]
    }
    for (let b = 0; b < batch; b++)
      for (let r = 0; r < rows; r++) y[b * rows + r] = dotOutput(host.rows[b], y[b * rows + r]);
    return y;
  }

  rmsNorm(x: Float32Array, weight: Float32Array, eps: number, batch: number): Float32Array {
    const n = weight.length;
    const out = new Float32Array(batch * n);
    for (let b = 0; b < batch; b++) out.set(referenceRmsNorm(x.subarray(b * n, (b + 1) * n), weight, eps), b * n);
    return out;
  }

  rope(
    x: Float32Array,
    headDim: number,
    ropeDim: number,
    theta: number,
    style: RopeStyle,
    positions: readonly number[],
  ): void {
    const width = x.length / positions.length;
    positions.forEach((pos, b) =>
      applyRope(x.subarray(b * width, (b + 1) * width), headDim, ropeAngles(pos, ropeDim, theta, "f32"), style, "f32"),
    );
  }

  swiglu(gate: Float32Array, up: Float32Array): Float32Array {
    return referenceSwiglu(gate, up, "f32");
  }

  attention(
    q: Float32Array,
    keys: Float32Array,
    values: Float32Array,
    positions: readonly number[],
    shape: AttentionShape,
  ): Float32Array {
    const { nHeads, nKvHeads, headDim } = shape;
    const batch = positions.length;
    const kvDim = nKvHeads * headDim;
    const count = attentionKeyCount("gpujs", q, keys, values, positions, shape);
    const tPad = Math.max(32, Math.ceil(count / 32) * 32); // padded like llama.cpp's n_kv: fewer distinct kernels
    const paddedKeys = padTo(keys, tPad * kvDim);
    const paddedValues = padTo(values, tPad * kvDim);
    const constants = { nHeads, headDim, kvDim, headsPerKv: nHeads / nKvHeads, tPad };
    const raw = this.kernels.get("attentionScores", [tPad, batch * nHeads], constants)(q, paddedKeys); // [B·nHeads, tPad]
    const scale = Math.fround(1 / Math.sqrt(headDim));
    const probabilities = new Float32Array(batch * nHeads * tPad);
    for (let b = 0; b < batch; b++) {
      const visible = positions[b] + 1;
      for (let h = 0; h < nHeads; h++) {
        const row = (b * nHeads + h) * tPad;
        const scores = new Float32Array(visible);
        for (let t = 0; t < visible; t++) scores[t] = Math.fround(raw[row + t]) * scale;
        probabilities.set(softmax(scores, "f32"), row); // masked positions stay 0
      }
    }
    return this.kernels.get("attentionValues", [headDim, batch * nHeads], constants)(probabilities, paddedValues);
  }

  embedding(table: PackedMatrix, tokens: readonly number[]): Float32Array {
    const out = new Float32Array(tokens.length * table.cols);
    tokens.forEach((token, b) => {
      if (!Number.isInteger(token) || token < 0 || token >= table.rows)
        throw new RangeError(`gpujs embedding: token ${token} outside 0..${table.rows - 1}`);
      out.set(decodeMatrixRow(table, token), b * table.cols);
    });
    return out;
  }

  dispose(): void {
    this.kernels.clear();
    this.gpu.destroy();
  }
}

/** [R, B] → [B, R]: t[b·R + r] = y[r·B + b]. */
function transpose(y: Float32Array, rows: number, batch: number): Float32Array {
  const out = new Float32Array(rows * batch);
  for (let r = 0; r < rows; r++) for (let b = 0; b < batch; b++) out[b * rows + r] = y[r * batch + b];
  return out;
}

/** `values` extended with zeros to `length` (the same array when already long enough). */
function padTo(values: Float32Array, length: number): Float32Array {
  if (values.length >= length) return values;
  const out = new Float32Array(length);
  out.set(values);
  return out;
}

/**
 * Each row of x: Float32Array[B·C] converted for `type` by convertActivations (spec/forward.md §3):
 * Q8_K rows for the ternary kernels (blocksPerRow > 0) as their int8 q with the block scales d apart
 * (they sum q·trit exactly per block); every other row — Q8_K rows for a matrix decoded to floats on
 * the host (blocksPerRow 0: Q4_K, Q5_K, Q6_K) included — as the values the float kernels multiply by.
 */
function hostActivations(
  mode: BackendActivationMode,
  type: GgmlType,
  x: Float32Array,
  batch: number,
  cols: number,
  blocksPerRow: number,
): HostActivations {
  const values = new Float32Array(batch * cols);
  const blockScales = new Float32Array(batch * blocksPerRow).fill(1);
  const rows: ConvertedActivations[] = [];
  for (let b = 0; b < batch; b++) {
    const converted = convertActivations(mode, type, x.subarray(b * cols, (b + 1) * cols));
    rows.push(converted);
    if (converted.kind !== "q8_k" || blocksPerRow === 0) {
      values.set(dotInputValues(converted), b * cols);
      continue;
    }
    for (let j = 0; j < blocksPerRow; j++) {
      const block = unpackQ8KBlock(converted.blocks.subarray(j * Q8_K_BLOCK_BYTES, (j + 1) * Q8_K_BLOCK_BYTES));
      values.set(block.qs, b * cols + j * QK_K);
      blockScales[b * blocksPerRow + j] = block.d;
    }
  }
  return { x: values, blockScales, rows };
}

/** Create the gpujs backend (prints nothing; describe() names gpu.js's version and mode). */
export async function createGpujsBackend(options: GpujsBackendOptions = {}): Promise<GpujsBackend> {
  const gpu = options.mode === undefined ? new GPU() : new GPU({ mode: options.mode });
  return new GpujsBackend(gpu);
}
