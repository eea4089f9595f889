/**
 * Plain-text layout for the walk-through: headings, wrapped prose, aligned tables and a hex
 * dump, all at most LINE_WIDTH columns. Pure: no Node or browser APIs.
 */

/** The widest line the walk-through prints. */
export const LINE_WIDTH = 100;
/** Indentation of everything under a heading. */
export const INDENT = "   ";

/** The title of a walk-through and the double rule under it. */
export function walkTitle(title: string): string[] {
  return [title, "=".repeat(LINE_WIDTH)];
}

/** A section heading with the spec sections it follows (of `specDocument`), and a rule under it. */
export function heading(title: string, specSections: string, specDocument = "spec/formats.md"): string[] {
  const reference = `see ${specDocument} ${specSections}`;
  const gap = Math.max(2, LINE_WIDTH - title.length - reference.length);
  return ["", title + " ".repeat(gap) + reference, "-".repeat(LINE_WIDTH)];
}

/** Word-wrap `text` to LINE_WIDTH; the first line starts with `indent`, the rest with `hangingIndent`. */
export function wrap(text: string, indent: string = INDENT, hangingIndent: string = indent): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(" ")) {
    const lineHasWords = line.length > (lines.length === 0 ? indent : hangingIndent).length;
    if (lineHasWords && line.length + 1 + word.length > LINE_WIDTH) {
      lines.push(line);
      line = hangingIndent + word;
    } else {
      line += (lineHasWords ? " " : "") + word;
    }
  }
  lines.push(line);
  return lines;
}

/** How a table column is aligned. */
export type Alignment = "left" | "right";

/** Rows of cells under a header, each column as wide as its widest cell, separated by two spaces. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignments: readonly Alignment[],
): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const render = (cells: readonly string[]): string =>
    INDENT +
    cells
      .map((cell, column) =>
        alignments[column] === "right" ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join("  ")
      .trimEnd();
  return [render(header), ...rows.map(render)];
}

/** A named range of a block's bytes: [start, end). */
export interface ByteField {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

const HEX_DUMP_ROW_BYTES = 16;

/**
 * A hex dump, 16 bytes a row, a new row at every field boundary, each row labelled:
 * `   0040 | 0b 2a                                           | d = 0x2a0b (fp16, low byte first)`.
 * `label(start, end)` names bytes [start, end) of their field.
 */
export function hexDump(
  bytes: Uint8Array,
  fields: readonly ByteField[],
  label: (field: ByteField, start: number, end: number) => string,
): string[] {
  const rows = [`${INDENT}offs | ${"bytes".padEnd(3 * HEX_DUMP_ROW_BYTES - 1)} | field`];
  for (const field of fields) {
    for (let start = field.start; start < field.end; start += HEX_DUMP_ROW_BYTES) {
      const end = Math.min(start + HEX_DUMP_ROW_BYTES, field.end);
      const hex = Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, "0")).join(" ");
      const offset = start.toString(16).padStart(4, "0");
      rows.push(`${INDENT}${offset} | ${hex.padEnd(3 * HEX_DUMP_ROW_BYTES - 1)} | ${label(field, start, end)}`);
    }
  }
  return rows;
}
