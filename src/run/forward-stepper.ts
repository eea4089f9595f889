/**
 * One forward step per token, on the backend a run names: reference/model's `forward` for
 * `reference` (and for ggml-exact), else the forward pass over a Backend
 * (src/backend/backend-forward.ts) with the weights prepared once — ggml-matmul included, on the
 * reference backend too (activation-choice.ts).
 */

import type { TrilmConfig } from "../../reference/model/config.js";
import { createForwardState, decode, forward } from "../../reference/model/forward.js";
import type { KvCacheType } from "../../reference/model/kv-cache.js";
import type { TrilmWeights } from "../../reference/model/weights.js";
import type { Backend } from "../backend/backend.js";
import { createBackendSession } from "../backend/backend-forward.js";
import { createBackend, type BackendOptions, type NodeBackendName } from "../backend/registry.js";
import type { RunActivationMode } from "./activation-choice.js";

/** How a run computes: the activation mode of either forward pass and the KV cache's element type. */
export interface RunForwardOptions {
  readonly activations: RunActivationMode;
  readonly kvCache: KvCacheType;
}

/** Logits position by position, and what to release afterwards. */
export interface ForwardStepper {
  /** The logits [vocabSize] of `token` at `pos` (positions in order from 0). */
  step(token: number, pos: number): Float32Array;
  /**
   * The logits of a prompt evaluated as one batch from position 0, as llama.cpp's llama_decode evaluates it
   * (reference/model's `decode`: micro-batches of 512, spec/forward.md §9.3); absent where the stepper has only `step`.
   */
  readonly prefill?: (tokens: readonly number[]) => Float32Array[];
  /** The Backend that runs the steps; undefined for reference/model's own forward pass. */
  readonly backend?: Backend;
  /** Release the session and the backend. */
  dispose(): void;
}

/**
 * The backend a run on `backend` creates before it loads the model, so that the model file is read straight into the
 * backend's memory (Backend.weightMemory, spec/performance.md §4): packed-wasm's. Undefined for every other backend
 * (createForwardStepper creates it after the model is loaded) and for ggml-exact (reference/model's forward pass).
 * `backendOptions` go to createBackend (packed-wasm: its threads).
 */
export async function createBackendBeforeModel(
  backend: NodeBackendName,
  options: RunForwardOptions,
  backendOptions: BackendOptions = {},
): Promise<Backend | undefined> {
  if (backend !== "packed-wasm" || options.activations === "ggml-exact") return undefined;
  return createBackend(backend, backendOptions);
}

/**
 * A stepper over `positions` positions (the KV cache holds only those, not the model's whole
 * context) on `backend`: reference/model's `forward` (spec/forward.md §8.1) for `reference` in
 * every mode but ggml-matmul, else a backend session (RangeError for ggml-exact on another backend:
 * check the request with checkRunActivations first) on `given` (createBackendBeforeModel's backend, which the
 * stepper then owns and disposes) or on a backend it creates.
 */
export async function createForwardStepper(
  backend: NodeBackendName,
  config: TrilmConfig,
  weights: TrilmWeights,
  options: RunForwardOptions,
  positions: number,
  given?: Backend,
): Promise<ForwardStepper> {
  const runConfig = { ...config, contextLength: positions };
  const { activations, kvCache } = options;
  if (backend === "reference" && activations !== "ggml-matmul") {
    const state = createForwardState(runConfig, weights, { activations, kvCache });
    return {
      step: (token, pos) => forward(state, token, pos),
      prefill: (tokens) => decode(state, tokens, 0),
      dispose: () => {},
    };
  }
  if (activations === "ggml-exact")
    throw new RangeError(`ggml-exact is reference/model's forward pass only, not --backend ${backend}'s`);
  const created = given ?? (await createBackend(backend));
  const session = createBackendSession(runConfig, weights, created, { activations, kvCache });
  return {
    step: (token, pos) => session.step(token, pos),
    backend: created,
    dispose: () => {
      session.dispose();
      created.dispose();
    },
  };
}
