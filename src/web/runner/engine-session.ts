/**
 * The packed-wasm engine's whole session inside a Web Worker (spec/performance.md §3): the page's main thread may
 * not block in Atomics.wait, which the engine's thread pool needs, so the page runs the engine in a dedicated module
 * worker (engine-worker.ts) and only posts tokens to it (engine-client.ts). This module is the worker's side, without
 * the worker's global scope (serveEngineSession takes the port), so Node tests can drive it.
 *
 * Protocol: the page posts one EngineSessionStart — the compiled engine module, the thread count, the GGUF file's
 * bytes (transferred), the context length and the activation mode. The worker makes the engine on that many threads
 * (web-threads.ts createWebEngine: its Web Workers share the engine's memory), copies the file once into engine
 * memory (Backend.weightMemory, spec/performance.md §4) and parses it there, so the packed matrices are used where
 * they lie; it opens a backend session (src/backend/backend-forward.ts) over the packed-wasm backend with the
 * reference backend as its fallback, and answers "ready". Then each EngineStepRequest is answered with that
 * position's logits (the buffer transferred). Anything that throws is answered with one "error" line.
 */

import type { BackendActivationMode } from "../../../reference/model/modes.js";
import type { PackedWasmEngine } from "../../../accelerated/packed-wasm/engine.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { createWebEngine } from "../../../accelerated/packed-wasm/web-threads.js";
import { createBackendSession, type BackendSession } from "../../backend/backend-forward.js";
import { createReferenceBackend } from "../../backend/reference-backend.js";
import { parseGguf } from "../../gguf/reader.js";
import { modelFromGguf } from "../../model/gguf-model.js";

/** The first message to the worker: what to run. */
export interface EngineSessionStart {
  readonly kind: "start";
  /** The compiled engine (accelerated/packed-wasm/build/engine.wasm); a Module can be posted. */
  readonly module: WebAssembly.Module;
  /** Threads computing the engine's rows: this worker and threads − 1 more Web Workers. */
  readonly threads: number;
  /** The GGUF file's bytes (transfer the buffer: the worker copies them once into engine memory). */
  readonly gguf: Uint8Array;
  /** The file's name, for messages. */
  readonly fileName: string;
  /** Positions the session holds (its KV cache). */
  readonly contextLength: number;
  /** How matmuls convert activations (spec/forward.md §3): "ggml-matmul" is bit-identical to the reference backend. */
  readonly activations: BackendActivationMode;
}

/** A later message: the logits of `token` at position `pos`. */
export interface EngineStepRequest {
  readonly kind: "step";
  readonly token: number;
  readonly pos: number;
}

/** What the page posts to the worker. */
export type EngineWorkerRequest = EngineSessionStart | EngineStepRequest;

/** What the worker answers, one reply per request. */
export type EngineWorkerReply =
  | {
      readonly kind: "ready";
      /** backend.describe() of the packed-wasm backend, with where it runs. */
      readonly description: string;
      /** Making the engine, copying and parsing the file and preparing every matrix, in ms. */
      readonly prepareMs: number;
    }
  | { readonly kind: "logits"; readonly logits: Float32Array }
  | { readonly kind: "error"; readonly message: string };

/** The worker's side of its port: a dedicated worker's global scope has this shape. */
export interface EngineWorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: EngineWorkerReply, transfer: ArrayBuffer[]): void;
}

/** Makes the engine on `threads` threads (default: web-threads.ts createWebEngine). */
export type MakeEngine = (module: WebAssembly.Module, threads: number) => Promise<PackedWasmEngine>;

/** An open session: its logits per step, and how to end it. */
interface OpenSession {
  readonly description: string;
  step(token: number, pos: number): Float32Array;
  dispose(): void;
}

/** Make the engine, read the file into its memory, open the backend session. */
async function openSession(start: EngineSessionStart, makeEngine: MakeEngine): Promise<OpenSession> {
  const engine = await makeEngine(start.module, start.threads);
  const backend = createPackedWasmBackend(engine, createReferenceBackend());
  let session: BackendSession | undefined;
  try {
    const memory = backend.weightMemory;
    if (memory === undefined) throw new Error("the packed-wasm backend has no weight memory");
    if (start.gguf.length > memory.maxBytes)
      throw new Error(`${start.fileName}: ${start.gguf.length} bytes do not fit in ${memory.name}`);
    const bytes = memory.allocate(start.gguf.length);
    bytes.set(start.gguf);
    const model = modelFromGguf(parseGguf(bytes, start.fileName));
    session = createBackendSession({ ...model.config, contextLength: start.contextLength }, model.weights, backend, {
      activations: start.activations,
      kvCache: "f32",
    });
  } catch (error) {
    backend.dispose();
    throw error;
  }
  const open = session;
  return {
    description: `${backend.describe()} in a Web Worker`,
    step: (token, pos) => open.step(token, pos),
    dispose: () => {
      open.dispose();
      backend.dispose();
    },
  };
}

/** The message of anything thrown, on one line. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * Answer the page's requests on `scope` (a dedicated worker's global scope): one start, then steps. Requests are
 * handled one after another, in the order they came.
 */
export function serveEngineSession(scope: EngineWorkerScope, makeEngine: MakeEngine = createWebEngine): void {
  let session: OpenSession | undefined;
  let queue = Promise.resolve();
  const handle = async (request: EngineWorkerRequest): Promise<void> => {
    if (request.kind === "start") {
      if (session !== undefined) throw new Error("the engine worker's session is already started");
      const t0 = performance.now();
      session = await openSession(request, makeEngine);
      scope.postMessage({ kind: "ready", description: session.description, prepareMs: performance.now() - t0 }, []);
    } else if (request.kind === "step") {
      if (session === undefined) throw new Error("the engine worker got a step before its session started");
      const logits = session.step(request.token, request.pos);
      const own = logits.byteOffset === 0 && logits.byteLength === logits.buffer.byteLength ? logits : logits.slice();
      scope.postMessage({ kind: "logits", logits: own }, [own.buffer as ArrayBuffer]);
    } else throw new Error(`the engine worker got an unknown request ${JSON.stringify(request)}`);
  };
  scope.onmessage = (event) => {
    queue = queue
      .then(() => handle(event.data as EngineWorkerRequest))
      .catch((error: unknown) => scope.postMessage({ kind: "error", message: messageOf(error) }, []));
  };
}
