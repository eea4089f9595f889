/**
 * reference/codec/q8_k.ts — Q8_K activations (spec/formats.md §6).
 *
 * Oracle: an independent port of ggml's quantize_row_q8_K_ref (ggml/src/ggml-quants.c):
 *
 *   void quantize_row_q8_K_ref(const float * GGML_RESTRICT x, block_q8_K * GGML_RESTRICT y, int64_t k) {
 *       assert(k % QK_K == 0);
 *       const int64_t nb = k / QK_K;
 *       for (int i = 0; i < nb; i++) {
 *           float max = 0;
 *           float amax = 0;
 *           for (int j = 0; j < QK_K; ++j) {
 *               float ax = fabsf(x[j]);
 *               if (ax > amax) {
 *                   amax = ax; max = x[j];
 *               }
 *           }
 *           if (!amax) {
 *               y[i].d = 0;
 *               memset(y[i].qs, 0, QK_K);
 *               x += QK_K;
 *               continue;
 *           }
 *           //const float iscale = -128.f/max;
 *           // We need this change for IQ2_XXS, else the AVX implementation becomes very awkward
 *           const float iscale = -127.f/max;
 *           for (int j = 0; j < QK_K; ++j) {
 *               int v = nearest_int(iscale*x[j]);
 *               y[i].qs[j] = MIN(127, v);
 *           }
 *           for (int j = 0; j < QK_K/16; ++j) {
 *               int sum = 0;
 *               for (int ii = 0; ii < 16; ++ii) {
 *                   sum += y[i].qs[j*16 + ii];
 *               }
 *               y[i].bsums[j] = sum;
 *           }
 *           y[i].d = 1/iscale;
 *           x += QK_K;
 *       }
 *   }
 *
 * and block_q8_K (ggml-common.h): { float d; int8_t qs[QK_K]; int16_t bsums[QK_K/16]; } = 4 + 256 + 32 bytes.
 * Note: for an all-zero block ggml does not write bsums at all (they keep whatever the buffer held);
 * the oracle writes 0, as spec/formats.md §6.2 specifies ("The all-zero block": d = 0, qs = 0, bsums = 0).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  Q8_K_BLOCK_BYTES,
  dequantizeQ8KBlock,
  dequantizeRowQ8K,
  packQ8KBlock,
  quantizeQ8KBlock,
  quantizeQ8KBlockValues,
  quantizeRowQ8K,
  unpackQ8KBlock,
} from "../../../reference/codec/q8_k.js";
import { checkProperty } from "../../support/property.js";

const scratchF32 = new Float32Array(1);
const scratchI32 = new Int32Array(scratchF32.buffer);
/** nearest_int: float val = fval + 12582912.f; memcpy(&i, &val, 4); return (i & 0x007fffff) - 0x00400000; */
function cNearestInt(fval: number): number {
  scratchF32[0] = fval + 12582912; // fval is a float32; one rounding of the exact sum to float32
  return (scratchI32[0] & 0x007fffff) - 0x00400000;
}

/** Port of quantize_row_q8_K_ref for one block, serialized as block_q8_K (little-endian). */
function ggmlQuantizeQ8K(x: Float32Array): Uint8Array {
  let max = 0;
  let amax = 0;
  for (let j = 0; j < 256; j++) {
    const ax = Math.abs(x[j]);
    if (ax > amax) {
      amax = ax;
      max = x[j];
    }
  }
  const out = new Uint8Array(292);
  const view = new DataView(out.buffer);
  if (!amax) return out; // d = 0, qs = 0 (and the oracle's bsums = 0)
  const iscale = Math.fround(-127 / max);
  const qs = new Int8Array(256);
  for (let j = 0; j < 256; j++) {
    const v = cNearestInt(Math.fround(iscale * x[j]));
    qs[j] = Math.min(127, v); // int → int8_t: Int8Array stores modulo 2^8, as GCC converts
  }
  view.setFloat32(0, Math.fround(1 / iscale), true);
  for (let j = 0; j < 256; j++) view.setInt8(4 + j, qs[j]);
  for (let j = 0; j < 16; j++) {
    let sum = 0;
    for (let ii = 0; ii < 16; ii++) sum += qs[j * 16 + ii];
    view.setInt16(260 + 2 * j, sum, true);
  }
  return out;
}

/** Read a serialized block independently of unpackQ8KBlock. */
function readBlock(bytes: Uint8Array): { d: number; qs: number[]; bsums: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    d: view.getFloat32(0, true),
    qs: Array.from({ length: 256 }, (_, j) => view.getInt8(4 + j)),
    bsums: Array.from({ length: 16 }, (_, j) => view.getInt16(260 + 2 * j, true)),
  };
}

const block = (values: number[]): Float32Array => {
  const x = new Float32Array(256);
  x.set(values);
  return x;
};

/** Rows of 1..3 blocks: generic floats, small integers with many |x| ties, and exact-half grids. */
const blockArb = fc.oneof(
  fc
    .tuple(
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 256, maxLength: 256 }),
      fc.integer({ min: -30, max: 30 }),
    )
    .map(([v, k]) => Float32Array.from(v, (a) => a * 2 ** k)),
  fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 256, maxLength: 256 }).map((v) => Float32Array.from(v)), // many ties of |x|
  // max = −127·2^k makes iscale = 2^-k exactly, so x = (h/2)·2^k gives iscale·x = h/2: exact halves
  fc
    .tuple(
      fc.array(fc.integer({ min: -254, max: 254 }), { minLength: 256, maxLength: 256 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: -20, max: 20 }),
    )
    .map(([h, at, k]) => {
      const x = Float32Array.from(h, (v) => (v / 2) * 2 ** k);
      x[at] = -127 * 2 ** k;
      return x;
    }),
  fc
    .array(fc.float({ noNaN: true, min: Math.fround(-1e-3), max: Math.fround(1e-3) }), {
      minLength: 256,
      maxLength: 256,
    })
    .map((v) => Float32Array.from(v)),
);
const rowArb = fc.array(blockArb, { minLength: 1, maxLength: 3 }).map((blocks) => {
  const row = new Float32Array(256 * blocks.length);
  blocks.forEach((b, i) => row.set(b, 256 * i));
  return row;
});

describe("layout", () => {
  test("292 bytes: d (f32) + qs[256] (i8) + bsums[16] (i16)", () => {
    expect(Q8_K_BLOCK_BYTES).toBe(4 + 256 + 2 * 16);
  });
});

describe("quantizeRowQ8K", () => {
  test("equals the port of quantize_row_q8_K_ref, byte for byte, on random rows (property)", () => {
    checkProperty(
      "quantizeRowQ8K = ggml quantize_row_q8_K_ref",
      fc.property(rowArb, (x) => {
        const ours = quantizeRowQ8K(x);
        expect(ours.length).toBe((x.length / 256) * 292);
        for (let b = 0; b < x.length / 256; b++) {
          expect(Array.from(ours.subarray(292 * b, 292 * (b + 1)))).toEqual(
            Array.from(ggmlQuantizeQ8K(x.subarray(256 * b, 256 * (b + 1)))),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  test("the element with the largest |x| becomes −127 (never −128), its negation +127, and every q lies in [−127, 127] (property)", () => {
    checkProperty(
      "q8_K range and the −127 anchor",
      fc.property(blockArb, (x) => {
        const { qs } = quantizeQ8KBlockValues(x);
        let first = -1;
        let amax = 0;
        for (let j = 0; j < 256; j++) if (Math.abs(x[j]) > amax) [amax, first] = [Math.abs(x[j]), j];
        if (first < 0) return; // all zero: covered separately
        // An infinite max (iscale = ∓0) or |max| < 127/FLT_MAX (iscale overflows to ±inf) makes every
        // q 0: both are covered by their own tests below.
        const iscale = Math.fround(-127 / x[first]);
        if (!Number.isFinite(iscale) || iscale === 0) return;
        expect(qs[first]).toBe(-127);
        for (let j = 0; j < 256; j++) {
          expect(qs[j]).toBeGreaterThanOrEqual(-127);
          expect(qs[j]).toBeLessThanOrEqual(127);
          if (x[j] === -x[first] && x[j] !== 0) expect(qs[j]).toBe(127);
        }
      }),
      { numRuns: 150 },
    );
  });

  test("ties of |x|: the FIRST element with the largest |x| decides the sign of d", () => {
    // max = −5 first: iscale = −127/−5 = 25.4, d = 1/25.4 > 0; −5 → −127, +5 → +127
    const a = quantizeQ8KBlockValues(block([1, -5, 2, 5]));
    expect([a.qs[1], a.qs[3]]).toEqual([-127, 127]);
    expect(a.d).toBe(Math.fround(1 / Math.fround(-127 / -5)));
    expect(a.d).toBeGreaterThan(0);
    // +5 first: d < 0 and the signs of q flip
    const b = quantizeQ8KBlockValues(block([1, 5, 2, -5]));
    expect([b.qs[1], b.qs[3]]).toEqual([-127, 127]);
    expect(b.d).toBeLessThan(0);
    expect(b.d).toBe(-a.d);
  });

  test("exact halves of iscale·x round half to EVEN (nearest_int), not away from zero", () => {
    // max = −127 → iscale = −127/−127 = 1 exactly, so q = nearest_int(x).
    const x = block([-127, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, 126.5, -126.5]);
    const { qs, d } = quantizeQ8KBlockValues(x);
    expect(d).toBe(1);
    expect(Array.from(qs.subarray(0, 10))).toEqual([-127, 0, 0, 2, -2, 2, -2, 4, 126, -126]);
  });

  test("bsums are the sums of each 16 quants (property)", () => {
    checkProperty(
      "q8_K bsums = Σ qs[16j..16j+15]",
      fc.property(blockArb, (x) => {
        const { qs, bsums } = quantizeQ8KBlockValues(x);
        for (let j = 0; j < 16; j++) {
          let sum = 0;
          for (let i = 0; i < 16; i++) sum += qs[16 * j + i];
          expect(bsums[j]).toBe(sum);
        }
      }),
      { numRuns: 100 },
    );
  });

  test("an all-zero block (also −0) is d = 0, qs = 0, bsums = 0", () => {
    for (const fill of [0, -0]) {
      const bytes = quantizeQ8KBlock(new Float32Array(256).fill(fill));
      expect(Array.from(bytes)).toEqual(new Array(292).fill(0)); // +0.0f is all-zero bits
    }
  });

  test("a canonical NaN element never wins amax and quantizes to 0 (its low 23 bits after + 12582912.f are 0x400000)", () => {
    const { qs, d } = quantizeQ8KBlockValues(block([Number.NaN, -127, 64]));
    expect(d).toBe(1);
    expect([qs[0], qs[1], qs[2]]).toEqual([0, -127, 64]);
  });

  test("a tiny max overflows iscale to −inf: every q becomes 0 and d = −0, as the C expressions give", () => {
    // iscale = −127/1e-38 overflows float32 → −inf; −inf·x = −inf → nearest_int = −0x400000 → MIN(127, ·)
    // stays −4194304 → int8_t keeps the low byte 0x00; 0·(−inf) = NaN → 0. d = 1/−inf = −0.
    const x = block([1e-38, 0, -5e-39]);
    const ours = quantizeQ8KBlockValues(x);
    expect(Array.from(ours.qs).every((q) => q === 0)).toBe(true);
    expect(Object.is(ours.d, -0)).toBe(true);
    expect(Array.from(quantizeQ8KBlock(x))).toEqual(Array.from(ggmlQuantizeQ8K(x)));
  });

  test("an infinite max: iscale = −0, d = −inf, q = 0 (inf·−0 = NaN → 0)", () => {
    const x = block([3, Infinity, -2]);
    const ours = quantizeQ8KBlockValues(x);
    expect(ours.d).toBe(-Infinity);
    expect(Array.from(ours.qs).every((q) => q === 0)).toBe(true);
    expect(Array.from(quantizeQ8KBlock(x))).toEqual(Array.from(ggmlQuantizeQ8K(x)));
  });

  test.each([1, 255, 257])("a row of %i elements throws RangeError", (n) => {
    expect(() => quantizeRowQ8K(new Float32Array(n))).toThrow(RangeError);
  });
});

describe("pack / unpack", () => {
  const q8kBlockArb = fc.record({
    d: fc.float({ noNaN: true }),
    qs: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 256, maxLength: 256 }),
    bsums: fc.array(fc.integer({ min: -32768, max: 32767 }), { minLength: 16, maxLength: 16 }),
  });

  test("packQ8KBlock writes d, qs, bsums little-endian at offsets 0, 4, 260; unpack reads them back (property)", () => {
    checkProperty(
      "q8_K unpack(pack(b)) = b",
      fc.property(q8kBlockArb, fc.integer({ min: 0, max: 7 }), ({ d, qs, bsums }, offset) => {
        const bytes = packQ8KBlock({ d, qs: Int8Array.from(qs), bsums: Int16Array.from(bsums) });
        expect(bytes.length).toBe(292);
        expect(readBlock(bytes)).toEqual({ d, qs, bsums });
        // unpack from an unaligned view inside a larger buffer
        const host = new Uint8Array(292 + offset);
        host.set(bytes, offset);
        const back = unpackQ8KBlock(host.subarray(offset));
        expect(Object.is(back.d, d)).toBe(true);
        expect(Array.from(back.qs)).toEqual(qs);
        expect(Array.from(back.bsums)).toEqual(bsums);
      }),
      { numRuns: 200 },
    );
  });
});

describe("dequantize", () => {
  test("x[j] = d · q[j] in float32 (dequantize_row_q8_K: *y++ = x[i].d * x[i].qs[j]) (property)", () => {
    checkProperty(
      "dequantizeRowQ8K = d · q",
      fc.property(rowArb, (x) => {
        const bytes = quantizeRowQ8K(x);
        const w = dequantizeRowQ8K(bytes);
        for (let b = 0; b < x.length / 256; b++) {
          const { d, qs } = readBlock(bytes.subarray(292 * b, 292 * (b + 1)));
          const expected = Float32Array.from(qs, (q) => Math.fround(d * q));
          expect(Array.from(w.subarray(256 * b, 256 * (b + 1)))).toEqual(Array.from(expected));
          expect(Array.from(dequantizeQ8KBlock(bytes.subarray(292 * b, 292 * (b + 1))))).toEqual(Array.from(expected));
        }
      }),
      { numRuns: 100 },
    );
  });

  test("round trip: integer rows whose first max is −127·2^k come back exactly", () => {
    const x = block([-127 * 8, 8, -16, 127 * 8, 0, 3 * 8]);
    const back = dequantizeQ8KBlock(quantizeQ8KBlock(x));
    expect(Array.from(back)).toEqual(Array.from(x));
  });

  test.each([1, 291, 293])("dequantizing %i bytes throws RangeError", (n) => {
    expect(() => dequantizeRowQ8K(new Uint8Array(n))).toThrow(RangeError);
  });
});
