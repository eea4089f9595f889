/**
 * The BPE pre-tokenizer: text → words, as llama.cpp's unicode_regex_split does for the
 * pre-tokenizer types this package supports. Words are runs of codepoints; a split is a list of
 * word lengths (in codepoints) and each stage splits every word of the previous stage further,
 * never joining. Implements spec/tokenizer.md §5.
 */

import { codepointFlags, type CodepointFlags } from "./codepoint-flags.js";

/** The pre-tokenizer types implemented, by what llama.cpp calls them (llama_vocab_pre_type). Spec §5. */
export type PreTokenizerType = "default" | "gpt2";

/** The text being split: its codepoints and their flags (computed once per text). */
interface Codepoints {
  readonly cpts: readonly number[];
  readonly flags: readonly CodepointFlags[];
}

/** One splitting stage: the lengths of the previous stage's words → finer lengths. */
type SplitStage = (text: Codepoints, lengths: readonly number[]) => number[];

/**
 * Split each word into the matches of a pattern and the gaps between them (std::regex_iterator as
 * llama.cpp's unicode_regex_split_stl uses it): `matchAt(cpts, pos, end)` is the length of the
 * match starting at pos (0: none there); matches are taken leftmost first, never overlapping.
 */
function splitMatches(
  text: Codepoints,
  lengths: readonly number[],
  matchAt: (text: Codepoints, pos: number, end: number) => number,
): number[] {
  const out: number[] = [];
  let start = 0;
  for (const length of lengths) {
    const end = start + length;
    let gapStart = start;
    for (let pos = start; pos < end;) {
      const n = matchAt(text, pos, end);
      if (n === 0) {
        pos++;
        continue;
      }
      if (pos > gapStart) out.push(pos - gapStart);
      out.push(n);
      pos += n;
      gapStart = pos;
    }
    if (end > gapStart) out.push(end - gapStart);
    start = end;
  }
  return out;
}

/** `[class]+`: the longest run of codepoints in the class from pos. */
function runOf(
  inClass: (cpt: number, flags: CodepointFlags) => boolean,
): (text: Codepoints, pos: number, end: number) => number {
  return ({ cpts, flags }, pos, end) => {
    let n = 0;
    while (pos + n < end && inClass(cpts[pos + n], flags[pos + n])) n++;
    return n;
  };
}

const isAsciiDigit = (cpt: number): boolean => cpt >= 0x30 && cpt <= 0x39;

/**
 * `[\p{P}\$\+<=>\^~\|]+` as llama.cpp evaluates it on its "collapsed" text: ASCII `!`–`~` except
 * digits, letters and the backtick; above ASCII, punctuation that is not whitespace. Spec §5.2.
 */
function isDefaultPunctuation(cpt: number, flags: CodepointFlags): boolean {
  if (cpt < 0x80) return cpt >= 0x21 && cpt <= 0x7e && cpt !== 0x60 && !isAsciiDigit(cpt) && !flags.letter;
  return flags.punctuation && !flags.whitespace;
}

/** `\p{N}+` on the collapsed text: ASCII digits; above ASCII, numbers that are not whitespace. Spec §5.2. */
function isDefaultNumber(cpt: number, flags: CodepointFlags): boolean {
  if (cpt < 0x80) return isAsciiDigit(cpt);
  return flags.number && !flags.whitespace;
}

/** `[0-9][0-9][0-9]`: three ASCII digits. */
function threeDigits({ cpts }: Codepoints, pos: number, end: number): number {
  return pos + 3 <= end && isAsciiDigit(cpts[pos]) && isAsciiDigit(cpts[pos + 1]) && isAsciiDigit(cpts[pos + 2])
    ? 3
    : 0;
}

const APOSTROPHE = 0x27;
const SPACE = 0x20;

/**
 * GPT-2's pattern `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, as
 * llama.cpp's hand-written unicode_regex_split_custom_gpt2 evaluates it (not a regex engine). Spec §5.1.
 */
function splitGpt2({ cpts, flags }: Codepoints, lengths: readonly number[]): number[] {
  const out: number[] = [];
  let start = 0;
  for (const length of lengths) {
    const end = start + length;
    const cptAt = (pos: number): number => (pos >= start && pos < end ? cpts[pos] : -1);
    const inRange = (pos: number): boolean => pos >= start && pos < end;
    const letter = (pos: number): boolean => inRange(pos) && flags[pos].letter;
    const number = (pos: number): boolean => inRange(pos) && flags[pos].number;
    const space = (pos: number): boolean => inRange(pos) && flags[pos].whitespace;
    const other = (pos: number): boolean => inRange(pos) && !letter(pos) && !number(pos) && !space(pos);
    let prevEnd = start;
    const addToken = (tokenEnd: number): number => {
      const n = tokenEnd - prevEnd;
      if (n > 0) out.push(n);
      prevEnd = tokenEnd;
      return n;
    };
    for (let pos = start; pos < end;) {
      const cpt = cptAt(pos);
      // 's|'t|'re|'ve|'m|'ll|'d
      if (cpt === APOSTROPHE && pos + 1 < end) {
        const next = String.fromCodePoint(cptAt(pos + 1));
        if ("stmd".includes(next)) {
          pos += addToken(pos + 2);
          continue;
        }
        if (pos + 2 < end && ["re", "ve", "ll"].includes(next + String.fromCodePoint(cptAt(pos + 2)))) {
          pos += addToken(pos + 3);
          continue;
        }
      }
      // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the class is that of the codepoint after an optional space
      const classPos = cpt === SPACE ? pos + 1 : pos;
      const runClass = [letter, number, other].find((inClass) => inClass(classPos));
      if (runClass !== undefined) {
        pos = classPos;
        while (runClass(pos)) pos++;
        addToken(pos);
        continue;
      }
      let spaces = 0;
      while (space(pos + spaces)) spaces++;
      if (spaces > 1 && inRange(pos + spaces)) {
        // \s+(?!\S): all but the last whitespace when more text follows
        pos += spaces - 1;
        addToken(pos);
        continue;
      }
      if (spaces > 0) {
        pos += spaces;
        addToken(pos);
        continue;
      }
      addToken(++pos);
    }
    start = end;
  }
  return out;
}

/** The stages of each pre-tokenizer type (llm_tokenizer_bpe's regex_exprs). Spec §5. */
const STAGES: Readonly<Record<PreTokenizerType, readonly SplitStage[]>> = {
  default: [
    (text, lengths) => splitMatches(text, lengths, runOf(isDefaultPunctuation)),
    splitGpt2,
    (text, lengths) => splitMatches(text, lengths, runOf(isDefaultNumber)),
    (text, lengths) => splitMatches(text, lengths, threeDigits),
  ],
  gpt2: [splitGpt2],
};

/** `text` split into words by the pre-tokenizer `type`. Implements spec/tokenizer.md §5. */
export function preTokenize(text: string, type: PreTokenizerType): string[] {
  const chars = Array.from(text);
  const cpts = chars.map((ch) => ch.codePointAt(0) ?? 0);
  const codepoints: Codepoints = { cpts, flags: cpts.map(codepointFlags) };
  let lengths = [cpts.length];
  for (const stage of STAGES[type]) lengths = stage(codepoints, lengths);
  const words: string[] = [];
  let start = 0;
  for (const length of lengths) {
    words.push(chars.slice(start, start + length).join(""));
    start += length;
  }
  return words;
}
