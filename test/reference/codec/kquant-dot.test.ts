/**
 * reference/codec/kquant-dot.ts (and dot.ts's vecDotQ8_0Q8_0) against ggml's generic kernels
 * (ggml_vec_dot_*_generic built -march=x86-64 -ffp-contract=off; golden/external/ggml-kquants/), bit for bit,
 * plus the Q8_K activation rows of those cases.
 */
import { describe, expect, test } from "vitest";
import {
  quantizeRowQ8K,
  vecDotQ4_0Q8_0,
  vecDotQ4KQ8K,
  vecDotQ5KQ8K,
  vecDotQ6KQ8K,
  vecDotQ8_0Q8_0,
} from "../../../reference/codec/index.js";
import { bytesToHex, hexToBytes } from "../../support/hex.js";
import { f32Key, katCasesOf, katF32, katScalar, kquantKatCases } from "../../support/kquant-kat.js";

const DOTS = [
  ["q4_0", vecDotQ4_0Q8_0],
  ["q8_0", vecDotQ8_0Q8_0],
  ["q4_K", vecDotQ4KQ8K],
  ["q5_K", vecDotQ5KQ8K],
  ["q6_K", vecDotQ6KQ8K],
] as const;

test("the KAT file holds 95 cases, 19 per type", () => {
  expect(kquantKatCases.length).toBe(95);
});

describe.each(DOTS)("%s · vec_dot_type, generic order", (type, dot) => {
  test.each(katCasesOf(type).map((c) => [c.id, c.category, c] as const))("%s (%s): bit-identical", (_id, _cat, c) => {
    expect(f32Key(dot(hexToBytes(c.quant), hexToBytes(c.act_quant)))).toBe(f32Key(katScalar(c.dot_generic_f32)));
  });
});

test.each(kquantKatCases.filter((c) => c.act_type === "q8_K").map((c) => [c.id, c] as const))(
  "%s: the Q8_K activation row is quantize_row_q8_K_ref's",
  (_id, c) => {
    expect(bytesToHex(quantizeRowQ8K(katF32(c.act_f32)))).toBe(c.act_quant);
  },
);

test("rows of different block counts are refused", () => {
  expect(() => vecDotQ4KQ8K(new Uint8Array(144), new Uint8Array(584))).toThrow(RangeError);
  expect(() => vecDotQ4_0Q8_0(new Uint8Array(18), new Uint8Array(68))).toThrow(RangeError);
});
