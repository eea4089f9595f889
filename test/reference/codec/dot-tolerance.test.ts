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
import {
  dotResultsAgree,
  ternaryDotErrorBound,
  ternaryDotMayOverflow,
} from "../../../reference/codec/dot-tolerance.js";
import { vecDotTq1_0Q8K, vecDotTq2_0Q8K } from "../../../reference/codec/dot.js";
import { f16BitsToF32 } from "../../../reference/codec/float16.js";
import { GgmlType } from "../../../reference/codec/ggml-type.js";
import { packQ8KBlock, quantizeRowQ8K } from "../../../reference/codec/q8_k.js";
import { packTq1Block } from "../../../reference/codec/tq1_0.js";
import { packTq2Block } from "../../../reference/codec/tq2_0.js";
import { fmaF32 } from "../../../reference/ggml-x86/fma.js";
import { vecDotTq1_0Q8KAvx2, vecDotTq2_0Q8KAvx2 } from "../../../reference/ggml-x86/tq-dot.js";
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

/**
 * ggml's generic order as GCC compiles it (FMA contraction on): `sumf += (float)sumi * d` becomes one
 * fused multiply-add, sumf = fl(sumi · d + sumf), where the reference rounds the product and the sum.
 */
function genericFmaDot(blocks: SimBlock[]): number {
  let sumf = 0;
  for (const { codes, qs, d } of blocks) {
    let sumi = 0;
    for (let e = 0; e < 256; e++) sumi += qs[e] * (codes[e] - 1);
    sumf = fmaF32(sumi, d, sumf);
  }
  return sumf;
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

  test.each([
    // [a, b, bound, agree] where some correct order may overflow (mayOverflow = true)
    [NaN, 0, 1e33, true], // a non-finite result on either side is correct there
    [0, Infinity, 1e33, true],
    [-Infinity, NaN, 1e33, true],
    [1e34, 0, 1e33, false], // two finite values still within the bound
    [5e32, 0, 1e33, true],
    [5, NaN, Infinity, false], // a non-finite scale still demands a non-finite result
  ])("dotResultsAgree(%d, %d, %d, mayOverflow) = %s", (a, b, bound, agree) => {
    expect(dotResultsAgree(a, b, bound, true)).toBe(agree);
  });
});

describe("ggml's generic C with FMA contraction (spec/formats.md §8.2)", () => {
  /** Both orders against the bound: agreement with the unfused reference, each within half of it of the exact value. */
  function expectWithinBound(input: DotInput): boolean {
    const { tq2, y, blocks } = build(input);
    const unfused = vecDotTq2_0Q8K(tq2, y);
    const fused = genericFmaDot(blocks);
    const bound = ternaryDotErrorBound(GgmlType.TQ2_0, tq2, y);
    expect(dotResultsAgree(fused, unfused, bound), `fused ${fused}, unfused ${unfused}, bound ${bound}`).toBe(true);
    expect(exactError(fused, blocks)).toBeLessThanOrEqual(bound / 2);
    return fused !== unfused;
  }

  test("property: the fused generic order agrees with the unfused one within the bound (random inputs)", () => {
    let differed = 0;
    checkProperty(
      "§8.2 bound covers FMA contraction",
      fc.property(inputsArb, (input) => {
        if (expectWithinBound(input)) differed++;
      }),
      { numRuns: 150 },
    );
    expect(differed).toBeGreaterThan(0); // the two roundings really differ from one
  });

  test("adversarial: cancelling blocks, a subnormal d_w·d_a, and the largest scales", () => {
    const ones = (n: number, v: number): number[] => Array.from({ length: n }, () => v);
    const block = (codes: number[], scaleBits: number) => ({ codes, scaleBits });
    const cases: DotInput[] = [
      // + big, − big (one scale step apart), + small: the second sum cancels to what the first rounding lost
      {
        weights: [block(ones(256, 2), 0x3c01), block(ones(256, 0), 0x3c00), block(ones(256, 2), 0x0400)],
        activations: Array.from({ length: 768 }, (_, i) => (i % 7) / 7 - 0.4),
        activationExponent: 0,
      },
      // d_w·d_a subnormal in float32: absolute, not relative, rounding
      {
        weights: [block(ones(256, 2), 0x0001), block(ones(256, 0), 0x0003)],
        activations: Array.from({ length: 512 }, (_, i) => Math.sin(i)),
        activationExponent: -30,
      },
      // the largest fp16 scale and activations near 2^120: finite, far from overflow
      {
        weights: [block(ones(256, 2), 0x7bff), block(ones(256, 0), 0xfbff)],
        activations: Array.from({ length: 512 }, (_, i) => Math.cos(i * 0.3)),
        activationExponent: 30,
      },
    ];
    let differed = 0;
    for (const input of cases) if (expectWithinBound(input)) differed++;
    expect(differed).toBeGreaterThan(0);
  });
});

describe("overflow at the float32 edge (spec/formats.md §8.2): ternaryDotMayOverflow", () => {
  test("all-zero weights at scale 65504, one activation 1e35: generic 0, ggml's AVX2 NaN, both accepted; no finite wrong value", () => {
    const x = new Float32Array(256);
    x[5] = 1e35;
    const y = quantizeRowQ8K(x);
    const codes = new Uint8Array(256).fill(1); // every weight 0: the exact dot product is 0
    for (const [format, weights, generic, avx2] of [
      [GgmlType.TQ2_0, packTq2Block(codes, 0x7bff), vecDotTq2_0Q8K, vecDotTq2_0Q8KAvx2],
      [GgmlType.TQ1_0, packTq1Block(codes, 0x7bff), vecDotTq1_0Q8K, vecDotTq1_0Q8KAvx2],
    ] as const) {
      expect(generic(weights, y)).toBe(0);
      expect(avx2(weights, y)).toBeNaN(); // lanes ±127·d overflow: +inf + −inf
      const bound = ternaryDotErrorBound(format, weights, y);
      expect(bound).toBeGreaterThan(7.8e33); // finite: the old rule demanded 0 ± 7.8e33
      expect(bound).toBeLessThan(7.9e33);
      const mayOverflow = ternaryDotMayOverflow(format, weights, y);
      expect(mayOverflow).toBe(true);
      expect(dotResultsAgree(avx2(weights, y), generic(weights, y), bound, mayOverflow)).toBe(true);
      expect(dotResultsAgree(avx2(weights, y), generic(weights, y), bound)).toBe(false); // the old rule
      expect(dotResultsAgree(1e34, generic(weights, y), bound, mayOverflow)).toBe(false);
    }
  });

  test("weights +1, activations 1.5·2^103: generic and AVX2 finite, but a split gathering c·q8 apart from −q8 overflows: flagged", () => {
    const input = {
      weights: [{ codes: new Array<number>(256).fill(2), scaleBits: 0x7bff }],
      activations: new Array<number>(256).fill(1.5),
      activationExponent: 103,
    };
    const { tq2, y, blocks } = build(input);
    expect(Number.isFinite(vecDotTq2_0Q8K(tq2, y))).toBe(true); // 256·127·d ≈ 2.6e38
    expect(Number.isFinite(vecDotTq2_0Q8KAvx2(tq2, y))).toBe(true);
    const lanes = (lane: number) => [new Array<number>(256).fill(lane)];
    expect(randomLaneDot(blocks, lanes(0), lanes(1))).toBe(Infinity); // lane 0: Σ c·q8·d = 2·256·127·d ≈ 5.1e38
    expect(ternaryDotMayOverflow(GgmlType.TQ2_0, tq2, y)).toBe(true); // P ≈ 5.1e38 ≥ Ω > N ≈ 2.6e38
  });

  test("false for ordinary inputs and for huge ones below the threshold", () => {
    checkProperty(
      "no overflow at ordinary magnitudes",
      fc.property(inputsArb, (input) => {
        const { tq1, tq2, y } = build(input);
        expect(ternaryDotMayOverflow(GgmlType.TQ2_0, tq2, y)).toBe(false);
        expect(ternaryDotMayOverflow(GgmlType.TQ1_0, tq1, y)).toBe(false);
      }),
      { numRuns: 50 },
    );
    const x = new Float32Array(256);
    x[5] = 1e32; // lanes ±127 · 65504 · 1e32/127: 6.6e36, A = 1.3e37 < 2^128
    const y = quantizeRowQ8K(x);
    expect(ternaryDotMayOverflow(GgmlType.TQ2_0, packTq2Block(new Uint8Array(256).fill(1), 0x7bff), y)).toBe(false);
  });

  test("property: every non-finite result of a correct order (generic, fused, AVX2, random splits) is flagged", () => {
    const hugeArb = fc.record({
      weights: fc.array(
        fc.record({
          codes: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 256, maxLength: 256 }),
          scaleBits: fc.oneof(fc.integer({ min: 0x7800, max: 0x7bff }), fc.integer({ min: 0xf800, max: 0xfbff })),
        }),
        { minLength: 1, maxLength: 4 },
      ),
      exponent: fc.integer({ min: 105, max: 115 }),
      seed: fc.integer({ min: 1, max: 1000 }),
    });
    let overflowed = 0;
    let unflagged = 0;
    checkProperty(
      "§8.2 overflow condition is sound",
      fc.property(hugeArb, ({ weights, exponent, seed }) => {
        const nb = weights.length;
        const activations = Array.from({ length: 256 * nb }, (_, i) => Math.sin(i * seed) * (i % 3 === 0 ? 1 : 0.01));
        const input = { weights, activations, activationExponent: exponent };
        const { tq1, tq2, y, blocks } = build(input);
        const lanes = (e: number) =>
          Array.from({ length: nb }, (_, i) => Array.from({ length: 256 }, (_, j) => (j * e + i) % 8));
        const results = [
          vecDotTq2_0Q8K(tq2, y),
          vecDotTq1_0Q8K(tq1, y),
          genericFmaDot(blocks),
          vecDotTq2_0Q8KAvx2(tq2, y),
          vecDotTq1_0Q8KAvx2(tq1, y),
          randomLaneDot(blocks, lanes(seed), lanes(seed + 3)),
        ];
        const mayOverflow = ternaryDotMayOverflow(GgmlType.TQ2_0, tq2, y);
        if (results.some((r) => !Number.isFinite(r))) {
          overflowed++;
          expect(mayOverflow).toBe(true);
        } else if (!mayOverflow) unflagged++;
      }),
      { numRuns: 100 },
    );
    expect(overflowed).toBeGreaterThan(0); // the property saw overflow, so it tested something
    expect(unflagged).toBeGreaterThan(0); // and inputs on both sides of the threshold
  });
});
