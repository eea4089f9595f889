import { describe, expect, test } from "vitest";
import { ROSETTA_ARRANGEMENTS, resolveRosettaPattern } from "../../../../src/explain/rosetta-input.js";
import { rosettaModel } from "../../../../src/explain/rosetta-layouts.js";
import {
  parseRosettaCodesText,
  rosettaByteCells,
  rosettaElementOfField,
  rosettaSelection,
} from "../../../../src/web/explorer/rosetta-model.js";

describe.each(ROSETTA_ARRANGEMENTS)("the Rosetta view model, arrangement %s", (arrangement) => {
  const model = rosettaModel(resolveRosettaPattern({ seed: 21, element: 0, arrangement }));

  test("every element is drawn in exactly one field of each layout's bytes", () => {
    for (const layout of model.layouts) {
      const drawn = rosettaByteCells(layout).flatMap((cell) => cell.fields.map((f) => f.element));
      const counts = new Map<number, number>();
      for (const e of drawn) if (e !== undefined) counts.set(e, (counts.get(e) ?? 0) + 1);
      expect(counts.size, layout.id).toBe(256);
      expect(
        [...counts.values()].every((n) => n === 1),
        layout.id,
      ).toBe(true);
    }
  });

  test("a drawn field shows the byte's value and the code the layout stores for its element", () => {
    for (const layout of model.layouts) {
      for (const cell of rosettaByteCells(layout)) {
        expect(cell.value).toBe(layout.bytes[cell.byte]);
        for (const f of cell.fields) {
          if (f.element !== undefined) expect(f.code).toBe(layout.codeOf(model.pattern.trits[f.element]));
        }
      }
    }
  });

  test("clicking an element's field in any layout selects that element; the selection finds it in every layout", () => {
    for (let e = 0; e < 256; e++) {
      const selection = rosettaSelection(model, e);
      expect(selection.map((s) => s.layout)).toEqual(model.layouts.map((l) => l.id));
      for (const s of selection) {
        expect(rosettaElementOfField(model, s.layout, s.place.byte, s.place.field)).toBe(e);
        const layout = model.layouts.find((l) => l.id === s.layout);
        expect(s.code).toBe(layout?.codeOf(model.pattern.trits[e]));
      }
    }
  });
});

describe("parseRosettaCodesText", () => {
  test("1..256 codes 0..2, any separators; one-line errors otherwise", () => {
    expect(parseRosettaCodesText("2 0,1\n2")).toEqual({ ok: true, codes: [2, 0, 1, 2] });
    expect(parseRosettaCodesText("  ")).toMatchObject({ ok: false, error: expect.stringContaining("none given") });
    expect(parseRosettaCodesText("1 3")).toEqual({
      ok: false,
      error: "codes: item 2 ('3') is not a code 0..2 (t + 1)",
    });
    expect(parseRosettaCodesText(Array(257).fill("1").join(" "))).toMatchObject({ ok: false });
  });
});
