/**
 * Byte-level BPE (llama.cpp's llm_tokenizer_bpe_session): each pre-tokenized word is byte-encoded,
 * split into codepoints, and the adjacent pair with the lowest merge rank is merged until none is
 * left; a final symbol that is not a token falls back to its single bytes. Implements spec/tokenizer.md §6.
 */

import { byteEncode } from "./byte-unicode.js";
import { preTokenize } from "./pre-tokenize.js";
import { StdPriorityQueue } from "./std-heap.js";
import type { Vocab } from "./gguf-vocab.js";

/** A symbol of the word being merged: its text, and the previous / next live symbol (-1: none). */
interface BpeSymbol {
  text: string;
  prev: number;
  next: number;
}

/** A candidate merge of symbols `left` and `right` whose joined text was `text`, ranked `rank`. */
interface BpeBigram {
  readonly left: number;
  readonly right: number;
  readonly text: string;
  readonly rank: number;
}

/** llm_bigram_bpe::comparator: lower priority = higher rank, then the later left symbol. */
const bpeBelow = (a: BpeBigram, b: BpeBigram): boolean => a.rank > b.rank || (a.rank === b.rank && a.left > b.left);

/** One word's symbols after all merges (texts in order). Spec §6.1. */
function mergeWord(vocab: Vocab, word: string): string[] {
  const symbols: BpeSymbol[] = Array.from(word).map((text, i, all) => ({
    text,
    prev: i - 1,
    next: i + 1 < all.length ? i + 1 : -1,
  }));
  const queue = new StdPriorityQueue<BpeBigram>(bpeBelow);
  const addBigram = (left: number, right: number): void => {
    if (left === -1 || right === -1) return;
    const l = symbols[left].text;
    const r = symbols[right].text;
    const rank = vocab.mergeRank.get(`${l} ${r}`);
    if (rank !== undefined) queue.push({ left, right, text: l + r, rank });
  };
  for (let i = 1; i < symbols.length; i++) addBigram(i - 1, i);
  while (!queue.empty) {
    const bigram = queue.pop();
    const left = symbols[bigram.left];
    const right = symbols[bigram.right];
    // skip a bigram whose symbols changed since it was queued
    if (left.text === "" || right.text === "" || left.text + right.text !== bigram.text) continue;
    left.text += right.text;
    right.text = "";
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = bigram.left;
    addBigram(left.prev, bigram.left);
    addBigram(bigram.left, left.next);
  }
  return symbols.filter((s) => s.text !== "").map((s) => s.text);
}

/** The ids of a symbol: its token, else one token per byte that has one (bytes without a token are dropped). Spec §6.2. */
function symbolIds(vocab: Vocab, text: string, out: number[]): void {
  const id = vocab.idOf.get(text);
  if (id !== undefined) {
    out.push(id);
    return;
  }
  // each codepoint of a byte-encoded symbol stands for one byte; llama.cpp looks up each UTF-8 byte of the
  // symbol's text as a one-byte string, which only byte values < 0x80 can match
  for (const byte of new TextEncoder().encode(text)) {
    const byteId = byte < 0x80 ? vocab.idOf.get(String.fromCharCode(byte)) : undefined;
    if (byteId !== undefined) out.push(byteId);
  }
}

/** Append the ids of raw text `text` (no special tokens in it) to `out`. Implements spec/tokenizer.md §5–§6. */
export function bpeTokenize(vocab: Vocab, text: string, out: number[]): void {
  for (const word of preTokenize(text, vocab.preTokenizer)) {
    for (const symbol of mergeWord(vocab, byteEncode(word))) symbolIds(vocab, symbol, out);
  }
}
