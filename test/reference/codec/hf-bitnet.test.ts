/**
 * The Hugging Face BitNet codec (spec/bitnet.md §7) against transformers' own pack_weights / unpack_weights:
 * golden/external/transformers-bitnet/pack-kats.json holds their outputs on random ternary tensors (transformers
 * 5.18.0; provenance in that folder's PROVENANCE.md), including shapes whose row count is not a multiple of 4.
 */

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  hfBitnetElementAt,
  hfBitnetElementLocation,
  hfBitnetPackedRows,
  hfBitnetProblems,
  packHfBitnet,
  unpackHfBitnet,
} from "../../../reference/codec/hf-bitnet.js";
import { checkProperty } from "../../support/property.js";

/** One case of pack-kats.json: transformers' pack_weights and unpack_weights on `ternary`. */
interface PackKat {
  readonly shape: readonly number[];
  readonly ternary: readonly number[];
  readonly packed_shape: readonly number[];
  readonly packed: readonly number[];
  readonly unpacked_shape: readonly number[];
  readonly unpacked: readonly number[];
}

const KATS = (
  JSON.parse(
    readFileSync(new URL("../../../golden/external/transformers-bitnet/pack-kats.json", import.meta.url), "utf8"),
  ) as { cases: PackKat[] }
).cases;

/** [rows, cols] of a case (a 1-D tensor of n values is [n, 1]: pack_weights packs along its only dimension). */
function matrixShape(shape: readonly number[]): [number, number] {
  return [shape[0], shape.length === 1 ? 1 : shape[1]];
}

describe("golden/external/transformers-bitnet: transformers' pack_weights / unpack_weights", () => {
  test("has the cases the provenance lists, some with rows % 4 ≠ 0", () => {
    expect(KATS.length).toBe(9);
    expect(KATS.filter((k) => k.shape[0] % 4 !== 0).length).toBe(4);
  });

  test.each(KATS.map((k) => [k.shape.join("×"), k] as const))("[%s] packHfBitnet = pack_weights", (_name, kat) => {
    const [rows, cols] = matrixShape(kat.shape);
    expect(kat.packed_shape[0]).toBe(hfBitnetPackedRows(rows));
    expect(Array.from(packHfBitnet(Int8Array.from(kat.ternary), rows, cols))).toEqual(kat.packed);
  });

  test.each(KATS.map((k) => [k.shape.join("×"), k] as const))("[%s] unpackHfBitnet = unpack_weights", (_name, kat) => {
    const [rows, cols] = matrixShape(kat.packed_shape);
    expect(kat.unpacked_shape[0]).toBe(4 * rows);
    expect(Array.from(unpackHfBitnet(Uint8Array.from(kat.packed), rows, cols))).toEqual(kat.unpacked);
  });

  test("rows % 4 = 0: unpack gives W back; otherwise the extra rows are −1 and validation refuses (hazard H2)", () => {
    for (const kat of KATS) {
      const [rows, cols] = matrixShape(kat.shape);
      expect(kat.unpacked.slice(0, rows * cols)).toEqual(kat.ternary);
      expect(kat.unpacked.slice(rows * cols).every((t) => t === -1)).toBe(true);
      const problems = hfBitnetProblems(Uint8Array.from(kat.packed), rows, cols, 1);
      if (rows % 4 === 0) expect(problems).toEqual([]);
      else expect(problems[0]).toMatch(/not a multiple of 4: pack_weights writes \d+ packed rows, BitLinear holds \d+/);
    }
  });
});

describe("the element map", () => {
  test("hfBitnetElementAt inverts hfBitnetElementLocation, and the map is a bijection onto the used crumbs", () => {
    checkProperty(
      "hf-bitnet element map is a bijection",
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 5 }), (rows, cols) => {
        const packedRows = hfBitnetPackedRows(rows);
        const seen = new Set<string>();
        for (let row = 0; row < rows; row++) {
          for (let c = 0; c < cols; c++) {
            const at = hfBitnetElementLocation(rows, row, c);
            expect(at.crumb).toBeLessThan(4);
            expect(hfBitnetElementAt(packedRows, at.packedRow, at.column, at.crumb)).toEqual({ row, column: c });
            seen.add(`${at.packedRow},${at.column},${at.crumb}`);
          }
        }
        expect(seen.size).toBe(rows * cols);
      }),
      { numRuns: 200 },
    );
  });

  test("is planar over output rows: W[i·R + p, c] sits in bits 2i of packed[p, c]", () => {
    // 8 rows: R = 2; row 5 = 2·2 + 1 → packed row 1, crumb 2
    expect(hfBitnetElementLocation(8, 5, 3)).toEqual({ packedRow: 1, column: 3, crumb: 2 });
    const w = new Int8Array(8 * 2);
    w[5 * 2 + 1] = 1; // code 2 at crumb 2 of packed[1, 1]
    const packed = packHfBitnet(w, 8, 2);
    expect(packed[1 * 2 + 1]).toBe(0b01_10_01_01);
  });

  test("pack then unpack is the identity on ternary matrices with rows % 4 = 0", () => {
    checkProperty(
      "hf-bitnet unpack∘pack = id",
      fc.property(
        fc
          .integer({ min: 1, max: 12 })
          .chain((q) =>
            fc
              .integer({ min: 1, max: 6 })
              .chain((cols) =>
                fc.tuple(
                  fc.constant(4 * q),
                  fc.constant(cols),
                  fc.array(fc.constantFrom(-1, 0, 1), { minLength: 4 * q * cols, maxLength: 4 * q * cols }),
                ),
              ),
          ),
        ([rows, cols, values]) => {
          const w = Int8Array.from(values);
          expect(unpackHfBitnet(packHfBitnet(w, rows, cols), rows / 4, cols)).toEqual(w);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("hfBitnetProblems", () => {
  const packed = packHfBitnet(Int8Array.from([1, -1, 0, 1, 0, 0, -1, 1]), 4, 2);

  test("accepts what pack_weights writes", () => {
    expect(hfBitnetProblems(packed, 4, 2, 0.5)).toEqual([]);
  });

  test("refuses code 3 and names the element it would decode", () => {
    const bad = packed.slice();
    bad[1] |= 0b11 << 4; // crumb 2 of packed[0, 1]: W[2, 1]
    expect(hfBitnetProblems(bad, 4, 2, 1)).toEqual(["code 3 (unpacks to +2, not ternary) at W[2, 1]"]);
    expect(unpackHfBitnet(bad, 1, 2)[2 * 2 + 1]).toBe(2);
  });

  test("refuses a wrong byte count and a scale that is NaN, infinite, zero or negative", () => {
    expect(hfBitnetProblems(packed.subarray(1), 4, 2, 1)).toEqual(["1 bytes, expected 1·2 for [4, 2]"]);
    for (const scale of [Number.NaN, Infinity, 0, -0.5])
      expect(hfBitnetProblems(packed, 4, 2, scale)).toEqual([`weight_scale ${scale} is not a positive finite number`]);
  });

  test("packHfBitnet refuses a value that is not ternary", () => {
    expect(() => packHfBitnet(Int8Array.from([2, 0, 0, 0]), 4, 1)).toThrow(/W\[0, 0\] = 2 is not ternary/);
  });
});
