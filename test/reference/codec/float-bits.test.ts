/**
 * reference/codec/float-bits.ts — float32 ↔ its 32 bits (spec/formats.md §2.1).
 *
 * Expected bit patterns come from the IEEE-754 binary32 definition (sign | 8-bit exponent with
 * bias 127 | 23-bit fraction) and are cross-checked against an independent DataView encoding.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { bitsToF32, f32ToBits } from "../../../reference/codec/float-bits.js";
import { checkProperty } from "../../support/property.js";

/** Independent reference: the little-endian DataView encoding of a float32. */
function dataViewBits(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x, true);
  return view.getUint32(0, true);
}

describe("f32ToBits", () => {
  test.each([
    // [value, bits] — from the binary32 definition: value = (-1)^s · 2^(e-127) · (1 + f/2^23)
    [1, 0x3f800000], // e = 127, f = 0
    [-1, 0xbf800000], // sign bit set: the result is an UNSIGNED 32-bit number
    [2, 0x40000000], // e = 128
    [0.5, 0x3f000000], // e = 126
    [0, 0x00000000],
    [-0, 0x80000000], // negative zero keeps its sign bit
    [Infinity, 0x7f800000],
    [-Infinity, 0xff800000],
    [2 ** -149, 0x00000001], // smallest subnormal
    [2 ** -126, 0x00800000], // smallest normal
    [(2 - 2 ** -23) * 2 ** 127, 0x7f7fffff], // FLT_MAX
    [65504, 0x477fe000], // fp16 max: 2^15 · (1 + 1023/1024)
  ])("f32ToBits(%d) = %i", (value, bits) => {
    expect(f32ToBits(value)).toBe(bits);
    expect(f32ToBits(value)).toBeGreaterThanOrEqual(0);
  });

  test("a double is rounded to float32 first, ties to even", () => {
    // 1 + 2^-24 is exactly halfway between 1 and 1 + 2^-23: ties to the even fraction (1.0).
    expect(f32ToBits(1 + 2 ** -24)).toBe(0x3f800000);
    // 1 + 3·2^-24 is halfway between 1 + 2^-23 (odd) and 1 + 2^-22 (even): rounds up.
    expect(f32ToBits(1 + 3 * 2 ** -24)).toBe(0x3f800002);
    // Just above the halfway point rounds up.
    expect(f32ToBits(1 + 2 ** -24 + 2 ** -40)).toBe(0x3f800001);
    // Beyond FLT_MAX + half an ulp the value overflows to infinity.
    expect(f32ToBits(2 ** 128)).toBe(0x7f800000);
  });

  test("NaN has an all-ones exponent and a non-zero fraction", () => {
    const bits = f32ToBits(NaN);
    expect((bits >>> 23) & 0xff).toBe(0xff);
    expect(bits & 0x7fffff).not.toBe(0);
  });

  test("agrees with the DataView encoding of random doubles (property)", () => {
    checkProperty(
      "f32ToBits = DataView.setFloat32 bits",
      fc.property(fc.double({ noNaN: true }), (x) => {
        expect(f32ToBits(x)).toBe(dataViewBits(x));
      }),
      { numRuns: 500 },
    );
  });
});

describe("bitsToF32", () => {
  test.each([
    [0x3f800000, 1],
    [0xbf800000, -1],
    [0x00000001, 2 ** -149],
    [0x7f7fffff, (2 - 2 ** -23) * 2 ** 127],
    [0xff800000, -Infinity],
    [0x80000000, -0],
  ])("bitsToF32(%i) = %d", (bits, value) => {
    expect(Object.is(bitsToF32(bits), value)).toBe(true);
  });

  test("accepts negative int32 spellings of the same 32 bits (bits >>> 0)", () => {
    expect(bitsToF32(-1082130432)).toBe(-1); // -1082130432 >>> 0 === 0xbf800000
    expect(Number.isNaN(bitsToF32(-1))).toBe(true); // 0xffffffff is a NaN
  });

  test("bitsToF32 ∘ f32ToBits is the identity on every non-NaN bit pattern (property)", () => {
    checkProperty(
      "f32ToBits(bitsToF32(b)) = b",
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = bitsToF32(bits);
        const isNaNPattern = (bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0;
        if (isNaNPattern) {
          expect(Number.isNaN(x)).toBe(true);
        } else {
          expect(f32ToBits(x)).toBe(bits);
          expect(dataViewBits(x)).toBe(bits);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("round-trips, and agrees with DataView, at both ends of every exponent's fractions (both signs)", () => {
    for (let bits = 0; bits < 0xff; bits++) {
      for (const fraction of [0, 1, 2, 0x3fffff, 0x400000, 0x7ffffe, 0x7fffff]) {
        for (const sign of [0, 0x80000000]) {
          const pattern = (sign | (bits << 23) | fraction) >>> 0;
          const x = bitsToF32(pattern);
          expect(dataViewBits(x), `0x${pattern.toString(16)}`).toBe(pattern);
          expect(f32ToBits(x), `0x${pattern.toString(16)}`).toBe(pattern);
        }
      }
    }
  });
});
