/**
 * A prompt written as a list of token ids, "1,17 300": the `--tokens` of `trilm run`.
 */

import { UsageError } from "../errors.js";

/**
 * Token ids from `text`: non-negative integers separated by commas and/or white space. UsageError
 * naming `option` (the option the list came from, e.g. `--tokens`) for an empty list or anything else.
 */
export function parseTokenList(text: string, option: string): number[] {
  const parts = text.split(/[\s,]+/).filter((part) => part !== "");
  if (parts.length === 0) throw new UsageError(`${option}: no token ids given (expected e.g. ${option} 1,17,300)`);
  return parts.map((part) => {
    if (!/^\d+$/.test(part) || !Number.isSafeInteger(Number(part))) {
      throw new UsageError(`${option}: '${part}' is not a token id (a non-negative integer)`);
    }
    return Number(part);
  });
}
