import { describe, expect, test } from "vitest";
import { I2S_LAYOUTS, i2sByteElements, quantizeI2s, unpackI2s } from "../../../reference/codec/i2_s.js";
import { explainI2s, i2sExplainShape, parseI2sLayout } from "../../../src/explain/i2s.js";
import { resolveTernaryWeights } from "../../../src/explain/ternary-input.js";
import { UsageError } from "../../../src/errors.js";

/** The hex dump of section 5 → bytes. */
function dumpedBytes(text: string): number[] {
  const section = text.slice(text.indexOf("5. The tensor"));
  return [...section.matchAll(/^ {3}[0-9a-f]{4} \| ((?:[0-9a-f]{2} ?)+)\s*\|/gm)].flatMap((m) =>
    m[1]
      .trim()
      .split(" ")
      .map((b) => parseInt(b, 16)),
  );
}

describe.each(I2S_LAYOUTS)("explainI2s, layout %s", (layout) => {
  const input = { seed: 5, layout };
  const text = explainI2s(input);
  const shape = i2sExplainShape(layout);
  const bytes = quantizeI2s(layout, shape, resolveTernaryWeights(input).values);

  test("lines are at most 100 columns", () => {
    expect(text.split("\n").filter((line) => [...line].length > 100)).toEqual([]);
  });

  test("the hex dump is quantize_i2_s's tensor, codes, scale and pad", () => {
    expect(dumpedBytes(text)).toEqual(Array.from(bytes));
  });

  test("section 4 lists each byte's four elements as i2sByteElements does, and the byte", () => {
    const rows = [...text.matchAll(/^ {3}\s*(\d+) +((?:\s*\d+){4})  ((?:\d ){3}\d)  ([01]{8})  0x([0-9a-f]{2})$/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(16);
    for (const m of rows) {
      const byte = Number(m[1]);
      expect(m[2].trim().split(/\s+/).map(Number)).toEqual(i2sByteElements(layout, shape, byte));
      expect(parseInt(m[5], 16)).toBe(bytes[byte]);
    }
  });

  test("section 6 counts the weights another layout reads differently", () => {
    const codes = unpackI2s(layout, shape, bytes).codes;
    for (const other of I2S_LAYOUTS.filter((l) => l !== layout && (l !== "1x4" || shape.rows % 4 === 0))) {
      const read = unpackI2s(other, shape, bytes).codes;
      const moved = codes.reduce((n, c, e) => n + (read[e] === c ? 0 : 1), 0);
      expect(text).toContain(`read as ${other}: ${moved} of 256 weights come out different`);
    }
    expect(text).toContain("all 256 weights decode to the input exactly");
  });
});

describe("explainI2s input", () => {
  test("codes give the weights with scale 1; byte 0 of x86 holds elements 0, 32, 64, 96 at bits 7:6 … 1:0", () => {
    const text = explainI2s({ codes: [2, 0, 1], layout: "x86" });
    expect(text).toContain("Byte 0 holds elements 0, 32, 64, 96");
    expect(text).toContain("bytes[0] = 10|01|01|01 = 0x95");
  });

  test("parseI2sLayout refuses other names with one line", () => {
    expect(parseI2sLayout("ARM")).toBe("arm");
    expect(() => parseI2sLayout("avx")).toThrow(UsageError);
    expect(() => parseI2sLayout("avx")).toThrow("--layout must be x86, arm or 1x4, got 'avx'");
  });
});
