/**
 * The module Web Worker that hosts the packed-wasm engine's session for the page (engine-session.ts; the page starts
 * it with `new Worker(new URL("./engine-worker.ts", import.meta.url), { type: "module" })` in packed-wasm.ts, and the
 * browser tests' build bundles it as engine-worker.js). Inside a worker Atomics.wait is allowed, so the engine can
 * run on several threads (spec/performance.md §3).
 */
import { serveEngineSession, type EngineWorkerScope } from "./engine-session.js";

serveEngineSession(self as unknown as EngineWorkerScope);
