/**
 * bitnet.cpp I2_S linear weights as the model holds them (spec/forward.md §17.7): ternary TQ2_0 with block scale 1 and
 * the tail scale as an output scale "multiply", exactly; each thing the model cannot hold refused with one line.
 */

import { describe, expect, it } from "vitest";
import { GgmlType, dequantizeRow, i2sElementLocation, packI2s } from "../../../reference/codec/index.js";
import { decodeMatrixRow } from "../../../reference/model/packed-matrix.js";
import { InputError } from "../../../src/errors.js";
import { i2sLinear, ternaryTq2Matrix } from "../../../src/model/i2s-linear.js";

const ROWS = 4;
const COLS = 256;
/** Codes 0, 1, 2 (−1, 0, +1) in a pattern that tells rows, columns and the 32-byte groups apart. */
const CODES = Uint8Array.from({ length: ROWS * COLS }, (_, e) => (e * 7 + (e >> 5)) % 3);

/** The message i2sLinear throws. */
function problem(bytes: Uint8Array, cols = COLS): string {
  try {
    i2sLinear("m.gguf", "blk.0.attn_q.weight", bytes, ROWS, cols);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("not refused");
}

describe("i2sLinear", () => {
  it("decodes the x86 layout: W = t exactly (TQ2_0, block scale 1), the tail scale multiplies the output", () => {
    const scale = Math.fround(0.0123);
    const { matrix, scale: output } = i2sLinear(
      "m.gguf",
      "w",
      packI2s("x86", { rows: ROWS, cols: COLS }, CODES, scale),
      ROWS,
      COLS,
    );
    expect(matrix.type).toBe(GgmlType.TQ2_0);
    expect(output).toEqual({ value: scale, op: "multiply" });
    for (let r = 0; r < ROWS; r++)
      expect(Array.from(decodeMatrixRow(matrix, r))).toEqual(
        Array.from(CODES.subarray(r * COLS, (r + 1) * COLS), (c) => c - 1),
      );
  });

  it("refuses a code 3, a scale that is not positive, and columns TQ2_0 cannot hold", () => {
    const shape = { rows: ROWS, cols: COLS };
    const bytes = packI2s("x86", shape, CODES, 1);
    const at = i2sElementLocation("x86", shape, 2, 33);
    const { byte, shift } = at ?? { byte: -1, shift: -1 };
    bytes[byte] |= 3 << shift;
    expect(problem(bytes)).toBe(
      `m.gguf: tensor 'blk.0.attn_q.weight' (I2_S): code 3 at row 2, col 33 (byte ${byte}, bits ${shift + 1}:${shift}): not a ternary weight`,
    );
    expect(problem(packI2s("x86", shape, CODES, 0))).toBe(
      "m.gguf: tensor 'blk.0.attn_q.weight' (I2_S): scale 0 in its tail is not a positive number",
    );
    expect(problem(packI2s("x86", shape, CODES, Number.NaN))).toMatch(/\(I2_S\): scale at byte 256: scale nan/);
    expect(problem(packI2s("x86", { rows: ROWS, cols: 384 }, new Uint8Array(ROWS * 384), 1), 384)).toBe(
      "m.gguf: tensor 'blk.0.attn_q.weight' (I2_S) has 384 columns, not a multiple of 256 (the oracle stores it as TQ2_0)",
    );
  });

  it("ternaryTq2Matrix stores an all-zero block with scale 0 and the others with scale 1", () => {
    const ternary = Int8Array.from({ length: 512 }, (_, i) => (i < 256 ? 0 : i % 2 === 0 ? 1 : -1));
    const matrix = ternaryTq2Matrix(ternary, 1, 512);
    expect(Array.from(dequantizeRow(GgmlType.TQ2_0, matrix.data, 512))).toEqual(Array.from(ternary));
  });
});
