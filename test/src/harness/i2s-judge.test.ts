/**
 * Judging I2_S-format outputs (spec/kernel-protocol.md §12.3): the reference passes, other orders of the float tail
 * pass, an integer off by one fails naming the exact and the implied integer, and the weights of a small case are named
 * by their byte and shift in W.bin.
 */

import { describe, expect, test } from "vitest";
import { i2sElementLocation } from "../../../reference/codec/i2_s.js";
import { i2sMatmul } from "../../../reference/codec/i2_s-matmul.js";
import { i2sCaseActivations, i2sCaseBytes, type I2sKernelCase } from "../../../src/harness/i2s-case.js";
import { i2sBuiltinCases, i2sCaseOf } from "../../../src/harness/i2s-cases.js";
import {
  describeI2sWeightPlace,
  i2sNonZeroWeightPlaces,
  judgeI2sMatmul,
  judgeI2sOutputFile,
} from "../../../src/harness/i2s-judge.js";
import { serializeNpy } from "../../../src/io/npy.js";

/** The reference y of a case. */
function referenceY(c: I2sKernelCase): Float32Array {
  return i2sMatmul(c.layout, { rows: c.n, cols: c.k }, i2sCaseBytes(c), i2sCaseActivations(c)).y;
}

describe("judgeI2sMatmul", () => {
  test("the reference passes every fixed case of every layout; α/σ computed first passes too", () => {
    for (const layout of ["x86", "arm", "1x4"] as const)
      for (const c of i2sBuiltinCases(layout, 1)) expect(judgeI2sMatmul(c, referenceY(c)).passed, c.label).toBe(true);
    const c = i2sBuiltinCases("x86", 3)[0];
    const result = i2sMatmul(c.layout, { rows: c.n, cols: c.k }, i2sCaseBytes(c), i2sCaseActivations(c));
    const acts = i2sCaseActivations(c);
    const other = result.centered.map((d, i) =>
      Math.fround(d * Math.fround(c.scale / acts[Math.floor(i / c.n)].scale)),
    );
    expect(judgeI2sMatmul(c, Float32Array.from(other)).passed).toBe(true);
  });

  test("an integer off by one fails, naming the output, the exact and the implied integer", () => {
    const c = i2sCaseOf(
      "one",
      { layout: "x86", n: 2, k: 128, m: 1 },
      (r, col) => (r === 1 && col === 40 ? 2 : 1),
      0.5,
      (_, col) => (col === 40 ? 100 : col === 0 ? 127 : 0),
    );
    const acts = i2sCaseActivations(c);
    const y = referenceY(c);
    y[1] = Math.fround(Math.fround(101 / acts[0].scale) * 0.5);
    const verdict = judgeI2sMatmul(c, y);
    expect(verdict.passed).toBe(false);
    expect(verdict.output).toMatchObject({ row: 0, column: 1, exactInteger: 100, impliedInteger: 101 });
    expect(verdict.reason).toMatch(
      /1 of 2 outputs outside the spec\/tolerances.md §12.2 bound; worst y\[0,1\] .*Σ t·q exact 100, kernel's y implies 101/,
    );
    const location = i2sElementLocation("x86", { rows: 2, cols: 128 }, 1, 40)!;
    expect(verdict.weights).toEqual([{ row: 1, col: 40, t: 1, ...location }]);
    expect(describeI2sWeightPlace(verdict.weights![0], "x86")).toBe(
      "W[1,40] = +1 at W.bin byte 40, bits 5:4 (x86 layout)",
    );
  });

  test("many non-zero weights are not named; a wrong y.npy is refused by dtype and shape", () => {
    const c = i2sBuiltinCases("x86", 1)[0];
    expect(i2sNonZeroWeightPlaces(c)).toBeUndefined();
    const y = referenceY(c);
    expect(judgeI2sOutputFile(c, serializeNpy({ dtype: "<f4", shape: [c.m, c.n], data: y })).passed).toBe(true);
    expect(judgeI2sOutputFile(c, serializeNpy({ dtype: "<f4", shape: [c.n, c.m], data: y })).reason).toMatch(
      /has shape \(16, 1\), expected \(1, 16\)/,
    );
    expect(
      judgeI2sOutputFile(c, serializeNpy({ dtype: "<i4", shape: [c.m, c.n], data: new Int32Array(16) })).reason,
    ).toMatch(/dtype '<i4'/);
    expect(judgeI2sMatmul(c, new Float32Array(3)).reason).toMatch(/y has 3 elements, expected 16/);
  });
});
