import { describe, expect, test } from "vitest";
import { hfBitnetElementAt, packHfBitnet } from "../../../reference/codec/hf-bitnet.js";
import { explainHfBitnet, parseHfRows } from "../../../src/explain/hf-bitnet.js";
import { resolveTernaryWeights } from "../../../src/explain/ternary-input.js";
import { UsageError } from "../../../src/errors.js";

/** pack_weights of the walk's W: the 256 weights first, row-major, then 0. */
function packedOf(rows: number, seed: number): Uint8Array {
  const cols = Math.ceil(256 / rows);
  const w = new Int8Array(rows * cols);
  w.set(resolveTernaryWeights({ seed }).trits);
  return packHfBitnet(w, rows, cols);
}

describe.each([1, 4, 6, 8, 16])("explainHfBitnet, %i rows", (rows) => {
  const text = explainHfBitnet({ rows, seed: 2 });

  test("lines are at most 100 columns", () => {
    expect(text.split("\n").filter((line) => [...line].length > 100)).toEqual([]);
  });

  test("the hex dump is pack_weights' tensor", () => {
    const dumped = [...text.matchAll(/^ {3}[0-9a-f]{4} \| ((?:[0-9a-f]{2} ?)+)\s*\|/gm)].flatMap((m) =>
      m[1]
        .trim()
        .split(" ")
        .map((b) => parseInt(b, 16)),
    );
    expect(dumped).toEqual(Array.from(packedOf(rows, 2)));
  });

  test("the planes table puts row i·R + p in packed row p, crumb i", () => {
    const packedRows = Math.ceil(rows / 4);
    for (let p = 0; p < packedRows; p++) {
      const cells = [3, 2, 1, 0].map((i) => {
        const { row } = hfBitnetElementAt(packedRows, p, 0, i);
        return row < rows ? `row ${row}` : "(none: 0)";
      });
      expect(text).toMatch(new RegExp(`^ {3}${p}  ${cells.map((c) => c.replace(/[()]/g, "\\$&")).join("\\s+")}$`, "m"));
    }
  });

  test("validation: rows not a multiple of 4 is hazard H2, the rest load", () => {
    if (rows % 4 === 0) expect(text).toContain("no problems");
    else expect(text).toContain(`problem: ${rows} output rows is not a multiple of 4`);
  });
});

describe("explainHfBitnet input", () => {
  test("packed[0, 0] of given codes, worked in binary", () => {
    // rows 0, 2, 4, 6 of column 0 of W [8, 32]: codes at 0, 64, 128, 192
    const codes = Array.from({ length: 193 }, (_, i) => (i === 0 ? 2 : i === 64 ? 0 : i === 192 ? 2 : 1));
    const text = explainHfBitnet({ codes });
    expect(text).toContain("packed[0, 0] = 10|01|00|10 = 0x92 = 146");
  });

  test("parseHfRows refuses 0 and 65 with one line", () => {
    expect(parseHfRows("12")).toBe(12);
    expect(() => parseHfRows("0")).toThrow(UsageError);
    expect(() => parseHfRows("65")).toThrow("--rows must be 1 to 64, got '65'");
  });
});
