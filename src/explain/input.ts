/**
 * What `trilm explain` walks through: one 256-element float32 block, either given by the user
 * (`--values`) or drawn from a seed (`--seed`). Every problem with the input is a UsageError whose
 * message is one line. Pure: no Node or browser APIs.
 */

import { QK_K } from "../../reference/codec/index.js";
import { UsageError } from "../errors.js";
import { formatF32 } from "./numbers.js";
import { drawTrit, mulberry32 } from "../random/index.js";

/** The two formats the walk-through explains (ggml's lower-case names). */
export type ExplainFormat = "tq1_0" | "tq2_0";

/** Where the block comes from: `values` (1..256 numbers, zero-padded) or `seed` (default 1). */
export interface ExplainInput {
  readonly values?: readonly number[];
  readonly seed?: number;
}

/** The block to explain, and a line or two saying where it came from. */
export interface ResolvedBlock {
  /** Float32Array[256]: the block as ggml would read it from an F32 tensor. */
  readonly values: Float32Array;
  /** One line per fact about the input (origin, padding, rounding to float32). */
  readonly origin: readonly string[];
}

/** The seed used when neither values nor a seed is given. */
export const DEFAULT_EXPLAIN_SEED = 1;
/** The range a seeded block's scale is drawn from, uniformly, before rounding to float32. */
export const SEEDED_SCALE_RANGE = { min: 0.01, max: 0.1 } as const;

const MAX_SEED = 0xffffffff;
/** A plain decimal number: optional sign, digits with an optional point, optional exponent. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parse a format name as the CLI receives it; UsageError for anything but tq1_0 or tq2_0. */
export function parseExplainFormat(text: string): ExplainFormat {
  const lower = text.toLowerCase();
  if (lower === "tq1_0" || lower === "tq2_0") return lower;
  throw new UsageError(`unknown format '${text}': explain knows tq1_0, tq2_0, trirun, i2_s, hf-bitnet and rosetta`);
}

/** Parse `--values v1,v2,…` (comma-separated decimal numbers); UsageError naming the bad item. */
export function parseValueList(text: string): number[] {
  return text.split(",").map((item, index) => {
    const trimmed = item.trim();
    if (!DECIMAL_NUMBER.test(trimmed)) {
      throw new UsageError(`--values: item ${index + 1} ('${trimmed}') is not a decimal number`);
    }
    return Number(trimmed);
  });
}

/** Parse `--seed N`, a whole number 0..4294967295; UsageError otherwise. */
export function parseSeed(text: string): number {
  const trimmed = text.trim();
  const seed = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  requireValidSeed(seed, trimmed);
  return seed;
}

/** Throw a UsageError unless `seed` is an integer 0..2^32−1. */
function requireValidSeed(seed: number, shown: string): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new UsageError(`--seed must be a whole number from 0 to ${MAX_SEED}, got '${shown}'`);
  }
}

/**
 * A TriLM-like block from a seed, with mulberry32 (see src/random): one scale drawn uniformly
 * from SEEDED_SCALE_RANGE and rounded to float32, then per element one draw u: u < 1/3 → trit 0,
 * u < 2/3 → −1, else +1; value = trit · scale (exact in float32). Returns Float32Array[256].
 */
export function drawTriLmBlock(seed: number): { values: Float32Array; scale: number } {
  requireValidSeed(seed, String(seed));
  const next = mulberry32(seed);
  const scale = Math.fround(SEEDED_SCALE_RANGE.min + (SEEDED_SCALE_RANGE.max - SEEDED_SCALE_RANGE.min) * next());
  const values = new Float32Array(QK_K);
  for (let e = 0; e < QK_K; e++) values[e] = drawTrit(next()) * scale;
  return { values, scale };
}

/** Resolve the input into a 256-element block, validating it. UsageError on bad input. */
export function resolveBlock(input: ExplainInput): ResolvedBlock {
  if (input.values !== undefined && input.seed !== undefined) {
    throw new UsageError("give --values or --seed, not both");
  }
  return input.values !== undefined ? blockFromValues(input.values) : blockFromSeed(input.seed ?? DEFAULT_EXPLAIN_SEED);
}

/** A seeded block and its origin line. */
function blockFromSeed(seed: number): ResolvedBlock {
  const { values, scale } = drawTriLmBlock(seed);
  return {
    values,
    origin: [
      `seed ${seed}: a TriLM-like block, 256 trits (P(0) = 1/3) times one scale ${formatF32(scale)}`,
      `(float32, drawn from ${SEEDED_SCALE_RANGE.min}..${SEEDED_SCALE_RANGE.max} with mulberry32)`,
    ],
  };
}

/** 1..256 user values, zero-padded to 256 and rounded to float32. */
function blockFromValues(given: readonly number[]): ResolvedBlock {
  if (given.length === 0 || given.length > QK_K) {
    throw new UsageError(`--values: ${given.length} numbers given, a block needs 1 to ${QK_K}`);
  }
  given.forEach((v, index) => {
    if (!Number.isFinite(Math.fround(v))) {
      throw new UsageError(`--values: item ${index + 1} (${v}) is not a finite float32 number`);
    }
  });
  const values = new Float32Array(QK_K);
  values.set(given);
  return { values, origin: [countLine(given.length), ...float32RoundingLines(given)] };
}

/** "256 values given" or "12 values given; elements 12..255 are padded with 0". */
function countLine(count: number): string {
  const noun = count === 1 ? "value" : "values";
  if (count === QK_K) return `${count} ${noun} given`;
  return `${count} ${noun} given; elements ${count}..${QK_K - 1} are padded with 0`;
}

/** A line saying how many values float32 could not hold exactly, with the first as an example. */
function float32RoundingLines(given: readonly number[]): string[] {
  const rounded = given.filter((v) => Math.fround(v) !== v);
  if (rounded.length === 0) return [];
  const first = rounded[0];
  return [
    `${rounded.length} of them are not float32 numbers and are rounded to the nearest one ` +
      `(${first} is stored as ${Math.fround(first)})`,
  ];
}
