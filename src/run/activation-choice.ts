/**
 * `--activations` of `trilm run` and `trilm perplexity`: the four modes of reference/model/modes.ts
 * (spec/forward.md §3), the alias `ggml` (= ggml-exact, the spelling issues and users type), and
 * which forward pass a mode runs on which backend:
 *
 *   f32, int8-per-token   reference/model's forward on `--backend reference`, else the backend forward
 *                         pass (src/backend/backend-forward.ts)
 *   ggml-exact (ggml)     reference/model's forward; `--backend reference` only
 *   ggml-matmul           the backend forward pass on every backend, the reference backend included
 */

import type { KvCacheType } from "../../reference/model/kv-cache.js";
import type { BackendActivationMode, ForwardActivationMode } from "../../reference/model/modes.js";
import type { NodeBackendName } from "../backend/registry.js";
import { InputError, UsageError } from "../errors.js";
import type { LoadedModel } from "../model/gguf-model.js";

/** An activation mode of either forward pass: what `--activations` selects. */
export type RunActivationMode = ForwardActivationMode | BackendActivationMode;

/** The modes `--activations` accepts, in the order the help lists them. */
export const RUN_ACTIVATION_MODES: readonly RunActivationMode[] = [
  "f32",
  "ggml-exact",
  "ggml-matmul",
  "int8-per-token",
];

/** Other spellings `--activations` accepts: `ggml` is ggml-exact. */
export const ACTIVATION_ALIASES: Readonly<Record<string, RunActivationMode>> = { ggml: "ggml-exact" };

/** Every value `--activations` accepts: the modes, then the aliases. */
export const ACTIVATION_CHOICES: readonly string[] = [...RUN_ACTIVATION_MODES, ...Object.keys(ACTIVATION_ALIASES)];

/** The mode `--activations text` names (aliases resolved); UsageError for anything else. */
export function parseActivations(text: string): RunActivationMode {
  const mode = RUN_ACTIVATION_MODES.find((m) => m === text) ?? ACTIVATION_ALIASES[text];
  if (mode === undefined)
    throw new UsageError(`--activations ${text}: not a mode (choices: ${ACTIVATION_CHOICES.join(", ")})`);
  return mode;
}

/**
 * UsageError unless `backend` can compute `activations` (as typed: `shown`) with a `kvCache` cache:
 * ggml-exact is reference/model's alone, and the backend forward pass (ggml-matmul on any backend)
 * has an f32 KV cache only.
 */
export function checkRunActivations(
  backend: NodeBackendName,
  activations: RunActivationMode,
  shown: string,
  kvCache: KvCacheType,
): void {
  if (activations === "ggml-exact" && backend !== "reference") {
    throw new UsageError(
      `--activations ${shown}: llama.cpp's arithmetic end to end (ggml-exact) runs on --backend ` +
        `reference only; --backend ${backend} takes --activations ggml-matmul`,
    );
  }
  if (activations === "ggml-matmul" && kvCache !== "f32") {
    throw new UsageError(
      `--kv-cache ${kvCache}: --activations ggml-matmul runs the backend forward pass, with an f32 KV cache only`,
    );
  }
}

/**
 * InputError naming `path` when `activations` is llama.cpp's arithmetic (ggml-exact, ggml-matmul) and the model is
 * one llama.cpp cannot run (LoadedModel.llamaCppProblem: a bitnet.cpp I2_S file, spec/forward.md §17.7).
 */
export function checkModelActivations(path: string, model: LoadedModel, activations: RunActivationMode): void {
  if ((activations === "ggml-exact" || activations === "ggml-matmul") && model.llamaCppProblem !== undefined)
    throw new InputError(path, `--activations ${activations}: ${model.llamaCppProblem}`);
}
