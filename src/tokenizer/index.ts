/**
 * The tokenizer a GGUF file carries (`tokenizer.ggml.*`): byte-level BPE and SentencePiece as
 * llama.cpp runs them. Browser-safe (no Node APIs). See spec/tokenizer.md.
 */

export { Tokenizer, type TokenizeOptions } from "./tokenizer.js";
export { readVocab, hasTokenizer, TokenAttr, type Vocab, type TokenizerModel } from "./gguf-vocab.js";
export { type PreTokenizerType } from "./pre-tokenize.js";
