/**
 * Fuzzing I2_S-format kernels (spec/kernel-protocol.md §12.6), through checkKernel's in-process judge: a correct
 * JavaScript kernel passes; one reading the arm layout shrinks to n 1 × k 128, m 1 with one weight named by byte and
 * shift; an int16-lane kernel (the codec's AVX2 emulation) is found on the long same-sign draws and diagnosed.
 */

import { describe, expect, test } from "vitest";
import { unpackI2s, type I2sLayout } from "../../../reference/codec/i2_s.js";
import { i2sMatVec } from "../../../reference/codec/i2_s-dot.js";
import { checkKernel, type I2sKernelFunction } from "../../../src/harness/api.js";
import { describeI2sCase, i2sSubCase } from "../../../src/harness/i2s-fuzz.js";
import { randomI2sCase } from "../../../src/harness/i2s-cases.js";

/** y[i, r] = ((float)S − (float)act_sum) / act_scale · α with the codes read as `layout`. */
function kernelReading(layout: (caseLayout: I2sLayout) => I2sLayout): I2sKernelFunction {
  return (c) => {
    const tensor = unpackI2s(layout(c.layout), { rows: c.n, cols: c.k }, c.weight);
    const y = new Float32Array(c.m * c.n);
    for (let i = 0; i < c.m; i++)
      for (let r = 0; r < c.n; r++) {
        let s = 0;
        for (let col = 0; col < c.k; col++) s += tensor.codes[r * c.k + col] * c.q[i * c.k + col];
        y[i * c.n + r] = Math.fround(Math.fround(Math.fround(s - c.actSum[i]) / c.actScale[i]) * tensor.scale);
      }
    return y;
  };
}

describe("fuzzI2sCases (checkKernel format i2_s)", () => {
  test("a correct kernel passes 40 runs in each layout", async () => {
    for (const layout of ["x86", "arm", "1x4"] as const) {
      const result = await checkKernel(
        kernelReading((l) => l),
        { format: "i2_s", layout, runs: 40, seed: 1 },
      );
      expect(result).toMatchObject({ passed: true, numRuns: 40, numUnsupported: 0 });
    }
  });

  test("reading the arm layout shrinks to one weight, named by its byte and shift, diagnosed as B1", async () => {
    const result = await checkKernel(
      kernelReading(() => "arm"),
      { format: "i2_s", runs: 40, seed: 1 },
    );
    expect(result.passed).toBe(false);
    expect(describeI2sCase(result.counterexample!)).toBe("n 1 × k 128, m 1, x86 layout, 1 non-zero weight");
    expect(result.verdict?.weights).toHaveLength(1);
    expect(result.verdict?.diagnosis?.matches[0]?.id).toBe("i2s-reads-arm-layout");
  });

  test("int16 lanes (AVX2 emulation) fail on a long same-sign draw, named as an int16 overflow", async () => {
    const avx2: I2sKernelFunction = (c) => {
      if (c.k % 128 !== 0) throw new Error("unreachable: the draws have k % 128 = 0");
      const y = new Float32Array(c.m * c.n);
      for (let i = 0; i < c.m; i++) {
        const act = { q: c.q.subarray(i * c.k, (i + 1) * c.k), scale: c.actScale[i], sum: c.actSum[i] };
        y.set(i2sMatVec("avx2-1x1", c.n, c.k, c.weight, act).y, i * c.n);
      }
      return y;
    };
    const result = await checkKernel(avx2, { format: "i2_s", runs: 40, seed: 3, maxShrinkTries: 30 });
    expect(result.passed).toBe(false);
    expect(result.firstVerdict?.diagnosis?.matches[0]?.description).toMatch(
      /^int16 accumulator overflow \(AVX2 .*lane \d+, block \d+: exact \d+, kernel -\d+/,
    );
  });

  test("i2sSubCase keeps the chosen rows and 128-input blocks", () => {
    const c = randomI2sCase("s", { layout: "x86", n: 4, k: 256, m: 2 }, 9);
    const sub = i2sSubCase(c, [1], [2, 3], [1]);
    expect(sub).toMatchObject({ n: 2, k: 128, m: 1 });
    expect(sub.codes[128 + 5]).toBe(c.codes[3 * 256 + 128 + 5]);
    expect(sub.x[7]).toBe(c.x[256 + 128 + 7]);
  });
});
