/**
 * The fixed I2_S-format cases (spec/kernel-protocol.md §12.5): per layout, the count and the corners, the I8_S edges
 * (all zero, ties, tiny), the int16 hazard (the AVX2 emulation wraps at k 2176 and 4096 but not 2048; NEON at 1088),
 * batches of 1, 3 and 4 rows and a tail case with k % QK ≠ 0; every case is consistent.
 */

import { describe, expect, test } from "vitest";
import { i2sMatVec } from "../../../reference/codec/i2_s-dot.js";
import { i2sCaseActivations, i2sCaseBytes, i2sCaseProblem } from "../../../src/harness/i2s-case.js";
import { i2sBuiltinCases } from "../../../src/harness/i2s-cases.js";

describe("i2sBuiltinCases", () => {
  test("37 x86, 38 arm and 25 1x4 cases, all consistent, labels unique, deterministic by seed", () => {
    const counts = { x86: 37, arm: 38, "1x4": 25 };
    for (const layout of ["x86", "arm", "1x4"] as const) {
      const cases = i2sBuiltinCases(layout, 1);
      expect(cases.length).toBe(counts[layout]);
      for (const c of cases) expect(i2sCaseProblem(c), c.label).toBeUndefined();
      expect(new Set(cases.map((c) => c.label)).size).toBe(cases.length);
      expect(
        cases
          .map((c) => c.m)
          .filter((m, i, all) => all.indexOf(m) === i)
          .sort(),
      ).toEqual([1, 2, 3, 4]);
      expect(cases.some((c) => c.k % (layout === "arm" ? 64 : 128) !== 0)).toBe(true);
      expect(i2sBuiltinCases(layout, 1)).toEqual(cases);
      expect(i2sBuiltinCases(layout, 2)[0].x).not.toEqual(cases[0].x);
    }
  });

  test("the all-plus-one cases wrap bitnet.cpp's int16 lanes exactly where spec/bitnet.md §3.4 says", () => {
    const wraps = (layout: "x86" | "arm", label: string): boolean => {
      const c = i2sBuiltinCases(layout, 1).find((x) => x.label === label)!;
      const kernel = layout === "x86" ? "avx2-1x1" : "neon-1x1";
      return i2sMatVec(kernel, c.n, c.k, i2sCaseBytes(c), i2sCaseActivations(c)[0]).rows[0].eventCount > 0;
    };
    expect(wraps("x86", "all-plus-one-k2048-q127-x86")).toBe(false);
    expect(wraps("x86", "all-plus-one-k2176-q127-x86")).toBe(true);
    expect(wraps("x86", "all-plus-one-k4096-q-127-x86")).toBe(true);
    expect(wraps("arm", "all-plus-one-k1088-q127-arm")).toBe(true);
  });

  test("I8_S edges: all-zero rows give σ = f32(1.27e7) and q = 0; the ties case rounds halves to even", () => {
    const cases = i2sBuiltinCases("x86", 1);
    const zero = i2sCaseActivations(cases.find((c) => c.label === "all-zero-activations-x86")!)[0];
    expect(zero.scale).toBe(Math.fround(1.27e7));
    expect(zero.q.every((v) => v === 0)).toBe(true);
    const ties = i2sCaseActivations(cases.find((c) => c.label === "i8s-ties-to-even-x86")!)[0];
    expect(Array.from(ties.q.subarray(1, 10))).toEqual([-2, -2, 0, 0, 2, 2, 4, 4, -4]); // x = −2.5, −1.5, …, 4.5, −3.5;
    const negative = i2sCaseActivations(cases.find((c) => c.label === "most-negative-q-x86")!)[0];
    expect(negative.q.every((v) => v === -127)).toBe(true);
  });
});
