/** reference/tolerances/element-check.ts — checkTolerance: the element rule of spec/tolerances.md §1, the worst element. */
import { describe, expect, test } from "vitest";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";

describe("checkTolerance", () => {
  test("|c − r| ≤ bound passes, beyond fails; the worst element is the largest |Δ|/bound", () => {
    const reference = Float32Array.from([1, 2, 3]);
    const report = checkTolerance(Float32Array.from([1.5, 2, 3.25]), reference, [0.5, 0, 0.125]);
    expect(report.ok).toBe(false);
    expect(report.violations).toBe(1);
    expect(report.worst).toEqual({ index: 2, candidate: 3.25, reference: 3, difference: 0.25, bound: 0.125 });
    expect(report.summary).toContain("1 of 3 elements outside the bound");
    expect(report.summary).toContain("2.000× the bound");
    expect(checkTolerance(Float32Array.from([1.5, 2, 3.125]), reference, [0.5, 0, 0.125]).ok).toBe(true);
  });

  test("non-finite values (§1): both NaN, or the same infinity; otherwise a violation, whatever the bound", () => {
    const ok = checkTolerance(
      Float32Array.from([NaN, Infinity, -Infinity]),
      Float32Array.from([NaN, Infinity, -Infinity]),
      [0, 0, 0],
    );
    expect(ok.ok).toBe(true);
    for (const [c, r] of [
      [NaN, 1],
      [1, NaN],
      [Infinity, -Infinity],
      [Infinity, 3e38],
    ])
      expect(checkTolerance(Float32Array.of(c), Float32Array.of(r), [Infinity]).ok, `${c} vs ${r}`).toBe(false);
  });

  test("nonFiniteAllowed: a non-finite value on either side agrees there; finite values are still bounded", () => {
    const reference = Float32Array.from([0, NaN, 1, 2]);
    const candidate = Float32Array.from([NaN, 5, Infinity, 9]);
    expect(checkTolerance(candidate, reference, [1, 1, 1, 1], [1, 1, 1, 0]).violations).toBe(1); // only [3]: |9 − 2| > 1
    expect(checkTolerance(candidate, reference, [1, 1, 1, 1]).violations).toBe(4);
    expect(checkTolerance(candidate, reference, [1, 1, 1, 1], [0, 0, 0, 1]).violations).toBe(4);
  });

  test("a difference under a zero bound fails; different lengths fail", () => {
    expect(checkTolerance(Float32Array.of(1), Float32Array.of(Math.fround(1 + 2 ** -23)), [0]).ok).toBe(false);
    const report = checkTolerance(new Float32Array(2), new Float32Array(3), [0, 0, 0]);
    expect(report).toMatchObject({ ok: false, violations: 3, worst: undefined });
  });
});
