/**
 * reference/codec/q8_0.ts — Q8_0 (spec/formats.md §7).
 *
 * Oracle: a port of ggml's reference quantizer and decoder (ggml/src/ggml-quants.c):
 *
 *   void quantize_row_q8_0_ref(const float * GGML_RESTRICT x, block_q8_0 * GGML_RESTRICT y, int64_t k) {
 *       ...
 *       for (int i = 0; i < nb; i++) {
 *           float amax = 0.0f; // absolute max
 *           for (int j = 0; j < QK8_0; j++) {
 *               const float v = x[i*QK8_0 + j];
 *               amax = MAX(amax, fabsf(v));
 *           }
 *           const float d = amax / ((1 << 7) - 1);
 *           const float id = d ? 1.0f/d : 0.0f;
 *           y[i].d = GGML_FP32_TO_FP16(d);
 *           for (int j = 0; j < QK8_0; ++j) {
 *               const float x0 = x[i*QK8_0 + j]*id;
 *               y[i].qs[j] = roundf(x0);
 *           }
 *       }
 *   }
 *
 *   void dequantize_row_q8_0(...) { ... y[i*qk + j] = x[i].qs[j]*d; }   // d = GGML_FP16_TO_FP32(x[i].d)
 *
 * block_q8_0 (ggml-common.h): { ggml_half d; int8_t qs[QK8_0]; }, QK8_0 = 32 → 34 bytes.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../../../reference/codec/float16.js";
import {
  QK8_0,
  Q8_0_BLOCK_BYTES,
  dequantizeQ8_0Block,
  dequantizeRowQ8_0,
  quantizeQ8_0Block,
  quantizeRowQ8_0,
} from "../../../reference/codec/q8_0.js";
import { checkProperty } from "../../support/property.js";

// f32ToF16Bits / f16BitsToF32 are verified bit-exactly against ggml's conversions in float16.test.ts.

/** C roundf: nearest integer, halfway cases away from zero (C99 7.12.9.6). */
function cRoundf(v: number): number {
  const t = Math.trunc(v);
  return Math.abs(v - t) >= 0.5 ? t + Math.sign(v) : t;
}

/** Port of quantize_row_q8_0_ref for one block. */
function ggmlQuantizeQ8_0(x: Float32Array): Uint8Array {
  let amax = 0;
  for (let j = 0; j < 32; j++) amax = amax > Math.abs(x[j]) ? amax : Math.abs(x[j]);
  const d = Math.fround(amax / 127);
  const id = d !== 0 ? Math.fround(1 / d) : 0;
  const out = new Uint8Array(34);
  const h = f32ToF16Bits(d);
  out[0] = h & 0xff;
  out[1] = h >>> 8;
  for (let j = 0; j < 32; j++) {
    const x0 = Math.fround(x[j] * id);
    // float → int8_t of a NaN is undefined in C; x86-64 GCC converts through cvttss2si, whose
    // "integer indefinite" 0x80000000 has low byte 0. In range (|x0| ≤ 127.5) the value is exact.
    const r = Number.isNaN(x0) ? 0 : cRoundf(x0);
    out[2 + j] = r & 0xff;
  }
  return out;
}

/** Port of dequantize_row_q8_0 for one block. */
function ggmlDequantizeQ8_0(block: Uint8Array): Float32Array {
  const d = f16BitsToF32(block[0] | (block[1] << 8));
  return Float32Array.from(new Int8Array(block.buffer, block.byteOffset + 2, 32), (q) => q * d);
}

const bitsOf = (x: Float32Array): number[] => Array.from(new Uint32Array(new Float32Array(x).buffer));

describe("layout", () => {
  test("32 elements in 2 + 32 bytes", () => {
    expect(QK8_0).toBe(32);
    expect(Q8_0_BLOCK_BYTES).toBe(2 + 32);
  });
});

describe("quantizeRowQ8_0", () => {
  test("equals the port of quantize_row_q8_0_ref on random NaN-free rows (property)", () => {
    checkProperty(
      "quantizeRowQ8_0 = ggml quantize_row_q8_0_ref",
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((blocks) =>
            fc.tuple(
              fc.array(
                fc.oneof(
                  { arbitrary: fc.float({ noNaN: true }), weight: 10 },
                  { arbitrary: fc.integer({ min: -127, max: 127 }).map((k) => k + 0.5), weight: 2 },
                ),
                { minLength: 32 * blocks, maxLength: 32 * blocks },
              ),
              fc.integer({ min: -40, max: 20 }),
            ),
          ),
        ([values, k]) => {
          const x = Float32Array.from(values, (v) => v * 2 ** k);
          const ours = quantizeRowQ8_0(x);
          expect(ours.length).toBe((x.length / 32) * 34);
          for (let b = 0; b < x.length / 32; b++) {
            expect(Array.from(ours.subarray(34 * b, 34 * (b + 1)))).toEqual(
              Array.from(ggmlQuantizeQ8_0(x.subarray(32 * b, 32 * (b + 1)))),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("halves round AWAY from zero (roundf), unlike Q8_K's nearest_int", () => {
    // amax = 127 → d = 1 → id = 1, so q = roundf(x).
    const x = new Float32Array(32);
    x.set([127, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 126.5]);
    const block = quantizeQ8_0Block(x);
    expect(Array.from(new Int8Array(block.buffer, 2, 8))).toEqual([127, 1, -1, 2, -2, 3, -3, 127]);
    expect(block[0] | (block[1] << 8)).toBe(0x3c00); // d = 1.0
  });

  test("the scale is fp16(amax / 127) and the sign of each q follows its x (d is always ≥ 0)", () => {
    const x = new Float32Array(32);
    x.set([-254, 2, -2]);
    const block = quantizeQ8_0Block(x);
    expect(f16BitsToF32(block[0] | (block[1] << 8))).toBe(2);
    expect(Array.from(new Int8Array(block.buffer, 2, 3))).toEqual([-127, 1, -1]);
  });

  test("an all-zero block is all-zero bytes", () => {
    expect(Array.from(quantizeQ8_0Block(new Float32Array(32)))).toEqual(new Array(34).fill(0));
  });

  test.each([1, 31, 33])("a row of %i elements throws RangeError", (n) => {
    expect(() => quantizeRowQ8_0(new Float32Array(n))).toThrow(RangeError);
  });
});

describe("dequantizeRowQ8_0", () => {
  test("equals the port of dequantize_row_q8_0 on arbitrary bytes, bit for bit (property)", () => {
    checkProperty(
      "dequantizeRowQ8_0 = ggml dequantize_row_q8_0",
      fc.property(
        fc
          .integer({ min: 1, max: 3 })
          .chain((blocks) => fc.uint8Array({ minLength: 34 * blocks, maxLength: 34 * blocks })),
        (bytes) => {
          const ours = dequantizeRowQ8_0(bytes);
          for (let b = 0; b < bytes.length / 34; b++) {
            const block = bytes.slice(34 * b, 34 * (b + 1));
            expect(bitsOf(ours.subarray(32 * b, 32 * (b + 1)))).toEqual(bitsOf(ggmlDequantizeQ8_0(block)));
            expect(bitsOf(dequantizeQ8_0Block(block))).toEqual(bitsOf(ggmlDequantizeQ8_0(block)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test("round trip: x = q·d with d an fp16 value and some |q| = 127 comes back exactly (property)", () => {
    checkProperty(
      "q8_0 decode∘encode = id on q·d",
      fc.property(
        fc.array(fc.integer({ min: -127, max: 127 }), { minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 31 }),
        fc.constantFrom(-127, 127),
        fc.integer({ min: 0x0001, max: 0x7bff }),
        (qs, at, extreme, scaleBits) => {
          const d = f16BitsToF32(scaleBits);
          qs[at] = extreme;
          const x = Float32Array.from(qs, (q) => q * d); // 7 × 11 significant bits: exact in float32
          expect(bitsOf(dequantizeQ8_0Block(quantizeQ8_0Block(x)))).toEqual(bitsOf(x));
        },
      ),
      { numRuns: 300 },
    );
  });

  test.each([1, 33, 35])("dequantizing %i bytes throws RangeError", (n) => {
    expect(() => dequantizeRowQ8_0(new Uint8Array(n))).toThrow(RangeError);
  });
});
