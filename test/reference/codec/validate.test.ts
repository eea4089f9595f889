/**
 * reference/codec/validate.ts — findings about blocks the reference encoder does not write
 * (spec/formats.md §10, §4.5, §5.6).
 *
 * Every finding kind is produced here from a hand-built block; the expectations follow the
 * severities documented in validate.ts: invalid (decodes outside {−d, 0, +d}), non-canonical
 * (valid, but encode(decode(b)) ≠ b), lossy (the encoder writes it, information is lost).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  packTq1Block,
  packTritsToByte,
  quantizeRowTq1_0,
  quantizeTq1Block,
  dequantizeTq1Block,
} from "../../../reference/codec/tq1_0.js";
import {
  packTq2Block,
  quantizeRowTq2_0,
  quantizeTq2Block,
  dequantizeTq2Block,
} from "../../../reference/codec/tq2_0.js";
import {
  type BlockFinding,
  isCanonicalTq1Byte,
  validateTq1_0Row,
  validateTq2_0Row,
} from "../../../reference/codec/validate.js";
import { checkProperty } from "../../support/property.js";

const ones = (): Uint8Array => new Uint8Array(256).fill(1); // all codes 1: every weight 0
const withCode = (e: number, code: number): Uint8Array => {
  const c = ones();
  c[e] = code;
  return c;
};
const summary = (findings: BlockFinding[]): Array<[string, string, number, number]> =>
  findings.map((f) => [f.kind, f.severity, f.block, f.byte]);

describe("each finding kind from a constructed block", () => {
  test("tq2-code-3 (invalid): element, byte and bit position", () => {
    const findings = validateTq2_0Row(packTq2Block(withCode(130, 3), 0x3c00));
    // element 130: byte (130/128)·32 + 130%32 = 34, bits 2·((130%128)/32) = 0..1
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: "tq2-code-3", severity: "invalid", block: 0, byte: 34, element: 130 });
    expect(findings[0].message).toContain("bits 0..1");
  });

  test("tq1-alias-byte (non-canonical)", () => {
    const block = packTq1Block(withCode(0, 2), 0x3c00);
    block[7] = 119; // an alias listed in spec/formats.md §5.6
    expect(summary(validateTq1_0Row(block))).toEqual([["tq1-alias-byte", "non-canonical", 0, 7]]);
  });

  test("tq1-qh-fifth-trit (non-canonical): a qh byte whose ignored 5th trit is 1", () => {
    const block = packTq1Block(withCode(0, 2), 0x3c00);
    block[50] = packTritsToByte([0, 0, 0, 0, 1]); // ceil(1·256/243) = 2: canonical in qs, not in qh
    expect(block[50]).toBe(2);
    const findings = validateTq1_0Row(block);
    expect(summary(findings)).toEqual([["tq1-qh-fifth-trit", "non-canonical", 0, 50]]);
    expect(findings[0].message).toContain("5th trit 1");
  });

  test("scale-negative (non-canonical): −1.0 with codes; −0 with and without codes", () => {
    expect(summary(validateTq2_0Row(packTq2Block(withCode(0, 2), 0xbc00)))).toEqual([
      ["scale-negative", "non-canonical", 0, 64],
    ]);
    expect(summary(validateTq2_0Row(packTq2Block(ones(), 0x8000)))).toEqual([
      ["scale-negative", "non-canonical", 0, 64],
    ]);
    expect(summary(validateTq1_0Row(packTq1Block(withCode(3, 0), 0x8000)))).toEqual([
      ["scale-negative", "non-canonical", 0, 52],
      ["scale-zero-with-codes", "lossy", 0, 52],
    ]);
  });

  test("scale-zero-with-codes (lossy: the encoder writes it when amax ≤ 2^-25 and 1/amax is finite, see 'encoder output')", () => {
    expect(summary(validateTq2_0Row(packTq2Block(withCode(255, 0), 0x0000)))).toEqual([
      ["scale-zero-with-codes", "lossy", 0, 64],
    ]);
  });

  test("scale-without-codes (non-canonical): a non-zero scale over all-zero weights", () => {
    expect(summary(validateTq2_0Row(packTq2Block(ones(), 0x3c00)))).toEqual([
      ["scale-without-codes", "non-canonical", 0, 64],
    ]);
    expect(summary(validateTq1_0Row(packTq1Block(ones(), 0x0001)))).toEqual([
      ["scale-without-codes", "non-canonical", 0, 52],
      ["scale-subnormal", "lossy", 0, 52],
    ]);
  });

  test("scale-infinite (lossy), with or without codes, either sign", () => {
    expect(summary(validateTq2_0Row(packTq2Block(withCode(0, 2), 0x7c00)))).toEqual([
      ["scale-infinite", "lossy", 0, 64],
    ]);
    expect(summary(validateTq2_0Row(packTq2Block(ones(), 0x7c00)))).toEqual([["scale-infinite", "lossy", 0, 64]]);
    expect(summary(validateTq1_0Row(packTq1Block(ones(), 0xfc00)))).toEqual([
      ["scale-negative", "non-canonical", 0, 52],
      ["scale-infinite", "lossy", 0, 52],
    ]);
  });

  test("scale-nan (lossy) is reported alone: every weight is NaN anyway", () => {
    for (const nan of [0x7e00, 0x7c01, 0xfe00]) {
      expect(summary(validateTq2_0Row(packTq2Block(withCode(0, 2), nan)))).toEqual([["scale-nan", "lossy", 0, 64]]);
      expect(summary(validateTq1_0Row(packTq1Block(ones(), nan)))).toEqual([["scale-nan", "lossy", 0, 52]]);
    }
  });

  test("scale-subnormal (lossy): an fp16 subnormal scale with codes", () => {
    expect(summary(validateTq2_0Row(packTq2Block(withCode(0, 2), 0x03ff)))).toEqual([
      ["scale-subnormal", "lossy", 0, 64],
    ]);
    expect(summary(validateTq2_0Row(packTq2Block(withCode(0, 2), 0x0400)))).toEqual([]); // smallest normal
  });

  test("a canonical block has no findings", () => {
    expect(validateTq2_0Row(packTq2Block(withCode(0, 0), 0x3c00))).toEqual([]);
    expect(validateTq1_0Row(packTq1Block(withCode(0, 0), 0x3c00))).toEqual([]);
    expect(validateTq2_0Row(packTq2Block(ones(), 0x0000))).toEqual([]); // the all-zero block
    expect(validateTq1_0Row(packTq1Block(ones(), 0x0000))).toEqual([]);
  });
});

describe("rows of several blocks", () => {
  test("findings carry the block index and the byte offset within the row, in row order", () => {
    const tq2 = new Uint8Array(3 * 66);
    tq2.set(packTq2Block(withCode(0, 2), 0x3c00), 0);
    tq2.set(packTq2Block(withCode(1, 3), 0x3c00), 66);
    tq2.set(packTq2Block(ones(), 0x3c00), 132);
    expect(validateTq2_0Row(tq2).map((f) => [f.kind, f.block, f.byte, f.element])).toEqual([
      ["tq2-code-3", 1, 66 + 1, 1],
      ["scale-without-codes", 2, 132 + 64, undefined],
    ]);
    const tq1 = new Uint8Array(2 * 54);
    tq1.set(packTq1Block(withCode(0, 2), 0x3c00), 0);
    tq1.set(packTq1Block(withCode(0, 2), 0x3c00), 54);
    tq1[54 + 40] = 237;
    tq1[54 + 49] = 2;
    expect(summary(validateTq1_0Row(tq1))).toEqual([
      ["tq1-alias-byte", "non-canonical", 1, 94],
      ["tq1-qh-fifth-trit", "non-canonical", 1, 103],
    ]);
  });

  test("a non-canonical finding means the block does not survive encode(decode(·)) — hand-built examples", () => {
    const roundTrips = (block: Uint8Array): boolean =>
      Array.from(quantizeTq2Block(dequantizeTq2Block(block))).every((b, i) => b === block[i]);
    const cases: Array<[Uint8Array, boolean]> = [
      [packTq2Block(withCode(0, 2), 0xbc00), true], // negative scale
      [packTq2Block(ones(), 0x3c00), true], // scale without codes
      [packTq2Block(withCode(4, 0), 0x3555), false], // canonical
      [packTq2Block(withCode(4, 0), 0x0001), false], // subnormal scale: lossy, but it round-trips
    ];
    for (const [block, nonCanonical] of cases) {
      expect(roundTrips(block)).toBe(!nonCanonical);
      expect(validateTq2_0Row(block).some((f) => f.severity === "non-canonical")).toBe(nonCanonical);
    }
    // A lossy block need not round-trip either: zero scale with codes decodes to zeros.
    const zeroScale = packTq2Block(withCode(4, 0), 0x0000);
    expect(roundTrips(zeroScale)).toBe(false);
    expect(validateTq2_0Row(zeroScale).map((f) => f.severity)).toEqual(["lossy"]);
    const alias = packTq1Block(withCode(0, 2), 0x3c00);
    alias[9] = 20;
    expect(Array.from(quantizeTq1Block(dequantizeTq1Block(alias)))).not.toEqual(Array.from(alias));
  });
});

describe("encoder output", () => {
  // Floats at widely varying magnitudes per block: amax from far below fp16's subnormal range
  // (where fp16(amax) = 0, or 1/amax overflows) to above its overflow (65520), so every lossy scale
  // class is exercised. NaN is excluded, and tested on its own below: a NaN not in the last position
  // makes ggml's MAX forget larger values, and the encoder then writes codes outside 0..2 (TQ2_0
  // code 3 is possible) — faithful to ggml, but "invalid".
  const rowArb = fc
    .array(
      fc.tuple(
        fc.array(fc.float({ noNaN: true, min: -1, max: 1 }), { minLength: 256, maxLength: 256 }),
        fc.oneof(fc.integer({ min: -24, max: 17 }), fc.integer({ min: -130, max: -24 })),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((blocks) => {
      const x = new Float32Array(256 * blocks.length);
      blocks.forEach(([v, k], b) => v.forEach((a, e) => (x[256 * b + e] = a * 2 ** k)));
      return x;
    });

  test("the TQ2_0 and TQ1_0 encoders never write an invalid or non-canonical block (only lossy findings) (property)", () => {
    checkProperty(
      "encoder output has only lossy findings",
      fc.property(rowArb, (x) => {
        const tq2 = validateTq2_0Row(quantizeRowTq2_0(x));
        const tq1 = validateTq1_0Row(quantizeRowTq1_0(x));
        expect(tq2.filter((f) => f.severity !== "lossy")).toEqual([]);
        expect(tq1.filter((f) => f.severity !== "lossy")).toEqual([]);
        // every qs/qh byte the TQ1_0 encoder wrote is canonical
        const bytes = quantizeRowTq1_0(x);
        for (let b = 0; b < bytes.length; b += 54)
          for (let i = 0; i < 52; i++) expect(isCanonicalTq1Byte(bytes[b + i])).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test("lossy findings do come out of the encoder: subnormal scale (amax < 2^-14), infinite scale (amax ≥ 65520), NaN scale (NaN last)", () => {
    const block = (values: number[], last?: number): Float32Array => {
      const x = new Float32Array(256);
      x.set(values);
      if (last !== undefined) x[255] = last;
      return x;
    };
    expect(validateTq2_0Row(quantizeRowTq2_0(block([1e-5, -3e-6]))).map((f) => f.kind)).toEqual(["scale-subnormal"]);
    expect(validateTq1_0Row(quantizeRowTq1_0(block([70000, 1]))).map((f) => f.kind)).toEqual(["scale-infinite"]);
    expect(validateTq2_0Row(quantizeRowTq2_0(block([1], Number.NaN))).map((f) => f.kind)).toEqual(["scale-nan"]);
  });

  test("a NaN that makes amax forget a larger element lets the TQ2_0 encoder write code 3 (as ggml does), which is flagged invalid", () => {
    // amax: 2 → MAX(2, NaN) = NaN → MAX(NaN, 1) = 1; x = 2 then gives lroundf(2) + 1 = 3.
    const x = new Float32Array(256);
    x.set([2, Number.NaN, 1]);
    expect(summary(validateTq2_0Row(quantizeRowTq2_0(x)))).toEqual([["tq2-code-3", "invalid", 0, 0]]);
  });

  // Found while writing these tests (then fixed in validate.ts): for amax ≤ 2^-25 with a finite 1/amax the
  // encoder stores d = fp16(amax) = +0 but codes ±1 for the largest elements (computed with the
  // unrounded float32 1/amax). The block is written by the encoder and its weights are lost: lossy.
  test("a block with amax = 2^-26 is encoded with d = 0 and non-zero codes, and that is reported as lossy, not non-canonical", () => {
    const x = new Float32Array(256);
    x[0] = 2 ** -26;
    x[1] = -(2 ** -27);
    const bytes = quantizeRowTq2_0(x);
    expect(bytes[64] | (bytes[65] << 8)).toBe(0); // fp16(2^-26) = +0 (below half the smallest subnormal)
    expect(bytes[0] & 3).toBe(2); // element 0 still has code 2
    expect(summary(validateTq2_0Row(bytes))).toEqual([["scale-zero-with-codes", "lossy", 0, 64]]);
    // below 2^-128, 1/amax overflows: every code is 1 and the block is the canonical zero block
    x[0] = 2 ** -130;
    x[1] = 0;
    expect(validateTq2_0Row(quantizeRowTq2_0(x))).toEqual([]);
  });
});

describe("isCanonicalTq1Byte", () => {
  test("is true exactly for ceil(v·256/243), v = 0..242", () => {
    const canonical = new Set(Array.from({ length: 243 }, (_, v) => Math.ceil((v * 256) / 243)));
    for (let b = 0; b < 256; b++) expect(isCanonicalTq1Byte(b)).toBe(canonical.has(b));
  });
});
