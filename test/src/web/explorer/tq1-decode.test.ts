import { describe, expect, test } from "vitest";
import { packTritsToByte, tritOfByte } from "../../../../reference/codec/index.js";
import { base3Value, tritSteps } from "../../../../src/web/explorer/tq1-decode.js";

describe("tritSteps (spec §5.3)", () => {
  test("the worked example: byte 0xF6 = 246", () => {
    const steps = tritSteps(246);
    expect(steps.map((s) => s.q)).toEqual([246, 226, 166, 242, 214]);
    expect(steps.map((s) => s.tripled)).toEqual([738, 678, 498, 726, 642]);
    expect(steps.map((s) => s.trit)).toEqual([2, 2, 1, 2, 2]);
    expect(steps.map((s) => s.product)).toEqual([246, 738, 2214, 6642, 19926]);
    expect(base3Value([2, 2, 1, 2, 2])).toBe(233);
    expect(packTritsToByte([2, 2, 1, 2, 2])).toBe(246);
  });

  test("§5.5 examples: qs[40] = 0x3B trit 2, qh[2] = 0x66 trit 2, qh[0] = 0xDE", () => {
    expect(tritSteps(0x3b)[2]).toMatchObject({ q: 19, tripled: 57, trit: 0 });
    expect(tritSteps(0x66)[2]).toMatchObject({ q: 150, tripled: 450, trit: 1 });
    expect(tritSteps(0xde).map((s) => s.trit)).toEqual([2, 1, 2, 1, 0]);
  });

  test("(3q) >> 8 equals the reference tritOfByte for every byte and n", () => {
    for (let byte = 0; byte < 256; byte++) {
      for (const step of tritSteps(byte)) {
        expect(step.tripled >> 8).toBe(tritOfByte(byte, step.n));
        expect(step.trit).toBe(tritOfByte(byte, step.n));
      }
    }
  });
});
