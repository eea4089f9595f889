/**
 * What a run of a model on a prompt is asked to do (`trilm run`), and the checks that it can be done:
 * the backend can hold the KV cache type, the prompt is in the vocabulary, prompt and generated
 * tokens fit the context. The messages name the CLI options the values come from.
 */

import type { TrilmConfig } from "../../reference/model/config.js";
import type { KvCacheType } from "../../reference/model/kv-cache.js";
import type { NodeBackendName } from "../backend/registry.js";
import { UsageError } from "../errors.js";
import type { RunForwardOptions } from "./forward-stepper.js";

/** A run: a prompt, how many tokens to generate after it and how, on which backend. */
export interface RunRequest {
  /** The prompt's token ids (at least one). */
  readonly prompt: readonly number[];
  /** How the prompt was given, for messages: `--tokens` or `the default prompt`. */
  readonly promptSource: string;
  /** Tokens to generate after the prompt (`--generate`). */
  readonly generate: number;
  /** 0 = greedy; T > 0 samples from softmax(logits / T) (spec/forward.md §11). */
  readonly temperature: number;
  /** Seed of the sampler's mulberry32 stream. */
  readonly seed: number;
  readonly forwardOptions: RunForwardOptions;
  readonly backend: NodeBackendName;
}

/** UsageError unless `backend` can run with a KV cache of `kvCache`: only the reference has an f16 cache. */
export function checkBackendKvCache(backend: NodeBackendName, kvCache: KvCacheType): void {
  if (backend !== "reference" && kvCache !== "f32") {
    throw new UsageError(
      `--kv-cache ${kvCache}: --backend ${backend} runs with an f32 KV cache only (use --backend reference for ${kvCache})`,
    );
  }
}

/** UsageError unless every prompt token is in the vocabulary and prompt + generated tokens fit the context. */
export function checkPromptFits(
  request: Pick<RunRequest, "prompt" | "promptSource" | "generate">,
  config: TrilmConfig,
): void {
  const { vocabSize, contextLength } = config;
  const outside = request.prompt.find((token) => token >= vocabSize);
  if (outside !== undefined) {
    throw new UsageError(
      `${request.promptSource}: token id ${outside} is out of range: the model's vocabulary has ${vocabSize} tokens (0..${vocabSize - 1})`,
    );
  }
  const positions = request.prompt.length + request.generate;
  if (positions > contextLength) {
    throw new UsageError(
      `context overflow: ${request.prompt.length} prompt tokens (${request.promptSource}) + ` +
        `${request.generate} generated (--generate) = ${positions} positions, ` +
        `more than the model's context of ${contextLength}`,
    );
  }
}
