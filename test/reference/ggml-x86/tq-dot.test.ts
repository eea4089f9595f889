/**
 * reference/ggml-x86/tq-dot.ts — the AVX2 ggml_vec_dot_tq{1,2}_0_q8_K (spec/forward.md §9).
 * Oracles: the 58 dot products of golden/external/ggml-tq-kat.jsonl (ggml's own AVX2 build), 40
 * recorded outputs of the kernel on random blocks (random bytes, so TQ2_0 code 3 and arbitrary
 * TQ1_0 bytes; int8 −128 activations; inconsistent bsums that wrap int16; infinite and NaN
 * scales), the byte-wise reference of the trit extraction, and exactly representable cases.
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  f32ToF16Bits,
  packQ8KBlock,
  packTq1Block,
  packTq2Block,
  quantizeRowQ8K,
  tritOfByte,
  vecDotTq1_0Q8K,
} from "../../../reference/codec/index.js";
import { tq1TritAvx2, vecDotTq1_0Q8KAvx2, vecDotTq2_0Q8KAvx2 } from "../../../reference/ggml-x86/tq-dot.js";
import { checkProperty } from "../../support/property.js";
import { bytesFromHex, f32sFromHex, FIXTURES, sameFloat } from "./fixtures.js";

interface KatCase {
  id: string;
  category: string;
  tq1_0: string;
  tq2_0: string;
  act_q8_K: string;
  dot_tq1_0_q8_K_f32: string;
  dot_tq2_0_q8_K_f32: string;
}
const KAT: KatCase[] = readFileSync(new URL("../../../golden/external/ggml-tq-kat.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as KatCase);

/** float32 from the hex of its little-endian bytes (the KAT's encoding). */
function f32FromLeBytes(hex: string): number {
  return new DataView(bytesFromHex(hex).buffer).getFloat32(0, true);
}

describe("the 58 dot products of ggml's known-answer vectors", () => {
  test.each(KAT.map((k) => [`${k.id} ${k.category}`, k] as const))("%s: TQ1_0 and TQ2_0 bit-exact", (_label, k) => {
    const act = bytesFromHex(k.act_q8_K);
    expect(sameFloat(vecDotTq1_0Q8KAvx2(bytesFromHex(k.tq1_0), act), f32FromLeBytes(k.dot_tq1_0_q8_K_f32))).toBe(true);
    expect(sameFloat(vecDotTq2_0Q8KAvx2(bytesFromHex(k.tq2_0), act), f32FromLeBytes(k.dot_tq2_0_q8_K_f32))).toBe(true);
  });

  test("there are 29 cases (58 dot products)", () => expect(KAT.length).toBe(29));
});

describe("recorded outputs of the AVX2 kernels on random blocks", () => {
  test.each([
    ["TQ2_0", FIXTURES.vec_dot_tq2_0_q8_K, vecDotTq2_0Q8KAvx2],
    ["TQ1_0", FIXTURES.vec_dot_tq1_0_q8_K, vecDotTq1_0Q8KAvx2],
  ] as const)("%s: 20 cases bit-exact", (_type, cases, dot) => {
    expect(cases.length).toBe(20);
    cases.forEach((c, i) => {
      const got = dot(bytesFromHex(c.w), bytesFromHex(c.a));
      expect(sameFloat(got, f32sFromHex(c.dot)[0]), `case ${i}: ${got} vs ${f32sFromHex(c.dot)[0]}`).toBe(true);
    });
  });
});

describe("TQ1_0 trit extraction (subs_epu8, avg_epu8, >> 6)", () => {
  test("equals ((byte·3^n mod 256)·3) >> 8 for every byte and digit", () => {
    for (let n = 0; n < 5; n++)
      for (let byte = 0; byte < 256; byte++) expect(tq1TritAvx2(byte, n)).toBe(tritOfByte(byte, n));
  });
});

describe("exactly representable sums", () => {
  test("with power-of-two scales and one block the result is Σ (code − 1)·q · d_w · d_a exactly", () => {
    const block = fc.record({
      codes: fc.uint8Array({ minLength: 256, maxLength: 256, min: 0, max: 2 }),
      q: fc.int8Array({ minLength: 256, maxLength: 256, min: -127, max: 127 }),
      dwExp: fc.integer({ min: -10, max: 4 }),
      daExp: fc.integer({ min: -10, max: 4 }),
    });
    checkProperty(
      "tq dot exact",
      fc.property(block, ({ codes, q, dwExp, daExp }) => {
        const bsums = new Int16Array(16);
        for (let j = 0; j < 16; j++) for (let i = 0; i < 16; i++) bsums[j] += q[16 * j + i];
        const act = packQ8KBlock({ d: 2 ** daExp, qs: q, bsums });
        const scaleBits = f32ToF16Bits(2 ** dwExp);
        let sum = 0;
        for (let e = 0; e < 256; e++) sum += (codes[e] - 1) * q[e];
        const want = sum * 2 ** dwExp * 2 ** daExp;
        return (
          vecDotTq2_0Q8KAvx2(packTq2Block(codes, scaleBits), act) === want &&
          vecDotTq1_0Q8KAvx2(packTq1Block(codes, scaleBits), act) === want
        );
      }),
      { numRuns: 300 },
    );
  });

  test("agrees with the generic kernel to within float32 accumulation error on real activations", () => {
    const x = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    const act = quantizeRowQ8K(x);
    const codes = Uint8Array.from({ length: 256 }, (_, i) => (i * 7) % 3);
    const w = new Uint8Array([
      ...packTq1Block(codes, f32ToF16Bits(0.03)),
      ...packTq1Block(codes.reverse(), f32ToF16Bits(0.05)),
    ]);
    const avx2 = vecDotTq1_0Q8KAvx2(w, act);
    const generic = vecDotTq1_0Q8K(w, act);
    expect(Math.abs(avx2 - generic)).toBeLessThanOrEqual(4 * 2 ** -23 * Math.abs(generic));
  });

  test("rejects mismatched lengths", () => {
    expect(() => vecDotTq2_0Q8KAvx2(new Uint8Array(66), new Uint8Array(2 * 292))).toThrow(RangeError);
  });
});
