/**
 * Unicode category flags of a codepoint, as llama.cpp's unicode_cpt_flags_from_cpt gives them
 * (one general category per codepoint, plus its whitespace set), computed with the JavaScript
 * regular-expression properties \p{…} of the running engine. Implements spec/tokenizer.md §3.
 */

/** A codepoint's flags: its general category group and whether llama.cpp counts it as whitespace. */
export interface CodepointFlags {
  /** L*: \p{L}. */
  readonly letter: boolean;
  /** N*: \p{N}. */
  readonly number: boolean;
  /** P*: \p{P}. */
  readonly punctuation: boolean;
  /** In llama.cpp's whitespace set (spec §3): \t \n \v \f \r, space, U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. */
  readonly whitespace: boolean;
}

/** llama.cpp's whitespace set (unicode_set_whitespace); differs from JS \s in U+0085 (in) and U+FEFF (out). */
const WHITESPACE: ReadonlySet<number> = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

const LETTER = /^\p{L}$/u;
const NUMBER = /^\p{N}$/u;
const PUNCTUATION = /^\p{P}$/u;

/** The flags of codepoint `cpt` (0 to 0x10FFFF). Implements spec/tokenizer.md §3. */
export function codepointFlags(cpt: number): CodepointFlags {
  const ch = String.fromCodePoint(cpt);
  return {
    letter: LETTER.test(ch),
    number: NUMBER.test(ch),
    punctuation: PUNCTUATION.test(ch),
    whitespace: WHITESPACE.has(cpt),
  };
}
