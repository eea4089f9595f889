/**
 * reference/ggml-x86/kquant-dot.ts against llama.cpp's own x86-64 build (-march=native, AVX-512):
 * golden/external/ggml-kquants/kquant-kat.jsonl, bit for bit.
 */
import { describe, expect, test } from "vitest";
import { vecDotQ4KQ8KAvx2, vecDotQ5KQ8KAvx2, vecDotQ6KQ8KAvx2 } from "../../../reference/ggml-x86/index.js";
import { hexToBytes } from "../../support/hex.js";
import { f32Key, katCasesOf, katScalar } from "../../support/kquant-kat.js";

const DOTS = [
  ["q4_K", vecDotQ4KQ8KAvx2],
  ["q5_K", vecDotQ5KQ8KAvx2],
  ["q6_K", vecDotQ6KQ8KAvx2],
] as const;

describe.each(DOTS)("%s · q8_K, x86 order", (type, dot) => {
  test.each(katCasesOf(type).map((c) => [c.id, c.category, c] as const))(
    "%s (%s): bit-identical to ggml",
    (_id, _cat, c) => {
      expect(f32Key(dot(hexToBytes(c.quant), hexToBytes(c.act_quant)))).toBe(f32Key(katScalar(c.dot_x86_f32)));
    },
  );
});

test("rows of different block counts are refused", () => {
  expect(() => vecDotQ6KQ8KAvx2(new Uint8Array(210), new Uint8Array(0))).toThrow(RangeError);
});
