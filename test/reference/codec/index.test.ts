/**
 * reference/codec/index.ts — the codec as one table: quantizeRow / dequantizeRow for every
 * ggml type, and the module's re-exports.
 *
 * Expected bytes come from the per-type codecs (tested on their own in the sibling files) and,
 * for F32/F16/BF16, from the little-endian layouts of ggml's float, ggml_fp16_t and ggml_bf16_t.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import * as axisPermute from "../../../reference/codec/axis-permute.js";
import * as bfloat16 from "../../../reference/codec/bfloat16.js";
import * as bitnetCppType from "../../../reference/codec/bitnet-cpp-type.js";
import * as bitnetLutConfig from "../../../reference/codec/bitnet-lut-config.js";
import * as blockScale from "../../../reference/codec/block-scale.js";
import * as dotTolerance from "../../../reference/codec/dot-tolerance.js";
import * as dot from "../../../reference/codec/dot.js";
import * as floatBits from "../../../reference/codec/float-bits.js";
import * as float16 from "../../../reference/codec/float16.js";
import * as ggmlType from "../../../reference/codec/ggml-type.js";
import * as hfBitnet from "../../../reference/codec/hf-bitnet.js";
import * as i2sDot from "../../../reference/codec/i2_s-dot.js";
import * as i2sMatmul from "../../../reference/codec/i2_s-matmul.js";
import * as i2_s from "../../../reference/codec/i2_s.js";
import * as i8_s from "../../../reference/codec/i8_s.js";
import * as kAffineBlock from "../../../reference/codec/k-affine-block.js";
import * as kQuantSearch from "../../../reference/codec/k-quant-search.js";
import * as kScaleMin from "../../../reference/codec/k-scale-min.js";
import * as kquantDot from "../../../reference/codec/kquant-dot.js";
import * as codec from "../../../reference/codec/index.js";
import * as q4_0 from "../../../reference/codec/q4_0.js";
import * as q4_k from "../../../reference/codec/q4_k.js";
import * as q5_k from "../../../reference/codec/q5_k.js";
import * as q6_k from "../../../reference/codec/q6_k.js";
import * as q8_0 from "../../../reference/codec/q8_0.js";
import * as q8_k from "../../../reference/codec/q8_k.js";
import * as rounding from "../../../reference/codec/rounding.js";
import * as row from "../../../reference/codec/row.js";
import * as tlLut from "../../../reference/codec/tl-lut.js";
import * as tl1 from "../../../reference/codec/tl1.js";
import * as tl2 from "../../../reference/codec/tl2.js";
import * as tq1_0 from "../../../reference/codec/tq1_0.js";
import * as tq2_0 from "../../../reference/codec/tq2_0.js";
import * as trirun from "../../../reference/codec/trirun.js";
import * as trirunConvert from "../../../reference/codec/trirun-convert.js";
import * as trirunDequant from "../../../reference/codec/trirun-dequant.js";
import * as trirunFragment from "../../../reference/codec/trirun-fragment.js";
import * as trirunMatmul from "../../../reference/codec/trirun-matmul.js";
import * as validate from "../../../reference/codec/validate.js";
import * as w2a8Matmul from "../../../reference/codec/w2a8-matmul.js";
import * as w2a8 from "../../../reference/codec/w2a8.js";
import { checkProperty } from "../../support/property.js";

const { GgmlType, dequantizeRow, quantizeRow, ggmlTypeTraits } = codec;
type GgmlType = codec.GgmlType;

const ALL_TYPES: GgmlType[] = [
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.Q4_0,
  GgmlType.Q8_0,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
  GgmlType.Q8_K,
  GgmlType.BF16,
  GgmlType.TQ1_0,
  GgmlType.TQ2_0,
];

const bitsOf = (x: Float32Array): number[] => Array.from(new Uint32Array(new Float32Array(x).buffer));

/**
 * Rows that each type stores exactly (decode(encode(x)) = x bit for bit), n a multiple of the block size:
 *  F32: any non-NaN float32; F16: fp16 values; BF16: bf16 values; Q8_0: q·d with d an fp16 and some |q| = 127;
 *  Q8_K: q·2^k with the first largest element −127·2^k (iscale = 2^-k, d = 2^k exactly);
 *  TQ1_0 / TQ2_0: trits × one positive fp16 scale per block; Q4_0: q·d, q ∈ −8..7, d an fp16, the first largest
 *  |q| being −8; Q4_K / Q5_K: all +0 rows, Q6_K: all −0 rows (their scale searches make no wider family exact; the ggml KATs
 *  in q4_k/q5_k/q6_k.test.ts test them).
 */
function exactRowArb(type: GgmlType): fc.Arbitrary<Float32Array> {
  const blockSize = ggmlTypeTraits(type)!.blockSize;
  const blocksArb = fc.integer({ min: 0, max: blockSize === 1 ? 64 : 3 });
  switch (type) {
    case GgmlType.F32:
      return fc.array(fc.float({ noNaN: true }), { maxLength: 64 }).map((v) => Float32Array.from(v));
    case GgmlType.F16:
      return fc
        .array(
          fc.integer({ min: 0, max: 0xffff }).filter((h) => (h & 0x7c00) !== 0x7c00 || (h & 0x3ff) === 0),
          { maxLength: 64 },
        )
        .map((hs) => Float32Array.from(hs, float16.f16BitsToF32));
    case GgmlType.BF16:
      return fc
        .array(
          fc.integer({ min: 0, max: 0xffff }).filter((h) => (h & 0x7f80) !== 0x7f80 || (h & 0x7f) === 0),
          { maxLength: 64 },
        )
        .map((hs) => Float32Array.from(hs, bfloat16.bf16BitsToF32));
    case GgmlType.Q8_0:
      return blocksArb.chain((nb) =>
        fc
          .array(
            fc.tuple(
              fc.array(fc.integer({ min: -127, max: 127 }), { minLength: 32, maxLength: 32 }),
              fc.integer({ min: 0, max: 31 }),
              fc.integer({ min: 1, max: 0x7bff }),
            ),
            { minLength: nb, maxLength: nb },
          )
          .map((blocks) => {
            const x = new Float32Array(32 * blocks.length);
            blocks.forEach(([qs, at, h], b) => {
              qs[at] = 127;
              qs.forEach((q, j) => (x[32 * b + j] = q * float16.f16BitsToF32(h)));
            });
            return x;
          }),
      );
    case GgmlType.Q4_0:
      return blocksArb.chain((nb) =>
        fc
          .array(
            fc.tuple(
              fc.array(fc.integer({ min: -7, max: 7 }), { minLength: 32, maxLength: 32 }),
              fc.integer({ min: 0, max: 31 }),
              fc.integer({ min: 0x0400, max: 0x7bff }),
            ),
            { minLength: nb, maxLength: nb },
          )
          .map((blocks) => {
            const x = new Float32Array(32 * blocks.length);
            blocks.forEach(([qs, at, h], b) => {
              qs[at] = -8;
              qs.forEach((q, j) => (x[32 * b + j] = q * float16.f16BitsToF32(h)));
            });
            return x;
          }),
      );
    case GgmlType.Q4_K:
    case GgmlType.Q5_K:
      return blocksArb.map((nb) => new Float32Array(256 * nb));
    case GgmlType.Q6_K: // a zero block decodes to (0·0)·(0 − 32) = −0
      return blocksArb.map((nb) => new Float32Array(256 * nb).fill(-0));
    case GgmlType.Q8_K:
      return blocksArb.chain((nb) =>
        fc
          .array(
            fc.tuple(
              fc.array(fc.integer({ min: -126, max: 126 }), { minLength: 256, maxLength: 256 }),
              fc.integer({ min: 0, max: 255 }),
              fc.integer({ min: -30, max: 30 }),
            ),
            { minLength: nb, maxLength: nb },
          )
          .map((blocks) => {
            const x = new Float32Array(256 * blocks.length);
            blocks.forEach(([qs, at, k], b) => {
              qs[at] = -127;
              qs.forEach((q, j) => (x[256 * b + j] = q * 2 ** k));
            });
            return x;
          }),
      );
    case GgmlType.TQ1_0:
    case GgmlType.TQ2_0:
      return blocksArb.chain((nb) =>
        fc
          .array(
            fc.tuple(
              fc.array(fc.constantFrom(-1, 0, 1), { minLength: 256, maxLength: 256 }),
              fc.integer({ min: 1, max: 0x7bff }),
            ),
            { minLength: nb, maxLength: nb },
          )
          .map((blocks) => {
            const x = new Float32Array(256 * blocks.length);
            blocks.forEach(([trits, h], b) =>
              trits.forEach((t, e) => (x[256 * b + e] = t * float16.f16BitsToF32(h) + 0)),
            );
            return x;
          }),
      );
  }
}

/** The bytes each type must produce, from the per-type codecs and the little-endian scalar layouts. */
function expectedBytes(type: GgmlType, x: Float32Array): Uint8Array {
  const halfWords = (toBits: (v: number) => number): Uint8Array => {
    const out = new Uint8Array(2 * x.length);
    const view = new DataView(out.buffer);
    x.forEach((v, j) => view.setUint16(2 * j, toBits(v), true));
    return out;
  };
  switch (type) {
    case GgmlType.F32: {
      const out = new Uint8Array(4 * x.length);
      const view = new DataView(out.buffer);
      x.forEach((v, j) => view.setFloat32(4 * j, v, true));
      return out;
    }
    case GgmlType.F16:
      return halfWords(float16.f32ToF16Bits);
    case GgmlType.BF16:
      return halfWords(bfloat16.f32ToBf16Bits);
    case GgmlType.Q4_0:
      return q4_0.quantizeRowQ4_0(x);
    case GgmlType.Q8_0:
      return q8_0.quantizeRowQ8_0(x);
    case GgmlType.Q4_K:
      return q4_k.quantizeRowQ4K(x);
    case GgmlType.Q5_K:
      return q5_k.quantizeRowQ5K(x);
    case GgmlType.Q6_K:
      return q6_k.quantizeRowQ6K(x);
    case GgmlType.Q8_K:
      return q8_k.quantizeRowQ8K(x);
    case GgmlType.TQ1_0:
      return tq1_0.quantizeRowTq1_0(x);
    case GgmlType.TQ2_0:
      return tq2_0.quantizeRowTq2_0(x);
  }
}

describe("quantizeRow / dequantizeRow", () => {
  test.each(ALL_TYPES.map((t) => [ggmlTypeTraits(t)!.name, t] as const))(
    "%s: dispatches to its codec and round-trips exactly representable rows (property)",
    (name, type) => {
      checkProperty(
        `quantizeRow/dequantizeRow round trip for ${name}`,
        fc.property(exactRowArb(type), (x) => {
          const bytes = quantizeRow(type, x);
          expect(bytes.length).toBe(codec.rowByteSize(ggmlTypeTraits(type)!, x.length));
          expect(Array.from(bytes)).toEqual(Array.from(expectedBytes(type, x)));
          expect(bitsOf(dequantizeRow(type, bytes, x.length))).toEqual(bitsOf(x));
        }),
        { numRuns: 60 },
      );
    },
  );

  test("dequantizeRow of every type equals its codec's decoder on arbitrary bytes (property)", () => {
    checkProperty(
      "dequantizeRow dispatch",
      fc.property(
        fc.constantFrom(...ALL_TYPES).chain((type) => {
          const t = ggmlTypeTraits(type)!;
          return fc
            .integer({ min: 0, max: 3 })
            .chain((blocks) =>
              fc.tuple(
                fc.constant(type),
                fc.constant(blocks * t.blockSize),
                fc.uint8Array({ minLength: blocks * t.typeSize, maxLength: blocks * t.typeSize }),
              ),
            );
        }),
        ([type, n, bytes]) => {
          const ours = dequantizeRow(type, bytes, n);
          expect(ours.length).toBe(n);
          const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          let expected: Float32Array;
          switch (type) {
            case GgmlType.F32:
              expected = Float32Array.from({ length: n }, (_, j) => view.getFloat32(4 * j, true));
              break;
            case GgmlType.F16:
              expected = Float32Array.from({ length: n }, (_, j) => float16.f16BitsToF32(view.getUint16(2 * j, true)));
              break;
            case GgmlType.BF16:
              expected = Float32Array.from({ length: n }, (_, j) =>
                bfloat16.bf16BitsToF32(view.getUint16(2 * j, true)),
              );
              break;
            case GgmlType.Q4_0:
              expected = q4_0.dequantizeRowQ4_0(bytes);
              break;
            case GgmlType.Q8_0:
              expected = q8_0.dequantizeRowQ8_0(bytes);
              break;
            case GgmlType.Q4_K:
              expected = q4_k.dequantizeRowQ4K(bytes);
              break;
            case GgmlType.Q5_K:
              expected = q5_k.dequantizeRowQ5K(bytes);
              break;
            case GgmlType.Q6_K:
              expected = q6_k.dequantizeRowQ6K(bytes);
              break;
            case GgmlType.Q8_K:
              expected = q8_k.dequantizeRowQ8K(bytes);
              break;
            case GgmlType.TQ1_0:
              expected = tq1_0.dequantizeRowTq1_0(bytes);
              break;
            default:
              expected = tq2_0.dequantizeRowTq2_0(bytes);
          }
          // NaN payloads may differ between a DataView read and a typed-array store; compare NaN as NaN
          const same = Array.from(ours).every(
            (v, j) => Object.is(v, expected[j]) || (Number.isNaN(v) && Number.isNaN(expected[j])),
          );
          expect(same).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("F16 and BF16 rows are little-endian 16-bit words; F32 rows little-endian floats", () => {
    expect(Array.from(quantizeRow(GgmlType.F16, Float32Array.from([1, -2])))).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    expect(Array.from(quantizeRow(GgmlType.BF16, Float32Array.from([1, -2])))).toEqual([0x80, 0x3f, 0x00, 0xc0]);
    expect(Array.from(quantizeRow(GgmlType.F32, Float32Array.from([1])))).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  test("F32 keeps NaN and −0", () => {
    const back = dequantizeRow(GgmlType.F32, quantizeRow(GgmlType.F32, Float32Array.from([Number.NaN, -0])), 2);
    expect(back[0]).toBeNaN();
    expect(Object.is(back[1], -0)).toBe(true);
  });

  test.each([
    [GgmlType.TQ1_0, 100],
    [GgmlType.TQ2_0, 257],
    [GgmlType.Q8_0, 31],
    [GgmlType.Q8_K, 512 + 16],
  ])("quantizeRow(type %i) of %i elements throws RangeError (not a whole number of blocks)", (type, n) => {
    expect(() => quantizeRow(type, new Float32Array(n))).toThrow(RangeError);
  });

  test("dequantizeRow throws RangeError when the byte count does not match n, or n is not whole blocks", () => {
    expect(() => dequantizeRow(GgmlType.TQ2_0, new Uint8Array(66), 512)).toThrow(RangeError);
    expect(() => dequantizeRow(GgmlType.TQ1_0, new Uint8Array(55), 256)).toThrow(RangeError);
    expect(() => dequantizeRow(GgmlType.Q8_K, new Uint8Array(292), 255)).toThrow(RangeError);
    expect(() => dequantizeRow(GgmlType.F16, new Uint8Array(3), 1)).toThrow(RangeError);
    expect(() => dequantizeRow(GgmlType.F32, new Uint8Array(4), 2)).toThrow(/f32.*2.*8.*4/);
  });

  test("an unknown type id throws RangeError", () => {
    expect(() => quantizeRow(3 as GgmlType, new Float32Array(32))).toThrow(RangeError); // 3: Q4_1, not implemented
    expect(() => dequantizeRow(99 as GgmlType, new Uint8Array(0), 0)).toThrow(RangeError);
  });
});

describe("re-exports", () => {
  const modules: Record<string, Record<string, unknown>> = {
    "axis-permute": axisPermute,
    bfloat16,
    "bitnet-cpp-type": bitnetCppType,
    "bitnet-lut-config": bitnetLutConfig,
    "block-scale": blockScale,
    dot,
    "dot-tolerance": dotTolerance,
    "float-bits": floatBits,
    float16,
    "ggml-type": ggmlType,
    "hf-bitnet": hfBitnet,
    i2_s,
    "i2_s-dot": i2sDot,
    "i2_s-matmul": i2sMatmul,
    i8_s,
    "k-affine-block": kAffineBlock,
    "k-quant-search": kQuantSearch,
    "k-scale-min": kScaleMin,
    "kquant-dot": kquantDot,
    q4_0,
    q4_k,
    q5_k,
    q6_k,
    q8_0,
    q8_k,
    rounding,
    row,
    "tl-lut": tlLut,
    tl1,
    tl2,
    tq1_0,
    tq2_0,
    trirun,
    "trirun-convert": trirunConvert,
    "trirun-dequant": trirunDequant,
    "trirun-fragment": trirunFragment,
    "trirun-matmul": trirunMatmul,
    validate,
    w2a8,
    "w2a8-matmul": w2a8Matmul,
  };
  test.each(Object.entries(modules))("index re-exports every export of %s, as the same object", (_name, mod) => {
    const exported = Object.keys(mod);
    expect(exported.length).toBeGreaterThan(0);
    for (const key of exported) expect((codec as Record<string, unknown>)[key], key).toBe(mod[key]);
  });

  test("index adds only quantizeRow and dequantizeRow of its own", () => {
    const fromModules = new Set(Object.values(modules).flatMap((m) => Object.keys(m)));
    expect(
      Object.keys(codec)
        .filter((k) => !fromModules.has(k))
        .sort(),
    ).toEqual(["dequantizeRow", "quantizeRow"]);
  });
});
