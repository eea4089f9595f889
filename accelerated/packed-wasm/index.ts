/**
 * The packed-wasm backend: the Backend interface (accelerated/backend.ts) on the packed-weight WebAssembly SIMD
 * engine (engine.ts, kernels in assembly/). The ternary weights stay as their TQ2_0 / TQ1_0 bytes in the engine's
 * memory — never expanded — and the kernels compute on them directly. spec/performance.md §1 describes it.
 *
 * Where each op runs:
 *   prepareMatrix  copies the packed bytes into engine memory once — or, when the matrix is already a view of it
 *                  (a model file read straight into engine memory through weightMemory: spec/performance.md §4),
 *                  uses them where they are.
 *   matmul         host: each row converted by reference/model/activation-conversion.ts for the mode and W's type
 *                  (the one rule every implementation calls); engine: the kernel of W's type and the mode over the
 *                  rows, split over the runner's threads. ggml-matmul mode gives the bits of the reference backend
 *                  (llama.cpp's x86 kernels' order: TQ2_0 / TQ1_0 / Q6_K · Q8_K, F16 by tinyBLAS or vec_dot_f16).
 *                  Types or modes without an engine kernel run on the fallback backend.
 *   other ops      rmsNorm, rope (its angle tables on the host), swiglu and attention in the engine, the embedding
 *                  on the host (ops.ts): the reference backend's bits, spec/performance.md §7.
 */

import type { Backend, BackendWeightMemory, PreparedMatrix } from "../backend.js";
import { GgmlType } from "../../reference/codec/index.js";
import { LLAMA_F16_MATMUL_INPUT } from "../../reference/ggml-x86/index.js";
import { convertActivations, takenByTinyBlas } from "../../reference/model/activation-conversion.js";
import type { BackendActivationMode } from "../../reference/model/modes.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import { packedRowBytes } from "../../reference/model/packed-matrix.js";
import type { PackedWasmEngine } from "./engine.js";
import { floatModeMatmul } from "./mode-matmul.js";
import { MAX_PAGES } from "./heap.js";
import { engineAttention, engineRmsNorm, engineRope, engineSwiglu, hostEmbedding } from "./ops.js";

/** A matrix in engine memory: its address and shape. */
class EngineMatrix implements PreparedMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowBytes: number;
  constructor(
    readonly matrix: PackedMatrix,
    /** Address of row 0 in engine memory. */
    readonly address: number,
    /** The fallback backend's own preparation, for the modes the engine has no kernel for. */
    readonly fallback: PreparedMatrix,
  ) {
    this.rows = matrix.rows;
    this.cols = matrix.cols;
    this.rowBytes = packedRowBytes(matrix);
  }
  dispose(): void {
    this.fallback.dispose();
  }
}

/** matmulQ8K's `dot` for each Q8_K weight type (assembly/index.ts Q8KDot). */
const Q8K_DOTS: ReadonlyMap<GgmlType, number> = new Map([
  [GgmlType.TQ2_0, 0],
  [GgmlType.TQ1_0, 1],
  [GgmlType.Q6_K, 2],
]);

/** Weight types the engine computes on (others are prepared by the fallback backend only). */
const ENGINE_TYPES: ReadonlySet<GgmlType> = new Set([GgmlType.TQ2_0, GgmlType.TQ1_0, GgmlType.F16, GgmlType.Q6_K]);

/** Throw unless x holds exactly batch rows of n values. */
function checkBatch(x: Float32Array, batch: number, n: number): void {
  if (!Number.isInteger(batch) || batch < 0 || x.length !== batch * n)
    throw new RangeError(`packed-wasm matmul: expected ${batch} rows of ${n} values, got ${x.length} values`);
}

/** q16[e] = qs[e] of every element of Q8_K `blocks` (292 bytes each: d, qs[256], bsums): the int8 q's as int16. */
function widenQ8KCodes(blocks: Uint8Array, q16: Int16Array): void {
  for (let i = 0; i < q16.length / 256; i++)
    q16.set(new Int8Array(blocks.buffer, blocks.byteOffset + 292 * i + 4, 256), 256 * i);
}

/**
 * The engine's matmul, or undefined where it has no kernel for W's type in `mode` (the caller falls back).
 * y[b, r] for x [B·C] → y [B·R]. Spec/forward.md §3 (conversion), §9 (the kernels' order).
 */
function engineMatmul(
  engine: PackedWasmEngine,
  m: EngineMatrix,
  x: Float32Array,
  batch: number,
  mode: BackendActivationMode,
): Float32Array | undefined {
  const { rows, cols } = m;
  const type = m.matrix.type;
  if (mode !== "ggml-matmul") return floatModeMatmul(engine, { ...m, type }, x, batch, mode);
  const tinyBlas = takenByTinyBlas({ rows, cols, tokens: 2 }); // the reference backend's linear: a two-token batch
  const { heap, runner } = engine;
  const out = heap.scratchRegion("out", 4 * batch * rows);
  if (type === GgmlType.TQ2_0 || type === GgmlType.TQ1_0 || type === GgmlType.Q6_K) {
    // token b: its Q8_K blocks, then (TQ2_0's kernel) its q's widened to int16 — once per token, not per weight row.
    // The conversion activation-conversion.ts names for TQ and Q6_K weights (Q8_K), computed in the engine:
    // quantizeRowsQ8K is the reference's quantize_row_q8_K_ref bit for bit on finite rows; a row holding ±∞ or NaN is
    // converted here.
    const q8kBytes = (cols / 256) * 292;
    const widen = type === GgmlType.TQ2_0;
    const activationBytes = q8kBytes + (widen ? 2 * cols : 0);
    const input = heap.scratchRegion("in", activationBytes * batch);
    const floats = heap.scratchRegion("in-f32", 4 * cols * batch);
    heap.floats(floats, cols * batch).set(x);
    const quantize = engine.exports.quantizeRowsQ8K as (...args: number[]) => number;
    for (let b = quantize(floats, cols, batch, input, activationBytes, widen ? 1 : 0); b < batch; b++) {
      const converted = convertActivations(mode, type, x.subarray(b * cols, (b + 1) * cols));
      if (converted.kind !== "q8_k")
        throw new Error("packed-wasm: TQ and Q6_K weights take Q8_K activations in ggml-matmul mode");
      const region = input + b * activationBytes;
      heap.bytes(region, q8kBytes).set(converted.blocks);
      if (widen) widenQ8KCodes(converted.blocks, heap.shorts(region + q8kBytes, cols));
      if (b + 1 < batch)
        b += quantize(
          floats + 4 * cols * (b + 1),
          cols,
          batch - b - 1,
          region + activationBytes,
          activationBytes,
          widen ? 1 : 0,
        );
    }
    const dot = Q8K_DOTS.get(type) ?? 0;
    runner.run("matmulQ8K", rows, [dot, m.address, m.rowBytes, rows, input, activationBytes, batch, out]);
  } else if (type === GgmlType.F16) {
    const input = heap.scratchRegion("in", 4 * cols * batch);
    const values = heap.floats(input, cols * batch);
    for (let b = 0; b < batch; b++) {
      const converted = convertActivations(
        mode,
        type,
        x.subarray(b * cols, (b + 1) * cols),
        LLAMA_F16_MATMUL_INPUT,
        tinyBlas,
      );
      if (converted.kind !== "fp16") return undefined; // the older build's F16 × F32 input: not an engine kernel
      values.set(converted.values, b * cols);
    }
    runner.run("matmulF16", rows, [m.address, cols, rows, input, batch, out, tinyBlas ? 1 : 0]);
  } else return undefined;
  return heap.floats(out, batch * rows).slice();
}

/** wasm32's address space: 65536 pages of 64 KiB, 4 GiB. */
const ADDRESS_SPACE_BYTES = MAX_PAGES * 65536;

/**
 * What the engine keeps free above a model file read into its memory: room for its scratch regions (activations in,
 * outputs out, the KV rows attention reads), which grow with the batch and the context. Spec/performance.md §4.
 */
export const ENGINE_RESERVED_BYTES = 256 * 2 ** 20;

/**
 * The engine's memory as a place to read a model file (Backend.weightMemory): the file's bytes are allocated on the
 * heap once, and prepareMatrix then finds each matrix there (heap.addressOf) and copies nothing. Spec/performance.md §4.
 */
export function engineWeightMemory(engine: PackedWasmEngine): BackendWeightMemory {
  return {
    name: "the packed-wasm engine's WebAssembly memory (4 GiB, less what it holds and keeps for its buffers)",
    get maxBytes() {
      return Math.max(0, ADDRESS_SPACE_BYTES - engine.heap.used - ENGINE_RESERVED_BYTES);
    },
    allocate: (bytes) => engine.heap.allocateBytes(bytes),
  };
}

/**
 * The packed-wasm backend on `engine`; `fallback` (the reference backend) computes what the engine has no kernel
 * for. Spec/performance.md §1.
 */
export function createPackedWasmBackend(engine: PackedWasmEngine, fallback: Backend): Backend {
  const prepared = (weight: PreparedMatrix): EngineMatrix => {
    if (!(weight instanceof EngineMatrix))
      throw new TypeError("packed-wasm backend: matmul needs a matrix prepared by the packed-wasm backend");
    return weight;
  };
  return {
    name: "packed-wasm",
    describe: () =>
      `packed-wasm (AssemblyScript → WebAssembly SIMD on the packed bytes, ${engine.runner.threads} thread${engine.runner.threads === 1 ? "" : "s"})`,
    weightMemory: engineWeightMemory(engine),
    prepareMatrix(matrix) {
      const fallbackMatrix = fallback.prepareMatrix(matrix);
      if (!ENGINE_TYPES.has(matrix.type)) return new EngineMatrix(matrix, -1, fallbackMatrix);
      let address = engine.heap.addressOf(matrix.data);
      if (address === undefined) {
        address = engine.heap.allocate(matrix.data.length);
        engine.heap.bytes(address, matrix.data.length).set(matrix.data);
      }
      // the F16 kernels widen finite fp16 only (spec/performance.md §1): a matrix holding ±∞ or NaN (never a real
      // model's) is computed by the fallback backend, the bytes just placed left unused
      const f16AllFinite = engine.exports.f16AllFinite as (pointer: number, count: number) => number;
      if (matrix.type === GgmlType.F16 && f16AllFinite(address, matrix.rows * matrix.cols) === 0)
        return new EngineMatrix(matrix, -1, fallbackMatrix);
      return new EngineMatrix(matrix, address, fallbackMatrix);
    },
    matmul(weight, x, batch, mode) {
      const m = prepared(weight);
      checkBatch(x, batch, m.cols);
      if (m.address >= 0) {
        const y = engineMatmul(engine, m, x, batch, mode);
        if (y !== undefined) return y;
      }
      return fallback.matmul(m.fallback, x, batch, mode);
    },
    rmsNorm: (x, weight, eps, batch) => engineRmsNorm(engine, x, weight, eps, batch),
    rope: (x, headDim, ropeDim, theta, style, positions) =>
      engineRope(engine, x, headDim, ropeDim, theta, style, positions),
    swiglu: (gate, up) => engineSwiglu(engine, gate, up),
    attention: (q, keys, values, positions, shape) => engineAttention(engine, q, keys, values, positions, shape),
    embedding: (table, tokens) => hostEmbedding(table, tokens),
    dispose() {
      engine.runner.dispose();
      fallback.dispose();
    },
  };
}
