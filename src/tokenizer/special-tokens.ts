/**
 * Special-token partition (llama.cpp's tokenizer_st_partition): before the tokenizer sees raw
 * text, every occurrence of a special token's text becomes that token. Implements spec/tokenizer.md §8.
 */

import { TokenAttr, type Vocab } from "./gguf-vocab.js";

/** A piece of the input: raw text for the tokenizer, or a token already decided. */
export type Fragment = { readonly text: string } | { readonly token: number };

const UTF8 = new TextEncoder();

/**
 * The special tokens in the order they are matched: CONTROL, USER_DEFINED and UNKNOWN tokens, longest
 * UTF-8 text first (ties in id order; llama.cpp's std::sort leaves ties unspecified). Spec §8.
 */
export function specialTokenOrder(vocab: Vocab): number[] {
  const special = TokenAttr.CONTROL | TokenAttr.USER_DEFINED | TokenAttr.UNKNOWN;
  const ids = [...vocab.attrs.keys()].filter((id) => (vocab.attrs[id] & special) !== 0);
  const bytes = ids.map((id) => UTF8.encode(vocab.tokens[id]).length);
  return ids
    .map((id, i) => ({ id, n: bytes[i] }))
    .sort((a, b) => b.n - a.n || a.id - b.id)
    .map((e) => e.id);
}

/**
 * `text` split at special tokens, in `order`: each token's text is found leftmost first in every raw
 * fragment left by the tokens before it. Without `parseSpecial`, CONTROL and UNKNOWN tokens are not
 * matched (USER_DEFINED ones still are). Implements spec/tokenizer.md §8.
 */
export function partitionSpecial(
  vocab: Vocab,
  order: readonly number[],
  text: string,
  parseSpecial: boolean,
): Fragment[] {
  let fragments: Fragment[] = text === "" ? [] : [{ text }];
  for (const id of order) {
    if (!parseSpecial && (vocab.attrs[id] & (TokenAttr.CONTROL | TokenAttr.UNKNOWN)) !== 0) continue;
    const needle = vocab.tokens[id];
    if (needle === "") continue;
    const next: Fragment[] = [];
    for (const fragment of fragments) {
      if (!("text" in fragment)) {
        next.push(fragment);
        continue;
      }
      let from = 0;
      for (let at = fragment.text.indexOf(needle); at >= 0; at = fragment.text.indexOf(needle, from)) {
        if (at > from) next.push({ text: fragment.text.slice(from, at) });
        next.push({ token: id });
        from = at + needle.length;
      }
      if (from < fragment.text.length) next.push({ text: fragment.text.slice(from) });
    }
    fragments = next;
  }
  return fragments;
}
