/**
 * reference/ggml-x86/tinyblas.ts — one output element of llamafile's tinyBLAS (spec/forward.md §9).
 * Oracles: recorded outputs of tinyBLAS's gemm (madd/hsum/load) compiled for AVX2 (F32×F32,
 * F16×F16) and for AVX-512 (F32×F32, F16×F32); exact sums of small integers; a hand-worked input
 * that only the one-accumulator-per-lane order gets right.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { X86Isa } from "../../../reference/ggml-x86/isa.js";
import { tinyBlasDot } from "../../../reference/ggml-x86/tinyblas.js";
import { checkProperty } from "../../support/property.js";
import { f32sFromHex, FIXTURES, halvesFromHex, sameFloat } from "./fixtures.js";

const ISAS: readonly X86Isa[] = ["avx2", "avx512"];

describe.each(ISAS)("tinyBlasDot, %s", (isa) => {
  test("F32 × F32: recorded gemm outputs bit-exact", () => {
    for (const c of FIXTURES.tinyblas_f32[isa]) {
      expect(sameFloat(tinyBlasDot(f32sFromHex(c.a), f32sFromHex(c.b), isa), f32sFromHex(c.c)[0]), `k=${c.k}`).toBe(
        true,
      );
    }
  });

  test(`F16 weights × ${isa === "avx2" ? "F16" : "F32"} activations: recorded gemm outputs bit-exact`, () => {
    for (const c of FIXTURES.tinyblas_f16[isa]) {
      const b = isa === "avx2" ? halvesFromHex(c.b, "f16") : f32sFromHex(c.b);
      expect(sameFloat(tinyBlasDot(halvesFromHex(c.a, "f16"), b, isa), f32sFromHex(c.c)[0]), `k=${c.k}`).toBe(true);
    }
  });

  test("is exact on small integers", () => {
    const lanes = isa === "avx512" ? 16 : 8;
    checkProperty(
      `tinyBLAS ${isa} integers`,
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((blocks) =>
            fc.tuple(
              fc.array(fc.integer({ min: -100, max: 100 }), { minLength: blocks * lanes, maxLength: blocks * lanes }),
              fc.array(fc.integer({ min: -100, max: 100 }), { minLength: blocks * lanes, maxLength: blocks * lanes }),
            ),
          ),
        ([a, b]) => tinyBlasDot(a, b, isa) === a.reduce((s, x, i) => s + x * b[i], 0),
      ),
      { numRuns: 300 },
    );
  });

  test("keeps one accumulator per lane: a 1 in lane 1 survives 2^24 in lane 0", () => {
    const lanes = isa === "avx512" ? 16 : 8;
    const a = new Float32Array(2 * lanes).fill(0);
    const b = new Float32Array(2 * lanes).fill(1);
    a[0] = 2 ** 24;
    a[lanes] = 1;
    a[1] = 1;
    a[lanes + 1] = 1; // lane 0: 2^24 + 1 → 2^24 (tie to even); lane 1: 2
    expect(tinyBlasDot(a, b, isa)).toBe(2 ** 24 + 2);
  });

  test("rejects lengths that are not a multiple of the lane count", () => {
    expect(() => tinyBlasDot(new Float32Array(12), new Float32Array(12), isa)).toThrow(RangeError);
  });
});
