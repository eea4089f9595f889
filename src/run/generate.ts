/**
 * A run's loop: prefill the prompt (in one batch when the stepper can, as llama.cpp's llama_decode does, else
 * one position at a time), then generate tokens, each chosen from
 * the previous position's logits: argmax at temperature 0, else drawn from softmax(logits / T) with
 * a mulberry32 stream of the seed (spec/forward.md §11).
 */

import { sampleToken } from "../../reference/model/sampling.js";
import { mulberry32 } from "../random/index.js";
import type { RunRequest } from "./run-request.js";

/** What the loop did. */
export interface Generation {
  /** The generated token ids, in order. */
  readonly generated: number[];
  /** Wall time of the prompt's positions, in ms. */
  readonly prefillMs: number;
  /** Wall time of the generated positions, in ms. */
  readonly decodeMs: number;
}

/**
 * Feed `request.prompt`, then `request.generate` sampled tokens, through `step` (logits of a token at
 * a position); with `prefill` (the prompt's logits from one batch from position 0) the prompt goes through it
 * instead. `onPosition` sees every position's token and logits as it is computed (its time counts in prefill or
 * decode).
 */
export function prefillAndGenerate(
  step: (token: number, pos: number) => Float32Array,
  request: Pick<RunRequest, "prompt" | "generate" | "temperature" | "seed">,
  onPosition: (pos: number, token: number, logits: Float32Array, generated: boolean) => void,
  prefill?: (tokens: readonly number[]) => Float32Array[],
): Generation {
  const stepAndReport = (token: number, pos: number, generated: boolean): Float32Array => {
    const logits = step(token, pos);
    onPosition(pos, token, logits, generated);
    return logits;
  };

  const prefillStart = performance.now();
  let logits: Float32Array = new Float32Array(0);
  if (prefill === undefined) request.prompt.forEach((token, pos) => (logits = stepAndReport(token, pos, false)));
  else {
    const promptLogits = prefill(request.prompt);
    promptLogits.forEach((row, pos) => onPosition(pos, request.prompt[pos], row, false));
    logits = promptLogits.at(-1) ?? logits;
  }
  const prefillMs = performance.now() - prefillStart;

  const next = mulberry32(request.seed);
  const generated: number[] = [];
  const decodeStart = performance.now();
  for (let i = 0; i < request.generate; i++) {
    const token = sampleToken(logits, request.temperature, next());
    generated.push(token);
    logits = stepAndReport(token, request.prompt.length + i, true);
  }
  const decodeMs = performance.now() - decodeStart;
  return { generated, prefillMs, decodeMs };
}
