/** TL2 (spec/bitnet.md §5): the layout is a bijection, encode/decode, the split, sizes, validation. */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { BitnetLutKernelConfig } from "../../../reference/codec/bitnet-lut-config.js";
import {
  decodeTl2,
  encodeTl2,
  tl2ConfigProblems,
  tl2ConverterBytes,
  tl2Layout,
  tl2Split,
  tl2StreamBytes,
  tl2Triple,
  tl2TripleValue,
  validateTl2,
} from "../../../reference/codec/tl2.js";
import { checkProperty } from "../../support/property.js";

const SMALL: BitnetLutKernelConfig[] = [
  { m: 32, k: 96, BM: 32, BK: 96, bm: 32 },
  { m: 64, k: 288, BM: 32, BK: 96, bm: 32 },
  { m: 64, k: 320, BM: 64, BK: 96, bm: 32 },
  { m: 32, k: 352, BM: 32, BK: 96, bm: 32 },
];

/** True when a holds each of 0..n−1 exactly once. */
function isPermutation(a: Int32Array, n: number): boolean {
  return a.length === n && new Set(a).size === n && a.every((v) => v >= 0 && v < n);
}

describe("TL2 layout", () => {
  test.each(SMALL.map((c) => [`m=${c.m} k=${c.k} BM=${c.BM} BK=${c.BK}`, c] as const))(
    "%s: magnitudes, sign bits and remainder pairs each hold every group once",
    (_name, c) => {
      const { k3, k2 } = tl2Split(c);
      const layout = tl2Layout(c);
      expect(isPermutation(layout.magnitudeSlots, (c.m * k3) / 3)).toBe(true);
      expect(isPermutation(layout.signSlots, (c.m * k3) / 3)).toBe(true);
      expect(isPermutation(layout.twoSlots, (c.m * k2) / 2)).toBe(true);
    },
  );

  test("v = 9·w0 + 3·w1 + w2 runs over −13..13 and tl2Triple inverts it", () => {
    const seen = new Set<number>();
    for (const a of [-1, 0, 1])
      for (const b of [-1, 0, 1])
        for (const d of [-1, 0, 1]) {
          const v = tl2TripleValue(a, b, d);
          seen.add(v);
          expect(tl2Triple(v)).toEqual([a, b, d]);
        }
    expect(seen.size).toBe(27);
  });

  test("k splits into triples over whole BK blocks and a pair remainder", () => {
    expect(tl2Split({ m: 1024, k: 4096, BM: 256, BK: 96, bm: 32 })).toEqual({ k3: 4032, k2: 64 });
    expect(tl2StreamBytes({ m: 1024, k: 4096, BM: 256, BK: 96, bm: 32 })).toEqual({
      magnitude: 688128,
      sign: 172032,
      two: 16384,
    });
  });

  test("the converter's padded size uses Python's floor division, negative terms included", () => {
    expect(tl2ConverterBytes(1024, 4096)).toBe(884736);
    expect(tl2ConverterBytes(32, 96)).toBe(981);
  });

  test("decodeTl2(encodeTl2(W)) = W, and the padding is zero", () => {
    checkProperty(
      "tl2 decode∘encode is the identity",
      fc.property(
        fc
          .constantFrom(...SMALL)
          .chain((c) =>
            fc.tuple(
              fc.constant(c),
              fc.array(fc.integer({ min: -1, max: 1 }), { minLength: c.m * c.k, maxLength: c.m * c.k }),
            ),
          ),
        ([c, w]) => {
          const bytes = encodeTl2(Int8Array.from(w), c);
          expect(Array.from(decodeTl2(bytes, c))).toEqual(w);
          expect(validateTl2(bytes, 1, c)).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("TL2 tilings the converter cannot apply", () => {
  test("bm = 64 (by = 3): the converter's pairing fails (IndexError, as the bitnet_b1_58-large preset Kernels_2 does)", () => {
    expect(tl2ConfigProblems({ m: 4096, k: 1536, BM: 256, BK: 96, bm: 64 })[0]).toMatch(/by = 6/);
  });

  test("BK not a multiple of 24, a remainder not a multiple of 32, a remainder past 256 columns", () => {
    expect(tl2ConfigProblems({ m: 32, k: 72, BM: 32, BK: 36, bm: 32 })).toEqual([
      "BK = 36 is not a multiple of 4·by = 24 (the sign words' reshape)",
    ]);
    expect(tl2ConfigProblems({ m: 32, k: 112, BM: 32, BK: 96, bm: 32 })).toEqual([
      "the remainder k mod BK = 16 is not a multiple of 32",
    ]);
    expect(tl2ConfigProblems({ m: 32, k: 1152 + 288, BM: 32, BK: 576, bm: 32 })[0]).toMatch(
      /exceeds the converter's padded size/,
    );
  });
});

describe("TL2 validation", () => {
  const c = SMALL[2];
  const weights = Int8Array.from({ length: c.m * c.k }, (_, i) => ((i * 5) % 3) - 1);
  const bytes = encodeTl2(weights, c);
  const sizes = tl2StreamBytes(c);

  test("a magnitude above 13 is found, and decode refuses it", () => {
    const bad = bytes.slice();
    bad[3] = 0xe0 | (bad[3] & 0x0f);
    expect(validateTl2(bad, 1, c)).toContainEqual({
      kind: "magnitude-out-of-range",
      byte: 3,
      message: "byte 3 holds magnitude 14 > 13",
    });
    expect(() => decodeTl2(bad, c)).toThrow(/magnitude 14/);
  });

  test("a sign bit on a zero triple is found", () => {
    const zeros = encodeTl2(new Int8Array(c.m * c.k), c);
    zeros[sizes.magnitude] = 0x80;
    expect(validateTl2(zeros, 1, c)).toEqual([
      {
        kind: "sign-on-zero",
        byte: sizes.magnitude,
        message: `byte ${sizes.magnitude} sets the sign bit of a zero triple`,
      },
    ]);
  });

  test("a remainder index above 8, non-zero padding, a bad scale, a wrong byte count are found", () => {
    const bad = bytes.slice();
    const two = sizes.magnitude + sizes.sign;
    bad[two] = 0x94;
    bad[bad.length - 1] = 7;
    expect(validateTl2(bad, -1, c).map((f) => f.kind)).toEqual(["scale", "index-out-of-range", "padding"]);
    expect(validateTl2(bytes.subarray(1), 1, c).map((f) => f.kind)).toEqual(["byte-count"]);
  });
});
