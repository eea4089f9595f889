/**
 * reference/codec/ggml-type.ts — type ids and block geometry (spec/formats.md §1, §9).
 *
 * Provenance of the expected values:
 *  - ids: enum ggml_type in ggml/include/ggml.h (F32 0, F16 1, Q4_0 2, Q8_0 8, Q4_K 12, Q5_K 13, Q6_K 14,
 *    Q8_K 15, BF16 30, TQ1_0 34, TQ2_0 35), also tabled in spec/formats.md §1;
 *  - names: `.type_name` in ggml's type_traits table (ggml/src/ggml.c): "f32", "f16", "q8_0",
 *    "q8_K", "bf16", "tq1_0", "tq2_0";
 *  - sizes: the block structs in ggml/src/ggml-common.h:
 *      block_q4_0  { ggml_half d; uint8_t qs[QK4_0/2]; }                               2 + 16
 *      block_q8_0  { ggml_half d; int8_t qs[QK8_0]; }                                  2 + 32
 *      block_q4_K  { ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[QK_K/2]; }      4 + 12 + 128
 *      block_q5_K  { ggml_half d, dmin; uint8_t scales[12]; qh[QK_K/8]; qs[QK_K/2]; }  4 + 12 + 32 + 128
 *      block_q6_K  { uint8_t ql[QK_K/2]; qh[QK_K/4]; int8_t scales[QK_K/16]; ggml_half d; }  128 + 64 + 16 + 2
 *      block_q8_K  { float d; int8_t qs[QK_K]; int16_t bsums[QK_K/16]; }               4 + 256 + 32
 *      block_tq1_0 { uint8_t qs[(QK_K - 4*QK_K/64)/5]; uint8_t qh[QK_K/64]; ggml_half d; }  48 + 4 + 2
 *      block_tq2_0 { uint8_t qs[QK_K/4]; ggml_half d; }                                64 + 2
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  GgmlType,
  QK_K,
  bitsPerWeight,
  ggmlTypeByName,
  ggmlTypeTraits,
  rowByteSize,
} from "../../../reference/codec/ggml-type.js";
import { checkProperty } from "../../support/property.js";

const EXPECTED = [
  { type: GgmlType.F32, id: 0, name: "f32", blockSize: 1, typeSize: 4 },
  { type: GgmlType.F16, id: 1, name: "f16", blockSize: 1, typeSize: 2 },
  { type: GgmlType.Q4_0, id: 2, name: "q4_0", blockSize: 32, typeSize: 2 + 16 },
  { type: GgmlType.Q8_0, id: 8, name: "q8_0", blockSize: 32, typeSize: 2 + 32 },
  { type: GgmlType.Q4_K, id: 12, name: "q4_K", blockSize: 256, typeSize: 4 + 12 + 128 },
  { type: GgmlType.Q5_K, id: 13, name: "q5_K", blockSize: 256, typeSize: 4 + 12 + 32 + 128 },
  { type: GgmlType.Q6_K, id: 14, name: "q6_K", blockSize: 256, typeSize: 128 + 64 + 16 + 2 },
  { type: GgmlType.Q8_K, id: 15, name: "q8_K", blockSize: 256, typeSize: 4 + 256 + 2 * (256 / 16) },
  { type: GgmlType.BF16, id: 30, name: "bf16", blockSize: 1, typeSize: 2 },
  { type: GgmlType.TQ1_0, id: 34, name: "tq1_0", blockSize: 256, typeSize: (256 - (4 * 256) / 64) / 5 + 256 / 64 + 2 },
  { type: GgmlType.TQ2_0, id: 35, name: "tq2_0", blockSize: 256, typeSize: 256 / 4 + 2 },
];

describe("GgmlType and traits", () => {
  test("QK_K is 256", () => {
    expect(QK_K).toBe(256);
  });

  test.each(EXPECTED)(
    "$name: id $id, $blockSize elements in $typeSize bytes",
    ({ type, id, name, blockSize, typeSize }) => {
      expect(type).toBe(id);
      expect(ggmlTypeTraits(id)).toEqual({ type: id, name, blockSize, typeSize });
      expect(ggmlTypeByName(name)).toEqual({ type: id, name, blockSize, typeSize });
    },
  );

  test("exactly these eleven types are known; other ids give undefined", () => {
    const known = EXPECTED.map((e) => e.id);
    for (let id = -1; id < 64; id++) expect(ggmlTypeTraits(id) !== undefined).toBe(known.includes(id));
  });

  test("names are case-insensitive; unknown names give undefined", () => {
    expect(ggmlTypeByName("Q8_K")?.type).toBe(GgmlType.Q8_K);
    expect(ggmlTypeByName("q8_k")?.type).toBe(GgmlType.Q8_K);
    expect(ggmlTypeByName("TQ1_0")?.type).toBe(GgmlType.TQ1_0);
    expect(ggmlTypeByName("Q4_k")?.type).toBe(GgmlType.Q4_K);
    expect(ggmlTypeByName("q4_1")).toBeUndefined();
    expect(ggmlTypeByName("")).toBeUndefined();
  });
});

describe("bitsPerWeight", () => {
  test("TQ1_0 = (48 + 4 + 2)·8/256 = 1.6875 and TQ2_0 = (64 + 2)·8/256 = 2.0625", () => {
    expect(bitsPerWeight(ggmlTypeTraits(GgmlType.TQ1_0)!)).toBe(((48 + 4 + 2) * 8) / 256);
    expect(bitsPerWeight(ggmlTypeTraits(GgmlType.TQ1_0)!)).toBe(1.6875);
    expect(bitsPerWeight(ggmlTypeTraits(GgmlType.TQ2_0)!)).toBe(((64 + 2) * 8) / 256);
    expect(bitsPerWeight(ggmlTypeTraits(GgmlType.TQ2_0)!)).toBe(2.0625);
  });

  test.each(EXPECTED)("$name: 8 · typeSize / blockSize", ({ id, blockSize, typeSize }) => {
    expect(bitsPerWeight(ggmlTypeTraits(id)!)).toBe((8 * typeSize) / blockSize);
  });
});

describe("rowByteSize", () => {
  test("whole blocks: (n / blockSize) · typeSize, for every type (property)", () => {
    checkProperty(
      "rowByteSize = blocks · typeSize",
      fc.property(fc.constantFrom(...EXPECTED), fc.integer({ min: 0, max: 10_000 }), (t, blocks) => {
        expect(rowByteSize(ggmlTypeTraits(t.id)!, blocks * t.blockSize)).toBe(blocks * t.typeSize);
      }),
      { numRuns: 200 },
    );
  });

  test.each([
    [GgmlType.TQ1_0, 255],
    [GgmlType.TQ2_0, 257],
    [GgmlType.Q8_0, 33],
    [GgmlType.Q8_K, 100],
    [GgmlType.F32, -1],
    [GgmlType.F16, 1.5],
    [GgmlType.BF16, Number.NaN],
  ])("type %i, n = %d: RangeError", (type, n) => {
    expect(() => rowByteSize(ggmlTypeTraits(type)!, n)).toThrow(RangeError);
  });

  test("the error names the type and the length", () => {
    expect(() => rowByteSize(ggmlTypeTraits(GgmlType.TQ2_0)!, 300)).toThrow(/tq2_0.*300.*256/);
  });
});
