/**
 * Node only: the compiled engine module (build/engine.wasm next to this file — `npm run build:wasm` writes it, the
 * build copies it into dist/) and an engine on it. The page loads the module with fetch instead (src/web/runner).
 */

import { readFileSync } from "node:fs";
import type { PackedWasmEngine } from "./engine.js";
import { spawnNodeWorker } from "./node-threads.js";
import { createThreadedEngine } from "./thread-pool.js";

/** build/engine.wasm beside this module, compiled; a one-line Error naming the file and the command where it is missing. */
export async function loadEngineModule(): Promise<WebAssembly.Module> {
  const url = new URL("./build/engine.wasm", import.meta.url);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(url);
  } catch {
    throw new Error(`packed-wasm: ${url.pathname} is missing; build it with: npm run build:wasm`);
  }
  return WebAssembly.compile(bytes);
}

/**
 * An engine computing on `threads` threads (1: this thread only; more: worker_threads, thread-pool.ts and
 * node-threads.ts); resolves once every worker is ready. Spec/performance.md §3.
 */
export async function createNodeEngine(threads = 1): Promise<PackedWasmEngine> {
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`packed-wasm: threads must be ≥ 1, not ${threads}`);
  return createThreadedEngine(await loadEngineModule(), threads, spawnNodeWorker);
}
