import { describe, expect, test } from "vitest";
import { dequantizeRow, GgmlType, QK_K } from "../../../reference/codec/index.js";
import { checkKernel, UnsupportedCaseError, type KernelFunction } from "../../../src/harness/api.js";
import * as oracle from "../../../src/api/index.js";

/** y = x·Wᵀ with W decoded by the reference; `decode` lets a test plant a bug. */
function matmulWith(decode: (type: GgmlType, bytes: Uint8Array, n: number) => Float32Array): KernelFunction {
  return (c) => {
    const type = c.format === "tq2_0" ? GgmlType.TQ2_0 : GgmlType.TQ1_0;
    const w = decode(type, c.weight!, c.rows * c.cols);
    const y = new Float32Array(c.batch * c.rows);
    for (let b = 0; b < c.batch; b++) {
      for (let r = 0; r < c.rows; r++) {
        let sum = 0;
        for (let k = 0; k < c.cols; k++) sum += c.x![b * c.cols + k] * w[r * c.cols + k];
        y[b * c.rows + r] = sum;
      }
    }
    return y;
  };
}

describe("checkKernel", () => {
  test("a correct kernel passes (sync and async, both formats)", async () => {
    const kernel = matmulWith(dequantizeRow);
    expect(await checkKernel(kernel, { format: "tq2_0", runs: 30, seed: 1 })).toEqual({
      passed: true,
      seed: 1,
      numRuns: 30,
      numUnsupported: 0,
    });
    expect((await checkKernel(async (c) => kernel(c), { format: "tq1_0", runs: 30, seed: 2 })).passed).toBe(true);
  });

  test("a kernel with a swapped pair of elements fails on a minimal case", async () => {
    const swapped = matmulWith((type, bytes, n) => {
      const w = dequantizeRow(type, bytes, n);
      for (let k = 0; k < n; k += QK_K) [w[k + 1], w[k + 32]] = [w[k + 32], w[k + 1]];
      return w;
    });
    const result = await checkKernel(swapped, { format: "tq2_0", runs: 100, seed: 3 });
    expect(result.passed).toBe(false);
    expect(result.seed).toBe(3);
    expect(result.counterexample).toMatchObject({ op: "matmul", rows: 1, cols: QK_K, batch: 1 });
    expect(result.verdict?.passed).toBe(false);
    expect(result.verdict?.worst?.block).toBe(0);
  });

  test("a throwing kernel, or one returning the wrong length, fails with a reason", async () => {
    const throwing = await checkKernel(
      () => {
        throw new Error("no GPU");
      },
      { runs: 3, seed: 4 },
    );
    expect(throwing.verdict?.reason).toContain("no GPU");
    const short = await checkKernel(() => new Float32Array(0), { runs: 3, seed: 5 });
    expect(short.passed).toBe(false);
  });

  test("a kernel throwing UnsupportedCaseError skips the case; declining every case is not a pass", async () => {
    const correct = matmulWith(dequantizeRow);
    const batchOne: KernelFunction = (c) => {
      if (c.batch > 1) throw new UnsupportedCaseError("batch 1 only");
      return correct(c);
    };
    const some = await checkKernel(batchOne, { runs: 30, seed: 6 });
    expect(some.passed).toBe(true);
    expect(some.numUnsupported).toBeGreaterThan(0);
    expect(some.unsupportedReason).toBe("unsupported: batch 1 only");
    const none = await checkKernel(
      () => {
        throw new UnsupportedCaseError("no tq2_0");
      },
      { runs: 5, seed: 7 },
    );
    expect(none).toMatchObject({ passed: false, numUnsupported: 5, unsupportedReason: "unsupported: no tq2_0" });
    expect(none.counterexample).toBeUndefined();
  });

  test("without a seed one is drawn and reported", async () => {
    const result = await checkKernel(matmulWith(dequantizeRow), { runs: 2 });
    expect(Number.isInteger(result.seed)).toBe(true);
  });

  test("the public entry exports the API", () => {
    expect(typeof oracle.checkKernel).toBe("function");
    expect(typeof oracle.UnsupportedCaseError).toBe("function");
    expect(typeof oracle.fuzzKernel).toBe("function");
    expect(typeof oracle.matmulCase).toBe("function");
    expect(typeof oracle.writeCaseDir).toBe("function");
    expect(typeof oracle.dequantizeRow).toBe("function");
  });
});
