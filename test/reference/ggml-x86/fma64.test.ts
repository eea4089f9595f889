/**
 * reference/ggml-x86/fma64.ts — fmaF64(a, b, c) = round_f64(a·b + c), one rounding (spec/forward.md §9).
 * Oracles: C `fma` on this machine (200 recorded cases: random bit patterns, near-cancellation,
 * extreme exponents); Dekker's exact product error (Veltkamp splitting, an independent algorithm)
 * for fmaF64(a, b, −fl(a·b)); exact small-integer arithmetic.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fmaF64 } from "../../../reference/ggml-x86/fma64.js";
import { checkProperty } from "../../support/property.js";
import { f64sFromHex, FIXTURES, sameFloat } from "./fixtures.js";

/** Dekker/Veltkamp: the exact error of fl(a·b), a·b − fl(a·b), for normal-range a, b. */
function productError(a: number, b: number): number {
  const split = (x: number): [number, number] => {
    const t = 134217729 * x; // 2^27 + 1
    const hi = t - (t - x);
    return [hi, x - hi];
  };
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

describe("fmaF64", () => {
  test("equals C fma on 200 recorded inputs", () => {
    expect(FIXTURES.fma.length).toBe(200);
    for (const row of FIXTURES.fma) {
      const [a, b, c, want] = f64sFromHex(row);
      expect(sameFloat(fmaF64(a, b, c), want), `fma(${a}, ${b}, ${c}) = ${want}`).toBe(true);
    }
  });

  test("fma(a, b, −fl(a·b)) is the exact product error (Dekker's algorithm agrees)", () => {
    const normal = fc.double({ min: 2 ** -400, max: 2 ** 400, noNaN: true });
    checkProperty(
      "fmaF64 product error",
      fc.property(normal, normal, fc.boolean(), (a, b, negative) => {
        const x = negative ? -a : a;
        return fmaF64(x, b, -(x * b)) === productError(x, b);
      }),
      { numRuns: 5_000 },
    );
  });

  test("small integers are exact; IEEE specials propagate", () => {
    checkProperty(
      "fmaF64 integers",
      fc.property(
        fc.integer({ min: -(2 ** 20), max: 2 ** 20 }),
        fc.integer({ min: -(2 ** 20), max: 2 ** 20 }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        (a, b, c) => fmaF64(a, b, c) === a * b + c,
      ),
      { numRuns: 2_000 },
    );
    expect(fmaF64(Infinity, 0, 1)).toBeNaN();
    expect(fmaF64(2, Infinity, -1)).toBe(Infinity);
    expect(Object.is(fmaF64(-0, 5, 0), 0)).toBe(true);
    expect(Object.is(fmaF64(2, 3, -6), 0)).toBe(true);
    expect(fmaF64(2 ** 1000, 2 ** 100, 0)).toBe(Infinity);
    expect(fmaF64(2 ** -600, 2 ** -500, 0)).toBe(0); // 2^-1100 underflows to +0
    expect(fmaF64(2 ** -537, 2 ** -537, 0)).toBe(2 ** -1074); // 2^-1074 exactly: the smallest subnormal
    expect(fmaF64(1 + 2 ** -52, 1 + 2 ** -52, -1)).toBe(2 ** -51 + 2 ** -104); // exact, not fl(a·b) − 1 = 2^-51
  });
});
