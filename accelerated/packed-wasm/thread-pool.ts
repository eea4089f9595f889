/**
 * The packed-wasm engine's threads (spec/performance.md §3): a RowRunner over threads − 1 workers and the calling
 * thread, all computing on the one shared WebAssembly.Memory. Platform-neutral: the platform gives the function that
 * spawns a worker on a JavaScript source (Node: node-threads.ts, worker_threads; the page: web-threads.ts, Web
 * Workers).
 *
 * Protocol. Each worker instantiates the engine module on the shared memory once (instantiateEngine, serialized into
 * its source), posts "ready", then waits on a shared control block. `run(kernel, rows, args)` writes the job into the
 * block — the kernel (its index among the module's exports), the numeric arguments (float64: wasm32 addresses are
 * below 2³²) and the row boundaries of every thread — bumps the generation and wakes the workers (Atomics.notify),
 * computes thread 0's rows itself, then waits (Atomics.wait) until every worker has stored the generation in its
 * `finished` slot. Thread t computes rows [bound[t], bound[t + 1]): contiguous chunks, and every row is computed by the
 * same kernel code on the same bytes whatever the chunk it falls in, so the output cannot depend on the thread count.
 * Both sides spin a little before sleeping, because a forward pass makes hundreds of short calls.
 *
 * run() blocks the calling thread: Atomics.wait is allowed on Node's main thread and in Web Workers, not on a page's
 * main thread (web-threads.ts: canBlockOnThisThread).
 */

import {
  callRowKernel,
  createEngine,
  instantiateEngine,
  type EngineExports,
  type PackedWasmEngine,
  type RowKernelName,
  type RowRunner,
} from "./engine.js";

/** Where things are in the control block: Int32 indices, except ARGS_BYTE (a byte offset of float64s). */
const LAYOUT = {
  /** Int32: job counter; a worker wakes when it changes. */
  generation: 0,
  /** Int32: 1 once the pool is stopping. */
  stop: 1,
  /** Int32: the kernel, as its index in Object.keys(exports) (the same on every instance of the module). */
  kernel: 2,
  /** Int32: how many float64 arguments follow the row range. */
  argCount: 3,
  /** Int32: the first failing worker's index (0: none). */
  failed: 4,
  /** Int32: length of the failure message (UTF-16 code units at MESSAGE_BYTE). */
  messageLength: 5,
  /** Int32 × (MAX_THREADS + 1): row boundaries; thread t computes [bounds[t], bounds[t + 1]). */
  bounds: 8,
  /** Int32 × MAX_THREADS: the last generation each worker finished. */
  finished: 8 + 257,
  /** Int32 × MAX_THREADS: 1 where a worker has failed and stopped. */
  dead: 8 + 257 + 256,
  /** Byte offset of the arguments (float64 × MAX_ARGS). */
  argsByte: 4096,
  /** How many arguments a kernel may take besides its row range. */
  maxArgs: 32,
  /** Byte offset of the failure message (UTF-16 × MAX_MESSAGE). */
  messageByte: 4096 + 8 * 32,
  /** Longest failure message kept, in UTF-16 code units. */
  maxMessage: 512,
} as const;

/** Bytes of the control block. */
const CONTROL_BYTES = LAYOUT.messageByte + 2 * LAYOUT.maxMessage;

/** Most threads a pool may have (the control block's slots). */
export const MAX_THREADS = 256;

/**
 * Spin iterations (each one Atomics.load) before a thread sleeps in Atomics.wait: a few microseconds, which catches
 * the next call of a forward pass's back-to-back matmuls without a futex round trip (spec/performance.md §3).
 */
export const DEFAULT_SPIN = 2000;

/** How long run() sleeps at a time while waiting for a worker (ms): the bound on noticing a failure without a wake. */
const WAIT_SLICE_MS = 50;

/** What a worker is given when it starts (structured-cloned: the module, the shared memory and the control block). */
export interface WorkerStart {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  /** This worker's thread index, 1 … threads − 1 (the calling thread is 0). */
  readonly index: number;
  /** Spin iterations before Atomics.wait. */
  readonly spin: number;
  /** The control block's layout. */
  readonly layout: typeof LAYOUT;
}

/** What the platform reports about a worker it spawned. */
export interface WorkerEvents {
  /** The worker posted `message`: "ready" once it has instantiated the engine, else a failure line. */
  message(message: unknown): void;
  /** The worker failed or exited (an error, exit or messageerror event), in one line. */
  failed(reason: string): void;
}

/** A spawned worker: how to stop it. */
export interface SpawnedWorker {
  terminate(): void;
}

/**
 * Spawn a worker that evaluates `source` — a JavaScript function expression `(start, post) => void` — on the start
 * message `start`, `post` sending its messages to `events.message`.
 */
export type SpawnWorker = (source: string, start: WorkerStart, events: WorkerEvents) => SpawnedWorker;

/**
 * The body of every worker, serialized with toString(): it must stay self-contained (no imports, no module-level
 * names; `instantiate` is instantiateEngine's source, given as an argument). It instantiates the engine, posts
 * "ready" and loops: wait for a new generation (spin, then Atomics.wait), compute this thread's rows, store the
 * generation in its `finished` slot and wake the caller. Any exception — a wasm trap in a kernel, a failed
 * instantiation — is written into the control block (first failure wins), the worker marks itself dead, wakes the
 * caller and stops.
 */
function workerMain(
  start: WorkerStart,
  post: (message: string) => void,
  instantiate: (module: WebAssembly.Module, memory: WebAssembly.Memory) => EngineExports,
): void {
  const L = start.layout;
  const control = new Int32Array(start.control);
  const index = start.index;
  let phase = "instantiating the engine";
  try {
    const exports = instantiate(start.module, start.memory);
    const kernels = Object.keys(exports).map((name) => exports[name] as (...args: number[]) => void);
    const args = new Float64Array(start.control, L.argsByte, L.maxArgs);
    // read before "ready": no job can be published before every worker is ready, so this is the generation before the first
    let seen = Atomics.load(control, L.generation);
    post("ready");
    for (;;) {
      phase = "waiting for a job";
      for (let spins = 0; Atomics.load(control, L.generation) === seen; spins++)
        if (spins >= start.spin) Atomics.wait(control, L.generation, seen);
      seen = Atomics.load(control, L.generation);
      if (Atomics.load(control, L.stop) !== 0) return;
      const rowStart = control[L.bounds + index];
      const rowEnd = control[L.bounds + index + 1];
      phase = `computing rows [${rowStart}, ${rowEnd})`;
      if (rowEnd > rowStart) {
        const kernelArgs = Array.from(args.subarray(0, control[L.argCount]));
        kernels[control[L.kernel]](rowStart, rowEnd, ...kernelArgs);
      }
      Atomics.store(control, L.finished + index, seen);
      Atomics.notify(control, L.finished + index);
    }
  } catch (error) {
    const line = `worker ${index} failed ${phase}: ${String(error)}`.split("\n")[0];
    if (Atomics.compareExchange(control, L.failed, 0, index) === 0) {
      const text = new Uint16Array(start.control, L.messageByte, L.maxMessage);
      const length = Math.min(line.length, L.maxMessage);
      for (let i = 0; i < length; i++) text[i] = line.charCodeAt(i);
      Atomics.store(control, L.messageLength, length);
    }
    Atomics.store(control, L.dead + index, 1);
    Atomics.notify(control, L.finished + index);
    post(line);
  }
}

/** The source every platform's worker evaluates: workerMain with instantiateEngine bound as its third argument. */
export const WORKER_SOURCE = `(start, post) => (${workerMain.toString()})(start, post, ${instantiateEngine.toString()})`;

/**
 * Row boundaries for `threads` threads over `rows` rows: thread t gets [bounds[t], bounds[t + 1]), contiguous,
 * sizes differing by at most one (floor(rows·t / threads)). Some chunks are empty when rows < threads.
 */
export function splitRows(rows: number, threads: number): number[] {
  return Array.from({ length: threads + 1 }, (_, t) => Math.floor((rows * t) / threads));
}

/** A RowRunner on worker threads; `ready` resolves once every worker has instantiated the engine. */
export class ThreadPool implements RowRunner {
  /** Resolves when every worker is ready; rejects with the first worker's failure. */
  readonly ready: Promise<void>;
  private readonly control = new SharedArrayBuffer(CONTROL_BYTES);
  private readonly words = new Int32Array(this.control);
  private readonly args = new Float64Array(this.control, LAYOUT.argsByte, LAYOUT.maxArgs);
  private readonly workers: SpawnedWorker[] = [];
  private readonly kernelIds: Map<string, number>;
  private started = false;
  private disposed = false;
  /** Why the pool cannot run any more (a worker failed), once it cannot. */
  private failure: string | undefined;

  /**
   * Spawn threads − 1 workers with `spawn` on `module` and `memory`; `exports` is the calling thread's instance
   * (thread 0). `spin`: iterations before a thread sleeps.
   */
  constructor(
    readonly threads: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly exports: EngineExports,
    spawn: SpawnWorker,
    private readonly spin = DEFAULT_SPIN,
  ) {
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
      throw new RangeError(`packed-wasm: threads must be a whole number from 1 to ${MAX_THREADS}, not ${threads}`);
    this.kernelIds = new Map(Object.keys(exports).map((name, id) => [name, id]));
    const readies: Promise<void>[] = [];
    for (let index = 1; index < threads; index++) {
      readies.push(
        new Promise<void>((resolve, reject) => {
          const start: WorkerStart = { module, memory, control: this.control, index, spin, layout: LAYOUT };
          const events: WorkerEvents = {
            message: (message) => (message === "ready" ? resolve() : this.fail(String(message), reject)),
            failed: (reason) => this.fail(`worker ${index}: ${reason}`, reject),
          };
          this.workers.push(spawn(WORKER_SOURCE, start, events));
        }),
      );
    }
    this.ready = Promise.all(readies).then(() => {
      this.started = true;
    });
    this.ready.catch(() => {}); // the caller awaits it; this keeps an unawaited failure from being unhandled
  }

  /** Record the first failure (ignored once disposed: terminating the workers makes them exit). */
  private fail(reason: string, reject: (error: Error) => void): void {
    if (this.disposed) return;
    this.failure ??= reason;
    reject(new Error(`packed-wasm: ${this.failure}`));
  }

  run(kernel: RowKernelName, rows: number, args: readonly number[]): void {
    if (this.disposed) throw new Error("packed-wasm: the thread pool is disposed");
    if (this.failure !== undefined) throw new Error(`packed-wasm: ${this.failure}`);
    if (!this.started) throw new Error("packed-wasm: the thread pool is not ready (await its ready promise)");
    const kernelId = this.kernelIds.get(kernel);
    if (kernelId === undefined) throw new Error(`packed-wasm: the engine has no kernel ${kernel}`);
    if (args.length > LAYOUT.maxArgs)
      throw new RangeError(`packed-wasm: ${kernel} takes at most ${LAYOUT.maxArgs} arguments`);
    const words = this.words;
    const bounds = splitRows(rows, this.threads);
    words[LAYOUT.kernel] = kernelId;
    words[LAYOUT.argCount] = args.length;
    this.args.set(args);
    for (let t = 0; t <= this.threads; t++) words[LAYOUT.bounds + t] = bounds[t];
    const generation = Atomics.add(words, LAYOUT.generation, 1) + 1;
    Atomics.notify(words, LAYOUT.generation);
    let own: unknown;
    try {
      if (bounds[1] > 0) callRowKernel(this.exports, kernel, 0, bounds[1], args);
    } catch (error) {
      own = error;
    }
    this.waitForWorkers(generation);
    if (own !== undefined) throw own;
    if (this.failure !== undefined) throw new Error(`packed-wasm: ${this.failure}`);
  }

  /** Block until every worker has finished `generation` or died (a dead worker sets `failure`). */
  private waitForWorkers(generation: number): void {
    const words = this.words;
    for (let index = 1; index < this.threads; index++) {
      const slot = LAYOUT.finished + index;
      for (let spins = 0; ; spins++) {
        const finished = Atomics.load(words, slot);
        if (finished === generation) break;
        if (Atomics.load(words, LAYOUT.dead + index) !== 0) {
          this.failure ??= this.failureMessage();
          break;
        }
        if (spins >= this.spin) Atomics.wait(words, slot, finished, WAIT_SLICE_MS);
      }
    }
  }

  /** The failure message a worker wrote into the control block. */
  private failureMessage(): string {
    const length = Atomics.load(this.words, LAYOUT.messageLength);
    const text = new Uint16Array(this.control, LAYOUT.messageByte, length);
    return String.fromCharCode(...text);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.words, LAYOUT.stop, 1);
    Atomics.add(this.words, LAYOUT.generation, 1);
    Atomics.notify(this.words, LAYOUT.generation);
    for (const worker of this.workers) worker.terminate();
  }
}

/**
 * An engine on `module` computing on `threads` threads: this thread only for 1, else a ThreadPool whose workers
 * `spawn` starts (resolves once they are ready; rejects, with the workers stopped, if one fails to start).
 */
export async function createThreadedEngine(
  module: WebAssembly.Module,
  threads: number,
  spawn: SpawnWorker,
): Promise<PackedWasmEngine> {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS)
    throw new RangeError(`packed-wasm: threads must be a whole number from 1 to ${MAX_THREADS}, not ${threads}`);
  if (threads === 1) return createEngine(module);
  const engine = createEngine(module, (m, memory, exports) => new ThreadPool(threads, m, memory, exports, spawn));
  try {
    await (engine.runner as ThreadPool).ready;
  } catch (error) {
    engine.runner.dispose();
    throw error;
  }
  return engine;
}
