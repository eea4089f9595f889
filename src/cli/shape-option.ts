/**
 * `--shape R,C` (or any number of dimensions, outermost first) for commander's `argParser`.
 */

import { InvalidArgumentError } from "commander";

/** Parse "R,C,…" into positive integers; InvalidArgumentError for anything else. */
export function parseShapeOption(text: string): number[] {
  const items = text.split(",").map((item) => item.trim());
  const dims = items.map((item) => (/^[0-9]+$/.test(item) ? Number(item) : NaN));
  if (dims.some((n) => !Number.isSafeInteger(n) || n === 0)) {
    throw new InvalidArgumentError("Expected positive whole numbers separated by commas, like 2,256.");
  }
  return dims;
}
