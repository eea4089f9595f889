/**
 * Token-id files, the input of `trilm perplexity` (spec/forward.md §11): UTF-8 text of non-negative
 * integers separated by white space and/or commas, on any number of lines. Every problem is an
 * InputError naming the file and, where there is one, the line.
 */

import { InputError } from "../errors.js";
import { readInputFile } from "../io/input-file.js";

/** A token id and the line of the tokens file it is on (1-based). */
export interface TokenAt {
  readonly id: number;
  readonly line: number;
}

/**
 * Token ids from the text of a tokens file: non-negative integers separated by white space and/or
 * commas, on any number of lines. InputError naming the file and the line for anything else.
 */
export function parseTokensText(text: string, fileName: string): TokenAt[] {
  const tokens: TokenAt[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    for (const part of lineText.split(/[\s,]+/)) {
      if (part === "") continue;
      if (!/^\d+$/.test(part) || !Number.isSafeInteger(Number(part))) {
        const shown = part.length > 20 ? `${part.slice(0, 20)}…` : part;
        throw new InputError(
          fileName,
          `line ${index + 1}: ${JSON.stringify(shown)} is not a token id (a non-negative integer)`,
        );
      }
      tokens.push({ id: Number(part), line: index + 1 });
    }
  });
  if (tokens.length === 0) throw new InputError(fileName, "contains no token ids");
  return tokens;
}

/** Read and parse the tokens file at `path` (UTF-8 text). */
export function readTokensFile(path: string): TokenAt[] {
  const bytes = readInputFile(path);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(path, "is not UTF-8 text (expected token ids separated by white space or commas)");
  }
  return parseTokensText(text, path);
}

/** InputError naming the first id of `tokens` (read from `fileName`) outside a vocabulary of `vocabSize`, and its line. */
export function checkTokensInVocabulary(tokens: readonly TokenAt[], vocabSize: number, fileName: string): void {
  const outside = tokens.find((token) => token.id >= vocabSize);
  if (outside !== undefined) {
    throw new InputError(
      fileName,
      `line ${outside.line}: token id ${outside.id} is out of range: the model's vocabulary has ${vocabSize} tokens (0..${vocabSize - 1})`,
    );
  }
}
