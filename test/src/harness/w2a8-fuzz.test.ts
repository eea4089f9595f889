import { describe, expect, test } from "vitest";
import { w2a8CaseProblem } from "../../../src/harness/w2a8-case.js";
import { randomW2a8Case } from "../../../src/harness/w2a8-cases.js";
import { describeW2a8Case, W2A8_FUZZ_FORMAT, w2a8ShrinkCandidates } from "../../../src/harness/w2a8-fuzz.js";

describe("w2a8 fuzzing", () => {
  test("random cases are valid and replayable", () => {
    for (let seed = 0; seed < 30; seed++) {
      const c = W2A8_FUZZ_FORMAT.randomCase(seed);
      expect(w2a8CaseProblem(c)).toBeUndefined();
      expect(W2A8_FUZZ_FORMAT.randomCase(seed)).toEqual(c);
    }
  });

  test("every shrink candidate is valid; the first drops to one weight scale", () => {
    const c = randomW2a8Case("c", { n: 48, k: 64, m: 2, wsNum: 3 }, 9);
    const candidates = [...w2a8ShrinkCandidates(c)];
    for (const candidate of candidates) expect(w2a8CaseProblem(candidate)).toBeUndefined();
    expect(candidates[0].wsNum).toBe(1);
    expect(describeW2a8Case(candidates[0])).toMatch(/^n 48, k 64, m 2, ws_num 1: /);
  });
});
