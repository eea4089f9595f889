/** reference/codec/q6_k.ts: ggml's KATs bit for bit, and the element map. */
import { expect, test } from "vitest";
import { dequantizeRowQ6K, q6KValue, quantizeRowQ6K } from "../../../reference/codec/index.js";
import { katCodecTests } from "../../support/kquant-kat.js";

katCodecTests("q6_K", { quantize: quantizeRowQ6K, dequantize: dequantizeRowQ6K });

test("element 128h + 32r + l: nibble of ql[64h + 32(r mod 2) + l] (high for r ≥ 2), bits 2r..2r+1 of qh[32h + l]", () => {
  const block = new Uint8Array(210);
  block[64 + 32 + 4] = 0xb0; // h = 1, r = 3 → high nibble 0xb
  block[128 + 32 + 4] = 2 << 6; // bits 6..7 = 2
  expect(q6KValue(block, 128 + 96 + 4)).toBe(0xb | (2 << 4));
  expect(q6KValue(block, 128 + 32 + 4)).toBe(0);
});
