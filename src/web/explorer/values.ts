/**
 * The explorer's input: a list of numbers typed by the reader, parsed into one 256-element float32
 * block, and the block written back as text that parses to the same float32 values.
 * Pure: no DOM, no Node APIs.
 */

import { QK_K } from "../../../reference/codec/index.js";
import { formatF32 } from "../../explain/numbers.js";

/** A parsed block: 256 float32 values and how many the reader gave (the rest are zero). */
export interface ParsedValues {
  readonly ok: true;
  /** Float32Array[256]. */
  readonly values: Float32Array;
  /** How many numbers the text held (0..256); elements from here on are padding zeros. */
  readonly given: number;
}

/** Why the text is not a block: one line naming the token and its position. */
export interface ValuesError {
  readonly ok: false;
  readonly error: string;
}

/** A plain decimal number: optional sign, digits with an optional point, optional exponent. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** Non-finite spellings the parser accepts (case-insensitive), and their values. */
const NON_FINITE_WORDS: Readonly<Record<string, number>> = {
  nan: NaN,
  "+nan": NaN,
  "-nan": NaN,
  inf: Infinity,
  "+inf": Infinity,
  "-inf": -Infinity,
  infinity: Infinity,
  "+infinity": Infinity,
  "-infinity": -Infinity,
};

/** Split the text into tokens: numbers are separated by whitespace and/or commas. */
export function splitValueTokens(text: string): string[] {
  return text.split(/[\s,;]+/).filter((token) => token !== "");
}

/** One token as a JS number (before rounding to float32), or undefined if it is not a number. */
export function parseValueToken(token: string): number | undefined {
  const word = NON_FINITE_WORDS[token.toLowerCase()];
  if (word !== undefined) return word;
  return DECIMAL_NUMBER.test(token) ? Number(token) : undefined;
}

/**
 * Parse up to 256 numbers (separated by spaces, newlines or commas; `nan`, `inf`, `-inf` accepted in
 * any case), each rounded to float32 with Math.fround; missing elements are 0. More than 256 numbers,
 * or a token that is not a number, gives a one-line error naming it and its position (1-based).
 */
export function parseValues(text: string): ParsedValues | ValuesError {
  const tokens = splitValueTokens(text);
  if (tokens.length > QK_K) {
    return {
      ok: false,
      error: `${tokens.length} values given, a block holds at most ${QK_K}: value ${QK_K + 1} is '${tokens[QK_K]}'`,
    };
  }
  const values = new Float32Array(QK_K);
  for (const [index, token] of tokens.entries()) {
    const value = parseValueToken(token);
    if (value === undefined) {
      return {
        ok: false,
        error: `value ${index + 1} ('${token}') is not a number (write e.g. 0.05, -1e-3, nan, inf or -inf)`,
      };
    }
    values[index] = value;
  }
  return { ok: true, values, given: tokens.length };
}

/**
 * A float32 value as text that parses back (with parseValueToken and Math.fround) to the same float32:
 * the shortest round-tripping decimal, `-0` for negative zero, `nan`, `inf`, `-inf`.
 */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return formatF32(x);
}

/** A block as textarea text: 16 values a line, separated by spaces. */
export function formatValues(values: Float32Array, perLine: number = 16): string {
  const lines: string[] = [];
  for (let start = 0; start < values.length; start += perLine) {
    lines.push(Array.from(values.subarray(start, start + perLine), formatValue).join(" "));
  }
  return lines.join("\n");
}
