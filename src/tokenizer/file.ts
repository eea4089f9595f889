/**
 * The tokenizer of a GGUF file on disk (the one Node-only module of src/tokenizer/, as
 * src/gguf/file.ts is for src/gguf/). Implements spec/tokenizer.md §1.
 */

import { InputError } from "../errors.js";
import { readGgufFile } from "../gguf/file.js";
import type { GgufFile } from "../gguf/gguf-file.js";
import { hasTokenizer, readVocab } from "./gguf-vocab.js";
import { Tokenizer } from "./tokenizer.js";

/** The tokenizer of `file`, or InputError naming it: no `tokenizer.ggml.*` keys, or keys it cannot use. */
export function tokenizerOf(file: GgufFile): Tokenizer {
  if (!hasTokenizer(file)) {
    throw new InputError(
      file.name,
      "has no tokenizer (no tokenizer.ggml.* keys); give token ids with --tokens instead",
    );
  }
  return new Tokenizer(readVocab(file));
}

/** The tokenizer of the GGUF file at `path`. InputError naming it for anything wrong. */
export function readTokenizerFile(path: string): Tokenizer {
  return tokenizerOf(readGgufFile(path));
}
