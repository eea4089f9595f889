/**
 * reference/codec/dot.ts — ternary · Q8_K dot products in ggml's generic order (spec/formats.md §8.1).
 *
 * Oracle: independent loops over the raw bytes, written like ggml's generic C
 * (ggml/src/ggml-cpu/quants.c):
 *
 *   void ggml_vec_dot_tq2_0_q8_K_generic(int n, float * GGML_RESTRICT s, size_t bs, const void * GGML_RESTRICT vx, ...) {
 *       ...
 *       float sumf = 0.0f;
 *       for (int i = 0; i < nb; ++i) {
 *           int32_t sumi = 0;
 *           for (size_t j = 0; j < sizeof(x->qs); j += 32) {
 *               for (size_t l = 0; l < 4; ++l) {
 *                   for (size_t k = 0; k < 32; ++k) {
 *                       sumi += y[i].qs[j*4 + l*32 + k] * (((x[i].qs[j + k] >> (l*2)) & 3) - 1);
 *                   }
 *               }
 *           }
 *           const float d = y[i].d * GGML_CPU_FP16_TO_FP32(x[i].d);
 *           sumf += (float) sumi * d;
 *       }
 *       *s = sumf;
 *   }
 *
 *   void ggml_vec_dot_tq1_0_q8_K_generic(...) {
 *       ...
 *       const uint8_t pow3[6] = {1, 3, 9, 27, 81, 243};
 *       float sumf = 0.0f;
 *       for (int i = 0; i < nb; ++i) {
 *           int sum = 0;
 *           for (size_t j = 0; j < sizeof(x->qs) - sizeof(x->qs) % 32; j += 32) {
 *               for (size_t l = 0; l < 5; ++l) {
 *                   for (size_t m = 0; m < 32; ++m) {
 *                       uint8_t q = x[i].qs[j + m] * pow3[l];
 *                       uint16_t xi = ((uint16_t) q * 3) >> 8;
 *                       sum += (xi - 1) * y[i].qs[j*5 + l*32 + m];
 *                   }
 *               }
 *           }
 *           for (size_t j = sizeof(x->qs) - sizeof(x->qs) % 32; j < sizeof(x->qs); j += 16) {
 *               for (size_t l = 0; l < 5; ++l) {
 *                   for (size_t m = 0; m < 16; ++m) {
 *                       uint8_t q = x[i].qs[j + m] * pow3[l];
 *                       uint16_t xi = ((uint16_t) q * 3) >> 8;
 *                       sum += (xi - 1) * y[i].qs[j*5 + l*16 + m];
 *                   }
 *               }
 *           }
 *           for (size_t l = 0; l < 4; ++l) {
 *               for (size_t j = 0; j < sizeof(x->qh); ++j) {
 *                   uint8_t q = x[i].qh[j] * pow3[l];
 *                   uint16_t xi = ((uint16_t) q * 3) >> 8;
 *                   sum += (xi - 1) * y[i].qs[sizeof(x->qs)*5 + l*sizeof(x->qh) + j];
 *               }
 *           }
 *           sumf += (float) sum * (GGML_CPU_FP16_TO_FP32(x[i].d) * y[i].d);
 *       }
 *       *s = sumf;
 *   }
 *
 * With FLT_EVAL_METHOD 0 every float operation rounds to float32 (Math.fround here). A build that
 * contracts `sumf += (float) sum * d` into an FMA differs in the last bits; §8.2's tolerance covers it.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { vecDotQ8_0Q8_0, vecDotTq1_0Q8K, vecDotTq2_0Q8K } from "../../../reference/codec/dot.js";
import { f16BitsToF32 } from "../../../reference/codec/float16.js";
import { quantizeRowQ8_0 } from "../../../reference/codec/q8_0.js";
import { packQ8KBlock, quantizeRowQ8K } from "../../../reference/codec/q8_k.js";
import { packTq1Block, quantizeRowTq1_0 } from "../../../reference/codec/tq1_0.js";
import { packTq2Block, quantizeRowTq2_0 } from "../../../reference/codec/tq2_0.js";
import { checkProperty } from "../../support/property.js";

// GGML_CPU_FP16_TO_FP32 is f16BitsToF32, verified bit-exactly against ggml in float16.test.ts.

const POW3 = [1, 3, 9, 27, 81, 243];

interface Q8KView {
  d: number;
  qs: Int8Array;
}
/** Read block i of a Q8_K row: d (float32 at +0), qs (int8 at +4). */
function q8kBlock(bytes: Uint8Array, i: number): Q8KView {
  const base = bytes.byteOffset + 292 * i;
  return { d: new DataView(bytes.buffer, base, 4).getFloat32(0, true), qs: new Int8Array(bytes.buffer, base + 4, 256) };
}

function genericTq2(x: Uint8Array, y: Uint8Array): number {
  const nb = x.length / 66;
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const xqs = x.subarray(66 * i, 66 * i + 64);
    const xd = x[66 * i + 64] | (x[66 * i + 65] << 8);
    const yi = q8kBlock(y, i);
    let sumi = 0;
    for (let j = 0; j < 64; j += 32)
      for (let l = 0; l < 4; l++)
        for (let k = 0; k < 32; k++) sumi += yi.qs[j * 4 + l * 32 + k] * (((xqs[j + k] >> (l * 2)) & 3) - 1);
    const d = Math.fround(yi.d * f16BitsToF32(xd));
    sumf = Math.fround(sumf + Math.fround(Math.fround(sumi) * d));
  }
  return sumf;
}

function genericTq1(x: Uint8Array, y: Uint8Array): number {
  const nb = x.length / 54;
  let sumf = 0;
  for (let i = 0; i < nb; i++) {
    const qs = x.subarray(54 * i, 54 * i + 48);
    const qh = x.subarray(54 * i + 48, 54 * i + 52);
    const xd = x[54 * i + 52] | (x[54 * i + 53] << 8);
    const yi = q8kBlock(y, i);
    let sum = 0;
    for (let j = 0; j < 32; j += 32)
      for (let l = 0; l < 5; l++)
        for (let m = 0; m < 32; m++) {
          const q = (qs[j + m] * POW3[l]) & 0xff;
          const xi = (q * 3) >> 8;
          sum += (xi - 1) * yi.qs[j * 5 + l * 32 + m];
        }
    for (let j = 32; j < 48; j += 16)
      for (let l = 0; l < 5; l++)
        for (let m = 0; m < 16; m++) {
          const q = (qs[j + m] * POW3[l]) & 0xff;
          const xi = (q * 3) >> 8;
          sum += (xi - 1) * yi.qs[j * 5 + l * 16 + m];
        }
    for (let l = 0; l < 4; l++)
      for (let j = 0; j < 4; j++) {
        const q = (qh[j] * POW3[l]) & 0xff;
        const xi = (q * 3) >> 8;
        sum += (xi - 1) * yi.qs[48 * 5 + l * 4 + j];
      }
    sumf = Math.fround(sumf + Math.fround(Math.fround(sum) * Math.fround(f16BitsToF32(xd) * yi.d)));
  }
  return sumf;
}

const sameFloat = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** Activations as Q8_K rows, made by the reference quantizer from floats of varied magnitude. */
const activationsArb = (blocks: number): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(
      fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1, max: 1 }), {
        minLength: 256 * blocks,
        maxLength: 256 * blocks,
      }),
      fc.integer({ min: -20, max: 20 }),
    )
    .map(([v, k]) => quantizeRowQ8K(Float32Array.from(v, (a) => a * 2 ** k)));

describe("vecDotTq2_0Q8K", () => {
  test("equals ggml's generic loop on arbitrary TQ2_0 bytes (code 3 and any scale included) and arbitrary Q8_K bytes (property)", () => {
    checkProperty(
      "vecDotTq2_0Q8K = ggml_vec_dot_tq2_0_q8_K_generic",
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((nb) =>
            fc.tuple(
              fc.uint8Array({ minLength: 66 * nb, maxLength: 66 * nb }),
              fc.uint8Array({ minLength: 292 * nb, maxLength: 292 * nb }),
            ),
          ),
        ([x, y]) => {
          const ours = vecDotTq2_0Q8K(x, y);
          const ggml = genericTq2(x, y);
          expect(sameFloat(ours, ggml), `ours ${ours}, ggml ${ggml}`).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("equals ggml's generic loop on realistic rows: quantized weights, quantized activations (property)", () => {
    checkProperty(
      "vecDotTq2_0Q8K = generic on quantized rows",
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((nb) =>
          fc.tuple(
            fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 }), {
              minLength: 256 * nb,
              maxLength: 256 * nb,
            }),
            activationsArb(nb),
          ),
        ),
        ([w, y]) => {
          const x = quantizeRowTq2_0(Float32Array.from(w));
          expect(Object.is(vecDotTq2_0Q8K(x, y), genericTq2(x, y))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("vecDotTq1_0Q8K", () => {
  test("equals ggml's generic loop on arbitrary TQ1_0 bytes (aliases and any scale included) and arbitrary Q8_K bytes (property)", () => {
    checkProperty(
      "vecDotTq1_0Q8K = ggml_vec_dot_tq1_0_q8_K_generic",
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((nb) =>
            fc.tuple(
              fc.uint8Array({ minLength: 54 * nb, maxLength: 54 * nb }),
              fc.uint8Array({ minLength: 292 * nb, maxLength: 292 * nb }),
            ),
          ),
        ([x, y]) => {
          const ours = vecDotTq1_0Q8K(x, y);
          const ggml = genericTq1(x, y);
          expect(sameFloat(ours, ggml), `ours ${ours}, ggml ${ggml}`).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("both formats", () => {
  test("the same ternary weights packed as TQ1_0 and as TQ2_0 give identical dot products (property)", () => {
    checkProperty(
      "dot(TQ1_0 w, a) = dot(TQ2_0 w, a)",
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((nb) =>
            fc.tuple(
              fc.array(
                fc.tuple(
                  fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 256, maxLength: 256 }),
                  fc.integer({ min: 0, max: 0x7bff }),
                ),
                { minLength: nb, maxLength: nb },
              ),
              activationsArb(nb),
            ),
          ),
        ([blocks, y]) => {
          const tq1 = new Uint8Array(54 * blocks.length);
          const tq2 = new Uint8Array(66 * blocks.length);
          blocks.forEach(([codes, scaleBits], i) => {
            tq1.set(packTq1Block(Uint8Array.from(codes), scaleBits), 54 * i);
            tq2.set(packTq2Block(Uint8Array.from(codes), scaleBits), 66 * i);
          });
          const a = vecDotTq1_0Q8K(tq1, y);
          const b = vecDotTq2_0Q8K(tq2, y);
          expect(Object.is(a, b), `tq1 ${a}, tq2 ${b}`).toBe(true);
          expect(Object.is(a, genericTq1(tq1, y))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  test("identical also when both come from the reference quantizers on the same float row", () => {
    const w = Float32Array.from({ length: 512 }, (_, e) => Math.sin(e * 0.7) * 3);
    const y = quantizeRowQ8K(Float32Array.from({ length: 512 }, (_, e) => Math.cos(e * 1.3)));
    expect(Object.is(vecDotTq1_0Q8K(quantizeRowTq1_0(w), y), vecDotTq2_0Q8K(quantizeRowTq2_0(w), y))).toBe(true);
  });

  test("accumulates in float32, block by block: 1 + 2^-24 + 2^-24 stays 1 (a double accumulator would give 1 + 2^-23)", () => {
    // Three blocks, each with one +1 weight against q8 = 1: sumi = 1 per block.
    // Block scales: d_w = 1.0 (0x3c00), then 2^-24 twice (0x0001); d_a = 1 → products 1, 2^-24, 2^-24.
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2;
    const qs = new Int8Array(256);
    qs[0] = 1;
    const bsums = new Int16Array(16);
    bsums[0] = 1;
    const act = packQ8KBlock({ d: 1, qs, bsums });
    const y = new Uint8Array(3 * 292);
    for (let i = 0; i < 3; i++) y.set(act, 292 * i);
    const tq2 = new Uint8Array(3 * 66);
    const tq1 = new Uint8Array(3 * 54);
    [0x3c00, 0x0001, 0x0001].forEach((h, i) => {
      tq2.set(packTq2Block(codes, h), 66 * i);
      tq1.set(packTq1Block(codes, h), 54 * i);
    });
    expect(vecDotTq2_0Q8K(tq2, y)).toBe(1); // float32: 1 + 2^-24 ties to even (1), twice
    expect(vecDotTq1_0Q8K(tq1, y)).toBe(1);
    expect(1 + 2 ** -24 + 2 ** -24).toBe(1 + 2 ** -23); // what double accumulation would have produced
  });

  test("a code-3 TQ2_0 weight counts as +2 (ggml's ((q >> 2l) & 3) − 1)", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[5] = 3;
    const qs = new Int8Array(256);
    qs[5] = 7;
    const y = packQ8KBlock({ d: 1, qs, bsums: new Int16Array(16) });
    expect(vecDotTq2_0Q8K(packTq2Block(codes, 0x3c00), y)).toBe(14);
  });

  test("non-finite scales: an infinite weight scale gives ±inf, or NaN when sumi = 0", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2;
    const qs = new Int8Array(256);
    qs[0] = 3;
    const y = packQ8KBlock({ d: 0.5, qs, bsums: new Int16Array(16) });
    expect(vecDotTq2_0Q8K(packTq2Block(codes, 0x7c00), y)).toBe(Infinity);
    expect(vecDotTq2_0Q8K(packTq2Block(codes, 0xfc00), y)).toBe(-Infinity);
    expect(vecDotTq2_0Q8K(packTq2Block(new Uint8Array(256).fill(1), 0x7c00), y)).toBeNaN(); // 0 · inf
  });

  test("an empty row is 0; mismatched block counts throw RangeError", () => {
    expect(vecDotTq2_0Q8K(new Uint8Array(0), new Uint8Array(0))).toBe(0);
    expect(vecDotTq1_0Q8K(new Uint8Array(0), new Uint8Array(0))).toBe(0);
    expect(() => vecDotTq2_0Q8K(new Uint8Array(66), new Uint8Array(584))).toThrow(RangeError);
    expect(() => vecDotTq2_0Q8K(new Uint8Array(65), new Uint8Array(292))).toThrow(RangeError);
    expect(() => vecDotTq1_0Q8K(new Uint8Array(108), new Uint8Array(292))).toThrow(RangeError);
    expect(() => vecDotTq1_0Q8K(new Uint8Array(54), new Uint8Array(291))).toThrow(RangeError);
  });
});

/*
 * ggml_vec_dot_q8_0_q8_0_generic (ggml/src/ggml-cpu/quants.c):
 *
 *   for (; ib < nb; ++ib) {
 *       int sumi = 0;
 *       for (int j = 0; j < qk; j++) {
 *           sumi += x[ib].qs[j]*y[ib].qs[j];
 *       }
 *       sumf += sumi*(GGML_CPU_FP16_TO_FP32(x[ib].d)*GGML_CPU_FP16_TO_FP32(y[ib].d));
 *   }
 */
function genericQ8_0(x: Uint8Array, y: Uint8Array): number {
  let sumf = 0;
  for (let ib = 0; ib < x.length / 34; ib++) {
    const xb = x.subarray(34 * ib, 34 * (ib + 1));
    const yb = y.subarray(34 * ib, 34 * (ib + 1));
    const xqs = new Int8Array(xb.buffer, xb.byteOffset + 2, 32);
    const yqs = new Int8Array(yb.buffer, yb.byteOffset + 2, 32);
    let sumi = 0;
    for (let j = 0; j < 32; j++) sumi += xqs[j] * yqs[j];
    const d = Math.fround(f16BitsToF32(xb[0] | (xb[1] << 8)) * f16BitsToF32(yb[0] | (yb[1] << 8)));
    sumf = Math.fround(sumf + Math.fround(sumi * d)); // int * float: sumi converted to float (exact, |sumi| ≤ 2^19)
  }
  return sumf;
}

describe("vecDotQ8_0Q8_0", () => {
  test("equals ggml's generic loop on arbitrary Q8_0 bytes (property)", () => {
    checkProperty(
      "vecDotQ8_0Q8_0 = ggml_vec_dot_q8_0_q8_0_generic",
      fc.property(
        fc
          .integer({ min: 0, max: 8 })
          .chain((nb) =>
            fc.tuple(
              fc.uint8Array({ minLength: 34 * nb, maxLength: 34 * nb }),
              fc.uint8Array({ minLength: 34 * nb, maxLength: 34 * nb }),
            ),
          ),
        ([x, y]) => {
          const ours = vecDotQ8_0Q8_0(x, y);
          const ggml = genericQ8_0(x, y);
          expect(sameFloat(ours, ggml), `ours ${ours}, ggml ${ggml}`).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("on quantized rows it approximates the float dot product", () => {
    const a = Float32Array.from({ length: 96 }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: 96 }, (_, i) => Math.cos(i * 0.3));
    let exact = 0;
    for (let i = 0; i < 96; i++) exact += a[i] * b[i];
    const dot = vecDotQ8_0Q8_0(quantizeRowQ8_0(a), quantizeRowQ8_0(b));
    expect(Object.is(dot, genericQ8_0(quantizeRowQ8_0(a), quantizeRowQ8_0(b)))).toBe(true);
    expect(Math.abs(dot - exact)).toBeLessThan(0.05); // 96 terms, each off by about 1/127 relative
  });

  test("mismatched or partial blocks throw RangeError", () => {
    expect(() => vecDotQ8_0Q8_0(new Uint8Array(34), new Uint8Array(68))).toThrow(RangeError);
    expect(() => vecDotQ8_0Q8_0(new Uint8Array(33), new Uint8Array(33))).toThrow(RangeError);
  });
});
