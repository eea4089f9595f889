import { describe, expect, test } from "vitest";
import { hfBitnetCaseProblem } from "../../../src/harness/hf-bitnet-case.js";
import { randomHfBitnetCase } from "../../../src/harness/hf-bitnet-cases.js";
import {
  describeHfBitnetCase,
  hfBitnetFuzzFormat,
  hfBitnetShrinkCandidates,
  hfBitnetSubCase,
} from "../../../src/harness/hf-bitnet-fuzz.js";

describe("hf-bitnet fuzzing", () => {
  test("random cases are valid, replayable, and keep the convention asked for", () => {
    const format = hfBitnetFuzzFormat("divide");
    for (let seed = 0; seed < 30; seed++) {
      const c = format.randomCase(seed);
      expect(hfBitnetCaseProblem(c)).toBeUndefined();
      expect(c.convention).toBe("divide");
      expect(format.randomCase(seed)).toEqual(c);
    }
  });

  test("shrink candidates are valid and smaller; a sub-case keeps the chosen rows", () => {
    const c = randomHfBitnetCase("c", { n: 16, k: 10, m: 3 }, "multiply", 4);
    for (const candidate of hfBitnetShrinkCandidates(c)) expect(hfBitnetCaseProblem(candidate)).toBeUndefined();
    const sub = hfBitnetSubCase(c, [2], [4, 5, 6, 7], [9]);
    expect(Array.from(sub.weights)).toEqual([4, 5, 6, 7].map((r) => c.weights[r * 10 + 9]));
    expect(Array.from(sub.x)).toEqual([c.x[2 * 10 + 9]]);
    expect(describeHfBitnetCase(sub)).toMatch(/^n 4, k 1, m 1, scale multiply /);
  });
});
