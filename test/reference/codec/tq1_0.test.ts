/**
 * reference/codec/tq1_0.ts — TQ1_0 blocks, five trits a byte (spec/formats.md §5).
 *
 * Oracles: ggml's quantize_row_tq1_0_ref / dequantize_row_tq1_0 as spec/formats.md §5.2–§5.6 restates
 * them (element map, byte encoding, the 13 alias bytes), exact
 * rational arithmetic (mathjs fractions) for the fixed-point trit encoding, and ports of ggml's
 * loops (ggml/src/ggml-quants.c):
 *
 *   // quantize_row_tq1_0_ref, first part (the 16-byte and qh parts are analogous)
 *   for (size_t j = 0; j < sizeof(y->qs) - sizeof(y->qs) % 32; j += 32) {
 *       for (size_t m = 0; m < 32; ++m) {
 *           uint8_t q = 0;
 *           for (size_t n = 0; n < 5; ++n) {
 *               int xi = lroundf(x[m + n*32] * id) + 1; // -1, 0, 1 -> 0, 1, 2
 *               q *= 3;
 *               q += xi;
 *           }
 *           // ceiling division (243 == pow(3, 5))
 *           q = ((uint16_t)q * 256 + (243 - 1)) / 243;
 *           y[i].qs[j + m] = q;
 *       }
 *       x += 5*32;
 *   }
 *   ...
 *   for (size_t j = 0; j < sizeof(y->qh); ++j) {          // 4 elements per byte
 *       uint8_t q = 0;
 *       for (size_t m = 0; m < 4; ++m) {
 *           int xi = lroundf(x[j + m*sizeof(y->qh)] * id) + 1;
 *           q *= 3;
 *           q += xi;
 *       }
 *       q *= 3;                                            // shift the first value to the most significant trit
 *       q = ((uint16_t)q * 256 + (243 - 1)) / 243;
 *       y[i].qh[j] = q;
 *   }
 *
 *   // dequantize_row_tq1_0
 *   uint8_t q = x[i].qs[j + m] * pow3[n];
 *   int16_t xi = ((uint16_t) q * 3) >> 8;
 *   *y++ = (float) (xi - 1) * d;
 */
import fc from "fast-check";
import { type Fraction, ceil, floor, fraction, larger, largerEq, multiply, smaller, subtract, equal } from "mathjs";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../../../reference/codec/float16.js";
import {
  TQ1_0_BLOCK_BYTES,
  TQ1_0_QH_OFFSET,
  TQ1_0_SCALE_OFFSET,
  TQ1_0_TRIT_BYTES,
  dequantizeRowTq1_0,
  dequantizeTq1Block,
  packTq1Block,
  packTritsToByte,
  quantizeRowTq1_0,
  quantizeTq1Block,
  tq1ElementPosition,
  tritOfByte,
  unpackTq1Block,
} from "../../../reference/codec/tq1_0.js";
import { isCanonicalTq1Byte, validateTq1_0Row } from "../../../reference/codec/validate.js";
import { checkProperty } from "../../support/property.js";

// f16BitsToF32 / f32ToF16Bits are verified bit-exactly against ggml's own conversions in float16.test.ts.

const POW3 = [1, 3, 9, 27, 81, 243];

/** Base-3 digits of v (0..242), most significant first. */
const digitsOf = (v: number): number[] => [81, 27, 9, 3, 1].map((p) => Math.floor(v / p) % 3);
/** Trit n of a byte the way ggml decodes it: uint8_t q = byte * pow3[n]; ((uint16_t) q * 3) >> 8. */
const ggmlTrit = (byte: number, n: number): number => (((byte * POW3[n]) & 0xff) * 3) >> 8;
/** ggml's byte encoding: uint8_t q accumulated as q*3 + xi (mod 256), then ((uint16_t)q * 256 + 242) / 243 stored in uint8_t. */
const ggmlByte = (codes: number[]): number => {
  let q = 0;
  for (const c of codes) q = (q * 3 + c) & 0xff;
  return Math.floor((q * 256 + 242) / 243) & 0xff;
};

/** Element → (byte, trit) in the order ggml's dequantize loops produce elements. */
function ggmlDequantOrder(): Array<{ byte: number; trit: number }> {
  const order: Array<{ byte: number; trit: number }> = [];
  for (let n = 0; n < 5; n++) for (let m = 0; m < 32; m++) order.push({ byte: m, trit: n }); // qs[0..31]
  for (let n = 0; n < 5; n++) for (let m = 0; m < 16; m++) order.push({ byte: 32 + m, trit: n }); // qs[32..47]
  for (let n = 0; n < 4; n++) for (let j = 0; j < 4; j++) order.push({ byte: 48 + j, trit: n }); // qh[0..3]
  return order;
}

/** Port of the quantize loops' packing for given codes, plus d at bytes 52..53. */
function ggmlPack(codes: ArrayLike<number>, scaleBits: number): Uint8Array {
  const out = new Uint8Array(54);
  for (let m = 0; m < 32; m++) out[m] = ggmlByte([0, 1, 2, 3, 4].map((n) => codes[m + n * 32]));
  for (let m = 0; m < 16; m++) out[32 + m] = ggmlByte([0, 1, 2, 3, 4].map((n) => codes[160 + m + n * 16]));
  for (let j = 0; j < 4; j++) out[48 + j] = ggmlByte([...[0, 1, 2, 3].map((m) => codes[240 + j + m * 4]), 0]); // q *= 3 appends a 0 trit
  out[52] = scaleBits & 0xff;
  out[53] = scaleBits >>> 8;
  return out;
}

/** Port of dequantize_row_tq1_0 for one block. */
function ggmlDequant(block: Uint8Array): Float32Array {
  const d = f16BitsToF32(block[52] | (block[53] << 8));
  return Float32Array.from(ggmlDequantOrder(), ({ byte, trit }) => (ggmlTrit(block[byte], trit) - 1) * d);
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

/** Port of quantize_row_tq1_0_ref for one block (lroundf non-finite → LONG_MIN → xi = 1, see block-scale.test.ts). */
function ggmlQuantize(x: Float32Array): Uint8Array {
  let amax = 0;
  for (let j = 0; j < 256; j++) amax = amax > Math.abs(x[j]) ? amax : Math.abs(x[j]);
  const id = amax !== 0 ? Math.fround(1 / amax) : 0;
  const codes = Array.from(x, (v) => cLroundfPlusOne(Math.fround(v * id)));
  return ggmlPack(codes, f32ToF16Bits(amax));
}

const bitsOf = (x: Float32Array): number[] => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

/** The 13 byte values the encoder never writes, as listed in spec/formats.md §5.6. */
const NOTES_ALIAS_BYTES = [1, 20, 40, 60, 79, 99, 119, 138, 158, 178, 197, 217, 237];

const positiveScaleBits = fc.oneof(
  { arbitrary: fc.integer({ min: 0x0001, max: 0x7bff }), weight: 6 },
  { arbitrary: fc.constantFrom(0x0001, 0x0002, 0x03ff, 0x0400, 0x3c00, 0x7bfe, 0x7bff), weight: 2 },
  { arbitrary: fc.integer({ min: 0x0001, max: 0x03ff }), weight: 2 },
);
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

describe("layout constants (block_tq1_0: qs[(QK_K - 4*QK_K/64)/5], qh[QK_K/64], ggml_half d)", () => {
  test("48 + 4 + 2 = 54 bytes", () => {
    expect(TQ1_0_BLOCK_BYTES).toBe((256 - (4 * 256) / 64) / 5 + 256 / 64 + 2);
    expect(TQ1_0_QH_OFFSET).toBe(48);
    expect(TQ1_0_TRIT_BYTES).toBe(52);
    expect(TQ1_0_SCALE_OFFSET).toBe(52);
  });
});

describe("tq1ElementPosition", () => {
  test("matches the notes' three formulas", () => {
    for (let e = 0; e < 256; e++) {
      const expected =
        e < 160
          ? { byte: e % 32, trit: Math.floor(e / 32) }
          : e < 240
            ? { byte: 32 + ((e - 160) % 16), trit: Math.floor((e - 160) / 16) }
            : { byte: 48 + ((e - 240) % 4), trit: Math.floor((e - 240) / 4) };
      expect(tq1ElementPosition(e)).toEqual(expected);
    }
  });

  test("matches the order ggml's dequantize loops produce elements in", () => {
    const order = ggmlDequantOrder();
    for (let e = 0; e < 256; e++) expect(tq1ElementPosition(e)).toEqual(order[e]);
  });

  test("is a bijection onto 48 qs bytes × 5 trits plus 4 qh bytes × trits 0..3 (the 5th qh trit is never used)", () => {
    const slots = new Set<number>();
    for (let e = 0; e < 256; e++) {
      const { byte, trit } = tq1ElementPosition(e);
      expect(byte).toBeGreaterThanOrEqual(0);
      expect(byte).toBeLessThan(52);
      expect(trit).toBeLessThan(byte < 48 ? 5 : 4);
      slots.add(byte * 5 + trit);
    }
    expect(slots.size).toBe(48 * 5 + 4 * 4);
  });
});

describe("packTritsToByte / tritOfByte", () => {
  test("packTritsToByte(digits of v) = ceil(v·256/243) = (v·256 + 242) div 243 for all 243 values", () => {
    for (let v = 0; v < 243; v++) {
      const byte = packTritsToByte(digitsOf(v));
      expect(byte).toBe(Math.ceil((v * 256) / 243));
      expect(byte).toBe(Math.floor((v * 256 + 242) / 243));
      expect(byte).toBe(ggmlByte(digitsOf(v)));
    }
  });

  test("tritOfByte equals ggml's ((uint8_t)(byte·3^n) · 3) >> 8 for all 256 bytes × 5 positions", () => {
    for (let b = 0; b < 256; b++) for (let n = 0; n < 5; n++) expect(tritOfByte(b, n)).toBe(ggmlTrit(b, n));
  });
});

describe("all 256 byte values (exhaustive)", () => {
  const canonical = new Set(Array.from({ length: 243 }, (_, v) => Math.ceil((v * 256) / 243)));
  const aliases = Array.from({ length: 256 }, (_, b) => b).filter((b) => !canonical.has(b));
  /** For each alias: the canonical byte decoding to the same five trits (computed). */
  const partners = aliases.map((a) => {
    const trits = [0, 1, 2, 3, 4].map((n) => ggmlTrit(a, n));
    const v = trits.reduce((acc, t) => acc * 3 + t, 0);
    return { alias: a, trits: trits.join(""), canonical: Math.ceil((v * 256) / 243) };
  });

  test("every byte decodes to five codes in 0..2, the base-3 digits of floor(243·byte/256)", () => {
    for (let b = 0; b < 256; b++) {
      const trits = [0, 1, 2, 3, 4].map((n) => tritOfByte(b, n));
      expect(trits.every((t) => t >= 0 && t <= 2)).toBe(true);
      // byte/256 read as a base-3 fraction: its first five digits are those of floor(243·byte/256)
      expect(trits).toEqual(digitsOf(Math.floor((243 * b) / 256)));
    }
  });

  test("exactly 243 canonical bytes, and the 13 others are the aliases listed in the notes", () => {
    expect(canonical.size).toBe(243);
    expect(aliases).toEqual(NOTES_ALIAS_BYTES);
  });

  test.each(partners.map((p) => [p.alias, p.trits, p.canonical] as const))(
    "alias %i decodes to trits %s, the same as canonical byte %i",
    (alias, _trits, partner) => {
      expect(canonical.has(partner)).toBe(true);
      for (let n = 0; n < 5; n++) expect(tritOfByte(alias, n)).toBe(tritOfByte(partner, n));
      // ceil(256v/243) is the smallest byte decoding to v; gaps between canonical bytes are at most 2
      // (256/243 < 2), so the alias is always the byte just above its partner.
      expect(partner).toBe(alias - 1);
    },
  );

  test("isCanonicalTq1Byte agrees with the computed set for all 256 bytes", () => {
    for (let b = 0; b < 256; b++) expect(isCanonicalTq1Byte(b)).toBe(canonical.has(b));
  });

  test("validateTq1_0Row flags an alias byte in every qs and qh position, and nothing else", () => {
    const clean = packTq1Block(new Uint8Array(256).fill(2), 0x3c00); // all +1 trits, d = 1
    expect(validateTq1_0Row(clean)).toEqual([]);
    for (const position of [0, 31, 32, 47, 48, 51]) {
      for (const alias of NOTES_ALIAS_BYTES) {
        const block = clean.slice();
        block[position] = alias;
        const findings = validateTq1_0Row(block);
        expect(findings.map((f) => [f.kind, f.severity, f.byte])).toEqual([
          ["tq1-alias-byte", "non-canonical", position],
        ]);
      }
    }
  });

  test("validateTq1_0Row flags a qh byte iff it is an alias or its (ignored) 5th trit is non-zero", () => {
    const clean = packTq1Block(new Uint8Array(256).fill(2), 0x3c00);
    for (let b = 0; b < 256; b++) {
      const block = clean.slice();
      block[49] = b;
      const kinds = validateTq1_0Row(block).map((f) => f.kind);
      if (!canonical.has(b)) expect(kinds).toEqual(["tq1-alias-byte"]);
      else if (ggmlTrit(b, 4) !== 0) expect(kinds).toEqual(["tq1-qh-fifth-trit"]);
      else expect(kinds).toEqual([]);
    }
    // and in qs the same non-zero 5th trit is ordinary data
    const qs = clean.slice();
    qs[10] = packTritsToByte([0, 0, 0, 0, 1]);
    expect(validateTq1_0Row(qs)).toEqual([]);
  });
});

/*
 * The proof the spec gives (spec/formats.md §5.3), checked with exact rationals for all inputs.
 *
 * Claim: for v = 0..242 (five base-3 digits d_0..d_4, most significant first) and b = ceil(v·256/243),
 * for every n = 0..4:   floor(3 · ((b·3^n) mod 256) / 256) = d_n.
 *
 * Argument: b/256 = v/243 + ε with 0 ≤ ε < 1/256 (ceil adds less than one unit of 1/256).
 * The n-th digit of v is floor(3·frac(3^n·v/243)); multiplying b/256 by 3^n and taking frac adds
 * 3^n·ε, so 3·frac(3^n·b/256) = 3·frac(3^n·v/243) + 3^(n+1)·ε, and the digit survives when that
 * error stays below the distance from 3·frac(3^n·v/243) up to the next integer (d_n + 1).
 * The distance is at least 3^n/81 (the lower digits are at most 81 − 3^n in units of 1/81) and the
 * error is below 3^(n+1)/256, and 3^(n+1)/256 < 3^n/81 because 3·81 = 243 < 256.
 */
describe("TQ1_0 fixed-point trit encoding: exact-rational proof with mathjs fractions (ceil works, floor does not)", () => {
  const F = (n: number, d = 1): Fraction => fraction(n, d);
  const frac = (x: Fraction): Fraction => subtract(x, floor(x)) as Fraction;
  const toInt = (x: Fraction): number => Number(x.s * x.n) / Number(x.d);

  test("for all 243 values v and trit positions n: ε bounds, the margin inequality, and the integer decode", () => {
    let worstMargin: Fraction | undefined;
    for (let v = 0; v < 243; v++) {
      const digits = digitsOf(v);
      const exact = F(v * 256, 243);
      const b = toInt(ceil(exact) as Fraction);
      expect(b).toBe(packTritsToByte(digits));
      // b/256 = v/243 + ε, 0 ≤ ε < 1/256
      const epsilon = subtract(F(b, 256), F(v, 243)) as Fraction;
      expect(largerEq(epsilon, F(0))).toBe(true);
      expect(smaller(epsilon, F(1, 256))).toBe(true);
      for (let n = 0; n < 5; n++) {
        const p = POW3[n];
        // the n-th digit of v as 3·frac(3^n·v/243)
        const t = multiply(F(3), frac(F(p * v, 243))) as Fraction;
        expect(toInt(floor(t) as Fraction)).toBe(digits[n]);
        // distance up to the next digit boundary, and the error the ceiling introduces there
        const gap = subtract(F(digits[n] + 1), t) as Fraction;
        const error = multiply(F(3 * p), epsilon) as Fraction;
        expect(largerEq(error, F(0))).toBe(true); // never pushed below the digit's lower boundary
        expect(smaller(error, gap)).toBe(true); // the margin inequality
        expect(largerEq(gap, F(p, 81))).toBe(true); // gap ≥ 3^n/81 …
        expect(smaller(F(3 * p, 256), F(p, 81))).toBe(true); // … > 3^(n+1)/256 > error, since 243 < 256
        const margin = subtract(gap, error) as Fraction;
        if (worstMargin === undefined || smaller(margin, worstMargin)) worstMargin = margin;
        // hence the digit read back from b is d_n, as a rational …
        const tb = multiply(F(3), frac(F(p * b, 256))) as Fraction;
        expect(equal(tb, subtract(F(digits[n] + 1), margin))).toBe(true); // 3·frac(3^n·b/256) = t + error
        expect(toInt(floor(tb) as Fraction)).toBe(digits[n]);
        // … and with ggml's integer formula, and with tritOfByte
        const q = (b * p) % 256;
        expect(Math.floor((3 * q) / 256)).toBe(digits[n]);
        expect(tritOfByte(b, n)).toBe(digits[n]);
      }
    }
    expect(worstMargin).toBeDefined();
    expect(larger(worstMargin!, F(0))).toBe(true);
  });

  // The same check with floor instead of ceiling: find the failing (v, n) by computation.
  const floorFailures: Array<{ v: number; n: number; byte: number; digit: number; decoded: number }> = [];
  for (let v = 0; v < 243; v++) {
    const byte = toInt(floor(F(v * 256, 243)) as Fraction);
    for (let n = 0; n < 5; n++) {
      const decoded = Math.floor((3 * ((byte * POW3[n]) % 256)) / 256);
      if (decoded !== digitsOf(v)[n]) floorFailures.push({ v, n, byte, digit: digitsOf(v)[n], decoded });
    }
  }
  const first = floorFailures[0];

  test(
    `floor(v·256/243) instead of the ceiling FAILS: first counterexample v=${first?.v} ` +
      `(${first ? digitsOf(first.v).join("") : ""}), n=${first?.n}: byte ${first?.byte} decodes ` +
      `${first?.decoded}, not ${first?.digit} (${floorFailures.length} failing (v, n) pairs)`,
    () => {
      expect(floorFailures.length).toBeGreaterThan(0);
      const { v, n, byte, digit, decoded } = first;
      // the counterexample, re-checked: the floor byte decodes to the wrong digit …
      expect(Math.floor((3 * ((byte * POW3[n]) % 256)) / 256)).toBe(decoded);
      expect(decoded).not.toBe(digit);
      // … because ε is negative there (b/256 < v/243): the error pushes 3·frac below the digit's lower boundary
      expect(smaller(subtract(F(byte, 256), F(v, 243)), F(0))).toBe(true);
      // and the ceiling byte for the same v decodes correctly
      expect(tritOfByte(packTritsToByte(digitsOf(v)), n)).toBe(digit);
      // By hand: v = 1 (00001): floor(256/243) = 1; (1·81) mod 256 = 81; 3·81/256 = 0.95 → 0, but digit 4 is 1.
      expect({ v, n, byte, digit, decoded }).toEqual({ v: 1, n: 4, byte: 1, digit: 1, decoded: 0 });
    },
  );
});

describe("pack / unpack / decode", () => {
  test("packTq1Block equals ggml's quantize loops on random codes 0..2 and scale bits (property)", () => {
    checkProperty(
      "packTq1Block = ggml pack loops",
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 256, maxLength: 256 }),
        fc.integer({ min: 0, max: 0xffff }),
        (codes, scaleBits) => {
          expect(Array.from(packTq1Block(Uint8Array.from(codes), scaleBits))).toEqual(
            Array.from(ggmlPack(codes, scaleBits)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test("unpackTq1Block and dequantizeTq1Block equal ggml's decode on arbitrary 54-byte blocks, bit for bit (property)", () => {
    checkProperty(
      "unpack/dequantize tq1 = ggml dequantize_row_tq1_0",
      fc.property(fc.uint8Array({ minLength: 54, maxLength: 54 }), (bytes) => {
        const { codes, scaleBits } = unpackTq1Block(bytes);
        expect(scaleBits).toBe(bytes[52] | (bytes[53] << 8));
        expect(Array.from(codes)).toEqual(ggmlDequantOrder().map(({ byte, trit }) => ggmlTrit(bytes[byte], trit)));
        expect(bitsOf(dequantizeTq1Block(bytes))).toEqual(bitsOf(ggmlDequant(bytes)));
      }),
      { numRuns: 200 },
    );
  });

  test("qh bytes hold elements 240..255 shifted one trit left: packing four +1 trits gives ceil(v·256/243) with v = 80·3 = 240", () => {
    const codes = new Uint8Array(256).fill(1);
    for (const e of [240, 244, 248, 252]) codes[e] = 2; // the four trits of qh[0]
    const block = packTq1Block(codes, 0);
    expect(block[48]).toBe(Math.ceil(((2 * 27 + 2 * 9 + 2 * 3 + 2) * 3 * 256) / 243)); // digits 2,2,2,2 then 0: v = 240
    expect(tritOfByte(block[48], 4)).toBe(0);
  });
});

describe("encode", () => {
  test("quantizeTq1Block equals the port of quantize_row_tq1_0_ref on random NaN-free floats, ±inf included (property)", () => {
    checkProperty(
      "quantizeTq1Block = ggml quantize_row_tq1_0_ref (no NaN)",
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
          expect(Array.from(quantizeTq1Block(x))).toEqual(Array.from(ggmlQuantize(x)));
        },
      ),
      { numRuns: 200 },
    );
  });

  test("quantizeTq1Block equals the port on blocks with NaNs, whose MAX semantics let amax forget larger values (property)", () => {
    // Small grid values (wide codes that wrap in uint8 / & 3) and arbitrary floats (|x·id| up to 2^63 and beyond).
    checkProperty(
      "quantizeTq1Block = ggml quantize_row_tq1_0_ref (with NaN)",
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
          expect(Array.from(quantizeTq1Block(x))).toEqual(Array.from(ggmlQuantize(x)));
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
    expect(Array.from(quantizeTq1Block(x))).toEqual(Array.from(ggml));
  });

  test("codes outside 0..2 (after a NaN made amax forget a larger value) wrap in uint8 exactly as ggml's q *= 3; q += xi", () => {
    // amax in index order: 3 (x[0]), 3 (x[32]), MAX(3, NaN) = NaN (x[64]), MAX(NaN, 1) = 1 (x[65]) → id = 1
    const x = new Float32Array(256);
    x[0] = 3; // code lroundf(3) + 1 = 4
    x[32] = -3; // code −2
    x[64] = NaN; // code 1
    x[65] = 1; // code 2
    const ours = quantizeTq1Block(x);
    expect(Array.from(ours)).toEqual(Array.from(ggmlQuantize(x)));
    // byte 0 holds elements 0, 32, 64, 96, 128 → codes 4, −2, 1, 1, 1 in uint8 arithmetic
    expect(ours[0]).toBe(ggmlByte([4, -2, 1, 1, 1]));
    expect(ours[1]).toBe(ggmlByte([1, 1, 2, 1, 1])); // element 65 is byte 1, trit 2
  });
});

describe("round trips", () => {
  test("decode(encode(x)) = x exactly for ternary × one fp16 scale per block (property)", () => {
    checkProperty(
      "tq1 decode∘encode = id on trits × fp16 scale",
      fc.property(tritsArb, positiveScaleBits, (trits, scaleBits) => {
        const s = f16BitsToF32(scaleBits);
        const x = Float32Array.from(trits, (t) => t * s + 0);
        expect(bitsOf(dequantizeTq1Block(quantizeTq1Block(x)))).toEqual(bitsOf(x));
      }),
      { numRuns: 300 },
    );
  });

  test("encode(decode(b)) = b for canonical blocks: codes 0..2 with a non-zero trit, any finite positive d incl. subnormals (property)", () => {
    // Subnormal d round-trips (see tq2_0.test.ts): 1/d ≤ 2^24 is finite and d·float32(1/d) ≈ 1.
    checkProperty(
      "tq1 encode∘decode = id on canonical blocks",
      fc.property(canonicalCodesArb, positiveScaleBits, (codes, scaleBits) => {
        const block = ggmlPack(codes, scaleBits);
        expect(Array.from(quantizeTq1Block(dequantizeTq1Block(block)))).toEqual(Array.from(block));
        expect(validateTq1_0Row(block).filter((f) => f.severity !== "lossy")).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  test("alias bytes are not reproduced: encode(decode(b)) replaces each alias by its canonical partner", () => {
    const block = packTq1Block(new Uint8Array(256).fill(2), 0x3c00);
    block[3] = 20; // alias of 19
    const again = quantizeTq1Block(dequantizeTq1Block(block));
    expect(again[3]).toBe(19);
    expect(dequantizeTq1Block(again)).toEqual(dequantizeTq1Block(block));
  });

  test("multi-block rows: each block keeps its own scale; the row is its blocks concatenated (property)", () => {
    checkProperty(
      "tq1 row round trip, 1..4 blocks",
      fc.property(fc.array(fc.tuple(tritsArb, positiveScaleBits), { minLength: 1, maxLength: 4 }), (blocks) => {
        const x = new Float32Array(256 * blocks.length);
        blocks.forEach(([trits, scaleBits], b) => {
          const s = f16BitsToF32(scaleBits);
          trits.forEach((t, e) => (x[256 * b + e] = t * s + 0));
        });
        const bytes = quantizeRowTq1_0(x);
        expect(bytes.length).toBe(54 * blocks.length);
        blocks.forEach((_, b) => {
          expect(Array.from(bytes.subarray(54 * b, 54 * (b + 1)))).toEqual(
            Array.from(ggmlQuantize(x.subarray(256 * b, 256 * (b + 1)))),
          );
        });
        expect(bitsOf(dequantizeRowTq1_0(bytes))).toEqual(bitsOf(x));
      }),
      { numRuns: 100 },
    );
  });
});

describe("row lengths", () => {
  test.each([1, 255, 257, 300])("quantizeRowTq1_0 of %i elements throws RangeError", (n) => {
    expect(() => quantizeRowTq1_0(new Float32Array(n))).toThrow(RangeError);
  });
  test.each([1, 53, 55, 107])("dequantizeRowTq1_0 of %i bytes throws RangeError", (n) => {
    expect(() => dequantizeRowTq1_0(new Uint8Array(n))).toThrow(RangeError);
  });
  test("an empty row is zero blocks", () => {
    expect(quantizeRowTq1_0(new Float32Array(0)).length).toBe(0);
    expect(dequantizeRowTq1_0(new Uint8Array(0)).length).toBe(0);
  });
});
