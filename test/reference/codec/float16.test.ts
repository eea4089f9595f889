/**
 * reference/codec/float16.ts — fp16 ↔ float32 (spec/formats.md §2.2).
 *
 * Two independent oracles:
 *  1. a line-by-line port of ggml's own conversions from ggml/src/ggml-impl.h
 *     (ggml_compute_fp32_to_fp16 / ggml_compute_fp16_to_fp32, Maratyszcza/FP16 bit tricks), with
 *     every float operation rounded to float32 by Math.fround as the C code does;
 *  2. the IEEE-754 definition of round-to-nearest-even, applied at every rounding boundary.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits, isF16Subnormal, roundToF16 } from "../../../reference/codec/float16.js";
import { checkProperty } from "../../support/property.js";

// Local bit helpers (deliberately not the ones under test in float-bits.ts).
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);
function fp32ToBits(f: number): number {
  scratchF32[0] = f;
  return scratchU32[0];
}
function fp32FromBits(w: number): number {
  scratchU32[0] = w >>> 0;
  return scratchF32[0];
}

/*
 * Port of ggml/src/ggml-impl.h (ggml-org/llama.cpp):
 *
 *   static inline ggml_fp16_t ggml_compute_fp32_to_fp16(float f) {
 *       const float scale_to_inf = fp32_from_bits(UINT32_C(0x77800000));   // 0x1.0p+112f
 *       const float scale_to_zero = fp32_from_bits(UINT32_C(0x08800000));  // 0x1.0p-110f
 *       float base = (fabsf(f) * scale_to_inf) * scale_to_zero;
 *       const uint32_t w = fp32_to_bits(f);
 *       const uint32_t shl1_w = w + w;
 *       const uint32_t sign = w & UINT32_C(0x80000000);
 *       uint32_t bias = shl1_w & UINT32_C(0xFF000000);
 *       if (bias < UINT32_C(0x71000000)) {
 *           bias = UINT32_C(0x71000000);
 *       }
 *       base = fp32_from_bits((bias >> 1) + UINT32_C(0x07800000)) + base;
 *       const uint32_t bits = fp32_to_bits(base);
 *       const uint32_t exp_bits = (bits >> 13) & UINT32_C(0x00007C00);
 *       const uint32_t mantissa_bits = bits & UINT32_C(0x00000FFF);
 *       const uint32_t nonsign = exp_bits + mantissa_bits;
 *       return (sign >> 16) | (shl1_w > UINT32_C(0xFF000000) ? UINT16_C(0x7E00) : nonsign);
 *   }
 */
function ggmlComputeFp32ToFp16(input: number): number {
  const f = Math.fround(input);
  const scaleToInf = fp32FromBits(0x77800000);
  const scaleToZero = fp32FromBits(0x08800000);
  let base = Math.fround(Math.fround(Math.abs(f) * scaleToInf) * scaleToZero);
  const w = fp32ToBits(f);
  const shl1W = (w + w) >>> 0;
  const sign = (w & 0x80000000) >>> 0;
  let bias = (shl1W & 0xff000000) >>> 0;
  if (bias < 0x71000000) bias = 0x71000000;
  base = Math.fround(fp32FromBits(((bias >>> 1) + 0x07800000) >>> 0) + base);
  const bits = fp32ToBits(base);
  const expBits = (bits >>> 13) & 0x00007c00;
  const mantissaBits = bits & 0x00000fff;
  const nonsign = expBits + mantissaBits;
  // The C function returns ggml_fp16_t (uint16_t): the expression is truncated to 16 bits.
  return ((sign >>> 16) | (shl1W > 0xff000000 ? 0x7e00 : nonsign)) & 0xffff;
}

/*
 * Port of ggml/src/ggml-impl.h:
 *
 *   static inline float ggml_compute_fp16_to_fp32(ggml_fp16_t h) {
 *       const uint32_t w = (uint32_t) h << 16;
 *       const uint32_t sign = w & UINT32_C(0x80000000);
 *       const uint32_t two_w = w + w;
 *       const uint32_t exp_offset = UINT32_C(0xE0) << 23;
 *       const float exp_scale = fp32_from_bits(UINT32_C(0x7800000));       // 0x1.0p-112f
 *       const float normalized_value = fp32_from_bits((two_w >> 4) + exp_offset) * exp_scale;
 *       const uint32_t magic_mask = UINT32_C(126) << 23;
 *       const float magic_bias = 0.5f;
 *       const float denormalized_value = fp32_from_bits((two_w >> 17) | magic_mask) - magic_bias;
 *       const uint32_t denormalized_cutoff = UINT32_C(1) << 27;
 *       const uint32_t result = sign |
 *           (two_w < denormalized_cutoff ? fp32_to_bits(denormalized_value) : fp32_to_bits(normalized_value));
 *       return fp32_from_bits(result);
 *   }
 */
function ggmlComputeFp16ToFp32(h: number): number {
  const w = ((h & 0xffff) << 16) >>> 0;
  const sign = (w & 0x80000000) >>> 0;
  const twoW = (w + w) >>> 0;
  const expOffset = (0xe0 << 23) >>> 0;
  const expScale = fp32FromBits(0x7800000);
  const normalizedValue = Math.fround(fp32FromBits(((twoW >>> 4) + expOffset) >>> 0) * expScale);
  const magicMask = (126 << 23) >>> 0;
  const denormalizedValue = Math.fround(fp32FromBits(((twoW >>> 17) | magicMask) >>> 0) - 0.5);
  const denormalizedCutoff = (1 << 27) >>> 0;
  const result =
    (sign | (twoW < denormalizedCutoff ? fp32ToBits(denormalizedValue) : fp32ToBits(normalizedValue))) >>> 0;
  return fp32FromBits(result);
}

const isF16NaN = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isF16Inf = (h: number): boolean => (h & 0x7fff) === 0x7c00;

/** The float32 bit-neighbour of a float32 value, one ulp further from / closer to zero. */
function nudge(x: number, ulps: number): number {
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  return sign * fp32FromBits(fp32ToBits(Math.abs(x)) + ulps);
}

describe("the ggml ports used as oracles are sane", () => {
  test("port of ggml_compute_fp32_to_fp16 on values fixed by the binary16 definition", () => {
    // binary16: 1.0 = 0x3c00, 65504 = 0x7bff (max normal), 2^-14 = 0x0400 (min normal), 2^-24 = 0x0001.
    expect(ggmlComputeFp32ToFp16(1)).toBe(0x3c00);
    expect(ggmlComputeFp32ToFp16(-2)).toBe(0xc000);
    expect(ggmlComputeFp32ToFp16(65504)).toBe(0x7bff);
    expect(ggmlComputeFp32ToFp16(2 ** -14)).toBe(0x0400);
    expect(ggmlComputeFp32ToFp16(2 ** -24)).toBe(0x0001);
    expect(ggmlComputeFp32ToFp16(Infinity)).toBe(0x7c00);
    expect(ggmlComputeFp32ToFp16(NaN)).toBe(0x7e00);
  });
  test("port of ggml_compute_fp16_to_fp32 on values fixed by the binary16 definition", () => {
    expect(ggmlComputeFp16ToFp32(0x3c00)).toBe(1);
    expect(ggmlComputeFp16ToFp32(0x7bff)).toBe(65504);
    expect(ggmlComputeFp16ToFp32(0x0001)).toBe(2 ** -24);
    expect(ggmlComputeFp16ToFp32(0x03ff)).toBe(1023 * 2 ** -24);
    expect(Object.is(ggmlComputeFp16ToFp32(0x8000), -0)).toBe(true);
    expect(ggmlComputeFp16ToFp32(0xfc00)).toBe(-Infinity);
  });
});

describe("f16BitsToF32", () => {
  test("equals ggml_compute_fp16_to_fp32 for all 65536 bit patterns (exhaustive)", () => {
    for (let h = 0; h < 0x10000; h++) {
      const ours = f16BitsToF32(h);
      const ggml = ggmlComputeFp16ToFp32(h);
      if (isF16NaN(h)) {
        if (!Number.isNaN(ours)) expect.fail(`h=0x${h.toString(16)}: expected NaN, got ${ours}`);
      } else if (!Object.is(ours, ggml)) {
        expect.fail(`h=0x${h.toString(16)}: ggml ${ggml}, ours ${ours}`);
      }
    }
  });
});

describe("f32ToF16Bits", () => {
  test("exhaustive over every fp16 value h: the value itself and the float32 points at and around the midpoint to the next fp16", () => {
    let checked = 0;
    for (let h = 0; h < 0x10000; h++) {
      if (isF16NaN(h) || isF16Inf(h)) continue;
      const sign = h & 0x8000;
      const magnitudeBits = h & 0x7fff;
      const value = ggmlComputeFp16ToFp32(h);
      const magnitude = Math.abs(value);
      // The next fp16 away from zero; past 65504 (0x7bff) it is infinity, whose "value" for the
      // purpose of the midpoint is 2^16 (the binary16 formula with exponent 31, fraction 0).
      const nextBits = sign | (magnitudeBits + 1);
      const nextMagnitude = magnitudeBits === 0x7bff ? 2 ** 16 : Math.abs(ggmlComputeFp16ToFp32(nextBits));
      const midpoint = (magnitude + nextMagnitude) / 2;
      // The midpoint needs 12 significant bits, so it is a float32 (this is what makes "exact midpoint" testable).
      expect(Math.fround(midpoint)).toBe(midpoint);
      const s = sign ? -1 : 1;
      // Round-to-nearest-even from the definition: below the midpoint → h, above → next,
      // exactly on it → whichever of h, next has an even fraction (lowest bit 0).
      const even = (h & 1) === 0 ? h : nextBits;
      const cases: Array<[number, number]> = [
        [value, h],
        [s * nudge(midpoint, -1), h],
        [s * midpoint, even],
        [s * nudge(midpoint, +1), nextBits],
      ];
      for (const [x, expected] of cases) {
        const ours = f32ToF16Bits(x);
        const ggml = ggmlComputeFp32ToFp16(x);
        if (ggml !== expected || ours !== expected) {
          expect.fail(
            `x=${x} (f32 0x${fp32ToBits(x).toString(16)}): definition 0x${expected.toString(16)}, ggml 0x${ggml.toString(16)}, ours 0x${ours.toString(16)}`,
          );
        }
        checked++;
      }
    }
    // 63488 finite fp16 values (65536 − 2·1024 with exponent 31) × 4 points.
    expect(checked).toBe((0x10000 - 2 * 1024) * 4);
  });

  test("the overflow edge: 65504 stays, 65519.99 rounds down to 65504, 65520 (the midpoint) ties to +inf", () => {
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(Math.fround(65519.99))).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(-65520)).toBe(0xfc00);
    expect(f32ToF16Bits(1e10)).toBe(0x7c00);
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
  });

  test("subnormal edge: 2^-25 (half the smallest subnormal) ties to 0, anything above rounds to 0x0001", () => {
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000);
    expect(f32ToF16Bits(nudge(2 ** -25, 1))).toBe(0x0001);
    expect(f32ToF16Bits(-(3 * 2 ** -25))).toBe(0x8002); // 1.5 · 2^-24 ties to even 2 · 2^-24
    expect(f32ToF16Bits(2 ** -149)).toBe(0x0000); // float32 subnormal
    expect(f32ToF16Bits(-(2 ** -149))).toBe(0x8000); // sign kept
  });

  test("NaN → sign | 0x7e00 (quiet NaN, payload dropped), as ggml_compute_fp32_to_fp16", () => {
    for (const bits of [0x7fc00000, 0x7f800001, 0x7fffffff, 0x7fa00000]) {
      expect(f32ToF16Bits(fp32FromBits(bits))).toBe(0x7e00);
      expect(f32ToF16Bits(fp32FromBits((bits | 0x80000000) >>> 0))).toBe(0xfe00);
    }
  });

  test("agrees with ggml_compute_fp32_to_fp16 on arbitrary float32 bit patterns (property)", () => {
    checkProperty(
      "f32ToF16Bits = ggml_compute_fp32_to_fp16 on random float32 bits",
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = fp32FromBits(bits);
        expect(f32ToF16Bits(x)).toBe(ggmlComputeFp32ToFp16(x));
      }),
      { numRuns: 2000 },
    );
  });

  test("agrees with ggml on doubles too (the double is first rounded to float32, as a C float argument would be)", () => {
    checkProperty(
      "f32ToF16Bits(double) = ggml(fround(double))",
      fc.property(fc.double({ min: -70000, max: 70000, noNaN: true }), (x) => {
        expect(f32ToF16Bits(x)).toBe(ggmlComputeFp32ToFp16(Math.fround(x)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("round trips", () => {
  test("fp16 → f32 → fp16 is the identity for every non-NaN h (exhaustive)", () => {
    for (let h = 0; h < 0x10000; h++) {
      if (isF16NaN(h)) continue;
      const back = f32ToF16Bits(f16BitsToF32(h));
      if (back !== h) expect.fail(`h=0x${h.toString(16)} came back as 0x${back.toString(16)}`);
    }
  });

  test("every NaN fp16 comes back as a quiet NaN (0x7e00 magnitude)", () => {
    // Only the magnitude is checked: f16BitsToF32 returns JavaScript's NaN for every NaN pattern, so
    // the sign and payload that ggml_compute_fp16_to_fp32 would carry into the float32 are not kept.
    for (let h = 0; h < 0x10000; h++) {
      if (!isF16NaN(h)) continue;
      expect(f32ToF16Bits(f16BitsToF32(h)) & 0x7fff).toBe(0x7e00);
    }
  });
});

describe("isF16Subnormal", () => {
  test("is exactly 'exponent field 0 and fraction non-zero' for all 65536 patterns", () => {
    let count = 0;
    for (let h = 0; h < 0x10000; h++) {
      const expected = ((h >>> 10) & 0x1f) === 0 && (h & 0x3ff) !== 0;
      if (isF16Subnormal(h) !== expected) expect.fail(`h=0x${h.toString(16)}`);
      if (expected) count++;
    }
    expect(count).toBe(2 * 1023); // both signs, fractions 1..1023
  });
});

describe("roundToF16", () => {
  test("rounds to the nearest fp16 value, ties to even, and returns it as a float32 number", () => {
    expect(roundToF16(1 + 2 ** -11)).toBe(1); // a tie between 1 and 1 + 2^-10: to even
    expect(roundToF16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // a tie with an odd lower neighbour: up
    expect(roundToF16(65519)).toBe(65504); // below 65520: the largest fp16
    expect(roundToF16(65520)).toBe(Infinity); // from 65520 on: ∞
    expect(roundToF16(3 * 2 ** -25)).toBe(2 ** -23); // 1.5 subnormal steps: a tie, to the even 2·2^-24
    expect(Object.is(roundToF16(-0), -0)).toBe(true);
    expect(roundToF16(NaN)).toBeNaN();
  });

  test("is f16BitsToF32 ∘ f32ToF16Bits (property)", () => {
    checkProperty(
      "roundToF16 = fp16 round trip",
      fc.property(fc.float(), (x) => Object.is(roundToF16(x), f16BitsToF32(f32ToF16Bits(x)))),
      { numRuns: 2000 },
    );
  });
});
