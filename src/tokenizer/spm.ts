/**
 * SentencePiece BPE as llama.cpp runs it (llm_tokenizer_spm_session): spaces become ▁, the text is
 * split into codepoints, and the adjacent pair whose joined text is a token with the highest score
 * is merged until none is left; a final symbol that is not a token falls back to byte tokens <0xXX>. Implements spec/tokenizer.md §7.
 */

import { InputError } from "../errors.js";
import { StdPriorityQueue } from "./std-heap.js";
import type { Vocab } from "./gguf-vocab.js";

/** SentencePiece's space: U+2581 LOWER ONE EIGHTH BLOCK. */
export const SPM_SPACE = "\u2581";

/** A live symbol: its text (empty once merged into its left neighbour) and its neighbours (-1: none). */
interface SpmSymbol {
  text: string;
  prev: number;
  next: number;
}

/** A candidate merge: symbols `left`, `right`, the score of their joined token, and the joined length then. */
interface SpmBigram {
  readonly left: number;
  readonly right: number;
  readonly score: number;
  readonly size: number;
}

/** llm_bigram_spm::comparator: lower priority = lower score, then the later left symbol. */
const spmBelow = (a: SpmBigram, b: SpmBigram): boolean => a.score < b.score || (a.score === b.score && a.left > b.left);

/** The token for byte `byte`: `<0xXX>`, else the byte itself as a one-character text (llama_vocab::byte_to_token). */
function byteToken(vocab: Vocab, byte: number): number {
  const hex = `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`;
  const id = vocab.idOf.get(hex) ?? (byte < 0x80 ? vocab.idOf.get(String.fromCharCode(byte)) : undefined);
  if (id === undefined) throw new InputError(vocab.source, `the vocabulary has no token for byte ${hex}`);
  return id;
}

/** Append the ids of raw text `text` (spaces already ▁) to `out`. Implements spec/tokenizer.md §7. */
export function spmTokenize(vocab: Vocab, text: string, out: number[]): void {
  const symbols: SpmSymbol[] = Array.from(text).map((ch, i, all) => ({
    text: ch,
    prev: i - 1,
    next: i + 1 < all.length ? i + 1 : -1,
  }));
  const queue = new StdPriorityQueue<SpmBigram>(spmBelow);
  const tryAddBigram = (left: number, right: number): void => {
    if (left === -1 || right === -1) return;
    const joined = symbols[left].text + symbols[right].text;
    const id = vocab.idOf.get(joined);
    if (id === undefined) return;
    queue.push({ left, right, score: vocab.scores[id], size: joined.length });
  };
  for (let i = 1; i < symbols.length; i++) tryAddBigram(i - 1, i);
  while (!queue.empty) {
    const bigram = queue.pop();
    const left = symbols[bigram.left];
    const right = symbols[bigram.right];
    // skip a bigram one of whose symbols has changed since (symbols only grow)
    if (left.text === "" || right.text === "" || left.text.length + right.text.length !== bigram.size) continue;
    left.text += right.text;
    right.text = "";
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    tryAddBigram(left.prev, bigram.left);
    tryAddBigram(bigram.left, left.next);
  }
  // llama.cpp's resegment: a merged symbol is always a token (merges only make tokens), so a symbol
  // that is not a token is one unmerged codepoint, written as its UTF-8 bytes
  for (let i = symbols.length > 0 ? 0 : -1; i !== -1; i = symbols[i].next) {
    const id = vocab.idOf.get(symbols[i].text);
    if (id !== undefined) out.push(id);
    else for (const byte of new TextEncoder().encode(symbols[i].text)) out.push(byteToken(vocab, byte));
  }
}
