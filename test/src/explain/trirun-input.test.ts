import { describe, expect, test } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { parseCodeList, parseTile, resolveTrirunStrip, STRIP_N } from "../../../src/explain/trirun-input.js";

describe("trirun explain input", () => {
  test("parseCodeList takes digits 0..3 and names the first bad item", () => {
    expect(parseCodeList("2, 0,3,1")).toEqual([2, 0, 3, 1]);
    expect(() => parseCodeList("1,2,-1")).toThrow(new UsageError("--codes: item 3 ('-1') is not a code 0..3"));
  });

  test("parseTile takes 0..3 only", () => {
    expect(parseTile(" 3")).toBe(3);
    expect(() => parseTile("4")).toThrow(UsageError);
    expect(() => parseTile("1.0")).toThrow(UsageError);
  });

  test("a seeded strip holds trit codes 0..2, about a third of them 1, and is the same for the same seed", () => {
    const strip = resolveTrirunStrip({ seed: 3 });
    expect(Math.max(...strip.codes)).toBe(2);
    const zeros = strip.codes.filter((c) => c === 1).length;
    expect(zeros).toBeGreaterThan(260);
    expect(zeros).toBeLessThan(420);
    expect(resolveTrirunStrip({ seed: 3 }).codes).toEqual(strip.codes);
    expect(resolveTrirunStrip({ seed: 4 }).codes).not.toEqual(strip.codes);
  });

  test("--codes go into the chosen tile row by row; everything else is code 1", () => {
    const strip = resolveTrirunStrip({ codes: [0, 2, 3], tile: 1 });
    expect([strip.codes[16], strip.codes[17], strip.codes[18], strip.codes[19]]).toEqual([0, 2, 3, 1]);
    expect(strip.codes.filter((c) => c !== 1).length).toBe(3);
    const full = resolveTrirunStrip({ codes: new Array<number>(256).fill(0), tile: 3 });
    expect(full.codes[15 * STRIP_N + 63]).toBe(0);
    expect(full.codes[15 * STRIP_N + 47]).toBe(1);
  });

  test("refuses 0 or 257 codes, codes with a seed, and a tile outside 0..3", () => {
    expect(() => resolveTrirunStrip({ codes: [] })).toThrow("a tile holds 1 to 256");
    expect(() => resolveTrirunStrip({ codes: new Array<number>(257).fill(1) })).toThrow("257 codes given");
    expect(() => resolveTrirunStrip({ codes: [1], seed: 2 })).toThrow("give --codes or --seed, not both");
    expect(() => resolveTrirunStrip({ tile: 4 })).toThrow("--tile must be 0, 1, 2 or 3");
  });
});
