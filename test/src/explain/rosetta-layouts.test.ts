import { describe, expect, test } from "vitest";
import { hfBitnetElementLocation, unpackHfBitnet } from "../../../reference/codec/hf-bitnet.js";
import { i2sElementLocation, unpackI2s } from "../../../reference/codec/i2_s.js";
import { dequantizeRowTq1_0, tq1ElementPosition } from "../../../reference/codec/tq1_0.js";
import { dequantizeRowTq2_0, tq2ElementPosition } from "../../../reference/codec/tq2_0.js";
import { trirunElementLocationClosedForm, unpackTrirun } from "../../../reference/codec/trirun.js";
import { unpackW2a8, w2a8ElementMap } from "../../../reference/codec/w2a8.js";
import {
  ROSETTA_ARRANGEMENTS,
  type RosettaArrangement,
  resolveRosettaPattern,
  rosettaMatrixPosition,
} from "../../../src/explain/rosetta-input.js";
import {
  ROSETTA_LAYOUT_IDS,
  type RosettaLayout,
  rosettaBytesShown,
  rosettaCodeAt,
  rosettaFieldsOfByte,
  rosettaModel,
} from "../../../src/explain/rosetta-layouts.js";

const modelOf = (arrangement: RosettaArrangement, seed = 3) =>
  rosettaModel(resolveRosettaPattern({ seed, element: 0, arrangement }));
const layoutOf = (arrangement: RosettaArrangement, id: string): RosettaLayout =>
  modelOf(arrangement).layouts.find((l) => l.id === id) as RosettaLayout;

describe.each(ROSETTA_ARRANGEMENTS)("arrangement %s", (arrangement) => {
  const model = modelOf(arrangement);

  test("every layout of ROSETTA_LAYOUT_IDS is built, in that order", () => {
    expect(model.layouts.map((l) => l.id)).toEqual([...ROSETTA_LAYOUT_IDS]);
  });

  test.each(ROSETTA_LAYOUT_IDS)("%s: each element has exactly one place, no two share one", (id) => {
    const layout = model.layouts.find((l) => l.id === id) as RosettaLayout;
    expect(layout.places).toHaveLength(256);
    const keys = new Set(layout.places.map((p) => `${p.byte}:${p.field}`));
    expect(keys.size).toBe(256);
  });

  test.each(ROSETTA_LAYOUT_IDS)("%s: the packed bytes hold each element's code at its place", (id) => {
    const layout = model.layouts.find((l) => l.id === id) as RosettaLayout;
    model.pattern.trits.forEach((t, e) => expect(rosettaCodeAt(layout, layout.places[e])).toBe(layout.codeOf(t)));
  });

  test.each(ROSETTA_LAYOUT_IDS)(
    "%s: the inverse map gives back the element of every place, and of nothing else",
    (id) => {
      const layout = model.layouts.find((l) => l.id === id) as RosettaLayout;
      layout.places.forEach((p, e) => expect(layout.elementAt(p.byte, p.field)).toBe(e));
      const held = rosettaBytesShown(layout).flatMap((byte) =>
        rosettaFieldsOfByte(layout).map((field) => layout.elementAt(byte, field)),
      );
      expect(held.filter((e) => e !== undefined).sort((a, b) => (a as number) - (b as number))).toEqual(
        Array.from({ length: 256 }, (_, e) => e),
      );
    },
  );
});

describe("the places are the codecs' element maps", () => {
  test.each(ROSETTA_ARRANGEMENTS)("TQ2_0 and TQ1_0 (%s): block r · block bytes + the block map", (arrangement) => {
    const tq2 = layoutOf(arrangement, "tq2_0");
    const tq1 = layoutOf(arrangement, "tq1_0");
    for (let e = 0; e < 256; e++) {
      const { row, col } = rosettaMatrixPosition(arrangement, e);
      const p2 = tq2ElementPosition(col);
      const p1 = tq1ElementPosition(col);
      expect(tq2.places[e]).toMatchObject({ byte: 66 * row + p2.byte, field: p2.shift });
      expect(tq1.places[e]).toMatchObject({ byte: 54 * row + p1.byte, field: p1.trit });
    }
  });

  test("I2_S x86 row: element 37 is byte 5 bits 5:4, arm byte 5 bits 3:2, 1x4 byte 37 bits 7:6 (spec/bitnet.md §2.2)", () => {
    expect(layoutOf("row", "i2_s-x86").places[37]).toMatchObject({ byte: 5, field: 4 });
    expect(layoutOf("row", "i2_s-arm").places[37]).toMatchObject({ byte: 5, field: 2 });
    expect(layoutOf("row", "i2_s-1x4").places[37]).toMatchObject({ byte: 37, field: 6 });
    expect(i2sElementLocation("x86", { rows: 1, cols: 256 }, 0, 37)).toEqual({ byte: 5, shift: 4 });
  });

  test("HF square: W[r][c] in packed[r mod 4, c] crumb ⌊r/4⌋", () => {
    const hf = layoutOf("square", "hf");
    for (let e = 0; e < 256; e++) {
      const { row, col } = rosettaMatrixPosition("square", e);
      const at = hfBitnetElementLocation(16, row, col);
      expect(hf.places[e]).toMatchObject({ byte: 16 * at.packedRow + col, field: 2 * at.crumb });
    }
  });

  test.each(ROSETTA_ARRANGEMENTS)(
    "TriRun (%s): the closed form of spec/trirun.md §5.2, (k, n) = (in, out)",
    (arrangement) => {
      const trirun = layoutOf(arrangement, "trirun");
      for (let e = 0; e < 256; e++) {
        const { row, col } = rosettaMatrixPosition(arrangement, e);
        const at = trirunElementLocationClosedForm(256, col, row);
        expect(trirun.places[e]).toMatchObject({ byte: 4 * at.word + (at.crumb >> 2), field: 2 * (at.crumb & 3) });
      }
    },
  );

  test.each(ROSETTA_ARRANGEMENTS)("W2A8 (%s): w2a8ElementMap's word and crumb", (arrangement) => {
    const w2a8 = layoutOf(arrangement, "w2a8");
    const k = arrangement === "row" ? 256 : 32;
    const map = w2a8ElementMap(16, k);
    for (let e = 0; e < 256; e++) {
      const { row, col } = rosettaMatrixPosition(arrangement, e);
      const { word, crumb } = map[row * k + col];
      expect(w2a8.places[e]).toMatchObject({ byte: 4 * word + (crumb >> 2), field: 2 * (crumb & 3) });
    }
  });
});

describe("the bytes decode back to the pattern with each codec's own decoder", () => {
  test.each(ROSETTA_ARRANGEMENTS)("%s", (arrangement) => {
    const model = modelOf(arrangement, 11);
    const trits = model.pattern.trits;
    const byId = (id: string) => model.layouts.find((l) => l.id === id) as RosettaLayout;
    const pos = (e: number) => rosettaMatrixPosition(arrangement, e);
    const tq2 = dequantizeRowTq2_0(byId("tq2_0").bytes);
    const tq1 = dequantizeRowTq1_0(byId("tq1_0").bytes);
    const x86 = unpackI2s(
      "x86",
      arrangement === "row" ? { rows: 1, cols: 256 } : { rows: 16, cols: 16 },
      byId("i2_s-x86").bytes,
    );
    const hfShape = arrangement === "row" ? { rows: 4, cols: 256 } : { rows: 16, cols: 16 };
    const hf = unpackHfBitnet(byId("hf").bytes, hfShape.rows / 4, hfShape.cols);
    const k = arrangement === "row" ? 256 : 128;
    const B = new Int32Array(byId("trirun").bytes.buffer.slice(0));
    const trirun = unpackTrirun({ k, n: 256, groupSize: -1, B, s: new Uint16Array(256).fill(0x3c00) });
    const w2k = arrangement === "row" ? 256 : 32;
    const w2a8 = unpackW2a8(byId("w2a8").bytes, 16, w2k);
    for (let e = 0; e < 256; e++) {
      const { row, col } = pos(e);
      expect(tq2[256 * row + col]).toBe(trits[e]);
      expect(tq1[256 * row + col]).toBe(trits[e]);
      expect(x86.codes[arrangement === "row" ? col : 16 * row + col]).toBe(trits[e] + 1);
      expect(hf[hfShape.cols * row + col]).toBe(trits[e]);
      expect(trirun.codes[col * 256 + row]).toBe(trits[e] + 1);
      expect(w2a8[w2k * row + col]).toBe(trits[e]);
    }
  });
});
