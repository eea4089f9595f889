/**
 * accelerated/gpujs/kernel-runs.ts: kernel runs are counted by the class that really ran them. In
 * Node, gpu.js has no WebGL, so webasm kernels are what can be counted here (the browser pages rely
 * on the same count to prove that WebGL2Kernel runs happened).
 */
import { GPU } from "gpu.js";
import { describe, expect, test } from "vitest";
import {
  countGpujsKernelRuns,
  gpujsKernelMode,
  gpujsKernelRunsNow,
  gpujsKernelRunsSince,
} from "../../../accelerated/gpujs/kernel-runs.js";

function runDoubling(times: number): number[] {
  const gpu = new GPU({ mode: "webasm" });
  const kernel = gpu.createKernel(
    function (this: { thread: { x: number } }, a: number[]) {
      return a[this.thread.x] * 2;
    },
    { output: [4] },
  );
  let out: number[] = [];
  for (let i = 0; i < times; i++) out = Array.from(kernel([1, 2, 3, 4]) as Float32Array);
  gpu.destroy();
  return out;
}

describe("gpu.js kernel runs by mode", () => {
  test("counts each run under the mode of the kernel class that ran it", () => {
    countGpujsKernelRuns();
    countGpujsKernelRuns(); // idempotent: a second call must not count twice
    const before = gpujsKernelRunsNow();
    expect(runDoubling(2)).toEqual([2, 4, 6, 8]);
    expect(gpujsKernelRunsSince(before)).toEqual({ webasm: 2 });
    const middle = gpujsKernelRunsNow();
    expect(runDoubling(3)).toEqual([2, 4, 6, 8]);
    expect(gpujsKernelRunsSince(middle)).toEqual({ webasm: 3 });
    expect(gpujsKernelRunsSince(before)).toEqual({ webasm: 5 });
  });

  test("anything that is not a gpu.js kernel is named by its class", () => {
    expect(gpujsKernelMode(new Map())).toBe("other(Map)");
    expect(gpujsKernelMode(null)).toBe("other(?)");
  });
});
