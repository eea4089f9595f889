/**
 * Part 2 of the walk-through: values → trit codes, code = lroundf(x·id) + 1, for a few elements,
 * with every rounding tie spelled out. Spec: spec/formats.md §2.4 (rounding) and §4.3 / §5.4
 * (encode). Pure: no Node or browser APIs.
 */

import { lroundf } from "../../reference/codec/index.js";
import { formatF32, signedTrit } from "./numbers.js";
import { heading, table, wrap } from "./text.js";
import type { BlockWalk } from "./walk.js";

/** The x → code table for the shown elements, the ties, and the code counts. */
export function codesSection(walk: BlockWalk): string[] {
  return [
    ...heading("2. Values → codes: code = lroundf(x·id) + 1", `§2.4, ${walk.codec.spec.encode}`),
    ...wrap(
      "x·id is rounded to float32, then C's lroundf rounds it to the nearest integer, halves away " +
        "from zero; the code is that trit plus 1 (-1, 0, +1 → 0, 1, 2). Some elements:",
    ),
    ...table(
      ["e", "x", "x·id (float32)", "lroundf", "code", "shown because"],
      [...walk.shown].map(([e, reasons]) => codeRow(walk, e, reasons.join(", "))),
      ["right", "right", "right", "right", "right", "left"],
    ),
    ...tieLines(walk),
    ...nonFiniteProductLines(walk.products),
    ...wrap(`Codes in the whole block: ${codeCounts(walk.codes)}.`),
  ];
}

/** One row: e, x, x·id, lroundf(x·id), code. */
function codeRow(walk: BlockWalk, e: number, reasons: string): string[] {
  const rounded = lroundf(walk.products[e]);
  return [
    String(e),
    formatF32(walk.x[e]),
    formatF32(walk.products[e]),
    rounded === undefined ? "none" : String(rounded),
    String(walk.codes[e]),
    reasons,
  ];
}

/** A sentence per tie in the table (lroundf away from zero, Math.round's flip), or "no ties". */
function tieLines(walk: BlockWalk): string[] {
  const shownTies = walk.ties.filter((e) => walk.shown.has(e));
  const notShown = walk.ties.length - shownTies.length;
  if (walk.ties.length === 0) {
    return wrap(
      "No ties: no x·id in this block is exactly ±0.5, so JavaScript's Math.round would agree " +
        "with lroundf on every element.",
    );
  }
  return [
    ...shownTies.flatMap((e) => wrap(tieSentence(e, walk.products[e], walk.codes[e]))),
    ...(notShown > 0 ? wrap(`… and ${notShown} more ties, not shown.`) : []),
  ];
}

/** "Tie at e1: x·id = 0.5 exactly. lroundf rounds halves away from zero: 1, so code 2." */
function tieSentence(e: number, product: number, code: number): string {
  const t = code - 1;
  const sentence =
    `Tie at e${e}: x·id = ${formatF32(product)} exactly. lroundf rounds halves away from zero: ` +
    `${t}, so code ${code}.`;
  if (product > 0) return `${sentence} (JavaScript's Math.round(${formatF32(product)}) agrees here.)`;
  return (
    `${sentence} JavaScript's Math.round(${formatF32(product)}) would give -0, code 1: a naive port ` +
    "flips this weight to zero."
  );
}

/** When id overflowed to inf (amax < 2^-128), what ggml does with the infinite or NaN x·id. */
function nonFiniteProductLines(products: Float32Array): string[] {
  const count = products.filter((p) => !Number.isFinite(p)).length;
  if (count === 0) return [];
  return wrap(
    `x·id is not finite for ${count} elements: lroundf has no defined result there. On x86-64 it ` +
      "returns LONG_MIN, and (int)(LONG_MIN + 1) is 1, so ggml writes code 1 (see spec/formats.md §3).",
  );
}

/** "85 × code 0 (-1), 86 × code 1 ( 0), 85 × code 2 (+1)" */
function codeCounts(codes: Uint8Array): string {
  return [0, 1, 2]
    .map((code) => `${codes.filter((c) => c === code).length} × code ${code} (${signedTrit(code).trim()})`)
    .join(", ");
}
