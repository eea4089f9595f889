/**
 * reference/codec/block-scale.ts — the TQ block scale and trit codes (spec/formats.md §3).
 *
 * The oracle is ggml's quantize_row_tq{1,2}_0_ref (ggml/src/ggml-quants.c):
 *
 *   float amax = 0.0f; // absolute max
 *   for (int j = 0; j < QK_K; j++) {
 *       const float v = x[j];
 *       amax = MAX(amax, fabsf(v));          // #define MAX(a, b) ((a) > (b) ? (a) : (b))
 *   }
 *   const float d = amax;
 *   const float id = d ? 1.0f/d : 0.0f;
 *   y[i].d = GGML_FP32_TO_FP16(d);
 *   ...
 *   int xi = lroundf(x[m + n*32] * id) + 1; // -1, 0, 1 -> 0, 1, 2
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { chooseTernaryBlockScale, ternaryCode } from "../../../reference/codec/block-scale.js";
import { f32ToF16Bits } from "../../../reference/codec/float16.js";
import { checkProperty } from "../../support/property.js";

/** The C MAX macro, exactly: `(a) > (b) ? (a) : (b)` — NaN comparisons are false. */
const cMax = (a: number, b: number): number => (a > b ? a : b);

/** Port of the scale part of quantize_row_tq{1,2}_0_ref. fp16 conversion is f32ToF16Bits, verified exhaustively against ggml in float16.test.ts. */
function ggmlBlockScale(x: Float32Array): { amax: number; id: number; d: number } {
  let amax = 0;
  for (let j = 0; j < x.length; j++) amax = cMax(amax, Math.abs(x[j]));
  // `d ? 1.0f/d : 0.0f`: in C a NaN is truthy (it is not equal to 0).
  const id = amax !== 0 ? Math.fround(1 / amax) : 0;
  return { amax, id, d: f32ToF16Bits(amax) };
}

/**
 * `int xi = lroundf(x * id) + 1` on x86-64: the product is a float; lroundf returns a 64-bit long,
 * and for NaN, ±inf or |v| ≥ 2^63 it raises FE_INVALID and returns LONG_MIN (cvtss2si's "integer
 * indefinite" 0x8000000000000000). The + 1 is done in long, and long → int keeps the low 32 bits
 * (GCC's implementation-defined conversion): LONG_MIN + 1 becomes 1. BigInt keeps the + 1 exact
 * where |v| ≥ 2^53 and a double could not.
 */
function ggmlTernaryCode(x: number, id: number): number {
  const p = Math.fround(x * id);
  if (!(Math.abs(p) < 2 ** 63)) return 1;
  const t = Math.trunc(p);
  const l = Math.abs(p - t) >= 0.5 ? t + Math.sign(p) : t; // exact: a float32 with |p| ≥ 2^23 is an integer
  return Number(BigInt.asIntN(32, BigInt(l) + 1n));
}

const block = (values: number[]): Float32Array => {
  const x = new Float32Array(256);
  x.set(values);
  return x;
};

describe("chooseTernaryBlockScale", () => {
  test("amax is the largest |x|, d its fp16 bits, inverse the float32 1/amax", () => {
    const scale = chooseTernaryBlockScale(block([0.25, -3, 1, 2.5]));
    expect(scale.amax).toBe(3);
    expect(scale.inverse).toBe(Math.fround(1 / 3)); // float32 reciprocal, not the double 1/3
    expect(scale.inverse).not.toBe(1 / 3);
    expect(scale.scaleBits).toBe(0x4200); // binary16 3.0 = 2^1 · 1.5: exponent 16, fraction 512
  });

  test("an all-zero block (including −0) has amax +0, inverse 0 and d = +0", () => {
    const scale = chooseTernaryBlockScale(block([-0, 0, -0]));
    expect(Object.is(scale.amax, 0)).toBe(true);
    expect(scale.inverse).toBe(0);
    expect(scale.scaleBits).toBe(0x0000);
  });

  test("MAX semantics with NaN: a NaN replaces amax, and the next element replaces the NaN", () => {
    // amax: 0 → 3 → MAX(3, NaN) = NaN (3 > NaN is false) → MAX(NaN, 1) = 1 → … the 3 is forgotten.
    const forgotten = chooseTernaryBlockScale(block([3, NaN, 1]));
    expect(forgotten.amax).toBe(1);
    expect(forgotten.inverse).toBe(1);
    expect(forgotten.scaleBits).toBe(0x3c00);
    // Only a NaN in the last position survives into d (as the quiet NaN 0x7e00: fabsf cleared the sign).
    const x = block([3]);
    x[255] = -NaN;
    const last = chooseTernaryBlockScale(x);
    expect(Number.isNaN(last.amax)).toBe(true);
    expect(Number.isNaN(last.inverse)).toBe(true);
    expect(last.scaleBits).toBe(0x7e00);
  });

  test("the inverse overflows to +inf for amax below 2^-128 and stays finite from 2^-127 up", () => {
    expect(chooseTernaryBlockScale(block([2 ** -149])).inverse).toBe(Infinity);
    expect(chooseTernaryBlockScale(block([2 ** -128])).inverse).toBe(Infinity); // 2^128 > FLT_MAX
    expect(chooseTernaryBlockScale(block([2 ** -127])).inverse).toBe(2 ** 127);
  });

  test("infinite and overflowing scales: amax ≥ 65520 stores fp16 +inf, the inverse stays the float32 1/amax", () => {
    const big = chooseTernaryBlockScale(block([-70000]));
    expect(big.scaleBits).toBe(0x7c00);
    expect(big.inverse).toBe(Math.fround(1 / 70000));
    const inf = chooseTernaryBlockScale(block([1, -Infinity]));
    expect(inf.amax).toBe(Infinity);
    expect(inf.inverse).toBe(0);
    expect(inf.scaleBits).toBe(0x7c00);
  });

  test("works on a 256-element view into a longer row", () => {
    const row = new Float32Array(512);
    row[10] = 100; // block 0
    row[300] = -2; // block 1
    expect(chooseTernaryBlockScale(row.subarray(256, 512)).amax).toBe(2);
  });

  test("equals the port of ggml's scale computation on random blocks (property)", () => {
    checkProperty(
      "chooseTernaryBlockScale = ggml amax/id/d",
      fc.property(
        fc.array(fc.oneof({ arbitrary: fc.float(), weight: 20 }, { arbitrary: fc.constant(Number.NaN), weight: 1 }), {
          minLength: 256,
          maxLength: 256,
        }),
        (values) => {
          const x = Float32Array.from(values);
          const ours = chooseTernaryBlockScale(x);
          const ggml = ggmlBlockScale(x);
          expect(Object.is(ours.amax, ggml.amax)).toBe(true);
          expect(Object.is(ours.inverse, ggml.id)).toBe(true);
          expect(ours.scaleBits).toBe(ggml.d);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("ternaryCode", () => {
  // Found while writing these tests (then fixed in block-scale.ts): the contract is
  // code = (int)(lroundf(x·id) + 1). For |x·id| ≥ 2^53 (reachable only when a NaN made amax forget a
  // larger element) a JS double drops the + 1; C computes the long 2^60 + 1 and keeps its low 32 bits, 1.
  test("ternaryCode(2^60, 1) = (int)(2^60 + 1) = 1 as in C, and large codes are C's 32-bit int", () => {
    expect(ggmlTernaryCode(2 ** 60, 1)).toBe(1);
    expect(ternaryCode(2 ** 60, 1)).toBe(1);
    expect(ternaryCode(-(2 ** 60), 1)).toBe(ggmlTernaryCode(-(2 ** 60), 1));
    expect(ternaryCode(2 ** 62 + 2 ** 40, 1)).toBe(ggmlTernaryCode(2 ** 62 + 2 ** 40, 1));
    expect(ternaryCode(3 * 2 ** 31, 1)).toBe(ggmlTernaryCode(3 * 2 ** 31, 1)); // wraps to a negative int
  });

  test("wide codes equal C's (int)(lroundf(x·id) + 1) for every float32 product (property)", () => {
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    checkProperty(
      "ternaryCode = (int)(lroundf(p) + 1) on random float32 p",
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        u32[0] = bits;
        const p = f32[0];
        expect(ternaryCode(p, 1)).toBe(ggmlTernaryCode(p, 1));
      }),
      { numRuns: 1000 },
    );
  });

  test("below 2^53 too: (int)(lroundf(x·id) + 1), i.e. modulo 2^32", () => {
    expect(ternaryCode(2 ** 40, 1)).toBe(ggmlTernaryCode(2 ** 40, 1));
    expect(ternaryCode(-(2 ** 40), 1)).toBe(ggmlTernaryCode(-(2 ** 40), 1));
    expect(ternaryCode(1000, 1)).toBe(1001);
  });

  test("halves round AWAY from zero: x·id = ±0.5 gives codes 2 and 0 (not 1)", () => {
    // amax = 4 → id = 0.25 exactly, so x = ±2 gives the product ±0.5 exactly.
    expect(ternaryCode(2, 0.25)).toBe(2);
    expect(ternaryCode(-2, 0.25)).toBe(0);
    expect(ternaryCode(1.9, 0.25)).toBe(1);
    expect(ternaryCode(-4, 0.25)).toBe(0);
    expect(ternaryCode(4, 0.25)).toBe(2);
    expect(ternaryCode(0, 0.25)).toBe(1);
    expect(ternaryCode(-0, 0.25)).toBe(1);
  });

  test("the product x·id is rounded to float32 BEFORE lroundf (found by search, then asserted)", () => {
    // Search consecutive float32 amax values for an x whose exact product with id = float32(1/amax)
    // lies just below 1/2 but rounds to exactly 0.5 in float32: C rounds the product (a float),
    // so lroundf sees 0.5 and the code is 2; exact arithmetic would give code 1.
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    let found: { amax: number; x: number; id: number } | undefined;
    f32[0] = 1;
    const start = u32[0];
    for (let k = 0; k < 100_000 && found === undefined; k++) {
      u32[0] = start + 7919 * k;
      const amax = f32[0];
      const id = Math.fround(1 / amax);
      f32[0] = Math.fround(amax / 2);
      const half = u32[0];
      for (let delta = -3; delta <= 3; delta++) {
        u32[0] = half + delta;
        const x = f32[0];
        if (x * id < 0.5 && Math.fround(x * id) === 0.5) {
          found = { amax, x, id };
          break;
        }
      }
    }
    expect(found).toBeDefined();
    const { amax, x, id } = found!;
    expect(x * id).toBeLessThan(0.5); // exact (double) product: 24 × 24 bits fit in 53
    expect(ternaryCode(x, id)).toBe(2);
    expect(ternaryCode(-x, id)).toBe(0);
    // and the scale chosen for a block holding amax and x is that id
    expect(chooseTernaryBlockScale(block([amax, x])).inverse).toBe(id);
  });

  test("a non-finite inverse (1/amax overflowed, or NaN) gives code 1: LONG_MIN + 1 truncated to int", () => {
    expect(ternaryCode(2 ** -149, Infinity)).toBe(1); // x·inf = inf
    expect(ternaryCode(-(2 ** -149), Infinity)).toBe(1);
    expect(ternaryCode(0, Infinity)).toBe(1); // 0·inf = NaN
    expect(ternaryCode(1, NaN)).toBe(1);
  });

  test("with a finite inverse every element of a NaN-free block gets code 0, 1 or 2", () => {
    checkProperty(
      "ternaryCode ∈ {0,1,2} and equals the lroundf port",
      fc.property(fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 256 }), (values) => {
        const x = block(values);
        const { inverse } = chooseTernaryBlockScale(x);
        const ours = Array.from(x, (v) => ternaryCode(v, inverse));
        expect(ours).toEqual(Array.from(x, (v) => ggmlTernaryCode(v, inverse)));
        expect(ours.every((code) => code === 0 || code === 1 || code === 2)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  test("after a NaN made amax forget a larger value, codes outside 0..2 appear, as in ggml", () => {
    // amax: 3, 3, 3, MAX(3, NaN) = NaN, MAX(NaN, 1) = 1; so x = 3 gives lroundf(3) + 1 = 4 and x = -3 gives -2.
    const x = block([3, -3, 2, NaN, 1]);
    const { inverse } = chooseTernaryBlockScale(x);
    expect(inverse).toBe(1);
    expect(ternaryCode(x[0], inverse)).toBe(4);
    expect(ternaryCode(x[1], inverse)).toBe(-2);
    expect(ternaryCode(x[2], inverse)).toBe(3);
    expect(ternaryCode(x[3], inverse)).toBe(1); // NaN·1 = NaN → LONG_MIN + 1 → 1
  });
});
