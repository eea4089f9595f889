/** TL1 (spec/bitnet.md §4): the element map against a closed form, encode/decode, validation. */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { BitnetLutKernelConfig } from "../../../reference/codec/bitnet-lut-config.js";
import {
  decodeTl1,
  encodeTl1,
  tl1ConfigProblems,
  tl1DataBytes,
  tl1ElementMap,
  tl1Index,
  tl1Pair,
  tl1PairSlots,
  tl1Scale,
  tl1TensorBytes,
  validateTl1,
} from "../../../reference/codec/tl1.js";
import { checkProperty } from "../../support/property.js";

const SMALL: BitnetLutKernelConfig[] = [
  { m: 32, k: 16, BM: 32, BK: 16, bm: 32 },
  { m: 64, k: 32, BM: 32, BK: 16, bm: 32 },
  { m: 128, k: 64, BM: 64, BK: 32, bm: 64 },
  { m: 64, k: 64, BM: 64, BK: 32, bm: 32 },
  { m: 320, k: 128, BM: 320, BK: 128, bm: 64 },
];

/**
 * The closed form of the TL1 byte order (shared/notes formats-beyond-tq §2.4, checked there by running
 * `process_tl1`): bytes in loop order I, Kb, Ib, Kby, I16, K4, lane; row = I·BM + Ib·bm + I16·16 + lane,
 * pair t = (Kb·BK + Kby·by)/2 + 2·K4 in the high nibble and t + 1 in the low one.
 */
function closedFormSlots(c: BitnetLutKernelConfig): number[] {
  const by = 256 / c.bm;
  const slots: number[] = [];
  for (let I = 0; I < c.m / c.BM; I++)
    for (let Kb = 0; Kb < c.k / c.BK; Kb++)
      for (let Ib = 0; Ib < c.BM / c.bm; Ib++)
        for (let Kby = 0; Kby < c.BK / by; Kby++)
          for (let I16 = 0; I16 < c.bm / 16; I16++)
            for (let K4 = 0; K4 < by / 4; K4++)
              for (let lane = 0; lane < 16; lane++) {
                const row = I * c.BM + Ib * c.bm + I16 * 16 + lane;
                const t = (Kb * c.BK + Kby * by) / 2 + 2 * K4;
                slots.push(row * (c.k / 2) + t, row * (c.k / 2) + t + 1);
              }
  return slots;
}

describe("TL1 layout", () => {
  test.each(SMALL.map((c) => [`m=${c.m} k=${c.k} BM=${c.BM} BK=${c.BK} bm=${c.bm}`, c] as const))(
    "%s: every nibble holds the pair the closed form names",
    (_name, c) => {
      expect(Array.from(tl1PairSlots(c))).toEqual(closedFormSlots(c));
    },
  );

  test("the element map covers every (byte, nibble) exactly twice, once per weight of the pair", () => {
    const c = SMALL[2];
    const seen = new Map<string, number[]>();
    tl1ElementMap(c).forEach((loc, e) => {
      const key = `${loc.byte}:${loc.nibble}`;
      seen.set(key, [...(seen.get(key) ?? []), loc.inPair]);
      expect(loc.inPair).toBe(e % 2);
    });
    expect(seen.size).toBe(2 * tl1DataBytes(c.m, c.k));
    for (const pair of seen.values()) expect(pair.sort()).toEqual([0, 1]);
  });

  test("idx = 3·w0 + w1 + 4 runs over 0..8 and tl1Pair inverts it", () => {
    const seen: number[] = [];
    for (const w0 of [-1, 0, 1])
      for (const w1 of [-1, 0, 1]) {
        const idx = tl1Index(w0, w1);
        seen.push(idx);
        expect(tl1Pair(idx)).toEqual([w0, w1]);
      }
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test("byte sizes: the converter writes m·k/4, the fork's ggml_nbytes adds 32", () => {
    expect(tl1DataBytes(1536, 4096)).toBe(1572864);
    expect(tl1TensorBytes(1536, 4096)).toBe(1572896);
  });

  test("decodeTl1(encodeTl1(W)) = W", () => {
    checkProperty(
      "tl1 decode∘encode is the identity",
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
          const weights = Int8Array.from(w);
          expect(Array.from(decodeTl1(encodeTl1(weights, c), c))).toEqual(w);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("TL1 validation", () => {
  const c = SMALL[0];
  const bytes = encodeTl1(new Int8Array(c.m * c.k).fill(1), c);

  test("what the converter writes has no finding", () => {
    expect(validateTl1(bytes, 0.5, c)).toEqual([]);
  });

  test("an index above 8 is found, and decode refuses it", () => {
    const bad = bytes.slice();
    bad[5] = 0x94;
    expect(validateTl1(bad, 0.5, c)).toEqual([
      { kind: "index-out-of-range", byte: 5, message: "byte 5 holds index 9 > 8" },
    ]);
    expect(() => decodeTl1(bad, c)).toThrow(/index 9 > 8/);
  });

  test("a NaN, infinite or negative scale is found", () => {
    for (const scale of [NaN, Infinity, -1]) expect(validateTl1(bytes, scale, c).map((f) => f.kind)).toEqual(["scale"]);
  });

  test("a byte count other than m·k/4 and a tiling the reshapes cannot apply are found", () => {
    expect(validateTl1(bytes.subarray(1), 1, c).map((f) => f.kind)).toEqual(["byte-count"]);
    expect(tl1ConfigProblems({ m: 48, k: 16, BM: 32, BK: 16, bm: 32 })).toEqual([
      "m = 48 is not a multiple of BM = 32",
    ]);
    expect(tl1ConfigProblems({ m: 32, k: 16, BM: 32, BK: 16, bm: 48 })[0]).toMatch(/does not divide 256/);
  });

  test("the scale tensor is max|W| in float32", () => {
    expect(tl1Scale(Float32Array.from([0.25, -0.75, 0.5]))).toBe(0.75);
    expect(tl1Scale(Float32Array.from([0.1]))).toBe(Math.fround(0.1));
  });
});
