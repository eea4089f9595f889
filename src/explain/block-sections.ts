/**
 * Parts 4–6 of the walk-through, the same for both formats: the packed block as a hex dump, the
 * decoding w = (code − 1)·d with the round-trip verdict, and the validator's findings.
 * Spec: spec/formats.md §4.1/§5.1, §4.4/§5.5 and §10. Pure: no Node or browser APIs.
 */

import { QK_K } from "../../reference/codec/index.js";
import { formatApprox, formatF32, hexHalfWord } from "./numbers.js";
import { type ByteField, heading, hexDump, table, wrap } from "./text.js";
import type { BlockWalk } from "./walk.js";

/** The whole block, 16 bytes a row, each row labelled with its field. */
export function hexDumpSection(walk: BlockWalk): string[] {
  const { codec, scale } = walk;
  const label = (field: ByteField, start: number, end: number): string =>
    field.name === "d"
      ? `d = ${hexHalfWord(scale.scaleBits)} (fp16, low byte first)`
      : `${field.name}[${start - field.start}..${end - 1 - field.start}]`;
  return [
    ...heading(`4. The whole block: ${codec.blockBytes} bytes`, codec.spec.layout),
    ...hexDump(walk.block, codec.fields, label),
  ];
}

/** w = (code − 1)·d for the shown elements, and whether the block round-trips exactly. */
export function decodeSection(walk: BlockWalk): string[] {
  const d = formatF32(walk.d);
  return [
    ...heading("5. Decoding back: w = (code - 1)·d", walk.codec.spec.decode),
    ...table(
      ["e", "code", "w = (code - 1)·d", "x", "w - x"],
      [...walk.shown.keys()].map((e) => {
        const code = walk.storedCodes[e];
        const w = walk.decoded[e];
        return [
          String(e),
          String(code),
          `(${code} - 1)·${d} = ${formatF32(w)}`,
          formatF32(walk.x[e]),
          formatApprox(w - walk.x[e]),
        ];
      }),
      ["right", "right", "left", "right", "right"],
    ),
    ...wrap(roundTripVerdict(walk)),
  ];
}

/** "round trip: exact", or how many of the 256 elements differ, how many are NaN, and the largest error. */
function roundTripVerdict(walk: BlockWalk): string {
  let differing = 0;
  let nan = 0;
  let worstElement = -1;
  let worstError = 0;
  for (let e = 0; e < QK_K; e++) {
    if (walk.decoded[e] === walk.x[e]) continue;
    differing++;
    const error = Math.abs(walk.decoded[e] - walk.x[e]);
    if (Number.isNaN(error)) nan++;
    else if (error > worstError) {
      worstElement = e;
      worstError = error;
    }
  }
  if (differing === 0) return "round trip: exact (every decoded weight equals its input value)";
  const nanPart = nan > 0 ? `, ${nan} of them NaN` : "";
  const worstPart = worstElement >= 0 ? `, max |w - x| = ${formatApprox(worstError)} (element ${worstElement})` : "";
  return `round trip: ${differing} of ${QK_K} elements differ${nanPart}${worstPart}${roundTripCause(walk)}`;
}

/** Why the block does not round-trip: the fp16 scale, inputs off the ternary grid, or both. */
function roundTripCause(walk: BlockWalk): string {
  const { amax } = walk.scale;
  const offGrid = walk.x.filter((v) => v !== 0 && Math.abs(v) !== amax).length;
  const causes = [
    ...(walk.d !== amax ? ["d = fp16(amax) is not amax"] : []),
    ...(offGrid === 1 ? ["1 input is not 0 or ±amax, which a ternary code cannot hold"] : []),
    ...(offGrid > 1 ? [`${offGrid} inputs are not 0 or ±amax, which a ternary code cannot hold`] : []),
  ];
  return causes.length === 0 ? "" : `: ${causes.join("; ")}.`;
}

/** The validator's findings on the block, or that it has none. */
export function validationSection(walk: BlockWalk): string[] {
  const findings = walk.codec.validate(walk.block);
  return [
    ...heading(`6. Validation: ${walk.codec.validatorName}`, `§10, ${walk.codec.spec.invalid}`),
    ...(findings.length === 0
      ? wrap(
          "No findings: nothing in this block is invalid, non-canonical or lossy by the rules of " +
            "spec/formats.md §10.",
        )
      : findings.flatMap((finding) =>
          wrap(`[${finding.severity}] ${finding.kind}: ${finding.message}`, "   - ", "     "),
        )),
  ];
}
