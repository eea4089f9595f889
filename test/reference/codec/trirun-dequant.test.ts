/**
 * reference/codec/trirun-dequant.ts — the kernel's 0x6400 decode (spec/trirun.md §7). Oracle: the crumbs
 * read directly off the word ((q >> 2i) & 3) and code − 1 written as fp16 by f32ToF16Bits; the magic
 * constants checked against their documented values (1025, 1/16, −65).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../../../reference/codec/float16.js";
import {
  TRIRUN_DEQUANT_ADD,
  TRIRUN_DEQUANT_EX,
  TRIRUN_DEQUANT_MUL,
  TRIRUN_DEQUANT_SUB,
  trirunDecodeCode,
  trirunDequantCrumbs,
  trirunDequantWord,
} from "../../../reference/codec/trirun-dequant.js";
import { checkProperty } from "../../support/property.js";

/** The four crumbs dequant(q) reads, in fragment order, as bit positions: bits 0, 16, 4, 20. */
const FIELD_BITS = [0, 16, 4, 20];
const FIELD_MASK = FIELD_BITS.reduce((mask, bit) => mask | (3 << bit), 0);

/** A word with the four read fields set to `codes` and every other bit taken from `filler`. */
function wordWithFields(codes: readonly number[], filler: number): number {
  let q = filler & ~FIELD_MASK;
  FIELD_BITS.forEach((bit, i) => (q |= codes[i] << bit));
  return q | 0;
}

/** The expected fragment: code − 1 for each of the four fields, as fp16 bits. */
function expectedFragment(codes: readonly number[]): number[] {
  return codes.map((code) => f32ToF16Bits(code - 1));
}

/** Every combination of four 2-bit codes (4^4 = 256). */
const ALL_FIELD_CODES: number[][] = Array.from({ length: 256 }, (_, c) => [
  c & 3,
  (c >> 2) & 3,
  (c >> 4) & 3,
  (c >> 6) & 3,
]);

describe("trirunDequantWord", () => {
  test("the magic constants are 1024, 1025, 1/16 and −65 in both halves", () => {
    const half = (word: number, high: boolean) => f16BitsToF32(high ? (word >>> 16) & 0xffff : word & 0xffff);
    for (const high of [false, true]) {
      expect(half(TRIRUN_DEQUANT_EX, high)).toBe(1024);
      expect(half(TRIRUN_DEQUANT_SUB, high)).toBe(1025);
      expect(half(TRIRUN_DEQUANT_MUL, high)).toBe(1 / 16);
      expect(half(TRIRUN_DEQUANT_ADD, high)).toBe(-65);
    }
  });

  test("all 4^4 combinations of the read fields decode to code − 1, other bits zero or all ones", () => {
    for (const codes of ALL_FIELD_CODES) {
      for (const filler of [0, -1, 0x55555555, 0xaaaaaaaa | 0]) {
        expect(Array.from(trirunDequantWord(wordWithFields(codes, filler)))).toEqual(expectedFragment(codes));
      }
    }
  });

  test("the other 24 bits never leak into the fragment (random fillers, all 4^4 field combinations)", () => {
    checkProperty(
      "trirun dequant ignores unread bits",
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (filler) => {
        for (const codes of ALL_FIELD_CODES) {
          expect(Array.from(trirunDequantWord(wordWithFields(codes, filler)))).toEqual(expectedFragment(codes));
        }
      }),
      { numRuns: 50 },
    );
  });

  test("decoded values are exactly t = code − 1 ∈ {−1, 0, 1, 2}", () => {
    const fragment = trirunDequantWord(wordWithFields([0, 1, 2, 3], 0));
    expect(Array.from(fragment, f16BitsToF32)).toEqual([-1, 0, 1, 2]);
    expect([0, 1, 2, 3].map(trirunDecodeCode)).toEqual([-1, 0, 1, 2]);
  });
});

describe("trirunDequantCrumbs", () => {
  test("the kernel's four shifts read crumbs [0,8,2,10], [1,9,3,11], [4,12,6,14], [5,13,7,15]", () => {
    expect(trirunDequantCrumbs(0)).toEqual([0, 8, 2, 10]);
    expect(trirunDequantCrumbs(2)).toEqual([1, 9, 3, 11]);
    expect(trirunDequantCrumbs(8)).toEqual([4, 12, 6, 14]);
    expect(trirunDequantCrumbs(10)).toEqual([5, 13, 7, 15]);
  });

  test("together the four calls of matmul (j % 2 ∈ {0, 1}, then >> 8) read each of the 16 crumbs once", () => {
    const read = [0, 2, 8, 10].flatMap((shift) => trirunDequantCrumbs(shift));
    expect([...read].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  test("dequant(q >> shift) decodes exactly the crumbs it names, for random words", () => {
    checkProperty(
      "trirun dequant reads the named crumbs",
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), (q) => {
        for (const shift of [0, 2, 8, 10]) {
          const fragment = Array.from(trirunDequantWord(q >> shift), f16BitsToF32);
          const fromCrumbs = trirunDequantCrumbs(shift).map((crumb) => trirunDecodeCode((q >>> (2 * crumb)) & 3));
          expect(fragment).toEqual(fromCrumbs);
        }
      }),
      { numRuns: 500 },
    );
  });

  test("refuses shifts the kernel never uses", () => {
    for (const bad of [-2, 1, 12, 2.5]) expect(() => trirunDequantCrumbs(bad)).toThrow(RangeError);
  });
});
