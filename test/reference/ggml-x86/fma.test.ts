/**
 * reference/ggml-x86/fma.ts — fmaF32(a, b, c) = round_f32(a·b + c) with one rounding (spec/forward.md §9).
 * Oracles: C `fmaf` on this x86-64 machine (fixtures: 150 cases where rounding a·b + c through
 * float64 first is wrong, 150 others), and an exact BigInt computation of a·b + c rounded once to
 * float32 (ties to even, subnormals, overflow), on random and on constructed near-tie inputs.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fmaF32 } from "../../../reference/ggml-x86/fma.js";
import { checkProperty } from "../../support/property.js";
import { f32sFromHex, FIXTURES, sameFloat } from "./fixtures.js";

/** x = m·2^e exactly (m a signed BigInt), for a finite float64 x. */
function decompose(x: number): { m: bigint; e: number } {
  if (x === 0) return { m: 0n, e: 0 };
  let e = 0;
  let m = Math.abs(x);
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  } // exact: scaling by 2
  while (m >= 2 ** 53) {
    m /= 2;
    e++;
  }
  const big = BigInt(m);
  return { m: x < 0 ? -big : big, e };
}

/** The float32 nearest to m·2^e (ties to even), with float32's subnormals and overflow. */
function roundToF32(m: bigint, e: number): number {
  const negative = m < 0n;
  let magnitude = negative ? -m : m;
  const leading = e + magnitude.toString(2).length - 1;
  const q = Math.max(leading - 23, -149);
  if (q > e) {
    const shift = BigInt(q - e);
    const kept = magnitude >> shift;
    const rest = magnitude - (kept << shift);
    const half = 1n << (shift - 1n);
    magnitude = rest > half || (rest === half && (kept & 1n) === 1n) ? kept + 1n : kept;
    e = q;
  }
  const value = Number(magnitude) * 2 ** e;
  const rounded = value >= 2 ** 128 ? Infinity : value;
  return negative ? -rounded : rounded;
}

/** round_f32(a·b + c) computed exactly. */
function exactFmaF32(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return Math.fround(a * b + c);
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const pm = x.m * y.m;
  const pe = x.e + y.e;
  const low = Math.min(pe, z.e);
  const sum = (pm << BigInt(pe - low)) + (z.m << BigInt(z.e - low));
  if (sum === 0n) return a * b + c; // exact zero: float64 arithmetic gives IEEE's signed zero
  return roundToF32(sum, low);
}

describe("fmaF32", () => {
  test("equals C fmaf on 300 recorded inputs, 150 of them where f32(a·b + c in float64) is wrong", () => {
    expect(FIXTURES.fmaf.length).toBe(300);
    let doubleRoundingWrong = 0;
    for (const row of FIXTURES.fmaf) {
      const [a, b, c, want] = f32sFromHex(row);
      expect(sameFloat(fmaF32(a, b, c), want), `fmaf(${a}, ${b}, ${c}) = ${want}`).toBe(true);
      if (!sameFloat(Math.fround(a * b + c), want)) doubleRoundingWrong++;
    }
    expect(doubleRoundingWrong).toBe(150); // the fixture really exercises the single rounding
  });

  test("equals the exact BigInt result on random float32 triples (NaN, ±inf, ±0, subnormals included)", () => {
    checkProperty(
      "fmaF32 = exact single rounding",
      fc.property(fc.float(), fc.float(), fc.float(), (a, b, c) => sameFloat(fmaF32(a, b, c), exactFmaF32(a, b, c))),
      { numRuns: 20_000 },
    );
  });

  test("equals the exact result next to float32 ties: a·b = 2^m(1 − 2^-2u), c at 2^(m+23..25)", () => {
    const nearTie = fc.record({
      u: fc.integer({ min: 8, max: 23 }),
      m: fc.integer({ min: -100, max: 100 }),
      shift: fc.integer({ min: 23, max: 25 }),
      mantissa: fc.integer({ min: 0, max: 0x7fffff }),
      signs: fc.integer({ min: 0, max: 7 }),
    });
    checkProperty(
      "fmaF32 near ties",
      fc.property(nearTie, ({ u, m, shift, mantissa, signs }) => {
        const a = Math.fround((signs & 1 ? -1 : 1) * (1 + 2 ** -u) * 2 ** m);
        const b = Math.fround(signs & 2 ? 1 + 2 ** -u : 1 - 2 ** -u);
        const c = Math.fround((signs & 4 ? -1 : 1) * (1 + mantissa / 2 ** 23) * 2 ** (m + shift));
        return sameFloat(fmaF32(a, b, c), exactFmaF32(a, b, c));
      }),
      { numRuns: 20_000 },
    );
  });

  test("signed zeros, exact cancellation, subnormal results and overflow follow IEEE", () => {
    expect(Object.is(fmaF32(-0, 1, 0), 0)).toBe(true); // −0 + +0 = +0
    expect(Object.is(fmaF32(-0, 1, -0), -0)).toBe(true);
    expect(Object.is(fmaF32(3, -5, 15), 0)).toBe(true); // exact cancellation → +0
    expect(fmaF32(2 ** -75, 2 ** -75, 0)).toBe(0); // 2^-150: a tie between 0 and 2^-149, to even
    expect(fmaF32(3 * 2 ** -76, 2 ** -75, 0)).toBe(2 ** -149); // 0.75·2^-149 rounds up to the smallest subnormal
    expect(fmaF32(3 * 2 ** -75, 2 ** -75, 0)).toBe(2 ** -148); // 1.5·2^-149: a tie, to the even 2·2^-149
    expect(fmaF32(2 ** 64, 2 ** 64, 0)).toBe(Infinity);
    expect(fmaF32(Infinity, 0, 1)).toBeNaN();
    expect(fmaF32(Infinity, 1, -Infinity)).toBeNaN();
    expect(fmaF32(NaN, 1, 1)).toBeNaN();
  });

  test("a sum just below a float32 tie, which float64 rounds onto the tie, single-rounds down", () => {
    // a·b = 1 − 2^-46 exactly; with c = 2^24 + 2 the exact sum 2^24 + 3 − 2^-46 lies just below the
    // midpoint 2^24 + 3 of 2^24 + 2 and 2^24 + 4. Float64 rounds it onto the midpoint, and float32's
    // ties-to-even then goes up to 2^24 + 4; the single rounding gives 2^24 + 2.
    const a = Math.fround(1 + 2 ** -23);
    const b = Math.fround(1 - 2 ** -23);
    const c = 2 ** 24 + 2;
    expect(a * b).toBe(1 - 2 ** -46);
    expect(Math.fround(a * b + c)).toBe(2 ** 24 + 4);
    expect(fmaF32(a, b, c)).toBe(2 ** 24 + 2);
    expect(fmaF32(-a, b, -c)).toBe(-(2 ** 24 + 2));
  });

  test("a sum just below the overflow threshold 2^128 − 2^103, which float64 rounds onto it, stays FLT_MAX", () => {
    // a·b = 2^103 − 2^57; with c = FLT_MAX = 2^128 − 2^104 the exact sum is 2^57 below the threshold,
    // where float64 (ulp 2^75 there) rounds it onto the threshold and float32 then ties to ∞.
    const fltMax = 2 ** 128 - 2 ** 104;
    const a = Math.fround(1 + 2 ** -23);
    const b = Math.fround(2 ** 103 * (1 - 2 ** -23));
    expect(Math.fround(a * b + fltMax)).toBe(Infinity);
    expect(fmaF32(a, b, fltMax)).toBe(fltMax);
    expect(fmaF32(-a, b, -fltMax)).toBe(-fltMax);
    expect(fmaF32(2 ** 103, 1, fltMax)).toBe(Infinity); // exactly on the threshold: a tie, to ∞
  });
});
