import { describe, expect, test } from "vitest";
import { f32ToBf16Bits } from "../../../reference/codec/bfloat16.js";
import { randomW2a8Case } from "../../../src/harness/w2a8-cases.js";
import {
  diagnoseW2a8,
  judgeW2a8Output,
  w2a8OutputFill,
  w2a8Reference,
  w2a8HypothesisOutputs,
  W2A8_HYPOTHESES,
} from "../../../src/harness/w2a8-judge.js";

/** bf16 values as the bytes of y.bin. */
function bytesOf(values: Float32Array): Uint8Array {
  return new Uint8Array(Uint16Array.from(values, f32ToBf16Bits).buffer);
}

describe("judgeW2a8Output", () => {
  const kernelCase = randomW2a8Case("t", { n: 64, k: 128, m: 2, wsNum: 2 }, 5);
  const reference = w2a8Reference(kernelCase);

  test("the reference passes bit for bit; one bf16 ulp off fails", () => {
    expect(judgeW2a8Output(kernelCase, bytesOf(reference)).passed).toBe(true);
    const bytes = bytesOf(reference);
    const bits = new Uint16Array(bytes.buffer);
    const e = reference.findIndex((v) => v !== 0);
    bits[e] += 1;
    const verdict = judgeW2a8Output(kernelCase, bytes);
    expect(verdict.passed).toBe(false);
    expect(verdict.reason).toMatch(/^1 of 128 outputs differ from the exact bf16 reference/);
  });

  test("outputs left as the harness filled them are counted as unwritten (H3)", () => {
    const bytes = bytesOf(reference);
    new Uint16Array(bytes.buffer).fill(0xffff, 0, 10);
    expect(judgeW2a8Output(kernelCase, bytes).reason).toContain(
      "10 outputs left unwritten (still 0xFFFF, kernel-bugs H3)",
    );
    expect(w2a8OutputFill(kernelCase)).toEqual(new Uint8Array(256).fill(0xff));
  });

  const saturated = {
    ...randomW2a8Case("s", { n: 16, k: 512, m: 1, wsNum: 1 }, 3),
    q: new Int8Array(512).fill(127),
    weights: new Int8Array(16 * 512).fill(1),
  };
  // acc · f32(1/s) and acc / s rarely differ after bf16 rounding: the first seed whose case tells them apart
  const telling = Array.from({ length: 200 }, (_, seed) =>
    randomW2a8Case("r", { n: 64, k: 128, m: 4, wsNum: 1 }, seed),
  ).find((c) => !w2a8HypothesisOutputs(c, "reciprocal-scale").every((v, e) => v === w2a8Reference(c)[e]))!;
  for (const hypothesis of W2A8_HYPOTHESES)
    test(`a kernel that has "${hypothesis.id}" is diagnosed as it`, () => {
      const c =
        hypothesis.id === "int16-accumulator" ? saturated : hypothesis.id === "reciprocal-scale" ? telling : kernelCase;
      const y = w2a8HypothesisOutputs(c, hypothesis.id);
      const verdict = judgeW2a8Output(c, bytesOf(y));
      expect(verdict.passed).toBe(false);
      expect(verdict.diagnosis?.matches.map((m) => m.id)).toContain(hypothesis.id);
      expect(verdict.diagnosis?.matches.find((m) => m.id === hypothesis.id)?.ambiguous).toBe(false);
    });

  test("no catalogued cause for an unrelated error", () => {
    expect(diagnoseW2a8(kernelCase, new Float32Array(128).fill(1)).matches).toEqual([]);
  });
});
