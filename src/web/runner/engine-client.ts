/**
 * The page's side of the engine worker (engine-session.ts has the protocol): start the packed-wasm session in a Web
 * Worker and step it, one request at a time, each answered by the worker's next reply. A worker that fails (an error
 * event, a message that cannot be read, an "error" reply) rejects the request in flight with one line, and every
 * later one. Written against the few members of Worker it uses, so that it typechecks without the DOM lib.
 */

import type { EngineSessionStart, EngineWorkerReply, EngineWorkerRequest } from "./engine-session.js";

/** The part of the DOM's Worker the client uses. */
export interface EngineWorkerPort {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null;
  onmessageerror: ((event: unknown) => void) | null;
  postMessage(message: EngineWorkerRequest, transfer: ArrayBuffer[]): void;
  terminate(): void;
}

/** A started session in a worker. */
export interface EngineWorkerSession {
  /** What runs, e.g. "packed-wasm (…, 2 threads) in a Web Worker". */
  readonly description: string;
  /** The worker's own preparation time (engine, file, matrices), in ms. */
  readonly prepareMs: number;
  /** The logits of `token` at `pos`. One step at a time: await each before the next. */
  step(token: number, pos: number): Promise<Float32Array>;
  /** Stop the worker (and the engine's workers it started). */
  dispose(): void;
}

/** What startEngineWorker posts, less its kind. */
export type EngineWorkerStart = Omit<EngineSessionStart, "kind">;

/**
 * Start the session `start` describes in `worker`; resolves once the worker has prepared every matrix. The file's
 * buffer is transferred (it is unusable here afterwards): pass a copy where the page keeps the bytes. On failure the
 * worker is terminated.
 */
export async function startEngineWorker(
  worker: EngineWorkerPort,
  start: EngineWorkerStart,
): Promise<EngineWorkerSession> {
  let pending: { resolve(reply: EngineWorkerReply): void; reject(error: Error): void } | undefined;
  let failure: string | undefined;
  const fail = (reason: string): void => {
    failure ??= `packed-wasm engine worker: ${reason}`;
    pending?.reject(new Error(failure));
    pending = undefined;
  };
  worker.onmessage = (event) => {
    const reply = event.data as EngineWorkerReply;
    if (reply.kind === "error") return fail(reply.message);
    const waiting = pending;
    pending = undefined;
    if (waiting === undefined) fail(`an unexpected "${reply.kind}" reply`);
    else waiting.resolve(reply);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(event.message || "the worker failed to load or threw");
  };
  worker.onmessageerror = () => fail("a reply could not be deserialized");
  const request = (message: EngineWorkerRequest, transfer: ArrayBuffer[]): Promise<EngineWorkerReply> => {
    if (failure !== undefined) return Promise.reject(new Error(failure));
    if (pending !== undefined) return Promise.reject(new Error("packed-wasm engine worker: a request is in flight"));
    return new Promise((resolve, reject) => {
      pending = { resolve, reject };
      worker.postMessage(message, transfer);
    });
  };
  const transfer = start.gguf.buffer instanceof ArrayBuffer ? [start.gguf.buffer] : [];
  let ready: EngineWorkerReply;
  try {
    ready = await request({ kind: "start", ...start }, transfer);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  if (ready.kind !== "ready") {
    worker.terminate();
    throw new Error(`packed-wasm engine worker: answered "${ready.kind}" to its start`);
  }
  return {
    description: ready.description,
    prepareMs: ready.prepareMs,
    async step(token, pos) {
      const reply = await request({ kind: "step", token, pos }, []);
      if (reply.kind !== "logits") throw new Error(`packed-wasm engine worker: answered "${reply.kind}" to a step`);
      return reply.logits;
    },
    dispose() {
      fail("disposed");
      worker.terminate();
    },
  };
}
