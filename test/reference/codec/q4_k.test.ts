/** reference/codec/q4_k.ts: ggml's KATs bit for bit, and the element map. */
import { expect, test } from "vitest";
import { dequantizeRowQ4K, q4KLevel, quantizeRowQ4K } from "../../../reference/codec/index.js";
import { katCodecTests } from "../../support/kquant-kat.js";

katCodecTests("q4_K", { quantize: quantizeRowQ4K, dequantize: dequantizeRowQ4K });

test("element 64c + l is the low nibble and 64c + 32 + l the high nibble of qs[32c + l]", () => {
  const block = new Uint8Array(144);
  block[16 + 32 * 2 + 5] = 0xa7;
  expect(q4KLevel(block, 64 * 2 + 5)).toBe(7);
  expect(q4KLevel(block, 64 * 2 + 32 + 5)).toBe(10);
  expect(q4KLevel(block, 5)).toBe(0);
});
