/**
 * The runner's text prompt (pure, no DOM): the loaded GGUF's own tokenizer (src/tokenizer, the
 * modules `trilm tokenize` and `trilm run --prompt` use, without their Node file reader), text → ids
 * as llama-tokenize gives them, and greedy generation on the reference forward pass that yields one
 * token at a time so the page can show the text as it streams (spec/tokenizer.md §9–§10).
 */
import type { TrilmConfig } from "../../../reference/model/config.js";
import { createForwardState, forward } from "../../../reference/model/forward.js";
import { argmax } from "../../../reference/model/sampling.js";
import type { TrilmWeights } from "../../../reference/model/weights.js";
import type { GgufFile } from "../../gguf/gguf-file.js";
import { hasTokenizer, readVocab } from "../../tokenizer/gguf-vocab.js";
import { Tokenizer } from "../../tokenizer/tokenizer.js";
import type { TokenListResult } from "./tokens.js";

/** A file's tokenizer, or why there is none (no tokenizer.ggml.* keys, or keys the oracle cannot use). */
export type FileTokenizer = { readonly tokenizer: Tokenizer } | { readonly error: string };

/** The tokenizer of `file` (spec/tokenizer.md §1), or a one-line reason why it has none. */
export function fileTokenizer(file: GgufFile): FileTokenizer {
  if (!hasTokenizer(file)) return { error: `${file.name} has no tokenizer (no tokenizer.ggml.* keys): give token ids` };
  try {
    return { tokenizer: new Tokenizer(readVocab(file)) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** `text` as token ids with BOS as the vocabulary asks (llama-tokenize's defaults); refused when empty or longer than the context. */
export function tokenizeText(tokenizer: Tokenizer, text: string, contextLength: number): TokenListResult {
  const tokens = tokenizer.tokenize(text);
  if (tokens.length === 0) return { ok: false, error: "text: gives no tokens (type some text)" };
  if (tokens.length > contextLength)
    return {
      ok: false,
      error: `text: ${tokens.length} tokens are more than the context of ${contextLength} positions`,
    };
  return { ok: true, tokens };
}

/**
 * Greedy generation (temperature 0, as `trilm run --generate N`): feed `prompt` through the reference
 * forward pass (f32 activations and KV cache), then `count` tokens, each the argmax of the previous
 * position's logits; yields each generated token as soon as it is chosen, waiting a macrotask first
 * so the page can paint. Stops early at the context length.
 */
export async function* generateGreedy(
  config: TrilmConfig,
  weights: TrilmWeights,
  prompt: readonly number[],
  count: number,
): AsyncGenerator<number> {
  const positions = Math.min(config.contextLength, prompt.length + count);
  const state = createForwardState({ ...config, contextLength: positions }, weights, {
    activations: "f32",
    kvCache: "f32",
  });
  let logits: Float32Array = new Float32Array(0);
  prompt.forEach((token, pos) => (logits = forward(state, token, pos)));
  for (let pos = prompt.length; pos < positions; pos++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const token = argmax(logits);
    yield token;
    if (pos + 1 < positions) logits = forward(state, token, pos);
  }
}
