/**
 * Node only: the packed-wasm engine's workers as worker_threads (spec/performance.md §3). The worker evaluates the
 * pool's source (thread-pool.ts WORKER_SOURCE) as a CommonJS script, so it runs the same from the TypeScript sources
 * (vitest) and from dist/. A worker is unref'd once ready: an engine that is not disposed never keeps the process alive.
 */

import { Worker } from "node:worker_threads";
import type { SpawnWorker } from "./thread-pool.js";

/** Spawn a worker_threads Worker on the pool's source, with the start message as its workerData. */
export const spawnNodeWorker: SpawnWorker = (source, start, events) => {
  const code = `const { parentPort, workerData } = require("node:worker_threads");
(${source})(workerData, (message) => parentPort.postMessage(message));`;
  const worker = new Worker(code, { eval: true, workerData: start });
  worker.on("message", (message: unknown) => {
    if (message === "ready") worker.unref();
    events.message(message);
  });
  worker.on("error", (error) => events.failed(String(error).split("\n")[0]));
  worker.on("messageerror", (error) => events.failed(String(error).split("\n")[0]));
  worker.on("exit", (code) => events.failed(`exited with code ${code}`));
  return { terminate: () => void worker.terminate() };
};
