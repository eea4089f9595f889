/**
 * Parsing the runner's prompt field: token ids separated by commas and/or white space (pure, no DOM).
 */

/** The outcome of parsing a token list: the ids, or a one-line reason why they cannot run. */
export type TokenListResult =
  { readonly ok: true; readonly tokens: number[] } | { readonly ok: false; readonly error: string };

/**
 * Parse "1, 17 300,42" into [1, 17, 300, 42]. Every id must be a non-negative decimal integer below
 * `vocabSize`; at most `contextLength` ids fit the model's KV cache; an empty list is refused.
 */
export function parseTokenIds(text: string, vocabSize: number, contextLength: number): TokenListResult {
  const parts = text.split(/[\s,]+/).filter((part) => part !== "");
  if (parts.length === 0) return { ok: false, error: "tokens: no token ids given (expected e.g. 1, 17, 300)" };
  const tokens: number[] = [];
  for (const part of parts) {
    const id = /^\d+$/.test(part) ? Number(part) : NaN;
    if (!Number.isSafeInteger(id))
      return { ok: false, error: `tokens: '${part}' is not a token id (a non-negative integer)` };
    if (id >= vocabSize)
      return {
        ok: false,
        error: `tokens: ${id} is outside the vocabulary of ${vocabSize} tokens (0..${vocabSize - 1})`,
      };
    tokens.push(id);
  }
  if (tokens.length > contextLength)
    return {
      ok: false,
      error: `tokens: ${tokens.length} tokens are more than the context of ${contextLength} positions`,
    };
  return { ok: true, tokens };
}
