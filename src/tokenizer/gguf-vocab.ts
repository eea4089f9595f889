/**
 * The vocabulary a GGUF file carries in its `tokenizer.ggml.*` keys, read and checked as
 * llama.cpp's llama_vocab::impl::load reads it for the two tokenizer models supported here:
 * `gpt2` (byte-level BPE) and `llama` (SentencePiece). Implements spec/tokenizer.md §1–§2.
 */

import type { GgufFile } from "../gguf/gguf-file.js";
import { GgufValueType } from "../gguf/value.js";
import { InputError } from "../errors.js";
import type { PreTokenizerType } from "./pre-tokenize.js";

/** Token attributes (llama_token_attr), from `tokenizer.ggml.token_type`. Spec §2. */
export const TokenAttr = {
  UNDEFINED: 0,
  UNKNOWN: 1 << 0,
  UNUSED: 1 << 1,
  NORMAL: 1 << 2,
  CONTROL: 1 << 3,
  USER_DEFINED: 1 << 4,
  BYTE: 1 << 5,
} as const;

/** llama_token_type (the GGUF value) → llama_token_attr, index = type. */
const ATTR_OF_TYPE: readonly number[] = [
  TokenAttr.UNDEFINED,
  TokenAttr.NORMAL,
  TokenAttr.UNKNOWN,
  TokenAttr.CONTROL,
  TokenAttr.USER_DEFINED,
  TokenAttr.UNUSED,
  TokenAttr.BYTE,
];

/** The tokenizer models supported: `gpt2` = byte-level BPE, `llama` = SentencePiece (SPM). */
export type TokenizerModel = "gpt2" | "llama";

/** A vocabulary as the tokenizer uses it. Spec §2. */
export interface Vocab {
  /** The file it came from, as the user named it (for error messages). */
  readonly source: string;
  readonly model: TokenizerModel;
  /** BPE only: the pre-tokenizer `tokenizer.ggml.pre` names ("default" when the key is absent). */
  readonly preTokenizer: PreTokenizerType;
  /** Token texts by id. */
  readonly tokens: readonly string[];
  /** Token attributes (TokenAttr bits) by id. */
  readonly attrs: Uint8Array;
  /** SPM only: token scores by id (all 0 when the key is absent). */
  readonly scores: Float32Array;
  /** Token text → id (the last id wins for a repeated text, as std::unordered_map assignment does). */
  readonly idOf: ReadonlyMap<string, number>;
  /** BPE only: "left right" → merge rank. */
  readonly mergeRank: ReadonlyMap<string, number>;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** Whether tokenizing with special tokens on adds BOS / EOS. */
  readonly addBos: boolean;
  readonly addEos: boolean;
  /** SPM: prepend a space to raw text at the start and after a special token. */
  readonly addSpacePrefix: boolean;
}

/** `tokenizer.ggml.pre` values llama.cpp maps to its GPT2 pre-tokenizer type (llama-vocab.cpp). */
const GPT2_PRE_NAMES: ReadonlySet<string> = new Set([
  "gpt-2",
  "phi-2",
  "jina-es",
  "jina-de",
  "gigachat",
  "jina-v1-en",
  "jina-v2-es",
  "jina-v2-de",
  "jina-v2-code",
  "roberta-bpe",
  "a.x-4.0",
  "mellum",
  "modern-bert",
  "exaone4",
  "mpt",
  "olmo",
  "jais",
  "trillion",
  "granite-docling",
]);

/** Does `file` carry a tokenizer (the key `tokenizer.ggml.model`)? */
export function hasTokenizer(file: GgufFile): boolean {
  return file.get("tokenizer.ggml.model") !== undefined;
}

/** The pre-tokenizer type for `tokenizer.ggml.pre`, or InputError for one this package does not implement. */
function preTokenizerOf(file: GgufFile): PreTokenizerType {
  const pre = file.getString("tokenizer.ggml.pre");
  if (pre === undefined || pre === "default") return "default";
  if (GPT2_PRE_NAMES.has(pre)) return "gpt2";
  throw new InputError(
    file.name,
    `tokenizer.ggml.pre '${pre}' is not supported (supported: default, or absent, and the GPT-2 family: ${[...GPT2_PRE_NAMES].join(", ")})`,
  );
}

/** A special token id from `key`, or `fallback`; ids outside the vocabulary keep the fallback (llama.cpp warns). */
function specialId(file: GgufFile, key: string, fallback: number | undefined, n: number): number | undefined {
  const id = file.getUint32(key);
  const base = fallback !== undefined && fallback < n ? fallback : undefined;
  return id !== undefined && id < n ? id : base;
}

/** One array key with `n` elements, or InputError. */
function checkLength(file: GgufFile, key: string, length: number, n: number): void {
  if (length !== n) throw new InputError(file.name, `${key} has ${length} elements, expected ${n} (one per token)`);
}

/** The merges `tokenizer.ggml.merges` ("left right", rank = index) as a map. */
function mergeRanks(file: GgufFile): Map<string, number> {
  const merges = file.getArray("tokenizer.ggml.merges", GgufValueType.STRING);
  if (merges === undefined)
    throw new InputError(file.name, "tokenizer.ggml.model is gpt2 but tokenizer.ggml.merges is missing");
  const ranks = new Map<string, number>();
  merges.forEach((merge, rank) => {
    // llama.cpp splits at the first space after position 0
    const at = merge.indexOf(" ", 1);
    if (at < 0) throw new InputError(file.name, `tokenizer.ggml.merges[${rank}] ${JSON.stringify(merge)} has no space`);
    ranks.set(`${merge.slice(0, at)} ${merge.slice(at + 1)}`, rank);
  });
  return ranks;
}

/** The vocabulary of `file`, or InputError naming the file and the key that is wrong. Implements spec/tokenizer.md §1–§2. */
export function readVocab(file: GgufFile): Vocab {
  const modelName = file.getString("tokenizer.ggml.model");
  if (modelName === undefined) throw new InputError(file.name, "has no tokenizer (no key tokenizer.ggml.model)");
  if (modelName !== "gpt2" && modelName !== "llama") {
    throw new InputError(file.name, `tokenizer.ggml.model '${modelName}' is not supported (supported: gpt2, llama)`);
  }
  const model: TokenizerModel = modelName;
  const tokens = file.getArray("tokenizer.ggml.tokens", GgufValueType.STRING);
  if (tokens === undefined || tokens.length === 0)
    throw new InputError(file.name, "tokenizer.ggml.tokens is missing or empty");
  const n = tokens.length;
  const types = file.getArray("tokenizer.ggml.token_type", GgufValueType.INT32);
  if (types !== undefined) checkLength(file, "tokenizer.ggml.token_type", types.length, n);
  const scores = file.getArray("tokenizer.ggml.scores", GgufValueType.FLOAT32);
  if (scores !== undefined) checkLength(file, "tokenizer.ggml.scores", scores.length, n);
  const attrs = new Uint8Array(n).map((_, id) =>
    types === undefined ? TokenAttr.NORMAL : (ATTR_OF_TYPE[types[id]] ?? TokenAttr.UNDEFINED),
  );
  const idOf = new Map<string, number>();
  tokens.forEach((text, id) => idOf.set(text, id));
  const spm = model === "llama";
  const addBos = file.getBool("tokenizer.ggml.add_bos_token") ?? spm;
  return {
    source: file.name,
    model,
    preTokenizer: spm ? "default" : preTokenizerOf(file),
    tokens,
    attrs,
    scores: scores ?? new Float32Array(n),
    idOf,
    mergeRank: spm ? new Map() : mergeRanks(file),
    bosId: specialId(file, "tokenizer.ggml.bos_token_id", spm ? 1 : 11, n),
    eosId: specialId(file, "tokenizer.ggml.eos_token_id", spm ? 2 : 11, n),
    addBos,
    addEos: file.getBool("tokenizer.ggml.add_eos_token") ?? false,
    addSpacePrefix: file.getBool("tokenizer.ggml.add_space_prefix") ?? spm,
  };
}
