/**
 * The model runner's loop (pure, no DOM): each backend in turn is created, takes the weights in
 * (createBackendSession, src/backend/backend-forward.ts), then runs the prompt one token per step
 * with its KV cache (spec/forward.md §8.1), timing every step. Between steps the loop awaits `pause`
 * so a page can repaint; a step may itself be asynchronous (a backend computing in a Web Worker). A
 * backend that throws is recorded with its error and the loop goes on.
 */

import type { TrilmConfig } from "../../../reference/model/config.js";
import type { TrilmWeights } from "../../../reference/model/weights.js";
import type { Backend } from "../../backend/backend.js";
import { createBackendSession, type BackendSession } from "../../backend/backend-forward.js";
import { createForwardState, decode, forward } from "../../../reference/model/forward.js";
import { backendModeOf, referenceModeOf, type ComparisonActivations } from "../../backend/comparison-modes.js";

/**
 * Activation modes the runner offers (spec/forward.md §3.1, §3.2): "f32" for every backend, or
 * "ggml": the reference in ggml-exact mode, every other backend in ggml-matmul mode
 * (src/backend/comparison-modes.ts).
 */
export type RunnerActivations = ComparisonActivations;

/**
 * What the loop runs, in its turn: either a Backend the loop creates (driven by
 * src/backend/backend-forward.ts), or `referenceModel`: reference/model's own forward pass
 * (spec/forward.md §8.1). The reference must be the latter: only reference/model's ggml-exact mode
 * follows llama.cpp's arithmetic bit for bit (spec/forward.md §9); a Backend has no mode for its
 * rope, softmax and SwiGLU, so reference-backend.ts in ggml-matmul mode is close to it but not equal.
 */
export type BackendFactory =
  | {
      /** Name shown in the tables: "gpujs", "tfjs-webgl", … */
      readonly name: string;
      /** Create the backend (may load wasm, compile shaders, …). */
      create(): Backend | Promise<Backend>;
    }
  | {
      /** Name shown in the tables: "reference". */
      readonly name: string;
      /** Run reference/model's forward() instead of a Backend. */
      readonly referenceModel: true;
    }
  | {
      /** Name shown in the tables: "packed-wasm". */
      readonly name: string;
      /** Start a stepper of its own for the run (the packed-wasm engine's session in a Web Worker: packed-wasm.ts). */
      startStepper(run: StepperRun): Promise<RunStepper>;
    };

/** What a factory's startStepper is given: the run's model (contextLength: the prompt's length) and mode. */
export interface StepperRun {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly activations: RunnerActivations;
}

/** One position at a time: logits of `token` at `pos` [vocab], at once or from another thread. */
export interface RunStepper {
  readonly description: string;
  step(token: number, pos: number): Float32Array | Promise<Float32Array>;
  /** The prompt's logits from one batch (llama_decode's evaluation, as `trilm run` does); absent: step by step. */
  readonly prefill?: (tokens: readonly number[]) => Float32Array[];
  dispose(): void;
}

/** What one backend did in a run. */
export interface BackendRun {
  readonly name: string;
  /** backend.describe(), or "" when creation failed. */
  description: string;
  /** Creation plus weight preparation, in ms. */
  prepareMs: number;
  /** Wall time of each step, in ms. */
  readonly msPerToken: number[];
  /** Logits per position: Float32Array[vocabSize] each. */
  readonly logits: Float32Array[];
  /** The message of what the backend threw, or null. */
  error: string | null;
}

/** A step of the loop, for progress displays. */
export type RunProgress =
  | { readonly kind: "prepare"; readonly backend: string }
  | { readonly kind: "token"; readonly backend: string; readonly position: number }
  | { readonly kind: "backend-done"; readonly backend: string };

/** Inputs of runBackends. */
export interface RunLoopOptions {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly tokens: readonly number[];
  readonly activations: RunnerActivations;
  /** Backends in run order (the reference first, by convention). */
  readonly factories: readonly BackendFactory[];
  /** Clock in ms (default performance.now). */
  readonly now?: () => number;
  /** Awaited before each step (default: a 0 ms timeout, so the page can repaint). */
  readonly pause?: () => Promise<void>;
  /** A backend whose create() has not settled after this many ms is recorded as failed (default 60 000). */
  readonly createTimeoutMs?: number;
  /** Called after each phase with the runs so far (the current one last). */
  readonly onProgress?: (runs: readonly BackendRun[], progress: RunProgress) => void;
}

/** Yield to the event loop once. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The message of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Run every factory's backend over `tokens`, one token per step; resolves with one BackendRun per factory. */
export async function runBackends(options: RunLoopOptions): Promise<BackendRun[]> {
  const runs: BackendRun[] = [];
  for (const factory of options.factories) {
    const run: BackendRun = {
      name: factory.name,
      description: "",
      prepareMs: NaN,
      msPerToken: [],
      logits: [],
      error: null,
    };
    runs.push(run);
    await runOneBackend(factory, run, runs, options);
    options.onProgress?.(runs, { kind: "backend-done", backend: factory.name });
  }
  return runs;
}

/** Create, prepare and step one backend, filling `run`; errors end up in run.error. */
async function runOneBackend(
  factory: BackendFactory,
  run: BackendRun,
  runs: readonly BackendRun[],
  options: RunLoopOptions,
): Promise<void> {
  const now = options.now ?? (() => performance.now());
  const pause = options.pause ?? nextTask;
  const { config, weights, tokens, activations } = options;
  let stepper: RunStepper | null = null;
  options.onProgress?.(runs, { kind: "prepare", backend: factory.name });
  await pause();
  const start = now();
  try {
    const runConfig = { ...config, contextLength: Math.max(1, tokens.length) };
    const timeoutMs = options.createTimeoutMs ?? 60_000;
    if ("referenceModel" in factory) stepper = referenceStepper(runConfig, weights, activations);
    else if ("startStepper" in factory)
      stepper = await withTimeout(
        factory.startStepper({ config: runConfig, weights, activations }),
        timeoutMs,
        `starting the backend did not finish within ${timeoutMs / 1000} s`,
      );
    else {
      const created: Backend = await withTimeout(
        Promise.resolve().then(() => factory.create()),
        timeoutMs,
        `creating the backend did not finish within ${timeoutMs / 1000} s`,
      );
      stepper = backendStepper(created, { config: runConfig, weights, activations });
    }
    run.description = stepper.description;
    run.prepareMs = now() - start;
    if (stepper.prefill !== undefined) {
      await pause();
      const t0 = now();
      const logits = stepper.prefill(tokens);
      const msPerToken = (now() - t0) / Math.max(1, tokens.length);
      logits.forEach((row, pos) => {
        run.msPerToken.push(msPerToken);
        run.logits.push(row);
        options.onProgress?.(runs, { kind: "token", backend: factory.name, position: pos });
      });
    } else {
      for (let pos = 0; pos < tokens.length; pos++) {
        await pause();
        const t0 = now();
        const logits = await stepper.step(tokens[pos], pos);
        run.msPerToken.push(now() - t0);
        run.logits.push(logits);
        options.onProgress?.(runs, { kind: "token", backend: factory.name, position: pos });
      }
    }
  } catch (error) {
    run.error = errorText(error);
    if (Number.isNaN(run.prepareMs)) run.prepareMs = now() - start;
  } finally {
    disposeQuietly(stepper);
  }
}

/** reference/model's forward pass with an f32 KV cache (spec/forward.md §8.1). */
function referenceStepper(config: TrilmConfig, weights: TrilmWeights, activations: RunnerActivations): RunStepper {
  const state = createForwardState(config, weights, { activations: referenceModeOf(activations), kvCache: "f32" });
  const how =
    activations === "ggml"
      ? "ggml-exact mode: llama.cpp's x86 arithmetic, bit for bit"
      : "f32 mode: float64 sums rounded once";
  return {
    description: `reference/model forward() (${how})`,
    step: (token, pos) => forward(state, token, pos),
    prefill: (tokens) => decode(state, tokens, 0),
    dispose: () => {},
  };
}

/**
 * `backend` driven by backend-forward.ts over the run's model (the backend is disposed if its session cannot be
 * made); disposing frees the session's matrices, then the backend.
 */
export function backendStepper(backend: Backend, run: StepperRun): RunStepper {
  let session: BackendSession;
  try {
    session = createBackendSession(run.config, run.weights, backend, {
      activations: backendModeOf(run.activations),
      kvCache: "f32",
    });
  } catch (error) {
    backend.dispose();
    throw error;
  }
  return {
    description: backend.describe(),
    step: (token, pos) => session.step(token, pos),
    dispose: () => {
      session.dispose();
      backend.dispose();
    },
  };
}

/** `promise`, or a rejection with `message` after `ms` milliseconds. */
function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Free what the stepper holds, ignoring errors while doing so. */
function disposeQuietly(stepper: RunStepper | null): void {
  try {
    stepper?.dispose();
  } catch {
    /* a backend that cannot clean up must not hide the run's results */
  }
}
