/**
 * reference/ggml-x86/glibc-trig.ts — glibc's sinf/cosf, x86-64 FMA variants (spec/forward.md §9).
 * Oracles: 400 recorded glibc results (200 of them where the correctly rounded Math.sin/Math.cos
 * differ from glibc, i.e. where the emulation matters); the correctly rounded values within 1 ulp
 * (glibc's documented worst case is 0.56 ulp); every float in [2^-12, 120) where fusing the
 * multiply-adds (the FMA variant) changes the result — found by exhaustive search, 17 of them;
 * special values.
 */
import { describe, expect, test } from "vitest";
import { f32ToBits } from "../../../reference/codec/index.js";
import { glibcCosf, glibcSinf } from "../../../reference/ggml-x86/glibc-trig.js";
import { f32sFromHex, FIXTURES, sameFloat } from "./fixtures.js";

describe("glibcSinf / glibcCosf", () => {
  test("equal glibc on 400 recorded inputs (random bits, [−200, 200], [0, 4096], all binades)", () => {
    expect(FIXTURES.sincosf.length).toBe(400);
    let mathDiffers = 0;
    for (const row of FIXTURES.sincosf) {
      const [x, s, c] = f32sFromHex(row);
      expect(sameFloat(glibcSinf(x), s), `sinf(${x})`).toBe(true);
      expect(sameFloat(glibcCosf(x), c), `cosf(${x})`).toBe(true);
      if (Math.fround(Math.sin(x)) !== s || Math.fround(Math.cos(x)) !== c) mathDiffers++;
    }
    expect(mathDiffers).toBeGreaterThanOrEqual(200);
  });

  test("equal glibc on all 17 inputs in [2^-12, 120) where the FMA variant and the plain one differ", () => {
    expect(FIXTURES.sincosf_fma_sensitive.length).toBe(17);
    for (const row of FIXTURES.sincosf_fma_sensitive) {
      const [x, s, c] = f32sFromHex(row);
      expect(sameFloat(glibcSinf(x), s), `sinf(${x})`).toBe(true);
      expect(sameFloat(glibcCosf(x), c), `cosf(${x})`).toBe(true);
    }
  });

  test("within 1 ulp of the correctly rounded value, through all three reduction paths", () => {
    for (let x = -300; x <= 300; x += 0.0917) {
      const xf = Math.fround(x);
      for (const [ours, exact] of [
        [glibcSinf(xf), Math.fround(Math.sin(xf))],
        [glibcCosf(xf), Math.fround(Math.cos(xf))],
      ]) {
        expect(Math.abs(f32ToBits(Math.abs(ours)) - f32ToBits(Math.abs(exact))), `x = ${xf}`).toBeLessThanOrEqual(1);
      }
    }
    for (const big of [1e5, 3.3e7, 1e20, 3e38]) {
      expect(Math.abs(glibcSinf(big) - Math.sin(Math.fround(big)))).toBeLessThan(1e-7);
    }
  });

  test("special values", () => {
    expect(Object.is(glibcSinf(-0), -0)).toBe(true);
    expect(glibcSinf(1e-5)).toBe(Math.fround(1e-5)); // |x| < 2^-12: sin x = x
    expect(glibcCosf(0)).toBe(1);
    expect(glibcCosf(1e-5)).toBe(1);
    expect(glibcSinf(Infinity)).toBeNaN();
    expect(glibcCosf(-Infinity)).toBeNaN();
    expect(glibcSinf(NaN)).toBeNaN();
  });
});
