/**
 * Text ↔ token ids with a GGUF file's own vocabulary, as llama.cpp's llama_tokenize and
 * llama_token_to_piece do it: special tokens first, then BPE (`gpt2`) or SentencePiece (`llama`)
 * on the raw text between them; BOS/EOS as the file asks. Implements spec/tokenizer.md §9–§10.
 */

import { bpeTokenize } from "./bpe.js";
import { UNICODE_TO_BYTE } from "./byte-unicode.js";
import { TokenAttr, type Vocab } from "./gguf-vocab.js";
import { partitionSpecial, specialTokenOrder } from "./special-tokens.js";
import { SPM_SPACE, spmTokenize } from "./spm.js";

/** How to tokenize: llama_tokenize's add_special and parse_special. */
export interface TokenizeOptions {
  /** Add BOS (and EOS) where the vocabulary asks for them (llama-tokenize: on unless --no-bos). Default true. */
  readonly addSpecial?: boolean;
  /** Turn the texts of CONTROL tokens (e.g. `<|endoftext|>`) into those tokens (llama-tokenize: on unless --no-parse-special). Default true. */
  readonly parseSpecial?: boolean;
}

const UTF8 = new TextEncoder();

/** A tokenizer over one vocabulary. Spec §9. */
export class Tokenizer {
  private readonly specialOrder: readonly number[];

  /** @param vocab the vocabulary (src/tokenizer/gguf-vocab.ts readVocab). */
  constructor(readonly vocab: Vocab) {
    this.specialOrder = specialTokenOrder(vocab);
  }

  /** Number of tokens in the vocabulary. */
  get size(): number {
    return this.vocab.tokens.length;
  }

  /** The token ids of `text`, as llama_tokenize gives them. Implements spec/tokenizer.md §9. */
  tokenize(text: string, options: TokenizeOptions = {}): number[] {
    const addSpecial = options.addSpecial ?? true;
    const vocab = this.vocab;
    const out: number[] = [];
    if (addSpecial && vocab.addBos && vocab.bosId !== undefined) out.push(vocab.bosId);
    const spm = vocab.model === "llama";
    // SPM: a space before raw text that starts the input or follows a special token
    let afterSpecial = true;
    for (const fragment of partitionSpecial(vocab, this.specialOrder, text, options.parseSpecial ?? true)) {
      if ("token" in fragment) {
        out.push(fragment.token);
        afterSpecial = true;
      } else if (spm) {
        const prefixed = vocab.addSpacePrefix && afterSpecial ? ` ${fragment.text}` : fragment.text;
        spmTokenize(vocab, prefixed.replaceAll(" ", SPM_SPACE), out);
        afterSpecial = false;
      } else {
        bpeTokenize(vocab, fragment.text, out);
      }
    }
    if (addSpecial && vocab.addEos && vocab.eosId !== undefined) out.push(vocab.eosId);
    return out;
  }

  /**
   * The bytes token `id` stands for (llama_token_to_piece with lstrip 0): CONTROL and UNKNOWN tokens
   * are empty unless `special`; BYTE tokens <0xXX> are one byte; normal tokens are their text with ▁ as
   * space (SPM) or with the GPT-2 byte map undone (BPE). Implements spec/tokenizer.md §10.
   */
  tokenToPiece(id: number, special = false): Uint8Array {
    const vocab = this.vocab;
    if (!Number.isInteger(id) || id < 0 || id >= vocab.tokens.length) return new Uint8Array(0);
    const attr = vocab.attrs[id];
    const text = vocab.tokens[id];
    if ((attr & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) !== 0) return special ? UTF8.encode(text) : new Uint8Array(0);
    if ((attr & TokenAttr.USER_DEFINED) !== 0) return UTF8.encode(text);
    if ((attr & TokenAttr.NORMAL) !== 0) {
      return vocab.model === "llama" ? UTF8.encode(text.replaceAll(SPM_SPACE, " ")) : decodeByteLevel(text);
    }
    if ((attr & TokenAttr.BYTE) !== 0) return Uint8Array.of(Number.parseInt(text.slice(3, 5), 16));
    return new Uint8Array(0);
  }

  /** The pieces of `ids` one after another, as a generating program prints them (no space removal or clean-up). Spec §10. */
  pieces(ids: readonly number[], special = false): Uint8Array {
    return concatBytes(ids.map((id) => this.tokenToPiece(id, special)));
  }

  /**
   * The bytes of `ids` joined, as llama_detokenize joins them: with `removeSpecial` a leading BOS (and a
   * trailing EOS) that the vocabulary adds are dropped; for SPM without such a BOS the first piece loses
   * one leading space (the prefix §9 added); `unparseSpecial` writes CONTROL tokens' text; byte-level BPE
   * then cleans up spaces (cleanSpaces). Implements spec/tokenizer.md §10.
   */
  detokenize(ids: readonly number[], options: { removeSpecial?: boolean; unparseSpecial?: boolean } = {}): Uint8Array {
    const vocab = this.vocab;
    let tokens = ids;
    let removeSpace = vocab.addSpacePrefix;
    if (options.removeSpecial === true && vocab.addBos && tokens.length > 0 && tokens[0] === vocab.bosId) {
      removeSpace = false;
      tokens = tokens.slice(1);
    }
    if (
      options.removeSpecial === true &&
      vocab.addEos &&
      tokens.length > 0 &&
      tokens[tokens.length - 1] === vocab.eosId
    ) {
      tokens = tokens.slice(0, -1);
    }
    const pieces: Uint8Array[] = [];
    for (const id of tokens) {
      let piece = this.tokenToPiece(id, options.unparseSpecial === true);
      if (removeSpace && piece.length > 0 && piece[0] === 0x20) piece = piece.subarray(1);
      removeSpace = false;
      pieces.push(piece);
    }
    const out = concatBytes(pieces);
    return vocab.model === "gpt2" ? cleanSpaces(out) : out;
  }
}

/**
 * A byte-level BPE token's bytes: each codepoint back through the GPT-2 map (llama_decode_text);
 * a codepoint outside the map is written as llama.cpp writes it, `[UNK_BYTE_0x<utf-8 hex><token>]`.
 */
function decodeByteLevel(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const ch of text) {
    const byte = UNICODE_TO_BYTE.get(ch.codePointAt(0) ?? -1);
    if (byte !== undefined) {
      bytes.push(byte);
    } else {
      const hex = [...UTF8.encode(ch)].map((b) => b.toString(16).padStart(2, "0")).join("");
      bytes.push(...UTF8.encode(`[UNK_BYTE_0x${hex}${text}]`));
    }
  }
  return Uint8Array.from(bytes);
}

/** Byte arrays one after another. */
function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const SPACE = 0x20;
const APOSTROPHE = 0x27;
const code = (ch: string): number => ch.charCodeAt(0);

/**
 * llama_detokenize's clean_spaces for byte-level BPE, three passes in place as llama.cpp does them:
 * drop the space before ? ! . , ; drop the spaces around a lone ' ; drop the space before 's 'm 're 've.
 * Spec §10.
 */
function cleanSpaces(bytes: Uint8Array): Uint8Array {
  const text = Uint8Array.from(bytes);
  // pass 1: " ?", " !", " .", " ," lose the space
  const total1 = text.length;
  let total = total1 > 0 ? 1 : 0;
  for (let i = 1; i < total1; i++) {
    const x = text[i];
    if (text[i - 1] === SPACE && (x === code("?") || x === code("!") || x === code(".") || x === code(","))) total--;
    text[total++] = x;
  }
  // pass 2: " ' " loses both spaces
  const total2 = total;
  total = total2 > 0 ? 1 : 0;
  for (let i = 1; i < total2; i++) {
    const x = text[i];
    if (x === APOSTROPHE && i + 1 < total2 && text[i - 1] === SPACE && text[i + 1] === SPACE) {
      total--;
      text[++i] = 0;
    }
    text[total++] = x;
  }
  // pass 3: " 's", " 'm", " 're", " 've" lose the space (" 't", " 'd", " 'll" keep it)
  const total3 = total;
  total = total3 > 0 ? 1 : 0;
  for (let i = 1; i < total3; i++) {
    const x = text[i];
    if (text[i - 1] === SPACE && x === APOSTROPHE && i + 1 < total3) {
      const x1 = text[i + 1];
      if (x1 === code("s") || x1 === code("m")) {
        total--;
      } else if (i + 2 < total3 && (x1 === code("r") || x1 === code("v")) && text[i + 2] === code("e")) {
        total--;
      }
    }
    text[total++] = x;
  }
  return text.slice(0, total);
}
