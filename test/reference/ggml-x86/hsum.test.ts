/**
 * reference/ggml-x86/hsum.ts — the horizontal-sum orders of ggml's x86 code (spec/forward.md §9).
 * Oracles: hand-worked inputs on which every other pairing gives a different float32; exact sums
 * of small integers; and, through the kernel tests, the recorded outputs of the real instructions.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { hsumF32x8, hsumRegister, reduceAddF32x16, reduceFourAccumulators } from "../../../reference/ggml-x86/hsum.js";
import { checkProperty } from "../../support/property.js";

const BIG = 2 ** 24; // float32 spacing is 2 above 2^24: BIG + 1 is a tie that rounds to BIG

describe("hsumF32x8 (hsum_float_8, tinyBLAS hsum(__m256))", () => {
  test("pairs lanes as ((v0+v4) + (v2+v6)) + ((v1+v5) + (v3+v7))", () => {
    // v0 + v4 = BIG + 1 → BIG; v2 + v6 = 1; (BIG + 1) → BIG; v1 + v5 = 1, v3 + v7 = 1 → 2; BIG + 2.
    expect(hsumF32x8([BIG, 1, 0, 1, 1, 0, 1, 0])).toBe(BIG + 2);
    // A left-to-right sum loses every 1: BIG.
    expect([BIG, 1, 0, 1, 1, 0, 1, 0].reduce((s, v) => Math.fround(s + v), 0)).toBe(BIG);
    // (v1 + v5) + (v3 + v7) is formed before meeting the big half: 1 + 1 = 2 survives.
    expect(hsumF32x8([BIG, 1, 0, 0, 0, 1, 0, 0])).toBe(BIG + 2);
    expect(hsumF32x8([0, 0, 0, 0, BIG, 1, 0, 0], 0)).toBe(BIG);
  });

  test("reads 8 lanes from an offset", () => {
    expect(hsumF32x8([9, 9, 1, 2, 3, 4, 5, 6, 7, 8], 2)).toBe(36);
  });
});

describe("reduceAddF32x16 (GCC's _mm512_reduce_add_ps)", () => {
  test("folds 16 → 8 (v_i + v_(i+8)), 8 → 4 (t_j + t_(j+4)), then (u0 + u2) + (u1 + u3)", () => {
    const v = new Array<number>(16).fill(0);
    v[0] = BIG;
    v[8] = 1; // t0 = BIG + 1 → BIG
    v[1] = 1;
    v[9] = 1; // t1 = 2, u1 = 2
    expect(reduceAddF32x16(v)).toBe(BIG + 2);
    const w = new Array<number>(16).fill(0);
    w[0] = BIG;
    w[2] = 1;
    w[10] = 1; // u0 = BIG, u2 = 2 → BIG + 2
    expect(reduceAddF32x16(w)).toBe(BIG + 2);
    const z = new Array<number>(16).fill(0);
    z[0] = BIG;
    z[4] = 1; // u0 = t4 + t0 = BIG + 1 → BIG
    expect(reduceAddF32x16(z)).toBe(BIG);
  });

  test("is exact on small integers, and hsumRegister picks the width", () => {
    checkProperty(
      "reduce exact on integers",
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 16, maxLength: 16 }), (v) => {
        const sum = v.reduce((s, x) => s + x, 0);
        return (
          reduceAddF32x16(v) === sum && hsumRegister("avx512", v) === sum && hsumRegister("avx2", v) === hsumF32x8(v)
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe("reduceFourAccumulators (GGML_F32_VEC_REDUCE)", () => {
  test("AVX2: x0 += x2, x1 += x3, x0 += x1, then (t0 + t1) + (t2 + t3) with t_j = x_j + x_(j+4)", () => {
    const acc = new Float32Array(32);
    acc[0] = BIG;
    acc[16] = 1; // lane 0: x0 + x2 = BIG + 1 → BIG
    acc[8] = 1;
    acc[24] = 1; // lane 0: x1 + x3 = 2 → x0 = BIG + 2
    expect(reduceFourAccumulators("avx2", acc)).toBe(BIG + 2);
    const b = new Float32Array(32);
    b[0] = BIG;
    b[1] = 1;
    b[5] = 1; // t0 = BIG, t1 = x0_1 + x0_5 = 2 → (t0 + t1) = BIG + 2
    expect(reduceFourAccumulators("avx2", b)).toBe(BIG + 2);
    const c = new Float32Array(32);
    c[0] = BIG;
    c[4] = 1; // t0 = BIG + 1 → BIG, unlike hsum_float_8's pairing which would also give BIG here
    c[1] = 1;
    c[2] = 1; // t1 = 1, t2 = 1: (BIG + 1) + 1 → BIG + 0 … (t0 + t1) = BIG + 1 → BIG; + t2 + t3 = 1 → BIG
    expect(reduceFourAccumulators("avx2", c)).toBe(BIG);
  });

  test("AVX-512: the lane-wise x0 is reduced by _mm512_reduce_add_ps; both are exact on integers", () => {
    checkProperty(
      "four accumulators exact on integers",
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 64, maxLength: 64 }), (v) => {
        const sum = v.reduce((s, x) => s + x, 0);
        return (
          reduceFourAccumulators("avx512", Float32Array.from(v)) === sum &&
          reduceFourAccumulators("avx2", Float32Array.from(v.slice(0, 32))) ===
            v.slice(0, 32).reduce((s, x) => s + x, 0)
        );
      }),
      { numRuns: 500 },
    );
    const acc = new Float32Array(64);
    acc[0] = BIG;
    acc[32] = 1;
    acc[16] = 1;
    acc[48] = 1; // lane 0: (BIG + 1 → BIG) + 2
    expect(reduceFourAccumulators("avx512", acc)).toBe(BIG + 2);
  });
});
