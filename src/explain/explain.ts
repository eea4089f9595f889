/**
 * `trilm explain`: one 256-element block quantized to TQ1_0 or TQ2_0, step by step, for a person
 * learning the format. Every number printed is computed by the reference codec.
 * Pure: no Node or browser APIs, so it can run in a browser as well as behind the CLI.
 */

import { codesSection } from "./codes-section.js";
import { decodeSection, hexDumpSection, validationSection } from "./block-sections.js";
import { type ExplainFormat, type ExplainInput, parseExplainFormat, resolveBlock } from "./input.js";
import { valuesAndScaleSection } from "./scale-section.js";
import { walkTitle } from "./text.js";
import { tq1PackingSection } from "./tq1-section.js";
import { tq2PackingSection } from "./tq2-section.js";
import { walkBlock } from "./walk.js";

/**
 * The walk-through of one block as plain text (lines ≤ 100 columns, ending in a newline):
 * 1. the values, amax, d = fp16(amax) bit by bit, id; 2. values → codes, ties spelled out;
 * 3. where the codes go (TQ2_0 bit pairs, or TQ1_0 base-3 bytes worked both ways);
 * 4. the block as a hex dump; 5. decoding back and the round-trip verdict; 6. validation.
 *
 * `input.values`: 1..256 finite numbers, zero-padded to 256 and rounded to float32;
 * otherwise `input.seed` (default 1) draws a TriLM-like block (see drawTriLmBlock).
 * Throws UsageError (one-line message) for bad input, or a format other than tq1_0 / tq2_0.
 */
export function explainBlock(format: ExplainFormat, input: ExplainInput = {}): string {
  const { values, origin } = resolveBlock(input);
  const walk = walkBlock(parseExplainFormat(format), values); // re-checked for callers without types
  const lines = [
    ...walkTitle(`${walk.codec.name}: one block of 256 weights, encoded and decoded step by step`),
    ...valuesAndScaleSection(walk, origin),
    ...codesSection(walk),
    ...(walk.codec.format === "tq2_0" ? tq2PackingSection(walk) : tq1PackingSection(walk)),
    ...hexDumpSection(walk),
    ...decodeSection(walk),
    ...validationSection(walk),
  ];
  return `${lines.join("\n")}\n`;
}
