/**
 * reference/model/packed-matrix.ts — weights kept packed, decoded one row at a time
 * (spec/forward.md §2).
 *
 * Oracles: the codec's dequantizeRow applied to the row's bytes located independently
 * (r · rowByteSize … (r+1) · rowByteSize); quantizeRow applied row by row for packing; and the
 * fact that ternary × fp16-scale rows are stored losslessly by every type the model uses (spec §10.4).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { dequantizeRow, GgmlType, ggmlTypeTraits, quantizeRow, rowByteSize } from "../../../reference/codec/index.js";
import {
  decodeMatrixRow,
  packedRow,
  packedRowBytes,
  packMatrix,
  type PackedMatrix,
} from "../../../reference/model/packed-matrix.js";
import { checkProperty } from "../../support/property.js";
import { randomTernaryMatrix, sameBits } from "../../support/tiny-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";

const TYPES = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.TQ1_0, GgmlType.TQ2_0] as const;

/** Block size of a type (1, 32 or 256). */
function blockSize(type: GgmlType): number {
  return ggmlTypeTraits(type)!.blockSize;
}

/** A random matrix of a type: [rows, cols] values in (−2, 2), packed row by row with quantizeRow. */
function randomPacked(
  type: GgmlType,
  rows: number,
  blocks: number,
  seed: number,
): { matrix: PackedMatrix; values: Float32Array } {
  const cols =
    blocks *
    Math.max(blockSize(type), type === GgmlType.F32 || type === GgmlType.F16 || type === GgmlType.BF16 ? 8 : 1);
  const random = mulberry32(seed);
  const values = Float32Array.from({ length: rows * cols }, () => 4 * random() - 2);
  const rowBytes = rowByteSize(ggmlTypeTraits(type)!, cols);
  const data = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) data.set(quantizeRow(type, values.subarray(r * cols, (r + 1) * cols)), r * rowBytes);
  return { matrix: { type, rows, cols, data }, values };
}

describe("packed matrices", () => {
  test("property: decodeMatrixRow(r) = dequantizeRow of bytes [r·rowBytes, (r+1)·rowBytes), every type", () => {
    const arbitrary = fc.record({
      type: fc.constantFrom(...TYPES),
      rows: fc.integer({ min: 1, max: 5 }),
      blocks: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer(),
    });
    checkProperty(
      "packed-matrix: row decode = dequantizeRow",
      fc.property(arbitrary, ({ type, rows, blocks, seed }) => {
        const { matrix } = randomPacked(type, rows, blocks, seed);
        const rowBytes = rowByteSize(ggmlTypeTraits(type)!, matrix.cols);
        expect(packedRowBytes(matrix)).toBe(rowBytes);
        for (let r = 0; r < rows; r++) {
          const bytes = matrix.data.subarray(r * rowBytes, (r + 1) * rowBytes);
          expect(sameBits(decodeMatrixRow(matrix, r), dequantizeRow(type, bytes, matrix.cols))).toBe(true);
          const view = packedRow(matrix, r);
          expect(view.buffer).toBe(matrix.data.buffer); // a view, not a copy
          expect(view.byteOffset).toBe(matrix.data.byteOffset + r * rowBytes);
          expect(view.length).toBe(rowBytes);
        }
      }),
      { numRuns: 60 },
    );
  });

  test("property: packMatrix stores each row as quantizeRow does, rows concatenated", () => {
    const arbitrary = fc.record({
      type: fc.constantFrom(...TYPES),
      rows: fc.integer({ min: 1, max: 4 }),
      blocks: fc.integer({ min: 1, max: 2 }),
      seed: fc.integer(),
    });
    checkProperty(
      "packed-matrix: packMatrix = quantizeRow per row",
      fc.property(arbitrary, ({ type, rows, blocks, seed }) => {
        const { matrix, values } = randomPacked(type, rows, blocks, seed);
        const packed = packMatrix(type, rows, matrix.cols, values);
        expect(packed.type).toBe(type);
        expect(packed.rows).toBe(rows);
        expect(packed.cols).toBe(matrix.cols);
        expect(Array.from(packed.data)).toEqual(Array.from(matrix.data));
      }),
      { numRuns: 40 },
    );
  });

  test("property: ternary × fp16-scale matrices are stored losslessly as F32, F16, TQ1_0 and TQ2_0", () => {
    const arbitrary = fc.record({
      rows: fc.integer({ min: 1, max: 6 }),
      blocks: fc.integer({ min: 1, max: 2 }),
      shards: fc.constantFrom(1, 2, 3),
      parallel: fc.constantFrom("column" as const, "row" as const),
      density: fc.constantFrom(0.05, 0.5, 2 / 3, 1),
      seed: fc.integer(),
    });
    checkProperty(
      "packed-matrix: ternary rows round-trip",
      fc.property(arbitrary, ({ rows, blocks, shards, parallel, density, seed }) => {
        const cols = 256 * blocks;
        const values = randomTernaryMatrix(mulberry32(seed), rows, cols, shards, parallel, density);
        for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.TQ1_0, GgmlType.TQ2_0]) {
          const matrix = packMatrix(type, rows, cols, values);
          for (let r = 0; r < rows; r++) {
            expect(sameBits(decodeMatrixRow(matrix, r), values.subarray(r * cols, (r + 1) * cols))).toBe(true);
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  test("an unknown type is refused with its id", () => {
    const bogus = { type: 99 as GgmlType, rows: 1, cols: 8, data: new Uint8Array(32) };
    expect(() => packedRowBytes(bogus)).toThrow(RangeError);
    expect(() => packedRowBytes(bogus)).toThrow(/99/);
  });
});
