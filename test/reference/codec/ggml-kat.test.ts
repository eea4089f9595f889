/**
 * Known-answer vectors produced by ggml itself (golden/external/ggml-tq-kat.jsonl; provenance in
 * golden/external/PROVENANCE.md). Every field is reproduced bit for bit, except the two dot
 * products, which ggml computed with its AVX2 kernel (another float32 summation order) and which
 * are compared within the bound derived in spec/formats.md §8.2.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  dequantizeRowTq1_0,
  dequantizeRowTq2_0,
  GgmlType,
  quantizeRowQ8K,
  quantizeRowTq1_0,
  quantizeRowTq2_0,
  ternaryDotErrorBound,
  dotResultsAgree,
  vecDotTq1_0Q8K,
  vecDotTq2_0Q8K,
} from "../../../reference/codec/index.js";
import { bytesToF32, bytesToHex, f32ToBytes, hexToBytes } from "../../support/hex.js";

interface KatCase {
  id: string;
  category: string;
  n: number;
  x_f32: string;
  tq1_0: string;
  tq2_0: string;
  tq1_0_dequant_f32: string;
  tq2_0_dequant_f32: string;
  act_f32: string;
  act_q8_K: string;
  dot_tq1_0_q8_K_f32: string;
  dot_tq2_0_q8_K_f32: string;
}

const KAT_PATH = new URL("../../../golden/external/ggml-tq-kat.jsonl", import.meta.url);
const cases: KatCase[] = readFileSync(KAT_PATH, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as KatCase);

/** float32 from the 8 hex digits of its little-endian bytes. */
function f32FromHex(hex: string): number {
  return new DataView(hexToBytes(hex).buffer).getFloat32(0, true);
}

test("the KAT file has the 29 cases its provenance describes, across all categories", () => {
  expect(cases.length).toBe(29);
  expect(new Set(cases.map((c) => c.category))).toEqual(
    new Set([
      "ternary_times_scale",
      "gaussian",
      "half_ties",
      "all_zero",
      "negative_zero_and_single",
      "tiny_scale",
      "huge_scale",
      "activations_large",
      "activations_sparse",
      "activations_ties",
    ]),
  );
});

describe.each(cases.map((c) => [`${c.id} ${c.category} n=${c.n}`, c] as const))("%s", (_label, kat) => {
  const x = bytesToF32(hexToBytes(kat.x_f32));
  const act = bytesToF32(hexToBytes(kat.act_f32));

  test("TQ1_0 encode is bit-exact", () => {
    expect(bytesToHex(quantizeRowTq1_0(x))).toBe(kat.tq1_0);
  });
  test("TQ2_0 encode is bit-exact", () => {
    expect(bytesToHex(quantizeRowTq2_0(x))).toBe(kat.tq2_0);
  });
  test("TQ1_0 decode is bit-exact", () => {
    expect(bytesToHex(f32ToBytes(dequantizeRowTq1_0(hexToBytes(kat.tq1_0))))).toBe(kat.tq1_0_dequant_f32);
  });
  test("TQ2_0 decode is bit-exact", () => {
    expect(bytesToHex(f32ToBytes(dequantizeRowTq2_0(hexToBytes(kat.tq2_0))))).toBe(kat.tq2_0_dequant_f32);
  });
  test("Q8_K encode is bit-exact", () => {
    expect(bytesToHex(quantizeRowQ8K(act))).toBe(kat.act_q8_K);
  });

  test.each([
    ["tq1_0", () => vecDotTq1_0Q8K(hexToBytes(kat.tq1_0), hexToBytes(kat.act_q8_K)), kat.dot_tq1_0_q8_K_f32, "tq1_0"],
    ["tq2_0", () => vecDotTq2_0Q8K(hexToBytes(kat.tq2_0), hexToBytes(kat.act_q8_K)), kat.dot_tq2_0_q8_K_f32, "tq2_0"],
  ] as const)(
    "%s · q8_K dot product is within the §8.2 bound of ggml's AVX2 result",
    (_name, dot, expectedHex, format) => {
      const ours = dot();
      const ggml = f32FromHex(expectedHex);
      const weights = hexToBytes(format === "tq1_0" ? kat.tq1_0 : kat.tq2_0);
      const bound = ternaryDotErrorBound(
        format === "tq1_0" ? GgmlType.TQ1_0 : GgmlType.TQ2_0,
        weights,
        hexToBytes(kat.act_q8_K),
      );
      expect(dotResultsAgree(ours, ggml, bound), `ours ${ours}, ggml ${ggml}, bound ${bound}`).toBe(true);
    },
  );
});
