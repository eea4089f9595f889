import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fuzzDrawnCases } from "../../../src/harness/drawn-case-fuzz.js";
import type { CaseVerdict } from "../../../src/harness/protocol.js";

const draws = fc.integer({ min: 0, max: 100 });
const caseOfDraw = (n: number): number => n;
const noShrink = async (failure: { kernelCase: number; verdict: CaseVerdict }) => ({ ...failure, steps: 0 });

describe("fuzzDrawnCases", () => {
  it("passes when every case passes", async () => {
    const result = await fuzzDrawnCases(draws, caseOfDraw, async () => ({ passed: true }), noShrink, {
      seed: 1,
      runs: 20,
    });
    expect(result).toEqual({ passed: true, seed: 1, numRuns: 20, numShrinks: 0, numUnsupported: 0 });
  });

  it("counts unsupported cases and fails when all are", async () => {
    const result = await fuzzDrawnCases(
      draws,
      caseOfDraw,
      async () => ({ passed: false, unsupported: true, reason: "no" }),
      noShrink,
      { seed: 1, runs: 5 },
    );
    expect(result).toMatchObject({ passed: false, numUnsupported: 5, unsupportedReason: "no" });
  });

  it("turns a throw into a failure and shrinks it, reporting progress", async () => {
    const phases: string[] = [];
    const judge = async (n: number): Promise<CaseVerdict> => {
      if (n >= 0) throw new Error("boom");
      return { passed: true };
    };
    const result = await fuzzDrawnCases(
      draws,
      caseOfDraw,
      judge,
      async (_failure, shrinkJudge) => ({ kernelCase: 0, verdict: await shrinkJudge(0), steps: 1 }),
      { seed: 3, onProgress: (p) => phases.push(p.phase) },
    );
    expect(result).toMatchObject({
      passed: false,
      numRuns: 1,
      numShrinks: 1,
      counterexample: 0,
      verdict: { passed: false, reason: "the kernel threw: boom" },
      firstVerdict: { passed: false, reason: "the kernel threw: boom" },
    });
    expect(phases).toEqual(["search", "shrink"]);
  });
});
