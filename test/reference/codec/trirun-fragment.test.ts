import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { trirunElementLocation } from "../../../reference/codec/trirun.js";
import {
  trirunFragmentElement,
  trirunFragmentPosition,
  trirunFragmentSource,
} from "../../../reference/codec/trirun-fragment.js";

/** The place the kernel reads (k, n) from, as a B column of the whole matrix and a crumb. */
function kernelSource(kIndex: number, nIndex: number): { column: number; crumb: number } {
  const { column, crumb } = trirunFragmentSource(trirunFragmentPosition(kIndex, nIndex));
  return { column: 64 * Math.floor(nIndex / 64) + column, crumb };
}

describe("trirunFragmentPosition (spec/trirun.md §4.3)", () => {
  test("on a 16×64 strip: the kernel reads every element exactly where the packer put it", () => {
    for (let k = 0; k < 16; k++) {
      for (let n = 0; n < 64; n++) {
        const packed = trirunElementLocation(64, k, n);
        expect(kernelSource(k, n), `(k, n) = (${k}, ${n})`).toEqual({ column: packed.column, crumb: packed.crumb });
      }
    }
  });

  test("it is the inverse of the PTX B-fragment definition: 32 lanes × 2 registers × 2 halves × 8 n8 tiles", () => {
    const seen = new Set<string>();
    for (let lane = 0; lane < 32; lane++) {
      for (let mma = 0; mma < 4; mma++) {
        for (const fragment of [0, 1] as const) {
          for (const register of [0, 1] as const) {
            for (const half of [0, 1] as const) {
              const { k, n } = trirunFragmentElement(lane, mma, fragment, register, half);
              seen.add(`${k},${n}`);
              expect(trirunFragmentPosition(k, n)).toMatchObject({ lane, mma, fragment, register, half });
            }
          }
        }
      }
    }
    expect(seen.size).toBe(16 * 64);
  });

  test("known positions: (0, 0) is lane 0 b0 low; (9, 8) is lane 0 b1 high of frag_b1; (7, 63) is lane 31", () => {
    expect(trirunFragmentPosition(0, 0)).toEqual({
      lane: 0,
      word: 0,
      mma: 0,
      fragment: 0,
      register: 0,
      half: 0,
      shift: 0,
    });
    expect(trirunFragmentPosition(9, 8)).toEqual({
      lane: 0,
      word: 0,
      mma: 0,
      fragment: 1,
      register: 1,
      half: 1,
      shift: 8,
    });
    expect(trirunFragmentPosition(7, 63)).toEqual({
      lane: 31,
      word: 1,
      mma: 3,
      fragment: 1,
      register: 0,
      half: 1,
      shift: 10,
    });
  });

  test("on random larger shapes (seed 13): every element's kernel source is its packed (column, crumb)", () => {
    const shape = fc.record({ kTiles: fc.integer({ min: 1, max: 24 }), nStrips: fc.integer({ min: 1, max: 48 }) });
    const element = shape.chain(({ kTiles, nStrips }) =>
      fc.record({
        n: fc.constant(64 * nStrips),
        kIndex: fc.integer({ min: 0, max: 16 * kTiles - 1 }),
        nIndex: fc.integer({ min: 0, max: 64 * nStrips - 1 }),
      }),
    );
    fc.assert(
      fc.property(element, ({ n, kIndex, nIndex }) => {
        const packed = trirunElementLocation(n, kIndex, nIndex);
        expect(kernelSource(kIndex, nIndex)).toEqual({ column: packed.column, crumb: packed.crumb });
      }),
      { numRuns: 2000, seed: 13 },
    );
  });
});
