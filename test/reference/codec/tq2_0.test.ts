/**
 * reference/codec/tq2_0.ts — TQ2_0 blocks (spec/formats.md §4).
 *
 * Oracles: the element map read off ggml's dequantize_row_tq2_0 (ggml/src/ggml-quants.c; spec/formats.md
 * §4.2: element e lives in byte qs[(e / 128) * 32 + e % 32] at bit position 2 * ((e % 128) / 32)), and ports
 * of ggml's loops (ggml/src/ggml-quants.c):
 *
 *   // quantize_row_tq2_0_ref
 *   for (size_t j = 0; j < sizeof(y->qs); j += 32) {
 *       for (size_t m = 0; m < 32; ++m) {
 *           uint8_t q = 0;
 *           for (size_t n = 0; n < 4; ++n) {
 *               int xi = lroundf(x[m + n*32] * id) + 1;
 *               q += (xi & 3) << (2*n);
 *           }
 *           y[i].qs[j + m] = q;
 *       }
 *       x += 4*32;
 *   }
 *
 *   // dequantize_row_tq2_0
 *   for (size_t j = 0; j < sizeof(x->qs); j += 32)
 *       for (size_t l = 0; l < 4; ++l)
 *           for (size_t m = 0; m < 32; ++m) {
 *               int8_t q = (x[i].qs[j + m] >> (l*2)) & 3;
 *               *y++ = (float) (q - 1) * d;
 *           }
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../../../reference/codec/float16.js";
import {
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
  dequantizeRowTq2_0,
  dequantizeTq2Block,
  packTq2Block,
  quantizeRowTq2_0,
  quantizeTq2Block,
  tq2ElementPosition,
  unpackTq2Block,
} from "../../../reference/codec/tq2_0.js";
import { validateTq2_0Row } from "../../../reference/codec/validate.js";
import { checkProperty } from "../../support/property.js";

// f16BitsToF32 / f32ToF16Bits are verified bit-exactly against ggml's own conversions in float16.test.ts.

/** Element → (byte, shift) in the order ggml's dequantize loop visits them. */
function ggmlDequantOrder(): Array<{ byte: number; shift: number }> {
  const order: Array<{ byte: number; shift: number }> = [];
  for (let j = 0; j < 64; j += 32)
    for (let l = 0; l < 4; l++) for (let m = 0; m < 32; m++) order.push({ byte: j + m, shift: l * 2 });
  return order;
}

/** Port of ggml's quantize loop structure with given codes (0..3), plus d at bytes 64..65 (little-endian ggml_half). */
function ggmlPack(codes: ArrayLike<number>, scaleBits: number): Uint8Array {
  const out = new Uint8Array(66);
  for (let j = 0, x = 0; j < 64; j += 32, x += 128) {
    for (let m = 0; m < 32; m++) {
      let q = 0;
      for (let n = 0; n < 4; n++) q += (codes[x + m + n * 32] & 3) << (2 * n);
      out[j + m] = q;
    }
  }
  out[64] = scaleBits & 0xff;
  out[65] = scaleBits >>> 8;
  return out;
}

/** Port of dequantize_row_tq2_0 for one block. */
function ggmlDequant(block: Uint8Array): Float32Array {
  const d = f16BitsToF32(block[64] | (block[65] << 8));
  const y = new Float32Array(256);
  let k = 0;
  for (let j = 0; j < 64; j += 32)
    for (let l = 0; l < 4; l++)
      for (let m = 0; m < 32; m++) y[k++] = Math.fround(((block[j + m] >> (l * 2)) & 3) - 1) * d;
  return y;
}

/**
 * `int xi = lroundf(p) + 1` on x86-64, exactly: lroundf returns a 64-bit long (LONG_MIN for NaN,
 * ±inf and |p| ≥ 2^63), the + 1 is done in long, and the long → int conversion keeps the low 32
 * bits (GCC's documented implementation-defined behaviour). BigInt keeps the + 1 exact even where
 * |p| ≥ 2^53 and a double could not.
 */
function cLroundfPlusOne(p: number): number {
  if (!(Math.abs(p) < 2 ** 63)) return 1; // LONG_MIN + 1 = 0x8000000000000001 → low 32 bits 1
  const t = Math.trunc(p);
  const l = Math.abs(p - t) >= 0.5 ? t + Math.sign(p) : t; // exact: a float32 with |p| ≥ 2^23 is an integer
  return Number(BigInt.asIntN(32, BigInt(l) + 1n));
}

/** Port of quantize_row_tq2_0_ref for one block (lroundf on x86-64: non-finite → LONG_MIN → xi = 1). */
function ggmlQuantize(x: Float32Array): Uint8Array {
  let amax = 0;
  for (let j = 0; j < 256; j++) amax = amax > Math.abs(x[j]) ? amax : Math.abs(x[j]);
  const id = amax !== 0 ? Math.fround(1 / amax) : 0;
  const codes = Array.from(x, (v) => cLroundfPlusOne(Math.fround(v * id)));
  return ggmlPack(codes, f32ToF16Bits(amax));
}

const bitsOf = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

/** fp16 bit patterns of positive finite scales, with the edges (subnormals, min normal, 1.0, max normal) weighted in. */
const positiveScaleBits = fc.oneof(
  { arbitrary: fc.integer({ min: 0x0001, max: 0x7bff }), weight: 6 },
  { arbitrary: fc.constantFrom(0x0001, 0x0002, 0x03ff, 0x0400, 0x3c00, 0x7bfe, 0x7bff), weight: 2 },
  { arbitrary: fc.integer({ min: 0x0001, max: 0x03ff }), weight: 2 }, // subnormals
);

/** 256 trits in {-1, 0, 1}: dense, sparse, or all zero. */
const tritsArb = fc.oneof(
  { arbitrary: fc.array(fc.constantFrom(-1, 0, 1), { minLength: 256, maxLength: 256 }), weight: 6 },
  {
    arbitrary: fc
      .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(-1, 1)), { minLength: 1, maxLength: 4 })
      .map((hits) => {
        const t = new Array<number>(256).fill(0);
        for (const [e, v] of hits) t[e] = v;
        return t;
      }),
    weight: 3,
  },
  { arbitrary: fc.constant(new Array<number>(256).fill(0)), weight: 1 },
);

/** 256 codes 0..2 with at least one non-zero trit (code ≠ 1): the blocks the encoder can write. */
const canonicalCodesArb = fc
  .tuple(
    fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 256, maxLength: 256 }),
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(0, 2),
    fc.boolean(),
  )
  .map(([codes, at, forced, sparse]) => {
    const c = sparse ? new Array<number>(256).fill(1) : codes.slice();
    c[at] = forced;
    return c;
  });

describe("layout constants (block_tq2_0 in ggml-common.h: uint8_t qs[QK_K/4]; ggml_half d;)", () => {
  test("66 bytes, scale at offset 64", () => {
    expect(TQ2_0_BLOCK_BYTES).toBe(256 / 4 + 2);
    expect(TQ2_0_SCALE_OFFSET).toBe(256 / 4);
  });
});

describe("tq2ElementPosition", () => {
  test("matches the notes' formula for every element", () => {
    for (let e = 0; e < 256; e++) {
      expect(tq2ElementPosition(e)).toEqual({
        byte: Math.floor(e / 128) * 32 + (e % 32),
        shift: 2 * Math.floor((e % 128) / 32),
      });
    }
  });

  test("matches the order ggml's dequantize loop produces elements in", () => {
    const order = ggmlDequantOrder();
    for (let e = 0; e < 256; e++) expect(tq2ElementPosition(e)).toEqual(order[e]);
  });

  test("is a bijection onto the 64 bytes × 4 two-bit slots", () => {
    const slots = new Set<number>();
    for (let e = 0; e < 256; e++) {
      const { byte, shift } = tq2ElementPosition(e);
      expect(byte).toBeGreaterThanOrEqual(0);
      expect(byte).toBeLessThan(64);
      expect([0, 2, 4, 6]).toContain(shift);
      slots.add(byte * 8 + shift);
    }
    expect(slots.size).toBe(256);
  });

  test("byte 0 holds elements 0, 32, 64, 96 (low bits first), not elements 0..3", () => {
    const inByte0 = Array.from({ length: 256 }, (_, e) => e).filter((e) => tq2ElementPosition(e).byte === 0);
    expect(inByte0).toEqual([0, 32, 64, 96]);
    expect(inByte0.map((e) => tq2ElementPosition(e).shift)).toEqual([0, 2, 4, 6]);
  });
});

describe("pack / unpack", () => {
  test("packTq2Block equals ggml's quantize loop on random codes 0..3 and scale bits (property)", () => {
    checkProperty(
      "packTq2Block = ggml pack loop",
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 256, maxLength: 256 }),
        fc.integer({ min: 0, max: 0xffff }),
        (codes, scaleBits) => {
          expect(Array.from(packTq2Block(Uint8Array.from(codes), scaleBits))).toEqual(
            Array.from(ggmlPack(codes, scaleBits)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test("unpackTq2Block inverts packing for every 66-byte block (property)", () => {
    checkProperty(
      "pack(unpack(bytes)) = bytes",
      fc.property(fc.uint8Array({ minLength: 66, maxLength: 66 }), (bytes) => {
        const { codes, scaleBits } = unpackTq2Block(bytes);
        expect(scaleBits).toBe(bytes[64] | (bytes[65] << 8));
        expect(Array.from(codes)).toEqual(ggmlDequantOrder().map(({ byte, shift }) => (bytes[byte] >> shift) & 3));
        expect(Array.from(packTq2Block(codes, scaleBits))).toEqual(Array.from(bytes));
      }),
      { numRuns: 200 },
    );
  });
});

describe("decode", () => {
  test("dequantizeTq2Block equals the port of dequantize_row_tq2_0 on arbitrary bytes, bit for bit (property)", () => {
    checkProperty(
      "dequantizeTq2Block = ggml dequantize_row_tq2_0",
      fc.property(fc.uint8Array({ minLength: 66, maxLength: 66 }), (bytes) => {
        // bitwise, so −0 and NaN (d = NaN, or 0 · inf) are compared exactly too
        expect(bitsOf(dequantizeTq2Block(bytes))).toEqual(bitsOf(ggmlDequant(bytes)));
      }),
      { numRuns: 200 },
    );
  });

  test("code 3 (never written by the encoder) decodes to +2d, as in ggml, and validateTq2_0Row reports element, byte and bits", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2; // a valid non-zero code, so the scale itself is unremarkable
    codes[37] = 3; // element 37: byte (37/128)*32 + 37%32 = 5, bits 2*((37%128)/32) = 2..3
    codes[200] = 3; // element 200: byte 32 + 8 = 40, bits 2*(72/32) = 4..5
    const block = packTq2Block(codes, 0x4100); // d = 2.5 (binary16 0x4100 = 2^1 · 1.25)
    const w = dequantizeTq2Block(block);
    expect(w[37]).toBe(2 * 2.5);
    expect(w[200]).toBe(2 * 2.5);
    expect(w[0]).toBe(2.5);
    expect(w[1]).toBe(0);
    const findings = validateTq2_0Row(block);
    expect(findings.map((f) => [f.kind, f.severity, f.element, f.byte])).toEqual([
      ["tq2-code-3", "invalid", 37, 5],
      ["tq2-code-3", "invalid", 200, 40],
    ]);
    expect(findings[0].message).toContain("bits 2..3");
    expect(findings[1].message).toContain("bits 4..5");
  });
});

describe("encode", () => {
  test("quantizeTq2Block equals the port of quantize_row_tq2_0_ref on random NaN-free floats, ±inf included (property)", () => {
    checkProperty(
      "quantizeTq2Block = ggml quantize_row_tq2_0_ref (no NaN)",
      fc.property(
        fc.array(
          fc.oneof(
            { arbitrary: fc.float({ noNaN: true }), weight: 30 },
            { arbitrary: fc.constantFrom(0.5, -0.5, 0, -0), weight: 3 },
          ),
          { minLength: 256, maxLength: 256 },
        ),
        fc.integer({ min: -40, max: 20 }),
        (values, exponent) => {
          const x = Float32Array.from(values, (v) => v * 2 ** exponent);
          expect(Array.from(quantizeTq2Block(x))).toEqual(Array.from(ggmlQuantize(x)));
        },
      ),
      { numRuns: 200 },
    );
  });

  test("quantizeTq2Block equals the port on blocks with NaNs, whose MAX semantics let amax forget larger values (property)", () => {
    // Small grid values (wide codes that wrap in uint8 / & 3) and arbitrary floats (|x·id| up to 2^63 and beyond).
    checkProperty(
      "quantizeTq2Block = ggml quantize_row_tq2_0_ref (with NaN)",
      fc.property(
        fc.array(
          fc.oneof(
            { arbitrary: fc.integer({ min: -1000, max: 1000 }).map((k) => k / 8), weight: 8 },
            { arbitrary: fc.float({ noNaN: true }), weight: 4 },
            { arbitrary: fc.constant(Number.NaN), weight: 1 },
          ),
          { minLength: 256, maxLength: 256 },
        ),
        (values) => {
          const x = Float32Array.from(values);
          expect(Array.from(quantizeTq2Block(x))).toEqual(Array.from(ggmlQuantize(x)));
        },
      ),
      { numRuns: 200 },
    );
  });

  // Found while writing these tests (then fixed in block-scale.ts): lroundf(x·id) + 1 must be computed
  // in a 64-bit long and truncated to int. For x = 2^60 and id = 1 (amax forgot 2^60 because a NaN
  // followed it), xi = (int)(2^60 + 1) = 1: ggml stores code 1 (weight 0) for element 0; a double
  // would lose the + 1 and store code 0 (weight −d).
  test("a forgotten element with |x·id| ≥ 2^53 gets ggml's code (int)(lroundf(x·id) + 1)", () => {
    const x = new Float32Array(256);
    x[0] = 2 ** 60; // amax: 2^60, MAX(2^60, NaN) = NaN, MAX(NaN, 1) = 1 → id = 1
    x[1] = Number.NaN;
    x[2] = 1;
    const ggml = ggmlQuantize(x);
    expect(cLroundfPlusOne(2 ** 60)).toBe(1);
    expect(Array.from(quantizeTq2Block(x))).toEqual(Array.from(ggml));
  });

  test("exact halves of amax round away from zero (codes 2 and 0)", () => {
    const x = new Float32Array(256);
    x[0] = 4; // amax = 4, id = 0.25
    x[1] = 2; // 2 · 0.25 = 0.5 → lroundf → 1 → code 2
    x[2] = -2; // → code 0
    const { codes } = unpackTq2Block(quantizeTq2Block(x));
    expect([codes[0], codes[1], codes[2], codes[3]]).toEqual([2, 2, 0, 1]);
  });
});

describe("round trips", () => {
  test("decode(encode(x)) = x exactly for ternary × one fp16 scale per block (property)", () => {
    checkProperty(
      "tq2 decode∘encode = id on trits × fp16 scale",
      fc.property(tritsArb, positiveScaleBits, (trits, scaleBits) => {
        const s = f16BitsToF32(scaleBits);
        const x = Float32Array.from(trits, (t) => t * s + 0); // + 0: a zero trit gives +0
        const back = dequantizeTq2Block(quantizeTq2Block(x));
        expect(bitsOf(back)).toEqual(bitsOf(x));
      }),
      { numRuns: 300 },
    );
  });

  test("encode(decode(b)) = b for canonical blocks: codes 0..2 with a non-zero trit, any finite positive d incl. subnormals (property)", () => {
    // Subnormal d round-trips too: every fp16 subnormal is a normal float32, 1/d ≤ 2^24 is finite,
    // and d · float32(1/d) is within an ulp of 1, so lroundf gives ±1 back.
    checkProperty(
      "tq2 encode∘decode = id on canonical blocks",
      fc.property(canonicalCodesArb, positiveScaleBits, (codes, scaleBits) => {
        const block = ggmlPack(codes, scaleBits);
        expect(Array.from(packTq2Block(Uint8Array.from(codes), scaleBits))).toEqual(Array.from(block));
        expect(Array.from(quantizeTq2Block(dequantizeTq2Block(block)))).toEqual(Array.from(block));
      }),
      { numRuns: 300 },
    );
  });

  test("an all-zero-trit block decodes to zeros whatever its (non-canonical) scale", () => {
    for (const scaleBits of [0x0000, 0x0001, 0x3c00, 0x7bff]) {
      const w = dequantizeTq2Block(packTq2Block(new Uint8Array(256).fill(1), scaleBits));
      expect(w.every((v) => Object.is(v, 0))).toBe(true);
      // and re-encoding gives the canonical all-zero block: codes 1, d = +0
      expect(Array.from(quantizeTq2Block(w))).toEqual(Array.from(ggmlPack(new Array(256).fill(1), 0)));
    }
  });

  test("multi-block rows: each block keeps its own scale; the row is its blocks concatenated (property)", () => {
    checkProperty(
      "tq2 row round trip, 1..4 blocks",
      fc.property(fc.array(fc.tuple(tritsArb, positiveScaleBits), { minLength: 1, maxLength: 4 }), (blocks) => {
        const x = new Float32Array(256 * blocks.length);
        blocks.forEach(([trits, scaleBits], b) => {
          const s = f16BitsToF32(scaleBits);
          trits.forEach((t, e) => (x[256 * b + e] = t * s + 0));
        });
        const bytes = quantizeRowTq2_0(x);
        expect(bytes.length).toBe(66 * blocks.length);
        blocks.forEach((_, b) => {
          expect(Array.from(bytes.subarray(66 * b, 66 * (b + 1)))).toEqual(
            Array.from(ggmlQuantize(x.subarray(256 * b, 256 * (b + 1)))),
          );
        });
        expect(bitsOf(dequantizeRowTq2_0(bytes))).toEqual(bitsOf(x));
      }),
      { numRuns: 100 },
    );
  });
});

describe("row lengths", () => {
  test.each([1, 255, 257, 300])("quantizeRowTq2_0 of %i elements throws RangeError", (n) => {
    expect(() => quantizeRowTq2_0(new Float32Array(n))).toThrow(RangeError);
  });
  test.each([1, 65, 67, 131])("dequantizeRowTq2_0 of %i bytes throws RangeError", (n) => {
    expect(() => dequantizeRowTq2_0(new Uint8Array(n))).toThrow(RangeError);
  });
  test("an empty row is zero blocks", () => {
    expect(quantizeRowTq2_0(new Float32Array(0)).length).toBe(0);
    expect(dequantizeRowTq2_0(new Uint8Array(0)).length).toBe(0);
  });
});
