/**
 * reference/ggml-x86/expf.ts — ggml_v_expf / ggml_v_silu, AVX2 and AVX-512 versions (spec/forward.md §9).
 * Oracles: recorded outputs of the real kernels (random bit patterns, [−105, 95], [−20, 20],
 * [−2, 2], [−125, −95], and ±inf, NaN, ±0, 88.72, −103.98, 126); Math.exp within ggml's
 * documented error (1.45358 + 0.5 ulp < 2 ulp); the documented overflow and underflow points.
 */
import { describe, expect, test } from "vitest";
import { f32ToBits } from "../../../reference/codec/index.js";
import { vExpf, vSilu } from "../../../reference/ggml-x86/expf.js";
import type { X86Isa } from "../../../reference/ggml-x86/isa.js";
import { differingIndices, f32sFromHex, FIXTURES } from "./fixtures.js";

const ISAS: readonly X86Isa[] = ["avx2", "avx512"];

/** Distance in float32 ulps between two positive finite float32s. */
function ulps(a: number, b: number): number {
  return Math.abs(f32ToBits(a) - f32ToBits(b));
}

describe.each(ISAS)("ggml_v_expf, %s", (isa) => {
  test("recorded kernel outputs bit-exact (incl. ±inf, NaN, ±0 and the flush points)", () => {
    const x = f32sFromHex(FIXTURES.v_expf[isa].x);
    const want = f32sFromHex(FIXTURES.v_expf[isa].y);
    expect(x.length).toBe(isa === "avx512" ? 768 : 384);
    const ours = x.map((v) => vExpf(v, isa));
    expect(differingIndices(ours, want)).toEqual([]);
  });

  test("within 2 ulp of e^x on a dense grid of [−87, 88] (ggml: ≤ 1.45358 + 0.5 ulp)", () => {
    let worst = 0;
    for (let x = -87; x <= 88; x += 0.0137) {
      const xf = Math.fround(x);
      worst = Math.max(worst, ulps(vExpf(xf, isa), Math.fround(Math.exp(xf))));
    }
    expect(worst).toBeLessThanOrEqual(2);
  });

  test("special values: e^0 = 1, e^−inf = 0, e^inf = inf, NaN stays NaN", () => {
    expect(vExpf(0, isa)).toBe(1);
    expect(vExpf(-0, isa)).toBe(1);
    expect(vExpf(-Infinity, isa)).toBe(0);
    expect(vExpf(Infinity, isa)).toBe(Infinity);
    expect(vExpf(NaN, isa)).toBeNaN();
  });

  test("overflows to +inf above 88.38…89 and flushes to 0 below −103.97", () => {
    expect(vExpf(89, isa)).toBe(Infinity);
    expect(vExpf(200, isa)).toBe(Infinity);
    expect(vExpf(-104, isa)).toBe(0);
    expect(vExpf(-1000, isa)).toBe(0);
    expect(vExpf(88, isa)).toBeLessThan(Infinity);
    expect(vExpf(-100, isa)).toBeGreaterThan(0); // a float32 subnormal
  });
});

describe.each(ISAS)("ggml_v_silu, %s", (isa) => {
  test("x / (1 + v_expf(−x)): silu(0) = 0, large x → x, large −x → −0, NaN → NaN", () => {
    expect(vSilu(0, isa)).toBe(0);
    expect(vSilu(100, isa)).toBe(100);
    expect(Object.is(vSilu(-200, isa), -0)).toBe(true);
    expect(vSilu(NaN, isa)).toBeNaN();
    expect(vSilu(1, isa)).toBe(Math.fround(1 / Math.fround(1 + vExpf(-1, isa))));
  });

  test("within 4 ulp of x·σ(x) on [−20, 20]", () => {
    for (let x = -20; x <= 20; x += 0.0731) {
      const xf = Math.fround(x);
      if (xf === 0) continue;
      const want = Math.fround(xf / (1 + Math.exp(-xf)));
      expect(ulps(Math.abs(vSilu(xf, isa)), Math.abs(want)), `x = ${xf}`).toBeLessThanOrEqual(4);
    }
  });
});
