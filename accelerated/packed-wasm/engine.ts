/**
 * The packed-wasm engine: the compiled AssemblyScript kernels (accelerated/packed-wasm/assembly/, built by
 * `npm run build:wasm` into build/engine.wasm) instantiated on one shared memory, with the heap the host manages
 * and the runner that splits a kernel's output rows over threads. Platform-neutral: the wasm module and the thread
 * runner are given by the caller (Node: node-engine.ts; the page: src/web/runner).
 */

import { WasmHeap } from "./heap.js";

/** The kernels of build/engine.wasm that take an output row range [rowStart, rowEnd) as their first two arguments. */
export type RowKernelName = "matmulQ8K" | "matmulF16" | "matmulFloatMode";

/** What build/engine.wasm exports. */
export interface EngineExports {
  /** First address above the module's static data. */
  heapBase(): number;
  /** Every row kernel: (rowStart, rowEnd, …arguments) → void. */
  readonly [name: string]: ((...args: number[]) => number | void) | WebAssembly.Memory;
}

/** Runs a row kernel over rows [0, rows): on this thread, or split over worker threads (thread-pool.ts). */
export interface RowRunner {
  /** Threads that compute (1: this thread only). */
  readonly threads: number;
  /** kernel(rowStart, rowEnd, …args) for a partition of [0, rows); returns when every row is done. */
  run(kernel: RowKernelName, rows: number, args: readonly number[]): void;
  /** Stop the workers. Idempotent. */
  dispose(): void;
}

/** A new shared memory for the engine (one page; it grows as the heap allocates). */
export function createEngineMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
}

/**
 * Instantiate the engine module on `memory` (the main thread's instance and every worker's). Serialized with
 * toString() into the workers' source (thread-pool.ts): it must stay self-contained — globals only (Math, WebAssembly),
 * no imported or module-level names.
 */
export function instantiateEngine(module: WebAssembly.Module, memory: WebAssembly.Memory): EngineExports {
  // js-math: the host Math functions the kernels import where their bits must be V8's (spec/performance.md §7)
  const instance = new WebAssembly.Instance(module, { env: { memory }, "js-math": { exp: Math.exp } });
  return instance.exports as unknown as EngineExports;
}

/** Call row kernel `kernel` of `exports` on rows [rowStart, rowEnd). */
export function callRowKernel(
  exports: EngineExports,
  kernel: RowKernelName,
  rowStart: number,
  rowEnd: number,
  args: readonly number[],
): void {
  const f = exports[kernel] as (...a: number[]) => void;
  f(rowStart, rowEnd, ...args);
}

/** The runner that computes every row on the calling thread. */
export function singleThreadRunner(exports: EngineExports): RowRunner {
  return {
    threads: 1,
    run: (kernel, rows, args) => callRowKernel(exports, kernel, 0, rows, args),
    dispose: () => {},
  };
}

/** The engine: module, memory, heap, exports of this thread's instance and the row runner. */
export interface PackedWasmEngine {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly heap: WasmHeap;
  readonly exports: EngineExports;
  readonly runner: RowRunner;
}

/**
 * An engine on `module` whose rows run on `makeRunner(module, memory, exports)` (default: this thread only).
 */
export function createEngine(
  module: WebAssembly.Module,
  makeRunner: (module: WebAssembly.Module, memory: WebAssembly.Memory, exports: EngineExports) => RowRunner = (
    _m,
    _mem,
    exports,
  ) => singleThreadRunner(exports),
): PackedWasmEngine {
  const memory = createEngineMemory();
  const exports = instantiateEngine(module, memory);
  const heap = new WasmHeap(memory, exports.heapBase());
  return { module, memory, heap, exports, runner: makeRunner(module, memory, exports) };
}
