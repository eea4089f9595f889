/**
 * reference/ggml-x86/vec-dot.ts — ggml_vec_dot_f32/f16/bf16 on x86-64 (spec/forward.md §9).
 * Oracles: recorded outputs of the real kernels for AVX2 and AVX-512 builds (lengths 1..100, so
 * with and without leftovers); exact sums of small integers.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { X86Isa } from "../../../reference/ggml-x86/isa.js";
import { vecDotBf16, vecDotF16, vecDotF32 } from "../../../reference/ggml-x86/vec-dot.js";
import { checkProperty } from "../../support/property.js";
import { f32sFromHex, FIXTURES, halvesFromHex, sameFloat } from "./fixtures.js";

const ISAS: readonly X86Isa[] = ["avx2", "avx512"];

describe.each(ISAS)("%s", (isa) => {
  test("ggml_vec_dot_f32: recorded outputs bit-exact", () => {
    expect(FIXTURES.vec_dot_f32[isa].length).toBe(12);
    for (const c of FIXTURES.vec_dot_f32[isa]) {
      const x = f32sFromHex(c.x);
      expect(sameFloat(vecDotF32(x, f32sFromHex(c.y), isa), f32sFromHex(c.dot)[0]), `n=${x.length}`).toBe(true);
    }
  });

  test("ggml_vec_dot_f16: recorded outputs bit-exact", () => {
    for (const c of FIXTURES.vec_dot_f16[isa]) {
      const x = halvesFromHex(c.x, "f16");
      expect(sameFloat(vecDotF16(x, halvesFromHex(c.y, "f16"), isa), f32sFromHex(c.dot)[0]), `n=${x.length}`).toBe(
        true,
      );
    }
  });

  test("ggml_vec_dot_bf16: recorded outputs bit-exact", () => {
    for (const c of FIXTURES.vec_dot_bf16[isa]) {
      const x = halvesFromHex(c.x, "bf16");
      expect(sameFloat(vecDotBf16(x, halvesFromHex(c.y, "bf16"), isa), f32sFromHex(c.dot)[0]), `n=${x.length}`).toBe(
        true,
      );
    }
  });

  test("all three are exact on small integers, any length", () => {
    checkProperty(
      `vec_dot ${isa} integers`,
      fc.property(
        fc
          .integer({ min: 0, max: 150 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }),
              fc.array(fc.integer({ min: -50, max: 50 }), { minLength: n, maxLength: n }),
            ),
          ),
        ([x, y]) => {
          const exact = x.reduce((s, v, i) => s + v * y[i], 0);
          return vecDotF32(x, y, isa) === exact && vecDotF16(x, y, isa) === exact && vecDotBf16(x, y, isa) === exact;
        },
      ),
      { numRuns: 300 },
    );
  });

  test("rejects operands of different lengths", () => {
    expect(() => vecDotF32([1], [1, 2], isa)).toThrow(RangeError);
    expect(() => vecDotF16([1], [1, 2], isa)).toThrow(RangeError);
    expect(() => vecDotBf16([1], [1, 2], isa)).toThrow(RangeError);
  });
});
