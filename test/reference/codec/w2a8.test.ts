/** The W2A8 layout (spec/bitnet.md §6): the permutation, the crumb interleave, the element map, pack/unpack. */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  packW2a8,
  unpackW2a8,
  validateW2a8,
  w2a8Code,
  w2a8ElementMap,
  w2a8InterleaveCrumbs,
  w2a8ShapeProblems,
  w2a8SharedLoadLayout,
} from "../../../reference/codec/w2a8.js";
import { checkProperty } from "../../support/property.js";

describe("W2A8 layout", () => {
  test("the interleave read by crumb is pack_weight.py's comment: [0, 4, 8, 12, 1, 5, …, 15]", () => {
    const crumbOf = w2a8InterleaveCrumbs();
    const offsetAt = new Array<number>(16);
    crumbOf.forEach((crumb, offset) => (offsetAt[crumb] = offset));
    expect(offsetAt).toEqual([0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15]);
  });

  test("the 16×32 shared-load layout is a permutation, and its first entries are as computed by hand", () => {
    const seen = new Set<number>();
    for (let i = 0; i < 16; i++)
      for (let j = 0; j < 32; j++) {
        const { row, col } = w2a8SharedLoadLayout(i, j);
        seen.add(row * 32 + col);
      }
    expect(seen.size).toBe(512);
    // thread_id = 2i + j/16; (i, j) = (0, 16): thread 1 → row 1, col 0; (4, 0): thread 8 → row 0, col 16
    expect(w2a8SharedLoadLayout(0, 16)).toEqual({ row: 1, col: 0 });
    expect(w2a8SharedLoadLayout(4, 0)).toEqual({ row: 0, col: 16 });
    expect(w2a8SharedLoadLayout(8, 0)).toEqual({ row: 8, col: 0 });
  });

  test("the element map is a bijection onto (word, crumb) for 32 × 64", () => {
    const map = w2a8ElementMap(32, 64);
    expect(new Set(map.map((l) => l.word * 16 + l.crumb)).size).toBe(32 * 64);
    expect(Math.max(...map.map((l) => l.word))).toBe((32 * 64) / 16 - 1);
    expect(map[0]).toEqual({ word: 0, crumb: 0 });
    // W[1][0] sits at block position (0, 16): q = 16 → word 1, offset 0 → crumb 0
    expect(map[64]).toEqual({ word: 1, crumb: 0 });
  });

  test("code = t + 2, so an all-zero matrix packs to 0xAA bytes", () => {
    expect([-1, 0, 1].map(w2a8Code)).toEqual([1, 2, 3]);
    expect(Array.from(new Set(packW2a8(new Int8Array(16 * 32), 16, 32)))).toEqual([0xaa]);
  });

  test("unpackW2a8(packW2a8(W)) = W", () => {
    checkProperty(
      "w2a8 unpack∘pack is the identity",
      fc.property(
        fc
          .constantFrom([16, 32], [32, 64], [48, 96])
          .chain(([n, k]) =>
            fc.tuple(
              fc.constant([n, k] as const),
              fc.array(fc.integer({ min: -1, max: 1 }), { minLength: n * k, maxLength: n * k }),
            ),
          ),
        ([[n, k], w]) => {
          expect(Array.from(unpackW2a8(packW2a8(Int8Array.from(w), n, k), n, k))).toEqual(w);
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("W2A8 validation", () => {
  test("code 0 (read as −2), a wrong byte count and a shape off the 16 × 32 grid are found", () => {
    const bytes = packW2a8(new Int8Array(16 * 32), 16, 32);
    bytes[7] = 0xa8;
    expect(validateW2a8(bytes, 16, 32)).toEqual([
      { kind: "code-zero", byte: 7, message: "byte 7 crumb 0 holds code 0 (−2)" },
    ]);
    expect(unpackW2a8(bytes, 16, 32)).toContain(-2);
    expect(validateW2a8(bytes.subarray(1), 16, 32).map((f) => f.kind)).toEqual(["byte-count"]);
    expect(w2a8ShapeProblems(24, 40)).toEqual([
      "n = 24 is not a positive multiple of 16",
      "k = 40 is not a positive multiple of 32",
    ]);
    expect(() => packW2a8(new Int8Array(24 * 40), 24, 40)).toThrow(/n = 24/);
  });
});
