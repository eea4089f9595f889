import { describe, expect, test } from "vitest";
import { fuzzBitlinearCases, halves, zeroedWeightCandidates } from "../../../src/harness/bitlinear-fuzz.js";
import type { CaseVerdict } from "../../../src/harness/protocol.js";

describe("fuzzBitlinearCases", () => {
  /** Cases are numbers; a case fails when it is ≥ 10; candidates count down. */
  const format = {
    randomCase: (seed: number) => seed * 7,
    shrinkCandidates: function* (c: number) {
      if (c > 0) yield c - 1;
    },
  };
  const judge = async (c: number): Promise<CaseVerdict> =>
    c >= 10 ? { passed: false, reason: `${c} ≥ 10` } : { passed: true };

  test("finds the first failing run and shrinks it greedily to the smallest failing case", async () => {
    const result = await fuzzBitlinearCases(format, judge, { seed: 0, runs: 5 });
    expect(result).toMatchObject({
      passed: false,
      numRuns: 3,
      counterexample: 10,
      firstCounterexample: 14,
      numShrinks: 4,
    });
  });

  test("a session whose every run is declined has not passed", async () => {
    const declined = async (): Promise<CaseVerdict> => ({ passed: false, unsupported: true, reason: "no" });
    expect(await fuzzBitlinearCases(format, declined, { seed: 0, runs: 3 })).toMatchObject({
      passed: false,
      numUnsupported: 3,
      unsupportedReason: "no",
    });
  });

  test("halves keep whole steps and never go below the minimum", () => {
    expect(halves(48, 16, 16)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
      [32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47],
    ]);
    expect(halves(16, 16, 16)).toEqual([]);
    expect(halves(5, 1, 1).map((h) => h.length)).toEqual([2, 2]);
  });
});

describe("zeroedWeightCandidates", () => {
  test("zeroes each non-zero row, then each non-zero weight", () => {
    const kernelCase = { label: "c", weights: Int8Array.from([1, 0, 0, -1, 0, 0]) };
    const candidates = [...zeroedWeightCandidates(kernelCase, 3, 2)].map((c) => [...c.weights]);
    expect(candidates).toEqual([
      [0, 0, 0, -1, 0, 0],
      [1, 0, 0, 0, 0, 0],
      [0, 0, 0, -1, 0, 0],
      [1, 0, 0, 0, 0, 0],
    ]);
    expect([...zeroedWeightCandidates({ weights: Int8Array.from([0, 1]) }, 1, 2)]).toEqual([]);
  });
});
