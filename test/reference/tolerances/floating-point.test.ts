/**
 * reference/tolerances/floating-point.ts — the conventions of spec/tolerances.md §1, checked against
 * exact rational arithmetic (mathjs fractions, on the exact values of the floats): γ_n as
 * evaluated, the summation bound on adversarial float32 sums (in the worst order and in random
 * orders), and the product of relative errors.
 */
import fc from "fast-check";
import { divide, fraction, largerEq, multiply, smallerEq, subtract, type Fraction } from "mathjs";
import { describe, expect, test } from "vitest";
import {
  combineRelativeErrors,
  F32_OVERFLOW_THRESHOLD,
  gammaF32,
  gammaF64,
  mayOverflowF32,
  SMALLEST_SUBNORMAL_F32,
  UNIT_ROUNDOFF_F32,
  UNIT_ROUNDOFF_F64,
} from "../../../reference/tolerances/floating-point.js";
import { exactDot, exactError, exactFraction } from "../../support/exact-fraction.js";
import { checkProperty } from "../../support/property.js";

const ONE = fraction(1);

/** n·u / (1 − n·u) exactly, u = 2^-bits. */
function exactGamma(n: number, bits: bigint): Fraction {
  const nu = fraction(BigInt(n), 2n ** bits);
  return divide(nu, subtract(ONE, nu)) as Fraction;
}

describe("unit roundoffs and the underflow quantum", () => {
  test("u is half the float32 spacing at 1, u₆₄ the float64 one; 2^-149 is the smallest float32 subnormal", () => {
    expect(Math.fround(1 + UNIT_ROUNDOFF_F32)).toBe(1); // a tie, to even
    expect(Math.fround(1 + 2 * UNIT_ROUNDOFF_F32)).toBeGreaterThan(1);
    expect(1 + UNIT_ROUNDOFF_F64).toBe(1);
    expect(1 + 2 * UNIT_ROUNDOFF_F64).toBeGreaterThan(1);
    expect(Math.fround(SMALLEST_SUBNORMAL_F32)).toBe(SMALLEST_SUBNORMAL_F32);
    expect(Math.fround(SMALLEST_SUBNORMAL_F32 / 2)).toBe(0);
  });
});

describe("γ_n (Higham §3.1)", () => {
  const counts = [0, 1, 2, 3, 7, 64, 255, 256, 1000, 2048, 4099, 10_000, 65_536, 1_000_003, 2 ** 23];
  test("gammaF32(n) is n·u/(1 − n·u) correctly rounded to float64: within 2^-53 relative of the exact value", () => {
    for (const n of counts) {
      const exact = exactGamma(n, 24n);
      const slack = multiply(exact, fraction(1n, 2n ** 53n)) as Fraction;
      expect(smallerEq(exactError(gammaF32(n), exact), slack), `n = ${n}`).toBe(true);
    }
  });
  test("gammaF64(n) likewise with u₆₄ = 2^-53", () => {
    for (const n of counts) {
      const exact = exactGamma(n, 53n);
      const slack = multiply(exact, fraction(1n, 2n ** 53n)) as Fraction;
      expect(smallerEq(exactError(gammaF64(n), exact), slack), `n = ${n}`).toBe(true);
    }
  });
  test("γ_n ≥ n·u, superadditive", () => {
    for (const n of counts.slice(1)) {
      expect(gammaF32(n)).toBeGreaterThanOrEqual(n * UNIT_ROUNDOFF_F32);
      expect(gammaF32(2 * n)).toBeGreaterThan(2 * gammaF32(n));
    }
  });
});

/** The float32 sum of `terms` left to right: every addition rounded to float32. */
function float32Sum(terms: readonly number[]): number {
  let s = 0;
  for (const t of terms) s = Math.fround(s + t);
  return s;
}

describe("the summation bound |ŝ − s| ≤ γ_n · Σ|terms| (spec/tolerances.md §1)", () => {
  test("worst order: 1 first, then n − 1 half-ulps of it (each addition a tie rounded away); the bound holds exactly and is nearly reached", () => {
    for (const n of [2, 3, 16, 256, 4096]) {
      const terms = [1, ...Array.from({ length: n - 1 }, () => UNIT_ROUNDOFF_F32)];
      const computed = float32Sum(terms);
      expect(computed).toBe(1); // every 1 + 2^-24 ties to even
      const exact = exactDot(terms, new Array(n).fill(1));
      const error = exactError(computed, exact);
      const magnitude = terms.reduce((a, t) => a + t, 0); // exact in float64 here
      const bound = exactFraction(gammaF32(n) * magnitude);
      expect(smallerEq(error, bound), `n = ${n}`).toBe(true);
      // the error is (n − 1)·u, the bound ≈ n·u: sharp up to (n − 1)/n
      const ratio = Number(divide(error, bound));
      expect(ratio, `n = ${n}`).toBeGreaterThan(((n - 1) / n) * (1 - n * UNIT_ROUNDOFF_F32) * 0.999);
    }
  });

  test("property: a float32 dot product (products and additions rounded) in any order is within γ_n · Σ|w·x| of the exact value", () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    const arbitrary = fc
      .array(fc.tuple(f32, f32), { minLength: 1, maxLength: 48 })
      .chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length })));
    checkProperty(
      "§1 summation bound",
      fc.property(arbitrary, ([, ordered]) => {
        const w = ordered.map(([a]) => a);
        const x = ordered.map(([, b]) => b);
        const computed = float32Sum(w.map((wi, i) => Math.fround(wi * x[i])));
        const magnitude = w.reduce((s, wi, i) => s + Math.abs(wi * x[i]), 0);
        const bound = gammaF32(w.length) * magnitude * (1 + gammaF64(w.length)) + 2 * w.length * SMALLEST_SUBNORMAL_F32;
        expect(smallerEq(exactError(computed, exactDot(w, x)), exactFraction(bound))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe("combineRelativeErrors: exp(a/(1 − a)) − 1 (spec/tolerances.md §1)", () => {
  /** Π(1 + a_i) − 1 and Π 1/(1 − a_i) − 1, exactly. */
  function exactProducts(parts: readonly number[]): [Fraction, Fraction] {
    let up: Fraction = ONE;
    let down: Fraction = ONE;
    for (const a of parts) {
      const f = exactFraction(a);
      up = multiply(up, fraction(1).add(f)) as Fraction;
      down = divide(down, subtract(ONE, f)) as Fraction;
    }
    return [subtract(up, ONE) as Fraction, subtract(down, ONE) as Fraction];
  }

  test("bounds both products of relative errors with Σ a_i = a, for a from 2^-24 to 0.5", () => {
    for (const [a, k] of [
      [2 ** -24, 1],
      [2 ** -20, 16],
      [2 ** -10, 8],
      [0.125, 4],
      [0.25, 16],
      [0.5, 2],
      [0.5, 1],
    ]) {
      const parts = new Array(k).fill(a / k);
      const bound = exactFraction(combineRelativeErrors(a));
      for (const product of exactProducts(parts)) expect(largerEq(bound, product), `a = ${a}, ${k} parts`).toBe(true);
      // one part takes nearly all of a: the 1/(1 − a) product is largest then
      const skewed = [a * 0.9375, a * 0.0625];
      for (const product of exactProducts(skewed)) expect(largerEq(bound, product), `a = ${a}, skewed`).toBe(true);
    }
  });

  test("is first order for small a (≈ a) and +∞ from a = 1 on, where it means nothing (§7.4)", () => {
    expect(combineRelativeErrors(0)).toBe(0);
    expect(combineRelativeErrors(1e-6) / 1e-6).toBeCloseTo(1, 5);
    expect(combineRelativeErrors(1)).toBe(Infinity);
    expect(combineRelativeErrors(3)).toBe(Infinity);
  });
});

describe("overflow (spec/tolerances.md §1): F32_OVERFLOW_THRESHOLD and mayOverflowF32", () => {
  test("Ω = 2^128 − 2^103 is where float32 rounding reaches ∞: Ω rounds to ∞, the double below it to FLT_MAX", () => {
    const fltMax = 2 ** 128 - 2 ** 104;
    expect(Math.fround(F32_OVERFLOW_THRESHOLD)).toBe(Infinity);
    expect(Math.fround(F32_OVERFLOW_THRESHOLD - 2 ** 75)).toBe(fltMax); // the float64 just below Ω
    expect(Math.fround(-F32_OVERFLOW_THRESHOLD)).toBe(-Infinity);
  });

  test("true from L + γ_k·M = Ω on (L the largest partial sum, M = Σ|terms|), false below; true for non-finite L or M", () => {
    const m = 1e38;
    const edge = F32_OVERFLOW_THRESHOLD - gammaF32(10) * m;
    expect(mayOverflowF32(edge * (1 + 2 ** -40), m, 10)).toBe(true);
    expect(mayOverflowF32(edge * (1 - 2 ** -40), m, 10)).toBe(false);
    expect(mayOverflowF32(3e38, 6e38, 2)).toBe(false); // 3e38 − 3e38 in any order: no partial sum beyond 3e38
    expect(mayOverflowF32(3.5e38, 3.5e38, 2)).toBe(true);
    expect(mayOverflowF32(Infinity, Infinity, 1)).toBe(true);
    expect(mayOverflowF32(NaN, NaN, 1)).toBe(true);
  });

  test("property: a float32 dot product that overflows, forward or backward, is flagged", () => {
    const big = fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-3e38), max: Math.fround(3e38) });
    const scale = fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 });
    let overflowed = 0;
    let clear = 0;
    checkProperty(
      "tolerances §1 overflow condition",
      fc.property(fc.array(fc.tuple(big, scale), { minLength: 1, maxLength: 8 }), (pairs) => {
        const n = pairs.length;
        const forward = pairs.reduce((s, [x, w]) => Math.fround(s + Math.fround(x * w)), 0);
        const backward = pairs.reduceRight((s, [x, w]) => Math.fround(s + Math.fround(x * w)), 0);
        const products = pairs.map(([x, w]) => x * w); // exact in float64
        const side = (sign: number) => products.reduce((s, p) => s + Math.max(0, sign * p), 0) * (1 + gammaF64(n));
        const flagged = mayOverflowF32(Math.max(side(1), side(-1)), side(1) + side(-1), n);
        if (!Number.isFinite(forward) || !Number.isFinite(backward)) {
          overflowed++;
          expect(flagged).toBe(true);
        } else if (!flagged) clear++;
      }),
      { numRuns: 300 },
    );
    expect(overflowed).toBeGreaterThan(0);
    expect(clear).toBeGreaterThan(0);
  });
});
