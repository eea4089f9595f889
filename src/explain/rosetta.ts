/**
 * `trilm explain rosetta`: the same 256 ternary weights in every layout side by side — where each element lands
 * (byte, bit shift or base-3 digit), the followed element's byte in binary with the other weights it holds, and the
 * bytes in hex. Every number is computed by the codecs (rosetta-layouts.ts). Pure: no Node or browser APIs.
 */

import { binary, hexByte } from "./numbers.js";
import { type RosettaInput, resolveRosettaPattern } from "./rosetta-input.js";
import {
  type RosettaLayout,
  type RosettaModel,
  rosettaBytesShown,
  rosettaCodeAt,
  rosettaFieldsOfByte,
  rosettaModel,
} from "./rosetta-layouts.js";
import { heading, INDENT, table, wrap, walkTitle } from "./text.js";
import { tritOfByte } from "../../reference/codec/tq1_0.js";

/** Hex bytes or words per line of a dump. */
const BYTES_PER_LINE = 16;
const WORDS_PER_LINE = 4;

/**
 * The Rosetta stone as plain text (lines ≤ 100 columns, ending in a newline): 1. the layouts, the minimal matrix
 * each packs and where the 256 sit; 2. the followed element in every layout, its byte in binary; 3. every element's
 * byte and field in every layout; 4. the bytes in hex. Throws UsageError (one line) for bad input.
 */
export function explainRosetta(input: RosettaInput = {}): string {
  const model = rosettaModel(resolveRosettaPattern(input));
  const { pattern } = model;
  const where =
    pattern.arrangement === "row"
      ? "W[0][0..255] (one output row, 256 inputs: a TQ block's run); element e = W[0][e]"
      : "W[0..15][0..15] (a 16×16 corner); element e = W[⌊e/16⌋][e mod 16]";
  const lines = [
    ...walkTitle("Rosetta stone: the same 256 ternary weights in every layout"),
    ...wrap(pattern.origin),
    ...wrap(`The 256 weights are ${where}; every other weight of a layout's matrix is 0.`),
    ...layoutsSection(model),
    ...followedSection(model),
    ...everyElementSection(model),
    ...bytesSection(model),
  ];
  return `${lines.join("\n")}\n`;
}

/** `37>>4` for a crumb, `37·t2` for a TQ1_0 trit: the byte and field of a place. */
export function rosettaCell(layout: RosettaLayout, e: number): string {
  const { byte, field } = layout.places[e];
  return layout.fieldKind === "trit" ? `${byte}·t${field}` : `${byte}>>${field}`;
}

/** 1. Each layout: its code, minimal matrix, where the 256 sit, its scale. */
function layoutsSection(model: RosettaModel): string[] {
  return [
    ...heading("1. The layouts and the matrix each one packs", "§8", "spec/bitnet.md"),
    ...wrap(
      "A layout whose unit is a whole matrix packs a minimal one of its shape (out × in), the 256 inside it; " +
        "the bytes below are that matrix packed by the layout's codec.",
    ),
    ...model.layouts.flatMap((layout) => [
      "",
      `${INDENT}${layout.name.padEnd(12)} code ${layout.codeRule.padEnd(22)} matrix ${layout.matrix.padEnd(8)} ${layout.spec}`,
      ...wrap(layout.placement, INDENT + "   ", INDENT + "   "),
      ...wrap(`scale: ${layout.scale}`, INDENT + "   ", INDENT + "   "),
    ]),
  ];
}

/** The byte of a place in binary with its fields separated: `01|01|10|01`, or its five trits `1 1 2 1 1`. */
function fieldsText(layout: RosettaLayout, byte: number): string {
  const value = layout.bytes[byte];
  if (layout.fieldKind === "trit") return [0, 1, 2, 3, 4].map((n) => tritOfByte(value, n)).join(" ");
  return binary(value, 8).replace(/(..)(?=.)/g, "$1|");
}

/** The elements a byte holds, in drawn field order: `37` for one of the 256, `·` for any other weight. */
function byteElements(layout: RosettaLayout, byte: number): string {
  return rosettaFieldsOfByte(layout)
    .map((field) => layout.elementAt(byte, field))
    .map((e) => (e === undefined ? "·" : String(e)))
    .join(" ");
}

/** 2. The followed element in every layout. */
function followedSection(model: RosettaModel): string[] {
  const e = model.pattern.element;
  const t = model.pattern.trits[e];
  const rows = model.layouts.map((layout) => {
    const place = layout.places[e];
    return [
      layout.name,
      place.where.replace(/ \(bits \d+:\d+\)$/, ""),
      String(place.byte),
      hexByte(layout.bytes[place.byte]),
      fieldsText(layout, place.byte),
      `${rosettaCodeAt(layout, place)}`,
      byteElements(layout, place.byte),
    ];
  });
  return [
    ...heading(`2. Element ${e} (t = ${t > 0 ? "+" : ""}${t}) in every layout`, "§8", "spec/bitnet.md"),
    ...wrap(
      "Its field in the layout's own terms, the byte holding it (offset in the packed matrix, value, and in binary " +
        "bits 7:6 first, or TQ1_0's five base-3 digits), the code read back, and the elements the byte holds in " +
        "that order (· = a weight outside the 256, or padding):",
    ),
    ...table(["layout", "where", "byte", "value", "fields", "code", "holds"], rows, [
      "left",
      "left",
      "right",
      "left",
      "left",
      "right",
      "left",
    ]),
  ];
}

/** 3. Every element's byte and field, one row per element. */
function everyElementSection(model: RosettaModel): string[] {
  const rows = Array.from(model.pattern.trits, (t, e) => [
    String(e),
    t > 0 ? "+1" : t === 0 ? "0" : "-1",
    ...model.layouts.map((layout) => rosettaCell(layout, e)),
  ]);
  return [
    ...heading("3. Every element: byte>>shift (TQ1_0: byte·trit)", "§8", "spec/bitnet.md"),
    ...wrap(
      "code = (bytes[byte] >> shift) & 3; TQ1_0's trit n is the n-th base-3 digit of the byte (spec/formats.md §5.3).",
    ),
    ...table(["e", "t", ...model.layouts.map((l) => l.short)], rows, [
      "right",
      "right",
      ...model.layouts.map(() => "right" as const),
    ]),
  ];
}

/** Runs of consecutive values: [[0, 1, 2], [5]]. */
function runs(values: readonly number[]): number[][] {
  const out: number[][] = [];
  for (const v of values) {
    const last = out.at(-1);
    if (last !== undefined && last.at(-1) === v - 1 && last.length < BYTES_PER_LINE) last.push(v);
    else out.push([v]);
  }
  return out;
}

/** The hex dump of one layout's bytes that hold the 256: runs of bytes, or whole int32 words for word layouts. */
function dumpLayout(layout: RosettaLayout): string[] {
  const shown = rosettaBytesShown(layout);
  const wordName = layout.wordName;
  if (wordName !== undefined) {
    const words = [...new Set(shown.map((b) => b >> 2))];
    const cells = words.map((w) => {
      const value = layout.bytes.subarray(4 * w, 4 * w + 4).reduceRight((acc, b) => acc * 256 + b, 0);
      return `${wordName(w)} = 0x${value.toString(16).padStart(8, "0")}`;
    });
    const width = Math.max(...cells.map((c) => c.length));
    const lines: string[] = [];
    for (let i = 0; i < cells.length; i += WORDS_PER_LINE) {
      lines.push(
        INDENT +
          cells
            .slice(i, i + WORDS_PER_LINE)
            .map((c) => c.padEnd(width))
            .join("  ")
            .trimEnd(),
      );
    }
    return lines;
  }
  return runs(shown).map((run) => {
    const hex = run.map((b) => layout.bytes[b].toString(16).padStart(2, "0")).join(" ");
    return `${INDENT}${String(run[0]).padStart(5)} | ${hex}`;
  });
}

/** 4. The bytes of every layout that hold the 256. */
function bytesSection(model: RosettaModel): string[] {
  return [
    ...heading("4. The bytes that hold the 256", "§8", "spec/bitnet.md"),
    ...wrap(
      "Byte layouts: runs of bytes, the decimal offset first. Word layouts (TriRun's B, W2A8): the little-endian " +
        "int32 words. With the default pattern every field is the code of 0 but one: the followed element's.",
    ),
    ...model.layouts.flatMap((layout) => [
      "",
      `${INDENT}${layout.name} (${layout.matrix}, ${layout.bytes.length} bytes; code of 0 = ${layout.codeOf(0)}):`,
      ...dumpLayout(layout),
    ]),
  ];
}
