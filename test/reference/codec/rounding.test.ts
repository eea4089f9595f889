/**
 * reference/codec/rounding.ts — lroundf, nearest_int, int8_t wrap (spec/formats.md §2.4).
 *
 * lroundf: C99 7.12.9.7 "round to nearest, halfway cases away from zero".
 * nearest_int: ggml/src/ggml-quants.c
 *
 *   static inline int nearest_int(float fval) {
 *       assert(fabsf(fval) <= 4194303.f);
 *       float val = fval + 12582912.f;
 *       int i; memcpy(&i, &val, sizeof(int));
 *       return (i & 0x007fffff) - 0x00400000;
 *   }
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { lroundf, nearestInt, wrapToInt8 } from "../../../reference/codec/rounding.js";
import { checkProperty } from "../../support/property.js";

const scratchF32 = new Float32Array(1);
const scratchI32 = new Int32Array(scratchF32.buffer);
const scratchU32 = new Uint32Array(scratchF32.buffer);
function fp32FromBits(w: number): number {
  scratchU32[0] = w >>> 0;
  return scratchF32[0];
}

/** Port of ggml's nearest_int: the float32 sum is stored, then its bits are read back as an int. */
function ggmlNearestInt(fval: number): number {
  scratchF32[0] = Math.fround(fval) + 12582912; // float32 add: the store rounds the (exact) double sum once
  const i = scratchI32[0];
  return (i & 0x007fffff) - 0x00400000;
}

/** Round half to even, from the definition (independent of any bit trick). */
function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor; // exact for a float32 x
  if (diff < 0.5) return floor + 0; // + 0 turns -0 into 0
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor + 0 : floor + 1;
}

/** C lroundf from its definition: truncate, then step away from zero when the dropped part is ≥ 1/2. */
function lroundDefinition(x: number): number {
  const truncated = Math.trunc(x);
  const dropped = Math.abs(x - truncated); // exact: x is a float32, truncated an integer of no more bits
  return dropped >= 0.5 ? truncated + Math.sign(x) : truncated + 0;
}

/** The largest float32 strictly below 0.5: 0.5 − 2^-25. */
const BELOW_HALF = 0.5 - 2 ** -25;

describe("lroundf: halves away from zero", () => {
  test.each([
    [0.5, 1],
    [-0.5, -1], // Math.round(-0.5) would give -0: the classic wrong port
    [1.5, 2],
    [-1.5, -2],
    [2.5, 3], // nearest-even would give 2
    [-2.5, -3],
    [0.49999997, 0], // Math.fround(0.49999997) = 0.5 − 2^-25, the largest float32 below 0.5
    [1, 1],
    [-7, -7],
    [0.75, 1],
    [-0.25, 0],
  ])("lroundf(%d) = %d", (x, expected) => {
    // loose equality: C has no negative zero in `long`; the caller only ever adds or masks the result
    expect(lroundf(Math.fround(x)) === expected).toBe(true);
    expect(lroundDefinition(Math.fround(x)) === expected).toBe(true); // the table agrees with the definition
  });

  test("the largest float32 below 0.5 rounds to 0 (a float32 `floorf(x + 0.5f)` would give 1)", () => {
    expect(Math.fround(BELOW_HALF)).toBe(BELOW_HALF);
    expect(Math.fround(BELOW_HALF + 0.5)).toBe(1); // why the naive float32 formula is wrong
    expect(lroundf(BELOW_HALF) === 0).toBe(true);
    expect(lroundf(-BELOW_HALF) === 0).toBe(true);
  });

  test("around 2^23 float32 values are integers, so 2^23 + 0.5 is not even representable", () => {
    expect(Math.fround(2 ** 23 + 0.5)).toBe(2 ** 23); // ties to even in float32
    expect(lroundf(Math.fround(2 ** 23 + 0.5))).toBe(2 ** 23);
    expect(lroundf(2 ** 23 + 1)).toBe(2 ** 23 + 1);
    expect(lroundf(2 ** 23 - 0.5)).toBe(2 ** 23); // 8388607.5 is a float32 and rounds away from zero
    expect(lroundf(-(2 ** 23 - 0.5))).toBe(-(2 ** 23));
    expect(lroundf(2 ** 24)).toBe(2 ** 24);
  });

  test("undefined where x86-64 lroundf has no defined result: NaN, ±inf, |x| ≥ 2^63", () => {
    expect(lroundf(NaN)).toBeUndefined();
    expect(lroundf(Infinity)).toBeUndefined();
    expect(lroundf(-Infinity)).toBeUndefined();
    expect(lroundf(2 ** 63)).toBeUndefined();
    expect(lroundf(2 ** 100)).toBeUndefined();
    // The largest float32 below 2^63 is 2^63 − 2^39: representable in `long`, so defined.
    expect(lroundf(2 ** 63 - 2 ** 39)).toBe(2 ** 63 - 2 ** 39);
    expect(lroundf(-(2 ** 63 - 2 ** 39))).toBe(-(2 ** 63 - 2 ** 39));
  });

  test("equals the definition on random float32 values with |x| < 2^63 (property)", () => {
    checkProperty(
      "lroundf = truncate-and-step-away definition",
      fc.property(
        fc.oneof(
          fc.float({ min: -(2 ** 62), max: 2 ** 62, noNaN: true }),
          fc.integer({ min: -100000, max: 100000 }).map((k) => k + 0.5), // exact halves
          fc.integer({ min: -100000, max: 100000 }).map((k) => Math.fround(k + 0.5 - 2 ** -8)),
        ),
        (x) => {
          const ours = lroundf(x);
          expect(ours).toBeDefined();
          expect(Number.isInteger(ours)).toBe(true);
          expect(ours === lroundDefinition(x)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("nearestInt (ggml nearest_int): halves to even by the 1.5·2^23 trick", () => {
  test.each([
    [0.5, 0],
    [-0.5, 0],
    [1.5, 2],
    [-1.5, -2],
    [2.5, 2],
    [-2.5, -2],
    [3.5, 4],
    [126.5, 126],
    [127.5, 128],
    [-127.5, -128],
    [BELOW_HALF, 0],
    [4194303, 4194303],
    [-4194303, -4194303],
    [4194302.5, 4194302], // the sum 16777214.5 ties to even 16777214 in float32
  ])("nearestInt(%d) = %d", (x, expected) => {
    expect(nearestInt(x)).toBe(expected);
    expect(ggmlNearestInt(x)).toBe(expected);
  });

  test("equals round-half-to-even for every float32 with |x| ≤ 4194303 (property)", () => {
    checkProperty(
      "nearestInt = round half to even on |x| ≤ 4194303",
      fc.property(
        fc.oneof(
          fc.float({ min: -4194303, max: 4194303, noNaN: true }),
          fc.integer({ min: -4194303, max: 4194302 }).map((k) => k + 0.5), // exact halves: float32 in this range
          fc.float({ min: -4, max: 4, noNaN: true }),
        ),
        (x) => {
          expect(nearestInt(x)).toBe(roundHalfToEven(x));
        },
      ),
      { numRuns: 1000 },
    );
  });

  test("outside the asserted range it returns what the C expression computes", () => {
    // NaN + 12582912.f is the quiet NaN 0x7fc00000: low 23 bits 0x400000 → 0.
    expect(nearestInt(NaN)).toBe(0);
    // ±inf + 12582912.f = ±inf, bits 0x7f800000 / 0xff800000: low 23 bits 0 → −0x400000.
    expect(nearestInt(Infinity)).toBe(-4194304);
    expect(nearestInt(-Infinity)).toBe(-4194304);
    // 4194303.5 + 12582912 = 16777215.5 ties to 16777216 = 2^24 (fraction bits 0) → −4194304: it wraps.
    expect(nearestInt(4194303.5)).toBe(-4194304);
    // 2^23 + 1.5·2^23 = 1.25·2^24: fraction bits 0x200000 → 0x200000 − 0x400000.
    expect(nearestInt(2 ** 23)).toBe(-2097152);
    for (const x of [NaN, Infinity, -Infinity, 4194303.5, 2 ** 23, -(2 ** 23), 1e30, -1e30]) {
      expect(nearestInt(x)).toBe(ggmlNearestInt(x));
    }
  });

  test("equals the port of the C expression on arbitrary float32 bit patterns (property)", () => {
    checkProperty(
      "nearestInt = ggml nearest_int bit trick on random float32 bits",
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = fp32FromBits(bits);
        expect(nearestInt(x)).toBe(ggmlNearestInt(x));
      }),
      { numRuns: 2000 },
    );
  });

  test("rounds its argument to float32 first (C passes a float)", () => {
    // 2.5 + 2^-30 is a double above 2.5 but rounds to the float32 2.5, which ties to even 2.
    expect(nearestInt(2.5 + 2 ** -30)).toBe(2);
  });
});

describe("wrapToInt8: the C conversion into int8_t (two's complement wrap)", () => {
  test.each([
    [0, 0],
    [127, 127],
    [128, -128],
    [255, -1],
    [256, 0],
    [-1, -1],
    [-128, -128],
    [-129, 127],
    [-4194304, 0], // nearest_int(±inf) stored into int8_t: −0x400000 has low byte 0
    [0x12345, 0x45],
  ])("wrapToInt8(%d) = %d", (v, expected) => {
    expect(wrapToInt8(v)).toBe(expected);
  });

  test("equals ((v mod 256) reinterpreted as signed) for every int32 (property)", () => {
    checkProperty(
      "wrapToInt8 = v mod 256 as a signed byte",
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
        const low = ((v % 256) + 256) % 256;
        expect(wrapToInt8(v)).toBe(low >= 128 ? low - 256 : low);
        expect(new Int8Array([v])[0]).toBe(wrapToInt8(v)); // the typed-array conversion agrees
      }),
      { numRuns: 1000 },
    );
  });
});
