/**
 * reference/ggml-x86/softmax.ts — a soft_max_ext row on x86-64 (spec/forward.md §9).
 * Oracles: recorded outputs of ggml_compute_forward_soft_max_f32's row (scale, mask, max,
 * ggml_vec_soft_max_f32, 1/sum, scale) for AVX2 and AVX-512; probabilities summing to 1; masked
 * entries exactly 0; padding with −inf to a longer row leaves every bit unchanged.
 */
import { describe, expect, test } from "vitest";
import type { X86Isa } from "../../../reference/ggml-x86/isa.js";
import { softMaxRow, vecSoftMaxF32 } from "../../../reference/ggml-x86/softmax.js";
import { vExpf } from "../../../reference/ggml-x86/expf.js";
import { differingIndices, f32sFromHex, FIXTURES } from "./fixtures.js";

const ISAS: readonly X86Isa[] = ["avx2", "avx512"];

/** A row of scores with a causal-style mask: the first `valid` entries kept. */
function maskedRow(n: number, valid: number): { x: Float32Array; mask: Float32Array } {
  const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.3) * 6);
  const mask = new Float32Array(n).fill(-Infinity).fill(0, 0, valid);
  return { x, mask };
}

describe.each(ISAS)("softMaxRow, %s", (isa) => {
  test("recorded rows bit-exact", () => {
    expect(FIXTURES.soft_max[isa].length).toBe(8);
    for (const c of FIXTURES.soft_max[isa]) {
      const y = softMaxRow(f32sFromHex(c.x), f32sFromHex(c.mask), f32sFromHex(c.scale)[0], isa);
      expect(differingIndices(y, f32sFromHex(c.y))).toEqual([]);
    }
  });

  test("masked entries are exactly 0 and the rest sum to 1 within float32 rounding", () => {
    const { x, mask } = maskedRow(64, 37);
    const p = softMaxRow(x, mask, 0.125, isa);
    for (let i = 37; i < 64; i++) expect(p[i]).toBe(0);
    expect(Math.abs(p.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-6);
  });

  test("padding the row with −inf to a longer multiple of 32 changes no bit", () => {
    const { x, mask } = maskedRow(32, 21);
    const short = softMaxRow(x, mask, 0.125, isa);
    const longX = new Float32Array(256);
    longX.set(x);
    const longMask = new Float32Array(256).fill(-Infinity);
    longMask.set(mask);
    const long = softMaxRow(longX, longMask, 0.125, isa);
    expect(differingIndices(long.subarray(0, 32), short)).toEqual([]);
  });

  test("ggml_vec_soft_max_f32 returns v_expf(x − max) and the double sum of per-register float sums", () => {
    const x = Float32Array.from({ length: 40 }, (_, i) => i * 0.1);
    const { y, sum } = vecSoftMaxF32(x, 3.9, isa);
    const lanes = isa === "avx512" ? 16 : 8;
    for (let i = 0; i < 40 - (40 % lanes); i++) expect(y[i]).toBe(vExpf(Math.fround(x[i] - 3.9), isa));
    expect(Math.abs(sum - y.reduce((s, v) => s + v, 0))).toBeLessThan(1e-5);
  });
});
