/**
 * reference/codec/bfloat16.ts — bf16 ↔ float32 (spec/formats.md §2.3).
 *
 * Oracles: a port of ggml_compute_fp32_to_bf16 / ggml_compute_bf16_to_fp32 from
 * ggml/src/ggml-impl.h, and the round-to-nearest-even definition at every bf16 boundary.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { bf16BitsToF32, f32ToBf16Bits, roundToBf16 } from "../../../reference/codec/bfloat16.js";
import { checkProperty } from "../../support/property.js";

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
 * Port of ggml/src/ggml-impl.h:
 *
 *   static inline ggml_bf16_t ggml_compute_fp32_to_bf16(float s) {
 *       ggml_bf16_t h;
 *       union { float f; uint32_t i; } u;
 *       u.f = s;
 *       if ((u.i & 0x7fffffff) > 0x7f800000) { // nan
 *           h.bits = (u.i >> 16) | 64; // force to quiet
 *           return h;
 *       }
 *       h.bits = (u.i + (0x7fff + ((u.i >> 16) & 1))) >> 16;
 *       return h;
 *   }
 */
function ggmlComputeFp32ToBf16(s: number): number {
  const i = fp32ToBits(s);
  if ((i & 0x7fffffff) >>> 0 > 0x7f800000) return ((i >>> 16) | 64) & 0xffff;
  return (((i + (0x7fff + ((i >>> 16) & 1))) >>> 0) >>> 16) & 0xffff;
}

/* ggml_compute_bf16_to_fp32: u.i = (uint32_t)h.bits << 16; return u.f; */
function ggmlComputeBf16ToFp32(h: number): number {
  return fp32FromBits((h & 0xffff) << 16);
}

const isBf16NaN = (h: number): boolean => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;

describe("bf16BitsToF32", () => {
  test("is the float32 with the 16 bits on top, for all 65536 patterns (exhaustive, bitwise)", () => {
    for (let h = 0; h < 0x10000; h++) {
      const ours = bf16BitsToF32(h);
      if (isBf16NaN(h)) {
        // The NaN's sign and payload survive (bf16 is a truncated float32). V8 may or may not set the
        // quiet bit (bit 22) when a signalling NaN passes through a JS number, so that bit is ignored.
        const bits = fp32ToBits(ours);
        if (!Number.isNaN(ours) || (bits | 0x400000) >>> 0 !== ((h << 16) | 0x400000) >>> 0) {
          expect.fail(`h=0x${h.toString(16)} → 0x${bits.toString(16)}`);
        }
      } else if (!Object.is(ours, ggmlComputeBf16ToFp32(h)) || fp32ToBits(ours) !== (h << 16) >>> 0) {
        expect.fail(`h=0x${h.toString(16)}: ours ${ours}`);
      }
    }
  });
});

describe("f32ToBf16Bits", () => {
  test("exhaustive over every bf16 value h: the value, and the float32 points at and around the midpoint to the next bf16", () => {
    let checked = 0;
    for (let h = 0; h < 0x10000; h++) {
      if (isBf16NaN(h) || (h & 0x7fff) === 0x7f80) continue; // NaN and ±inf have no "next"
      const sign = h & 0x8000;
      const next = sign | ((h & 0x7fff) + 1); // next bf16 away from zero (0x7f7f + 1 = 0x7f80 = inf)
      const base = ((h & 0x7fff) << 16) >>> 0; // magnitude bits of the exact value
      const mid = base + 0x8000; // exactly halfway to the next bf16, in float32 bits
      const even = (h & 1) === 0 ? h : next;
      const withSign = (magnitudeBits: number): number => fp32FromBits((magnitudeBits | (sign << 16)) >>> 0);
      const cases: Array<[number, number]> = [
        [withSign(base), h],
        [withSign(mid - 1), h],
        [withSign(mid), even],
        [withSign(mid + 1), next],
      ];
      for (const [x, expected] of cases) {
        const ours = f32ToBf16Bits(x);
        const ggml = ggmlComputeFp32ToBf16(x);
        if (ours !== expected || ggml !== expected) {
          expect.fail(
            `x bits 0x${fp32ToBits(x).toString(16)}: definition 0x${expected.toString(16)}, ggml 0x${ggml.toString(16)}, ours 0x${ours.toString(16)}`,
          );
        }
        checked++;
      }
    }
    expect(checked).toBe((0x10000 - 2 * 128) * 4); // 65536 minus 2·128 exponent-255 patterns, × 4 points
  });

  test("overflow: the midpoint above the largest finite bf16 (0x7f7f, odd) ties to infinity", () => {
    expect(f32ToBf16Bits(fp32FromBits(0x7f7f8000))).toBe(0x7f80);
    expect(f32ToBf16Bits(fp32FromBits(0x7f7f7fff))).toBe(0x7f7f);
    expect(f32ToBf16Bits(fp32FromBits(0x7f7fffff))).toBe(0x7f80); // FLT_MAX → +inf
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
  });

  test("NaN keeps its sign and top payload bits and is forced quiet (| 64)", () => {
    expect(f32ToBf16Bits(fp32FromBits(0x7fc00000))).toBe(0x7fc0);
    expect(f32ToBf16Bits(fp32FromBits(0xffc00000))).toBe(0xffc0);
    // A NaN whose payload lies only in the low 16 bits would truncate to the inf pattern without the quiet bit.
    // (JS can only hand over quiet NaNs: V8 sets bit 22 on a signalling NaN, so 0x7f800001 arrives as 0x7fc00001.)
    expect(f32ToBf16Bits(fp32FromBits(0x7fc00001))).toBe(0x7fc0);
    expect(f32ToBf16Bits(fp32FromBits(0x7fa00000 | 0x400000))).toBe(0x7fe0);
    for (const bits of [0x7f800001, 0xff812345, 0x7fffffff]) {
      const x = fp32FromBits(bits);
      expect(f32ToBf16Bits(x)).toBe(ggmlComputeFp32ToBf16(x));
      expect(f32ToBf16Bits(x) & 0x40).toBe(0x40);
    }
  });

  test("agrees with ggml_compute_fp32_to_bf16 on arbitrary float32 bit patterns (property)", () => {
    checkProperty(
      "f32ToBf16Bits = ggml_compute_fp32_to_bf16 on random float32 bits",
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (bits) => {
        const x = fp32FromBits(bits);
        expect(f32ToBf16Bits(x)).toBe(ggmlComputeFp32ToBf16(x));
      }),
      { numRuns: 2000 },
    );
  });

  test("bf16 → f32 → bf16 is the identity for every non-NaN h, and NaN comes back quiet with its sign", () => {
    for (let h = 0; h < 0x10000; h++) {
      const back = f32ToBf16Bits(bf16BitsToF32(h));
      if (isBf16NaN(h)) {
        if ((back & 0x8000) !== (h & 0x8000) || !isBf16NaN(back) || (back & 0x40) === 0)
          expect.fail(`NaN h=0x${h.toString(16)} → 0x${back.toString(16)}`);
      } else if (back !== h) {
        expect.fail(`h=0x${h.toString(16)} → 0x${back.toString(16)}`);
      }
    }
  });
});

describe("roundToBf16", () => {
  test("keeps the top 16 bits of the float32, rounding ties to even, and returns the value", () => {
    expect(roundToBf16(1 + 2 ** -8)).toBe(1); // a tie between 1 and 1 + 2^-7: to even
    expect(roundToBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6); // a tie with an odd lower neighbour: up
    expect(roundToBf16(1 + 2 ** -8 + 2 ** -20)).toBe(1 + 2 ** -7); // above the tie: up
    expect(Object.is(roundToBf16(-0), -0)).toBe(true);
    expect(roundToBf16(NaN)).toBeNaN();
  });

  test("is bf16BitsToF32 ∘ f32ToBf16Bits (property)", () => {
    checkProperty(
      "roundToBf16 = bf16 round trip",
      fc.property(fc.float(), (x) => Object.is(roundToBf16(x), bf16BitsToF32(f32ToBf16Bits(x)))),
      { numRuns: 2000 },
    );
  });
});
