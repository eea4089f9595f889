/**
 * reference/ggml-x86/swiglu.ts — ggml_vec_swiglu_f32 on x86-64 (spec/forward.md §9).
 * Oracles: recorded outputs of the real kernel (lengths multiples of the lane count; the scalar
 * rest uses libm expf, which Math.exp only approximates, and is checked within 1 ulp).
 */
import { describe, expect, test } from "vitest";
import { vSilu } from "../../../reference/ggml-x86/expf.js";
import type { X86Isa } from "../../../reference/ggml-x86/isa.js";
import { vecSwigluF32 } from "../../../reference/ggml-x86/swiglu.js";
import { differingIndices, f32sFromHex, FIXTURES } from "./fixtures.js";

const ISAS: readonly X86Isa[] = ["avx2", "avx512"];

describe.each(ISAS)("vecSwigluF32, %s", (isa) => {
  test("recorded kernel outputs bit-exact", () => {
    expect(FIXTURES.swiglu[isa].length).toBe(8);
    for (const c of FIXTURES.swiglu[isa]) {
      const y = vecSwigluF32(f32sFromHex(c.x), f32sFromHex(c.g), isa);
      expect(differingIndices(y, f32sFromHex(c.y))).toEqual([]);
    }
  });

  test("vector lanes are f32(v_silu(x)·g); the n mod L rest is f32(f32(x / f32(1 + expf(−x)))·g)", () => {
    const lanes = isa === "avx512" ? 16 : 8;
    const scalar = (x: number, g: number) =>
      Math.fround(Math.fround(x / Math.fround(1 + Math.fround(Math.exp(-x)))) * g);
    // Inputs on which the two formulas differ, so that a wrong vector/rest boundary shows.
    const telling: number[] = [];
    for (let i = 1; telling.length < lanes + 5; i++) {
      const x = Math.fround(-3 + i * 0.0123);
      if (Math.fround(vSilu(x, isa) * 1.5) !== scalar(x, 1.5)) telling.push(x);
    }
    const n = 2 * lanes + 5; // a rest of 5 lanes
    const x = Float32Array.from({ length: n }, (_, i) => telling[i % telling.length]);
    const g = new Float32Array(n).fill(1.5);
    const y = vecSwigluF32(x, g, isa);
    for (let i = 0; i < 2 * lanes; i++) expect(y[i], `lane ${i}`).toBe(Math.fround(vSilu(x[i], isa) * g[i]));
    for (let i = 2 * lanes; i < n; i++) expect(y[i], `rest ${i}`).toBe(scalar(x[i], g[i]));
  });

  test("rejects operands of different lengths", () => {
    expect(() => vecSwigluF32(new Float32Array(8), new Float32Array(9), isa)).toThrow(RangeError);
  });
});
