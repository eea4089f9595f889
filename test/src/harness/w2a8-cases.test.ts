import { describe, expect, test } from "vitest";
import { findW2a8Kernel, w2a8Accumulate } from "../../../reference/codec/w2a8-matmul.js";
import { w2a8CaseProblem } from "../../../src/harness/w2a8-case.js";
import { w2a8BuiltinCases } from "../../../src/harness/w2a8-cases.js";
import { w2a8Reference } from "../../../src/harness/w2a8-judge.js";

describe("w2a8BuiltinCases", () => {
  const cases = w2a8BuiltinCases(1);

  test("valid; ws_num 1 to 4; tokens 1, 3 and 4; one dispatched kernel shape", () => {
    for (const c of cases) expect(w2a8CaseProblem(c), c.label).toBeUndefined();
    expect(new Set(cases.map((c) => c.wsNum))).toEqual(new Set([1, 2, 3, 4]));
    expect(cases.map((c) => c.m)).toEqual(expect.arrayContaining([1, 3, 4]));
    expect(cases.filter((c) => findW2a8Kernel(c.m, c.n, c.k) !== undefined).map((c) => c.label)).toEqual([
      "kernel shape 1x2560x2560",
    ]);
  });

  test("the all-zero case's y is all zero; the saturated case's sums pass int16", () => {
    const zero = cases.find((c) => c.label?.startsWith("all-zero"))!;
    expect(w2a8Reference(zero).every((v) => v === 0)).toBe(true);
    const saturated = cases.find((c) => c.label?.includes("65536"))!;
    expect(Array.from(w2a8Accumulate(saturated.q, saturated.weights, saturated.n, saturated.k))).toEqual(
      new Array(16).fill(65536),
    );
  });
});
