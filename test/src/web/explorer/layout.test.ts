import { describe, expect, test } from "vitest";
import { QK_K, tq1ElementPosition, tq2ElementPosition } from "../../../../reference/codec/index.js";
import { byteRole, elementsOfByte, tq1ElementsOfByte, tq2ElementsOfByte } from "../../../../src/web/explorer/layout.js";

describe("TQ2_0 byte → elements (spec §4.2)", () => {
  test("agrees with tq2ElementPosition for all 256 elements, each element in exactly one group", () => {
    const seen = new Set<number>();
    for (let e = 0; e < QK_K; e++) {
      const { byte, shift } = tq2ElementPosition(e);
      expect(tq2ElementsOfByte(byte)[shift / 2]).toBe(e);
    }
    for (let b = 0; b < 64; b++) for (const e of tq2ElementsOfByte(b)) seen.add(e);
    expect(seen.size).toBe(QK_K);
    expect(tq2ElementsOfByte(64)).toEqual([]);
    expect(tq2ElementsOfByte(65)).toEqual([]);
  });

  test("the spec's table and worked examples", () => {
    // index = shift / 2: bits 1:0, 3:2, 5:4, 7:6
    expect(tq2ElementsOfByte(0)).toEqual([0, 32, 64, 96]);
    expect(tq2ElementsOfByte(1)).toEqual([1, 33, 65, 97]);
    expect(tq2ElementsOfByte(31)).toEqual([31, 63, 95, 127]);
    expect(tq2ElementsOfByte(32)).toEqual([128, 160, 192, 224]);
    expect(tq2ElementsOfByte(63)).toEqual([159, 191, 223, 255]);
    expect(tq2ElementsOfByte(40)[2]).toBe(200); // element 200: byte 40, shift 4
  });
});

describe("TQ1_0 byte → elements (spec §5.2)", () => {
  test("agrees with tq1ElementPosition for all 256 elements", () => {
    const seen = new Set<number>();
    for (let e = 0; e < QK_K; e++) {
      const { byte, trit } = tq1ElementPosition(e);
      expect(tq1ElementsOfByte(byte)[trit]).toBe(e);
    }
    for (let b = 0; b < 52; b++) for (const e of tq1ElementsOfByte(b)) seen.add(e);
    expect(seen.size).toBe(QK_K);
  });

  test("the spec's table and worked examples", () => {
    expect(tq1ElementsOfByte(0)).toEqual([0, 32, 64, 96, 128]);
    expect(tq1ElementsOfByte(31)).toEqual([31, 63, 95, 127, 159]);
    expect(tq1ElementsOfByte(32)).toEqual([160, 176, 192, 208, 224]);
    expect(tq1ElementsOfByte(47)).toEqual([175, 191, 207, 223, 239]);
    expect(tq1ElementsOfByte(48)).toEqual([240, 244, 248, 252]); // qh[0]: 4 trits, 5th is padding
    expect(tq1ElementsOfByte(51)).toEqual([243, 247, 251, 255]);
    expect(tq1ElementsOfByte(40)[2]).toBe(200);
    expect(tq1ElementsOfByte(50)[2]).toBe(250);
    expect(tq1ElementsOfByte(52)).toEqual([]);
  });

  test("byte roles and sorted element lists", () => {
    expect([byteRole("tq1_0", 47), byteRole("tq1_0", 48), byteRole("tq1_0", 52), byteRole("tq1_0", 53)]).toEqual([
      "qs",
      "qh",
      "d-low",
      "d-high",
    ]);
    expect([byteRole("tq2_0", 63), byteRole("tq2_0", 64), byteRole("tq2_0", 65)]).toEqual(["qs", "d-low", "d-high"]);
    expect(elementsOfByte("tq1_0", 48)).toEqual([240, 244, 248, 252]);
  });
});
