/** src/gguf/data-validation.ts for the Q4_0 / K-quant scales (ggml_validate_row_data: d, and dmin where there is one). */
import { expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { invalidDataProblem } from "../../../src/gguf/data-validation.js";

/** Two zero blocks of `blockBytes` with the fp16 `bits` written at `offset` of block 1. */
function twoBlocks(blockBytes: number, offset: number, bits: number): Uint8Array {
  const bytes = new Uint8Array(2 * blockBytes);
  bytes[blockBytes + offset] = bits & 0xff;
  bytes[blockBytes + offset + 1] = bits >> 8;
  return bytes;
}

test.each([
  ["q4_0 d", GgmlType.Q4_0, 18, 0],
  ["q4_K d", GgmlType.Q4_K, 144, 0],
  ["q4_K dmin", GgmlType.Q4_K, 144, 2],
  ["q5_K d", GgmlType.Q5_K, 176, 0],
  ["q5_K dmin", GgmlType.Q5_K, 176, 2],
  ["q6_K d", GgmlType.Q6_K, 210, 208],
] as const)("%s: an infinite or NaN fp16 is reported in block 1; a finite one is not", (_name, type, size, offset) => {
  expect(invalidDataProblem(type, twoBlocks(size, offset, 0x7c00))).toBe("block 1 has an infinite or NaN scale");
  expect(invalidDataProblem(type, twoBlocks(size, offset, 0xfe00))).toBe("block 1 has an infinite or NaN scale");
  expect(invalidDataProblem(type, twoBlocks(size, offset, 0x7bff))).toBeUndefined();
});

test("q6_K: bytes outside d (the int8 scales) are never a problem", () => {
  expect(invalidDataProblem(GgmlType.Q6_K, twoBlocks(210, 200, 0x7c7c))).toBeUndefined();
});
