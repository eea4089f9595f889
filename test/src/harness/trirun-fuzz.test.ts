/**
 * Fuzzing and shrinking TriRun-format kernels (spec/kernel-protocol.md §11.5) through checkKernel with a
 * JavaScript kernel: the correct one passes; layout and scale bugs are found and shrunk to k 128 × n 256,
 * m 1, one non-zero weight in one tile, whose place in B is named. Seeds are fixed and printed in the titles.
 */

import { describe, expect, test } from "vitest";
import { trirunMatmul } from "../../../reference/codec/trirun-matmul.js";
import { packTrirun, unpackTrirun, type TrirunMatrix } from "../../../reference/codec/trirun.js";
import { checkKernel, UnsupportedCaseError } from "../../../src/harness/api.js";
import type { TrirunKernelCase } from "../../../src/harness/trirun-case.js";
import { randomTrirunCase } from "../../../src/harness/trirun-cases.js";
import { describeTrirunCase, shrinkTrirunCase, trirunSubCase } from "../../../src/harness/trirun-fuzz.js";
import { judgeTrirunMatmul } from "../../../src/harness/trirun-judge.js";

const correct = (c: TrirunKernelCase): Uint16Array => trirunMatmul(c.weights, c.x, c.m);

/** The kernel reads TriRun's permuted s as if it were in column order (the scale permutation not applied). */
const scalePermutationSkipped = (c: TrirunKernelCase): Uint16Array => {
  const weights: TrirunMatrix = { ...c.weights, scales: packTrirun(c.weights).s };
  return trirunMatmul(weights, c.x, c.m);
};

/** The kernel reads each word's crumbs in reverse order (a layout error inside every 16-code word). */
const crumbsReversed = (c: TrirunKernelCase): Uint16Array => {
  const packed = packTrirun(c.weights);
  const B = packed.B.map((word) => {
    let reversed = 0;
    for (let q = 0; q < 16; q++) reversed |= ((word >>> (2 * q)) & 3) << (2 * (15 - q));
    return reversed;
  });
  return trirunMatmul(unpackTrirun({ ...packed, B }), c.x, c.m);
};

describe("checkKernel with format trirun", () => {
  test("the reference kernel passes 40 random cases (seed 5)", async () => {
    const result = await checkKernel(correct, { format: "trirun", runs: 40, seed: 5 });
    expect(result).toMatchObject({ passed: true, seed: 5, numRuns: 40, numUnsupported: 0 });
    expect(result.counterexample).toBeUndefined();
  });

  for (const [name, kernel] of [
    ["scale permutation not applied", scalePermutationSkipped],
    ["crumbs read in reverse order", crumbsReversed],
  ] as const) {
    test(`${name}: found and shrunk to one weight in one tile of k 128 × n 256, m 1 (seed 11)`, async () => {
      const result = await checkKernel(kernel, { format: "trirun", runs: 50, seed: 11 });
      expect(result.passed).toBe(false);
      expect(result.seed).toBe(11);
      const minimal = result.counterexample!;
      expect(describeTrirunCase(minimal)).toMatch(/^k 128 × n 256, m 1, .*1 non-zero weight in 1 tile$/);
      const [place] = result.verdict!.weights!;
      expect(result.verdict!.weights).toHaveLength(1);
      expect([place.tileRow, place.tileColumn]).toEqual([Math.floor(place.k / 16), Math.floor(place.n / 16)]);
      // the minimal case's activations are 0 or 1 only, and it still fails
      expect(new Set(minimal.x)).toEqual(new Set([0, 0x3c00].filter((b) => minimal.x.includes(b))));
      expect(judgeTrirunMatmul(minimal, kernel(minimal)).passed).toBe(false);
      expect(result.firstCounterexample).toBeDefined();
      const again = await checkKernel(kernel, { format: "trirun", runs: 50, seed: 11 });
      expect(again.counterexample).toEqual(minimal); // the same seed replays the same session
    });
  }

  test("a kernel that declines every case has not passed and has no counterexample", async () => {
    const result = await checkKernel(
      () => {
        throw new UnsupportedCaseError("fp16 only on GPUs");
      },
      { format: "trirun", runs: 5, seed: 1 },
    );
    expect(result).toMatchObject({
      passed: false,
      numUnsupported: 5,
      unsupportedReason: "unsupported: fp16 only on GPUs",
    });
    expect(result.counterexample).toBeUndefined();
  });
});

describe("shrinking", () => {
  test("trirunSubCase keeps the rows, 128-input blocks (groups) and 256-output blocks asked for", () => {
    const c = randomTrirunCase("big", { k: 256, n: 512, m: 3, groupSize: 128 }, 3);
    const sub = trirunSubCase(c, [2], [1], [1]);
    expect([sub.weights.k, sub.weights.n, sub.m]).toEqual([128, 256, 1]);
    expect(sub.weights.codes[5 * 256 + 7]).toBe(c.weights.codes[(128 + 5) * 512 + 256 + 7]);
    expect(sub.weights.scales[9]).toBe(c.weights.scales[1 * 512 + 256 + 9]);
    expect(sub.x[4]).toBe(c.x[2 * 256 + 128 + 4]);
  });

  test("a bug only in the second 256-output block keeps n 512: the shrinker never drops what makes it fail", async () => {
    const c = randomTrirunCase("n512", { k: 128, n: 512, m: 2, groupSize: -1 }, 4);
    const secondBlockWrong = (k: TrirunKernelCase): Uint16Array => {
      const y = correct(k);
      if (k.weights.n === 512) for (let i = 0; i < k.m; i++) y[i * 512 + 300] ^= 0x4000;
      return y;
    };
    const judge = async (k: TrirunKernelCase) => judgeTrirunMatmul(k, secondBlockWrong(k));
    const reduced = await shrinkTrirunCase({ kernelCase: c, verdict: await judge(c) }, judge);
    expect([reduced.kernelCase.weights.n, reduced.kernelCase.m]).toEqual([512, 1]);
    expect(reduced.verdict.output?.column).toBe(300);
  });
});
