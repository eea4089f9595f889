import { describe, expect, test } from "vitest";
import { randomHfBitnetCase } from "../../../src/harness/hf-bitnet-cases.js";
import {
  diagnoseHfBitnet,
  HF_BITNET_HYPOTHESES,
  hfBitnetReference,
  judgeHfBitnetOutput,
} from "../../../src/harness/hf-bitnet-judge.js";

/** y as the bytes of y.bin. */
function bytesOf(values: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

describe("judgeHfBitnetOutput", () => {
  const kernelCase = randomHfBitnetCase("t", { n: 16, k: 48, m: 2 }, "multiply", 7);
  const reference = hfBitnetReference(kernelCase).map((o) => o.reference);

  test("the reference passes; one output off by 1% fails, naming it", () => {
    expect(judgeHfBitnetOutput(kernelCase, bytesOf(reference)).passed).toBe(true);
    const off = reference.slice();
    off[21] *= 1.01;
    const verdict = judgeHfBitnetOutput(kernelCase, bytesOf(off));
    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toMatch(/^1 of 32 outputs outside the bound; worst y\[1,5\] \(token 1, output 5\)/);
  });

  test("a y.bin of the wrong size fails with its size", () => {
    expect(judgeHfBitnetOutput(kernelCase, new Uint8Array(12)).reason).toBe("y.bin is 12 bytes, expected 4·m·n = 128");
  });

  for (const hypothesis of HF_BITNET_HYPOTHESES)
    for (const convention of ["multiply", "divide"] as const)
      test(`a kernel that has "${hypothesis.id}" (${convention}) is diagnosed as it, alone`, () => {
        const c = { ...kernelCase, convention };
        const y = hypothesis.outputs(c).map((o) => o.reference);
        const verdict = judgeHfBitnetOutput(c, bytesOf(y));
        expect(verdict.passed).toBe(false);
        const causes = verdict.diagnosis?.matches.filter((m) => !m.ambiguous).map((m) => m.id);
        expect(causes).toEqual([hypothesis.id]);
      });

  test("B9 is named both ways round", () => {
    const divide = { ...kernelCase, convention: "divide" as const };
    const multiplied = hfBitnetReference(kernelCase).map((o) => o.reference);
    expect(diagnoseHfBitnet(divide, Float32Array.from(multiplied)).matches[0].description).toMatch(
      /^weight_scale multiplied instead of divided: kernel-bugs B9/,
    );
    const divided = hfBitnetReference(divide).map((o) => o.reference);
    expect(diagnoseHfBitnet(kernelCase, Float32Array.from(divided)).matches[0].description).toBe(
      "weight_scale divided instead of multiplied: kernel-bugs B9 (microsoft/BitNet PR #616)",
    );
  });
});
