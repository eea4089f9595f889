/**
 * Browser: the packed-wasm engine's workers as Web Workers (spec/performance.md §3), each started from a Blob URL of
 * the pool's source (thread-pool.ts WORKER_SOURCE) and given its start message (module, shared memory, control block)
 * by postMessage. Needs SharedArrayBuffer, so a cross-origin isolated page. More than one thread also needs a thread
 * that may block in Atomics.wait: a Web Worker, never the page's main thread — a page runs the engine inside a worker
 * for threads > 1 (canBlockOnThisThread tells; createWebEngine refuses otherwise).
 */

import type { PackedWasmEngine } from "./engine.js";
import { createThreadedEngine, type SpawnWorker } from "./thread-pool.js";

/** The part of the DOM's Worker the pool uses (Node's tsc has no DOM types). */
interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null;
  onmessageerror: ((event: unknown) => void) | null;
  postMessage(message: unknown): void;
  terminate(): void;
}

/** The DOM's Worker constructor, from the global scope. */
function workerConstructor(): new (url: string) => WebWorker {
  const constructor = (globalThis as unknown as { Worker?: new (url: string) => WebWorker }).Worker;
  if (constructor === undefined) throw new Error("packed-wasm: this JavaScript environment has no Web Workers");
  return constructor;
}

/**
 * May this thread block in Atomics.wait? True in a Web Worker (and in Node), false on a page's main thread, where
 * Atomics.wait throws, and where SharedArrayBuffer is missing (a page that is not cross-origin isolated).
 */
export function canBlockOnThisThread(): boolean {
  try {
    // value 1 ≠ the stored 0: returns "not-equal" at once where waiting is allowed, throws a TypeError where it is not
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Spawn a Web Worker on the pool's source from a Blob URL (revoked once the worker is ready or stopped). */
export const spawnWebWorker: SpawnWorker = (source, start, events) => {
  const WorkerClass = workerConstructor();
  const code = `self.onmessage = (event) => {
  self.onmessage = null;
  (${source})(event.data, (message) => self.postMessage(message));
};`;
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  const worker = new WorkerClass(url);
  worker.onmessage = (event) => {
    if (event.data === "ready") URL.revokeObjectURL(url);
    events.message(event.data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    events.failed(event.message);
  };
  worker.onmessageerror = () => events.failed("a message could not be deserialized");
  worker.postMessage(start);
  return {
    terminate: () => {
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
};

/**
 * An engine on `module` (web-engine.ts fetchEngineModule) computing on `threads` threads — more than one as Web
 * Workers, which needs a thread that may block (canBlockOnThisThread: run the engine inside a Web Worker); a one-line
 * Error otherwise.
 */
export async function createWebEngine(module: WebAssembly.Module, threads: number): Promise<PackedWasmEngine> {
  if (threads > 1 && !canBlockOnThisThread())
    throw new Error(
      `packed-wasm: ${threads} threads need Atomics.wait, which this thread may not call (a page's main thread, or a ` +
        "page that is not cross-origin isolated): run the engine inside a Web Worker, or use 1 thread",
    );
  return createThreadedEngine(module, threads, spawnWebWorker);
}
