/**
 * The packed-wasm engine in the page (spec/performance.md §1, §3): the module is
 * accelerated/packed-wasm/build/engine.wasm (`npm run build:wasm`), which Vite emits as an asset of the page build;
 * the page fetches and compiles it. The engine runs in a dedicated module Web Worker (engine-worker.ts, the session
 * of engine-session.ts) on as many threads as asked: a worker may block in Atomics.wait, which the engine's thread
 * pool needs and a page's main thread may not. Only where that worker cannot start does the engine run on the page's
 * main thread, on one thread, and its description says why.
 */
import engineUrl from "../../../accelerated/packed-wasm/build/engine.wasm?url";
import { createEngine } from "../../../accelerated/packed-wasm/engine.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { fetchEngineModule } from "../../../accelerated/packed-wasm/web-engine.js";
import { backendModeOf } from "../../backend/comparison-modes.js";
import { createReferenceBackend } from "../../backend/reference-backend.js";
import type { GgufFile } from "../../gguf/gguf-file.js";
import { serializeGguf } from "../../gguf/writer.js";
import { startEngineWorker, type EngineWorkerPort } from "./engine-client.js";
import { backendStepper, errorText, type RunStepper, type StepperRun } from "./run-loop.js";

/**
 * The packed-wasm engine's session for a run of the runner: `file` (named `fileName`) in a Web Worker on `threads`
 * threads; where the worker cannot start, the engine on the page's main thread (one thread), saying why.
 */
export async function startPagePackedWasm(
  run: StepperRun,
  file: GgufFile,
  fileName: string,
  threads: number,
): Promise<RunStepper> {
  const module = await fetchEngineModule(engineUrl);
  let reason: string;
  try {
    // the DOM's Worker types its handlers' events fully; the client reads only `data` and `message` of them
    const worker = new Worker(new URL("./engine-worker.ts", import.meta.url), {
      type: "module",
    }) as unknown as EngineWorkerPort;
    const session = await startEngineWorker(worker, {
      module,
      threads,
      gguf: serializeGguf(file),
      fileName,
      contextLength: run.config.contextLength,
      activations: backendModeOf(run.activations),
    });
    return {
      description: session.description,
      step: (token, pos) => session.step(token, pos),
      dispose: () => session.dispose(),
    };
  } catch (error) {
    reason = errorText(error);
  }
  const stepper = backendStepper(createPackedWasmBackend(createEngine(module), createReferenceBackend()), run);
  return {
    description: `${stepper.description} on the page's main thread (the engine worker could not start: ${reason})`,
    step: (token, pos) => stepper.step(token, pos),
    dispose: () => stepper.dispose(),
  };
}
