/**
 * The browser page's check of the packed-wasm engine on a real shape (M12 item 6): a random model of a preset
 * (`99m`: the bytes of `trilm make-model --preset 99m --seed 1`) is made in the page, then the same tokens run one
 * per step on the reference backend and on the packed-wasm backend (the engine module fetched and compiled in the
 * page): on the page's main thread (one thread), and in the runner's engine worker (src/web/runner/engine-worker.ts,
 * bundled by build.mjs) on 1 and on N threads, all in ggml-matmul mode (src/backend/backend-forward.ts); every logit
 * of every engine run must have the reference's float32 bits (so the runs also equal each other), and each run's
 * tokens per second are reported. Typechecked without the DOM lib.
 */
import type { Backend } from "../../../src/backend/backend.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { createEngine } from "../../../accelerated/packed-wasm/engine.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { fetchEngineModule } from "../../../accelerated/packed-wasm/web-engine.js";
import type { GgufFile } from "../../../src/gguf/gguf-file.js";
import { serializeGguf } from "../../../src/gguf/writer.js";
import { startEngineWorker, type EngineWorkerPort } from "../../../src/web/runner/engine-client.js";

/** One backend's run of the tokens. */
export interface PresetBackendRun {
  readonly description: string;
  /** Creating the session: every matrix prepared, in ms. */
  readonly prepareMs: number;
  /** Tokens per second of the steps (one token each). */
  readonly tokensPerSecond: number;
  /** Logits per position. */
  readonly logits: readonly Float32Array[];
}

/** A packed-wasm run compared with the reference backend's. */
export interface PresetEngineRun extends PresetBackendRun {
  /** Logits (over all positions) whose float32 bits differ from the reference backend's. */
  readonly mismatches: number;
  /** The first differing logit, e.g. "position 1, logit 7: 0x3f800000 vs 0x3f800001"; null when none differ. */
  readonly firstMismatch: string | null;
}

/** What checkPackedWasmPreset found. */
export interface PresetCheck {
  /** Making the random model in the page, in ms. */
  readonly makeMs: number;
  /**
   * The packed-wasm runs: on the page's main thread (1 thread), then in the runner's Web Worker
   * (src/web/runner/engine-session.ts) on each thread count asked for.
   */
  readonly engines: readonly PresetEngineRun[];
  readonly reference: PresetBackendRun;
}

/** The Web Worker constructor of the page (this file is typechecked without the DOM lib). */
type WorkerConstructor = new (url: string, options: { type: "module" }) => EngineWorkerPort;

/**
 * Run `tokens` one per step on the packed-wasm engine in a module Web Worker at `workerUrl` (the bundle of
 * src/web/runner/engine-worker.ts) on `threads` threads, in ggml-matmul mode, the file's bytes posted to it.
 */
async function runInWorker(
  workerUrl: string,
  module: WebAssembly.Module,
  file: GgufFile,
  threads: number,
  tokens: readonly number[],
): Promise<PresetBackendRun> {
  const WorkerClass = (globalThis as unknown as { Worker: WorkerConstructor }).Worker;
  const t0 = performance.now();
  const session = await startEngineWorker(new WorkerClass(workerUrl, { type: "module" }), {
    module,
    threads,
    gguf: serializeGguf(file),
    fileName: file.name,
    contextLength: tokens.length,
    activations: "ggml-matmul",
  });
  try {
    const t1 = performance.now();
    const logits: Float32Array[] = [];
    for (let pos = 0; pos < tokens.length; pos++) logits.push(await session.step(tokens[pos], pos));
    const stepMs = performance.now() - t1;
    return {
      description: session.description,
      prepareMs: t1 - t0,
      tokensPerSecond: (1000 * tokens.length) / stepMs,
      logits,
    };
  } finally {
    session.dispose();
  }
}

/** Run `tokens` one per step on `backend` in ggml-matmul mode; the backend is disposed afterwards. */
function runTokens(
  backend: Backend,
  model: ReturnType<typeof modelFromGguf>,
  tokens: readonly number[],
): PresetBackendRun {
  try {
    const t0 = performance.now();
    const session = createBackendSession({ ...model.config, contextLength: tokens.length }, model.weights, backend, {
      activations: "ggml-matmul",
      kvCache: "f32",
    });
    const t1 = performance.now();
    const logits = tokens.map((token, pos) => session.step(token, pos));
    const stepMs = performance.now() - t1;
    session.dispose();
    return {
      description: backend.describe(),
      prepareMs: t1 - t0,
      tokensPerSecond: (1000 * tokens.length) / stepMs,
      logits,
    };
  } finally {
    backend.dispose();
  }
}

/** The float32 bits of `a`. */
function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Count the logits whose bits differ; name the first. */
function compareBits(
  got: readonly Float32Array[],
  want: readonly Float32Array[],
): { mismatches: number; firstMismatch: string | null } {
  let mismatches = 0;
  let firstMismatch: string | null = null;
  const hex = (v: number): string => `0x${v.toString(16).padStart(8, "0")}`;
  if (got.length !== want.length)
    return { mismatches: Infinity, firstMismatch: `${got.length} vs ${want.length} positions` };
  for (let p = 0; p < want.length; p++) {
    const g = bits(got[p]);
    const w = bits(want[p]);
    if (g.length !== w.length)
      return { mismatches: Infinity, firstMismatch: `position ${p}: ${g.length} vs ${w.length} logits` };
    for (let i = 0; i < w.length; i++) {
      if (g[i] === w[i]) continue;
      mismatches++;
      firstMismatch ??= `position ${p}, logit ${i}: ${hex(g[i])} vs ${hex(w[i])}`;
    }
  }
  return { mismatches, firstMismatch };
}

/**
 * Make the random TQ2_0 model of `preset` (seed 1), run `tokens` on the reference backend and on the packed-wasm
 * engine compiled from the module at `engineUrl` — on the page's main thread, then in the engine worker at
 * `workerUrl` on each of `workerThreads` — and compare every engine run's logits with the reference's bit for bit.
 */
export async function checkPackedWasmPreset(
  engineUrl: string,
  workerUrl: string,
  preset: string,
  tokens: readonly number[],
  workerThreads: readonly number[],
): Promise<PresetCheck> {
  const module = await fetchEngineModule(engineUrl);
  const t0 = performance.now();
  const file = randomTrilm(preset, 1, "tq2_0");
  const model = modelFromGguf(file);
  const makeMs = performance.now() - t0;
  const reference = runTokens(createReferenceBackend(), model, tokens);
  const runs = [runTokens(createPackedWasmBackend(createEngine(module), createReferenceBackend()), model, tokens)];
  for (const threads of workerThreads) runs.push(await runInWorker(workerUrl, module, file, threads, tokens));
  const engines = runs.map((run) => ({ ...run, ...compareBits(run.logits, reference.logits) }));
  return { makeMs, engines, reference };
}
