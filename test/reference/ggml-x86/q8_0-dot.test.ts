/**
 * reference/ggml-x86/q8_0-dot.ts against llama.cpp's own x86-64 build (-march=native, AVX-512 + VNNI):
 * golden/external/ggml-kquants/kquant-kat.jsonl, bit for bit.
 */
import { describe, expect, test } from "vitest";
import { vecDotQ4_0Q8_0Avx2, vecDotQ8_0Q8_0Avx2 } from "../../../reference/ggml-x86/index.js";
import { hexToBytes } from "../../support/hex.js";
import { f32Key, katCasesOf, katScalar } from "../../support/kquant-kat.js";

const DOTS = [
  ["q4_0", vecDotQ4_0Q8_0Avx2],
  ["q8_0", vecDotQ8_0Q8_0Avx2],
] as const;

describe.each(DOTS)("%s · q8_0, x86 order", (type, dot) => {
  test.each(katCasesOf(type).map((c) => [c.id, c.category, c] as const))(
    "%s (%s): bit-identical to ggml",
    (_id, _cat, c) => {
      expect(f32Key(dot(hexToBytes(c.quant), hexToBytes(c.act_quant)))).toBe(f32Key(katScalar(c.dot_x86_f32)));
    },
  );
});

test("the sign trick (derived from the intrinsics, not in the KAT): y = −128 against x = −1 gives −128", () => {
  const w = new Uint8Array(34);
  const a = new Uint8Array(34);
  w[1] = 0x3c; // fp16 1.0
  a[1] = 0x3c;
  w[2] = 0xff; // x = −1
  a[2] = 0x80; // y = −128: sign(y, x) = −y wraps back to −128
  expect(vecDotQ8_0Q8_0Avx2(w, a)).toBe(-128);
});
