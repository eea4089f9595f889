/**
 * Plain-text tables for terminal output (the CLI's `inspect` and `check`, `npm run bench`): columns
 * padded to their widest cell.
 */

/** How a column's cells are aligned. */
export type ColumnAlignment = "left" | "right";

/**
 * `header` and `rows` as lines, cells separated by two spaces, each column as wide as its widest
 * cell; `alignments[i]` says how column i is aligned (left when absent). Trailing spaces are trimmed.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignments: readonly ColumnAlignment[] = [],
): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? "")].length)));
  return all.map((row) =>
    row
      .map((cell, column) => {
        const padding = " ".repeat(widths[column] - [...cell].length);
        return alignments[column] === "right" ? padding + cell : cell + padding;
      })
      .join("  ")
      .trimEnd(),
  );
}
