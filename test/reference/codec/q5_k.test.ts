/** reference/codec/q5_k.ts: ggml's KATs bit for bit, and the high-bit map. */
import { expect, test } from "vitest";
import { dequantizeRowQ5K, q5KLevel, quantizeRowQ5K } from "../../../reference/codec/index.js";
import { katCodecTests } from "../../support/kquant-kat.js";

katCodecTests("q5_K", { quantize: quantizeRowQ5K, dequantize: dequantizeRowQ5K });

test("bit 4 of element 64c + 32h + l is bit 2c + h of qh[l]", () => {
  const block = new Uint8Array(176);
  block[16 + 9] = 1 << (2 * 3 + 1); // c = 3, h = 1, l = 9
  block[48 + 32 * 3 + 9] = 0x20; // high nibble 2
  expect(q5KLevel(block, 64 * 3 + 32 + 9)).toBe(16 + 2);
  expect(q5KLevel(block, 64 * 3 + 9)).toBe(0);
});
