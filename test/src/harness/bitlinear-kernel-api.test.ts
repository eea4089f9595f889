import { describe, expect, test } from "vitest";
import { f32ToBf16Bits } from "../../../reference/codec/bfloat16.js";
import { unpackHfBitnet } from "../../../reference/codec/hf-bitnet.js";
import { unpackW2a8 } from "../../../reference/codec/w2a8.js";
import { w2a8Accumulate, w2a8Epilogue } from "../../../reference/codec/w2a8-matmul.js";
import { hfBitnetLinearOutputs, hfBitnetQuantizeActivations } from "../../../reference/tolerances/hf-bitnet-linear.js";
import { checkKernel, UnsupportedCaseError } from "../../../src/harness/api.js";
import type { HfBitnetKernelInput, W2a8KernelInput } from "../../../src/harness/bitlinear-kernel-api.js";

/** A correct hf-bitnet kernel in JavaScript, with the scale op `op` (the case's, or one forced). */
function hfKernel(op?: "multiply" | "divide") {
  return (c: HfBitnetKernelInput): Float32Array => {
    const weights = unpackHfBitnet(c.weight, c.n / 4, c.k);
    const y = new Float32Array(c.m * c.n);
    for (let i = 0; i < c.m; i++) {
      const acts = hfBitnetQuantizeActivations(c.x.subarray(i * c.k, (i + 1) * c.k));
      const out = hfBitnetLinearOutputs(acts, weights, c.n, c.weightScale, op ?? c.scale);
      out.forEach((o, r) => (y[i * c.n + r] = o.reference));
    }
    return y;
  };
}

/** A correct w2a8 kernel in JavaScript. */
function w2a8Kernel(c: W2a8KernelInput): Uint16Array {
  const weights = unpackW2a8(c.weight, c.n, c.k);
  const y = new Uint16Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) {
    const acc = w2a8Accumulate(c.q.subarray(i * c.k, (i + 1) * c.k), weights, c.n, c.k);
    w2a8Epilogue(acc, c.s[i], c.ws, c.wsNum).forEach((v, o) => (y[i * c.n + o] = f32ToBf16Bits(v)));
  }
  return y;
}

describe("checkKernel for hf-bitnet and w2a8 kernel functions", () => {
  test("correct kernels pass", async () => {
    expect((await checkKernel(hfKernel(), { format: "hf-bitnet", runs: 20, seed: 1 })).passed).toBe(true);
    expect((await checkKernel(w2a8Kernel, { format: "w2a8", runs: 20, seed: 1 })).passed).toBe(true);
  });

  test("a kernel that always divides fails on a multiply case, shrunk, and B9 is named", async () => {
    const result = await checkKernel(hfKernel("divide"), { format: "hf-bitnet", scale: "multiply", runs: 20, seed: 2 });
    expect(result.passed).toBe(false);
    expect(result.counterexample?.m).toBe(1);
    expect(result.verdict?.diagnosis?.matches.map((m) => m.id)).toEqual(["scale-convention"]);
  });

  test("UnsupportedCaseError skips: a kernel that declines everything has not passed", async () => {
    const result = await checkKernel(
      () => {
        throw new UnsupportedCaseError("no GPU");
      },
      { format: "w2a8", runs: 3, seed: 1 },
    );
    expect(result).toMatchObject({ passed: false, numUnsupported: 3, unsupportedReason: "unsupported: no GPU" });
  });
});
