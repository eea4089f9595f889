/**
 * A byte-level BPE vocabulary cut to its first V tokens, as `tokenizer.ggml.*` metadata for a model
 * of vocabulary size V (the embedded default model carries the GPT-NeoX vocabulary cut to 512 this
 * way): tokens, token types and scores 0..V−1, exactly the merges whose two parts and result are all
 * among them (in their order, so ranks keep their relative order), and every other tokenizer key
 * as the source has it. Browser-safe (no Node APIs). Implements spec/tokenizer.md §13.
 */

import type { GgufFile } from "../gguf/gguf-file.js";
import { GgufValueType, type GgufKeyValue, type GgufValue } from "../gguf/value.js";
import { InputError } from "../errors.js";
import { BYTE_TO_UNICODE } from "./byte-unicode.js";

/** The per-token arrays: cut to the first V elements. */
const PER_TOKEN_KEYS: ReadonlySet<string> = new Set([
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.token_type",
  "tokenizer.ggml.scores",
]);

/** Keys naming one token id: each must be < V. */
const TOKEN_ID_KEYS: ReadonlySet<string> = new Set([
  "tokenizer.ggml.bos_token_id",
  "tokenizer.ggml.eos_token_id",
  "tokenizer.ggml.unknown_token_id",
  "tokenizer.ggml.seperator_token_id",
  "tokenizer.ggml.padding_token_id",
  "tokenizer.ggml.mask_token_id",
]);

/** The first `n` elements of an array value. */
function sliceArray(value: GgufValue, n: number): GgufValue {
  if (value.type !== GgufValueType.ARRAY) throw new TypeError("not an array");
  return { ...value, values: value.values.slice(0, n) } as GgufValue;
}

/** The merges "left right" whose parts and result (left + right) are all in `kept`, in their order. */
function keptMerges(merges: readonly string[], kept: ReadonlySet<string>): string[] {
  return merges.filter((merge) => {
    const at = merge.indexOf(" ", 1); // as llama.cpp splits a merge
    const left = merge.slice(0, at);
    const right = merge.slice(at + 1);
    return at > 0 && kept.has(left) && kept.has(right) && kept.has(left + right);
  });
}

/**
 * The `tokenizer.ggml.*` metadata of `file`'s byte-level BPE (`gpt2`) vocabulary cut to its first
 * `size` tokens, in the source's key order. InputError naming the file when it has no gpt2
 * vocabulary, fewer than `size` tokens, one of its byte tokens (spec/tokenizer.md §4) outside the
 * first `size` (then some text would tokenize in the source but not in the cut), or a special
 * token id ≥ `size`. (GPT-NeoX's has 243 byte tokens: not the 13 bytes C0, C1, F5–FF that never
 * occur in UTF-8.)
 */
export function cutBpeVocabulary(file: GgufFile, size: number): GgufKeyValue[] {
  if (file.getString("tokenizer.ggml.model") !== "gpt2")
    throw new InputError(file.name, "has no byte-level BPE vocabulary (tokenizer.ggml.model is not gpt2)");
  const tokens = file.getArray("tokenizer.ggml.tokens", GgufValueType.STRING) ?? [];
  if (tokens.length < size)
    throw new InputError(file.name, `has ${tokens.length} tokens, fewer than the model's ${size}`);
  const kept = new Set(tokens.slice(0, size));
  const all = new Set(tokens);
  const missing = BYTE_TO_UNICODE.findIndex((ch) => all.has(ch) && !kept.has(ch));
  if (missing >= 0) {
    throw new InputError(
      file.name,
      `the byte token ${JSON.stringify(BYTE_TO_UNICODE[missing])} (byte ${missing}) is not among the first ${size} tokens`,
    );
  }
  const merges = file.getArray("tokenizer.ggml.merges", GgufValueType.STRING) ?? [];
  return file.metadata
    .filter(({ key }) => key.startsWith("tokenizer.ggml."))
    .map(({ key, value }) => {
      if (PER_TOKEN_KEYS.has(key)) return { key, value: sliceArray(value, size) };
      if (key === "tokenizer.ggml.merges") {
        return {
          key,
          value: { type: GgufValueType.ARRAY, elementType: GgufValueType.STRING, values: keptMerges(merges, kept) },
        };
      }
      if (TOKEN_ID_KEYS.has(key) && (file.getUint32(key) ?? 0) >= size)
        throw new InputError(file.name, `${key} ${file.getUint32(key)} is not among the first ${size} tokens`);
      return { key, value };
    });
}
