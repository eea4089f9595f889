/** reference/codec/q4_0.ts: ggml's KATs bit for bit, and the nibble layout. */
import { expect, test } from "vitest";
import {
  dequantizeQ4_0Block,
  dequantizeRowQ4_0,
  quantizeQ4_0Block,
  quantizeRowQ4_0,
} from "../../../reference/codec/index.js";
import { katCodecTests } from "../../support/kquant-kat.js";

katCodecTests("q4_0", { quantize: quantizeRowQ4_0, dequantize: dequantizeRowQ4_0 });

test("element j sits in the low nibble of qs[j], element j + 16 in the high nibble; the largest |x| maps to code 0", () => {
  const x = new Float32Array(32);
  x[3] = -8; // max = −8 → d = 1
  x[19] = 5;
  const block = quantizeQ4_0Block(x);
  expect([block[0], block[1]]).toEqual([0x00, 0x3c]);
  expect(block[2 + 3]).toBe(13 << 4); // element 3: code 0 (−8·d, d = 1); element 19: code 13 (5 + 8)
  expect(dequantizeQ4_0Block(block)[3]).toBe(-8);
  const y = new Float32Array(32);
  y[0] = -8;
  y[16] = 5;
  expect(quantizeQ4_0Block(y)[2]).toBe(0x00 | (13 << 4));
});
