/**
 * TriRun failures diagnosed by cause (spec/kernel-protocol.md §11.6): on a random case every hypothesis's own
 * output is diagnosed as that hypothesis alone, exactly; an all-zero y is ambiguous; the correct y matches none.
 */

import { describe, expect, test } from "vitest";
import { trirunMatmul } from "../../../reference/codec/trirun-matmul.js";
import { trirunMatmulAcceptance } from "../../../reference/tolerances/trirun-matmul.js";
import { f32ToF16Bits } from "../../../reference/codec/float16.js";
import { randomTrirunCase, trirunCaseOf, trirunCaseRng } from "../../../src/harness/trirun-cases.js";
import { diagnoseTrirunMatmul, TRIRUN_HYPOTHESES } from "../../../src/harness/trirun-diagnose.js";
import { judgeTrirunMatmul } from "../../../src/harness/trirun-judge.js";

describe("diagnoseTrirunMatmul", () => {
  for (const groupSize of [-1, 128] as const) {
    // activations with every fp16 bit in use, so that an fp16 running sum rounds (x in ±2 of 3 bits would not)
    const random = trirunCaseRng(17);
    const kernelCase = trirunCaseOf(
      "diag",
      { k: 256, n: 512, m: 2, groupSize },
      () => Math.floor(random() * 3),
      () => f32ToF16Bits(0.25 + random()),
      () => f32ToF16Bits(4 * random() - 2),
    );
    const acceptance = trirunMatmulAcceptance(kernelCase.weights, kernelCase.x, kernelCase.m);

    test(`group size ${groupSize}: each hypothesis's output is diagnosed as itself alone, exactly`, () => {
      for (const hypothesis of TRIRUN_HYPOTHESES) {
        const y = hypothesis.evaluate(kernelCase)!;
        const diagnosis = diagnoseTrirunMatmul(kernelCase, y, acceptance);
        expect(diagnosis.tried).toEqual(TRIRUN_HYPOTHESES.map((h) => h.id));
        expect(diagnosis.matches, hypothesis.id).toEqual([
          { id: hypothesis.id, description: hypothesis.description, exact: true, outputs: 1024, ambiguous: false },
        ]);
        const verdict = judgeTrirunMatmul(kernelCase, y);
        expect(
          verdict.diagnosis?.matches.map((m) => m.id),
          `${hypothesis.id}: ${verdict.reason}`,
        ).toEqual([hypothesis.id]);
      }
    });

    test(`group size ${groupSize}: the reference's y matches no hypothesis; an all-zero y is ambiguous`, () => {
      const correct = trirunMatmul(kernelCase.weights, kernelCase.x, kernelCase.m);
      expect(diagnoseTrirunMatmul(kernelCase, correct, acceptance).matches).toEqual([]);
      const zero = diagnoseTrirunMatmul(kernelCase, new Uint16Array(correct.length), acceptance);
      expect(zero.matches.every((m) => m.ambiguous)).toBe(true);
    });
  }

  test("the magic-number hypothesis does not apply to a case with code 3 (t + 1 = 3 is not a code)", () => {
    const c = randomTrirunCase("code3", { k: 128, n: 256, m: 1, groupSize: -1 }, 1);
    c.weights.codes[0] = 3;
    const acceptance = trirunMatmulAcceptance(c.weights, c.x, c.m);
    expect(diagnoseTrirunMatmul(c, new Uint16Array(256), acceptance).tried).not.toContain("trirun-magic-0x6400");
  });
});
