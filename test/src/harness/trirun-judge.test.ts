/**
 * Judging TriRun-format outputs (spec/kernel-protocol.md §11.3): the reference passes, each kind of wrong y
 * fails with the failing output's (row, column, n-tile), and the weights of a small case are named by their
 * place in B (tile, word, crumb, bit pair) — the same place trirunElementAt decodes.
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits, roundToF16 } from "../../../reference/codec/float16.js";
import { trirunMatmul } from "../../../reference/codec/trirun-matmul.js";
import { trirunElementAt } from "../../../reference/codec/trirun.js";
import { serializeNpy } from "../../../src/io/npy.js";
import { trirunBuiltinCases, trirunCaseOf } from "../../../src/harness/trirun-cases.js";
import {
  describeWeightPlace,
  judgeTrirunMatmul,
  judgeTrirunOutputFile,
  nonZeroWeightPlaces,
  trirunWeightPlace,
} from "../../../src/harness/trirun-judge.js";
import type { TrirunKernelCase } from "../../../src/harness/trirun-case.js";

const ONE = f32ToF16Bits(1);

/** k 128 × n 256, m 1, per column: the weights `nonZero` (k, n, code), scales 1, x = 1. */
function sparseCase(nonZero: readonly (readonly [number, number, number])[]): TrirunKernelCase {
  return trirunCaseOf(
    "sparse",
    { k: 128, n: 256, m: 1, groupSize: -1 },
    (a, b) => nonZero.find(([k, n]) => k === a && n === b)?.[2] ?? 1,
    () => ONE,
    () => ONE,
  );
}

/** y summed in fp16 throughout (every partial sum rounded to fp16), per-column scale after. */
function fp16AccumulationKernel(c: TrirunKernelCase): Uint16Array {
  const { k, n, codes, scales, groupSize } = c.weights;
  const y = new Uint16Array(c.m * n);
  for (let i = 0; i < c.m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let a = 0; a < k; a++) {
        const s = groupSize === -1 ? 1 : f16BitsToF32(scales[Math.floor(a / 128) * n + j]);
        acc = roundToF16(acc + f16BitsToF32(c.x[i * k + a]) * roundToF16((codes[a * n + j] - 1) * s));
      }
      y[i * n + j] = f32ToF16Bits(groupSize === -1 ? acc * f16BitsToF32(scales[j]) : acc);
    }
  return y;
}

describe("judgeTrirunMatmul", () => {
  test("the reference's own output passes every built-in case", () => {
    for (const c of trirunBuiltinCases(1)) {
      const verdict = judgeTrirunMatmul(c, trirunMatmul(c.weights, c.x, c.m));
      expect(verdict.passed, `${c.label}: ${verdict.reason}`).toBe(true);
      expect(verdict.maxAbsError).toBe(0);
    }
  });

  test("one wrong output (2 for 1) fails, naming row, column and n-tile", () => {
    const c = sparseCase([[3, 17, 2]]);
    const y = trirunMatmul(c.weights, c.x, c.m);
    expect(f16BitsToF32(y[17])).toBe(1);
    y[17] = f32ToF16Bits(2);
    const verdict = judgeTrirunMatmul(c, y);
    expect(verdict.passed).toBe(false);
    expect(verdict.rejected).toBe(1);
    expect(verdict.output).toEqual({ row: 0, column: 17, nTile: 1, expected: 1, actual: 2 });
    expect(verdict.reason).toMatch(/^1 of 256 outputs outside the spec\/tolerances\.md §10 bound \(P = 2 slices\)/);
    expect(verdict.weights).toEqual([trirunWeightPlace(c.weights, 3, 17)]);
    expect(describeWeightPlace(verdict.weights![0])).toBe(
      "W[3,17] = +1 in tile (0,1), B word (0,10) crumb 9 (bits 18..19)",
    );
  });

  test("the named place of every weight is where trirunElementAt finds it (fast-check, seed 21)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 511 }), (k, n) => {
        const c = trirunCaseOf(
          "p",
          { k: 256, n: 512, m: 1, groupSize: -1 },
          () => 1,
          () => ONE,
          () => ONE,
        );
        const place = trirunWeightPlace(c.weights, k, n);
        expect(trirunElementAt(place.wordRow, place.wordColumn, place.crumb)).toEqual({ k, n });
        expect([place.tileRow, place.tileColumn]).toEqual([Math.floor(k / 16), Math.floor(n / 16)]);
      }),
      { numRuns: 300, seed: 21 },
    );
  });

  test("only small cases name their weights", () => {
    const few = sparseCase([
      [0, 0, 0],
      [127, 255, 2],
    ]);
    expect(nonZeroWeightPlaces(few.weights)?.map((p) => [p.k, p.n, p.t])).toEqual([
      [0, 0, -1],
      [127, 255, 1],
    ]);
    const many = sparseCase(Array.from({ length: 9 }, (_, i) => [i, i, 2] as const));
    expect(nonZeroWeightPlaces(many.weights)).toBeUndefined();
  });

  test("fp16 accumulation throughout fails the stall case in both scale modes (mutation: the bound is not loose)", () => {
    const stalls = trirunBuiltinCases(1).filter((c) => c.label!.startsWith("fp16-accumulation-stall"));
    expect(stalls).toHaveLength(2);
    for (const c of stalls) {
      const verdict = judgeTrirunMatmul(c, fp16AccumulationKernel(c));
      expect(verdict.passed, c.label).toBe(false);
      expect(verdict.output?.expected).toBe(2176); // 2048 + 255·0.5 = 2175.5, rounded to fp16
      expect(verdict.output?.actual).toBe(2048);
    }
  });

  test("NaN where the reference is finite fails; an explicit P = 1 launch is judged with P = 1", () => {
    const c = sparseCase([[0, 0, 2]]);
    const y = trirunMatmul(c.weights, c.x, c.m);
    y[0] = 0x7e00;
    const verdict = judgeTrirunMatmul(c, y, { slices: 1 });
    expect(verdict.passed).toBe(false);
    expect(verdict.nonFinite).toBe(1);
    expect(verdict.reason).toMatch(/\(P = 1 slices\)/);
  });

  test("y.npy of the wrong dtype or shape fails with the reason", () => {
    const c = sparseCase([]);
    const f4 = serializeNpy({ dtype: "<f4", shape: [1, 256], data: new Float32Array(256) });
    expect(judgeTrirunOutputFile(c, f4).reason).toBe("y.npy has dtype '<f4', expected float16 '<f2'");
    const wrongShape = serializeNpy({ dtype: "<f2", shape: [256], data: new Uint16Array(256) });
    expect(judgeTrirunOutputFile(c, wrongShape).reason).toBe("y.npy has shape (256,), expected (1, 256)");
    const right = serializeNpy({ dtype: "<f2", shape: [1, 256], data: new Uint16Array(256) });
    expect(judgeTrirunOutputFile(c, right).passed).toBe(true);
  });
});
