/**
 * reference/codec/dot-tolerance.ts — how far two correct float32 evaluations of a ternary · Q8_K
 * dot product may differ (spec/formats.md §8.2).
 *
 * The "other correct evaluation" is simulated here the way ggml's AVX2 kernel computes it
 * (ggml/src/ggml-cpu/arch/x86/quants.c, ggml_vec_dot_tq2_0_q8_K):
 *
 *   // 16-bit sums, because 256*127 still fits
 *   for (size_t j = 0; j < sizeof(x->qs); j += 32) {
 *       qx0..qx3 = (qs >> 0, 2, 4, 6) & 3                          // UNSIGNED codes 0..2
 *       qx_l = _mm256_maddubs_epi16(qx_l, qy_l);                  // qy_l = y[i].qs + j*4 + 32*l
 *       sumi0 = _mm256_add_epi16(sumi0, _mm256_add_epi16(qx0, qx1));
 *       sumi1 = _mm256_add_epi16(sumi1, _mm256_add_epi16(qx2, qx3));
 *   }
 *   const __m256i ysum = _mm256_loadu_si256((const __m256i *) y[i].bsums);
 *   const __m256 d = _mm256_set1_ps(y[i].d * GGML_CPU_FP16_TO_FP32(x[i].d));
 *   sumi0 = _mm256_add_epi16(sumi0, sumi1);
 *   sumi0 = _mm256_sub_epi16(sumi0, ysum);                          // minus bsums
 *   sumi0 = _mm256_madd_epi16(sumi0, _mm256_set1_epi16(1));        // 8 int32 lanes
 *   sumf = _mm256_add_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(sumi0), d), sumf);
 *   ...
 *   *s = hsum_float_8(sumf);
 *
 *   static inline float hsum_float_8(const __m256 x) {
 *       __m128 res = _mm256_extractf128_ps(x, 1);
 *       res = _mm_add_ps(res, _mm256_castps256_ps128(x));
 *       res = _mm_add_ps(res, _mm_movehl_ps(res, res));
 *       res = _mm_add_ss(res, _mm_movehdup_ps(res));
 *       return _mm_cvtss_f32(res);
 *   }
 *
 * The TQ1_0 AVX2 kernel splits lanes differently; the bound does not depend on the split, so the
 * TQ1_0 weights are run through the same 8-lane simulation, and a second simulation uses random splits.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { dotResultsAgree, ternaryDotErrorBound } from "../../../reference/codec/dot-tolerance.js";
import { vecDotTq1_0Q8K, vecDotTq2_0Q8K } from "../../../reference/codec/dot.js";
import { f16BitsToF32 } from "../../../reference/codec/float16.js";
import { GgmlType } from "../../../reference/codec/ggml-type.js";
import { packQ8KBlock, quantizeRowQ8K } from "../../../reference/codec/q8_k.js";
import { packTq1Block } from "../../../reference/codec/tq1_0.js";
import { packTq2Block } from "../../../reference/codec/tq2_0.js";
import { gammaF32 } from "../../../reference/tolerances/floating-point.js";
import { checkProperty } from "../../support/property.js";

/** One block as the kernels see it: codes 0..2 by element, q8, bsums, and the float32 d = d_a · d_w. */
interface SimBlock {
  codes: number[];
  qs: Int8Array;
  bsums: Int16Array;
  d: number;
}

/** Wrap to int16, as _mm256_add_epi16 / _mm256_sub_epi16 do. */
const i16 = (v: number): number => (v << 16) >> 16;

function hsumFloat8(acc: number[]): number {
  const r = [0, 1, 2, 3].map((k) => Math.fround(acc[k + 4] + acc[k])); // extractf128(x, 1) + low half
  const s0 = Math.fround(r[0] + r[2]); // movehl: [r2, r3, …]
  const s1 = Math.fround(r[1] + r[3]);
  return Math.fround(s0 + s1); // add_ss with movehdup: r'0 + r'1
}

/** The AVX2 TQ2_0 kernel's evaluation order, lane for lane. */
function avx2Dot(blocks: SimBlock[]): number {
  const acc = new Array<number>(8).fill(0);
  for (const { codes, qs, bsums, d } of blocks) {
    const lane16 = new Array<number>(16).fill(0);
    for (let j = 0; j < 2; j++)
      for (let l = 0; l < 4; l++)
        for (let b = 0; b < 32; b++) {
          const e = 128 * j + 32 * l + b; // byte b of the 32-byte vector, shift 2l: element (j·128) + 32l + b
          lane16[b >> 1] = i16(lane16[b >> 1] + codes[e] * qs[e]); // maddubs pairs bytes 2k, 2k+1 into int16 lane k
        }
    for (let k = 0; k < 16; k++) lane16[k] = i16(lane16[k] - bsums[k]);
    for (let m = 0; m < 8; m++) {
      const lane32 = lane16[2 * m] + lane16[2 * m + 1]; // madd_epi16 with ones
      acc[m] = Math.fround(Math.fround(Math.fround(lane32) * d) + acc[m]);
    }
  }
  return hsumFloat8(acc);
}

/** The same shape with an arbitrary split: element e's product goes to lane productLane[e], its −q8 to lane minusLane[e]. */
function randomLaneDot(blocks: SimBlock[], productLane: number[][], minusLane: number[][]): number {
  const acc = new Array<number>(8).fill(0);
  blocks.forEach(({ codes, qs, d }, i) => {
    const lanes = new Array<number>(8).fill(0);
    for (let e = 0; e < 256; e++) {
      lanes[productLane[i][e]] += codes[e] * qs[e];
      lanes[minusLane[i][e]] -= qs[e];
    }
    for (let m = 0; m < 8; m++) acc[m] = Math.fround(Math.fround(Math.fround(lanes[m]) * d) + acc[m]);
  });
  return hsumFloat8(acc);
}

/** A finite float32 as m · 2^(e) with e ≥ −149, m a BigInt. */
function decompose(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  const sign = bits >>> 31 ? -1n : 1n;
  const exponent = (bits >>> 23) & 0xff;
  const fraction = BigInt(bits & 0x7fffff);
  return exponent === 0 ? { m: sign * fraction, e: -149 } : { m: sign * (fraction | 0x800000n), e: exponent - 150 };
}

/** |result − Σ_i sumi_i · d_i|, computed exactly (BigInt in units of 2^-149), then converted to a double. */
function exactError(result: number, blocks: SimBlock[]): number {
  let exact = 0n;
  for (const { codes, qs, d } of blocks) {
    let sumi = 0;
    for (let e = 0; e < 256; e++) sumi += qs[e] * (codes[e] - 1);
    const { m, e } = decompose(d);
    exact += BigInt(sumi) * m * (1n << BigInt(e + 149));
  }
  const r = decompose(result);
  const diff = r.m * (1n << BigInt(r.e + 149)) - exact;
  return Number(diff < 0n ? -diff : diff) * 2 ** -149;
}

/** Random dot-product inputs: nb blocks of codes 0..2 with fp16 scales, and quantized activations. */
const inputsArb = fc.integer({ min: 1, max: 8 }).chain((nb) =>
  fc.record({
    weights: fc.array(
      fc.record({
        codes: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 256, maxLength: 256 }),
        scaleBits: fc.oneof(fc.integer({ min: 0x0001, max: 0x7bff }), fc.integer({ min: 0x8001, max: 0xfbff })),
      }),
      { minLength: nb, maxLength: nb },
    ),
    activations: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -1, max: 1 }), {
      minLength: 256 * nb,
      maxLength: 256 * nb,
    }),
    activationExponent: fc.integer({ min: -30, max: 30 }),
    productLane: fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 256, maxLength: 256 }), {
      minLength: nb,
      maxLength: nb,
    }),
    minusLane: fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 256, maxLength: 256 }), {
      minLength: nb,
      maxLength: nb,
    }),
  }),
);

interface DotInput {
  weights: Array<{ codes: number[]; scaleBits: number }>;
  activations: number[];
  activationExponent: number;
}

function build(input: DotInput): { tq1: Uint8Array; tq2: Uint8Array; y: Uint8Array; blocks: SimBlock[] } {
  const nb = input.weights.length;
  const y = quantizeRowQ8K(Float32Array.from(input.activations, (a) => a * 2 ** input.activationExponent));
  const tq1 = new Uint8Array(54 * nb);
  const tq2 = new Uint8Array(66 * nb);
  const blocks: SimBlock[] = [];
  input.weights.forEach(({ codes, scaleBits }, i) => {
    tq1.set(packTq1Block(Uint8Array.from(codes), scaleBits), 54 * i);
    tq2.set(packTq2Block(Uint8Array.from(codes), scaleBits), 66 * i);
    const view = new DataView(y.buffer, 292 * i, 292);
    const qs = Int8Array.from({ length: 256 }, (_, j) => view.getInt8(4 + j));
    const bsums = Int16Array.from({ length: 16 }, (_, j) => view.getInt16(260 + 2 * j, true));
    blocks.push({ codes, qs, bsums, d: Math.fround(view.getFloat32(0, true) * f16BitsToF32(scaleBits)) });
  });
  return { tq1, tq2, y, blocks };
}

describe("ternaryDotErrorBound", () => {
  test("one hand-made block: 2·γ_(nb+4)·A + 2·8·(nb+1)·2^-149 with A = |d|·Σ|q8|·(code+1)", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2;
    codes[1] = 0;
    const qs = new Int8Array(256);
    qs[0] = 10;
    qs[1] = -20;
    qs[2] = 5; // code 1 (weight 0) still counts: |5|·(1+1)
    const bsums = new Int16Array(16);
    bsums[0] = 10 - 20 + 5;
    const y = packQ8KBlock({ d: 0.25, qs, bsums });
    const x = packTq2Block(codes, 0x4000); // d_w = 2
    const a = 0.5 * (10 * 3 + 20 * 1 + 5 * 2); // |d| = |0.25 · 2|
    const expected = 2 * gammaF32(1 + 4) * a + 2 * 8 * (1 + 1) * 2 ** -149;
    expect(ternaryDotErrorBound(GgmlType.TQ2_0, x, y)).toBe(expected);
    expect(ternaryDotErrorBound(GgmlType.TQ1_0, packTq1Block(codes, 0x4000), y)).toBe(expected);
  });

  test("is infinite when a block's d_w·d_a is not finite (inf or NaN scale, or float32 overflow of the product)", () => {
    const codes = new Uint8Array(256).fill(1);
    const y = packQ8KBlock({ d: 1, qs: new Int8Array(256), bsums: new Int16Array(16) });
    expect(ternaryDotErrorBound(GgmlType.TQ2_0, packTq2Block(codes, 0x7c00), y)).toBe(Infinity);
    expect(ternaryDotErrorBound(GgmlType.TQ1_0, packTq1Block(codes, 0x7e00), y)).toBe(Infinity);
    const huge = packQ8KBlock({ d: 1e35, qs: new Int8Array(256), bsums: new Int16Array(16) });
    expect(ternaryDotErrorBound(GgmlType.TQ2_0, packTq2Block(codes, 0x7bff), huge)).toBe(Infinity); // 65504 · 1e35 > FLT_MAX
  });

  test(
    "the generic result and a simulated AVX2 (8 lanes, unsigned codes × q8 − bsums, lanes × d, " +
      "hsum_float_8) agree within the bound, and each is within half of it of the exact value (property)",
    () => {
      let differed = 0;
      checkProperty(
        "§8.2 bound holds for generic vs simulated AVX2",
        fc.property(inputsArb, (input) => {
          const { tq1, tq2, y, blocks } = build(input);
          const generic2 = vecDotTq2_0Q8K(tq2, y);
          const generic1 = vecDotTq1_0Q8K(tq1, y);
          const avx = avx2Dot(blocks);
          const split = randomLaneDot(blocks, input.productLane, input.minusLane);
          const bound2 = ternaryDotErrorBound(GgmlType.TQ2_0, tq2, y);
          const bound1 = ternaryDotErrorBound(GgmlType.TQ1_0, tq1, y);
          expect(bound1).toBe(bound2); // the bound depends on the decoded codes only
          expect(Number.isFinite(bound2)).toBe(true);
          for (const other of [avx, split]) {
            expect(
              dotResultsAgree(generic2, other, bound2),
              `generic ${generic2}, other ${other}, bound ${bound2}`,
            ).toBe(true);
            expect(dotResultsAgree(generic1, other, bound1)).toBe(true);
          }
          // Each evaluation is within γ_k·A (+ underflow slack) of the exact value: half the bound.
          for (const r of [generic2, avx, split]) expect(exactError(r, blocks)).toBeLessThanOrEqual(bound2 / 2);
          if (avx !== generic2) differed++;
        }),
        { numRuns: 150 },
      );
      // The orders really differ in float32 (otherwise this test would prove nothing about the tolerance).
      expect(differed).toBeGreaterThan(0);
    },
  );

  test("the bound is not vacuous: it is below 2^-18 of A for up to 8 blocks (2·γ_12 ≈ 1.4e-6)", () => {
    expect(2 * gammaF32(12)).toBeLessThan(2 ** -18);
  });

  test("non-finite scales: the generic result and a simulated AVX2 result are both non-finite and agree under the infinite bound", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2;
    const qs = new Int8Array(256);
    qs[0] = 3;
    qs[1] = 4; // element 1 has code 1: a lane whose codes·q8 minus bsums is 0 makes 0·inf = NaN in AVX2
    const bsums = new Int16Array(16);
    bsums[0] = 7;
    const y = packQ8KBlock({ d: 1, qs, bsums });
    const x = packTq2Block(codes, 0x7c00);
    const generic = vecDotTq2_0Q8K(x, y);
    const avx = avx2Dot([{ codes: Array.from(codes), qs, bsums, d: Infinity }]);
    expect(generic).toBe(Infinity); // sumi = 3 → 3·inf
    expect(avx).toBeNaN(); // lanes with a 0 partial sum give 0·inf
    const bound = ternaryDotErrorBound(GgmlType.TQ2_0, x, y);
    expect(bound).toBe(Infinity);
    expect(dotResultsAgree(generic, avx, bound)).toBe(true);
    expect(dotResultsAgree(3, avx, bound)).toBe(false); // a finite answer is wrong here
  });
});

describe("dotResultsAgree", () => {
  test.each([
    // [a, b, bound, agree]
    [1, 1, 0, true],
    [1, 1.5, 0.5, true], // |a − b| ≤ bound is inclusive
    [1, 1.5000001, 0.5, false],
    [-2, -2.25, 0.5, true],
    [NaN, NaN, 1, false], // with a finite bound both must be finite
    [NaN, 1, 1, false],
    [Infinity, Infinity, 1, false],
    [1e30, 1e30, 1e40, true],
    [Infinity, NaN, Infinity, true], // infinite bound: both non-finite
    [NaN, NaN, Infinity, true],
    [-Infinity, Infinity, Infinity, true],
    [Infinity, 5, Infinity, false], // one finite → disagree
    [5, 5, Infinity, false], // even equal finite values: a non-finite scale cannot give a finite product
  ])("dotResultsAgree(%d, %d, %d) = %s", (a, b, bound, agree) => {
    expect(dotResultsAgree(a, b, bound)).toBe(agree);
  });
});
