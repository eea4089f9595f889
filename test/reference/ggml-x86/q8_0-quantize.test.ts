/** reference/ggml-x86/q8_0-quantize.ts: the activation bytes llama.cpp's x86 build wrote for the Q4_0/Q8_0 KATs. */
import { expect, test } from "vitest";
import { quantizeRowQ8_0 } from "../../../reference/codec/index.js";
import { quantizeRowQ8_0Avx2 } from "../../../reference/ggml-x86/index.js";
import { bytesToHex } from "../../support/hex.js";
import { katCasesOf, katF32 } from "../../support/kquant-kat.js";

test.each([...katCasesOf("q4_0"), ...katCasesOf("q8_0")].map((c) => [c.id, c.category, c] as const))(
  "%s (%s): the Q8_0 activation bytes equal ggml's",
  (_id, _cat, c) => {
    expect(bytesToHex(quantizeRowQ8_0Avx2(katF32(c.act_f32)))).toBe(c.act_quant);
  },
);

test("rounds halves to even where quantize_row_q8_0_ref rounds them away from zero", () => {
  const x = new Float32Array(32);
  x[0] = 127; // amax 127: id = 1
  x[1] = 2.5;
  x[2] = -3.5;
  const runtime = quantizeRowQ8_0Avx2(x);
  const ref = quantizeRowQ8_0(x);
  expect([runtime[3], (runtime[4] << 24) >> 24]).toEqual([2, -4]);
  expect([ref[3], (ref[4] << 24) >> 24]).toEqual([3, -4]);
});
