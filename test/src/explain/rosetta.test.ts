import { describe, expect, test } from "vitest";
import { explainRosetta, rosettaCell } from "../../../src/explain/rosetta.js";
import { ROSETTA_ARRANGEMENTS, resolveRosettaPattern } from "../../../src/explain/rosetta-input.js";
import { type RosettaLayout, rosettaCodeAt, rosettaModel } from "../../../src/explain/rosetta-layouts.js";
import { UsageError } from "../../../src/errors.js";

/** The rows of section 3: e → its cells. */
function everyElementRows(text: string): Map<number, string[]> {
  const section = text.slice(text.indexOf("3. Every element"), text.indexOf("4. The bytes"));
  const rows = [...section.matchAll(/^ {3}\s*(\d+)\s+([+-]?[01])\s+(.+)$/gm)];
  return new Map(rows.map((m) => [Number(m[1]), m[3].trim().split(/\s+/)]));
}

describe("explainRosetta", () => {
  test.each(ROSETTA_ARRANGEMENTS)(
    "%s: every line is at most 100 columns and the text ends in a newline",
    (arrangement) => {
      const text = explainRosetta({ seed: 4, element: 200, arrangement });
      expect(text.endsWith("\n")).toBe(true);
      const long = text.split("\n").filter((line) => [...line].length > 100);
      expect(long).toEqual([]);
    },
  );

  test.each(ROSETTA_ARRANGEMENTS)(
    "%s: section 3 gives every element's byte and field as the codecs place it",
    (arrangement) => {
      const input = { seed: 9, element: 0, arrangement };
      const model = rosettaModel(resolveRosettaPattern(input));
      const rows = everyElementRows(explainRosetta(input));
      expect(rows.size).toBe(256);
      for (let e = 0; e < 256; e++) {
        const cells = rows.get(e) ?? [];
        expect(cells).toEqual(model.layouts.map((layout) => rosettaCell(layout, e)));
        model.layouts.forEach((layout, i) => {
          // a crumb as byte>>shift, a TQ1_0 trit as byte·tN
          const m = (layout.fieldKind === "trit" ? /^(\d+)·t(\d)$/ : /^(\d+)>>([0246])$/).exec(cells[i]);
          expect(m, `${layout.id} ${cells[i]}`).not.toBeNull();
          expect({ byte: Number(m?.[1]), field: Number(m?.[2]) }).toEqual({
            byte: layout.places[e].byte,
            field: layout.places[e].field,
          });
        });
      }
    },
  );

  test("section 2 shows the followed element's place, byte and code in every layout", () => {
    const input = { element: 37 };
    const model = rosettaModel(resolveRosettaPattern(input));
    const text = explainRosetta(input);
    for (const layout of model.layouts) {
      const place = layout.places[37];
      const where = place.where.replace(/ \(bits \d+:\d+\)$/, "");
      const line = text.split("\n").find((l) => l.startsWith(`   ${layout.name} `) && l.includes(where));
      expect(line, layout.name).toBeDefined();
      const hex = `0x${layout.bytes[place.byte].toString(16).padStart(2, "0")}`;
      expect(line).toMatch(new RegExp(`\\s${place.byte}\\s+${hex}\\s`));
      expect(line).toMatch(new RegExp(`\\s${rosettaCodeAt(layout, place)}\\s`));
    }
  });

  test("a walking +1: in each layout, exactly one field holds another code than 0's, at the element's place", () => {
    for (const element of [0, 37, 128, 255]) {
      const model = rosettaModel(resolveRosettaPattern({ element }));
      for (const layout of model.layouts as RosettaLayout[]) {
        const odd = layout.places.filter((p) => rosettaCodeAt(layout, p) !== layout.codeOf(0));
        expect(odd).toEqual([layout.places[element]]);
      }
    }
  });

  test("the W2A8 element of the walking +1 shows its code t + 2 = 3; the others t + 1 = 2", () => {
    const text = explainRosetta({ element: 37 });
    expect(text).toMatch(/W2A8 \(GPU\)\s+word 32 crumb 5\s+129\s+0xae\s+10\|10\|11\|10\s+3/);
    expect(text).toMatch(/I2_S x86\s+byte 5 bits 5:4\s+5\s+0x65\s+01\|10\|01\|01\s+2\s+5 37 69 101/);
  });

  test("refuses bad input with one line", () => {
    expect(() => explainRosetta({ element: 256 })).toThrow(UsageError);
    expect(() => explainRosetta({ codes: [1], seed: 2 })).toThrow("give --codes or --seed, not both");
    expect(() => explainRosetta({ codes: [3] })).toThrow("--codes: item 1 (3) is not a code 0..2");
  });
});
