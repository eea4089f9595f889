/** src/text/text-table.ts — plain-text tables: columns as wide as their widest cell, aligned per column. */
import { describe, expect, test } from "vitest";
import { formatTable } from "../../../src/text/text-table.js";

describe("formatTable", () => {
  test("pads each column to its widest cell (header included), two spaces apart, trailing spaces trimmed", () => {
    expect(
      formatTable(
        ["name", "n"],
        [
          ["a", "100"],
          ["longer", "2"],
        ],
        ["left", "right"],
      ),
    ).toEqual(["name      n", "a       100", "longer    2"]);
  });

  test("columns without an alignment are left-aligned; widths count code points, not UTF-16 units", () => {
    expect(
      formatTable(
        ["x", "y"],
        [
          ["𝑥𝑥", "1"],
          ["×", "22"],
        ],
      ),
    ).toEqual(["x   y", "𝑥𝑥  1", "×   22"]);
  });
});
