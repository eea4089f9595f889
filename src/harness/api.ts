/**
 * The JavaScript API for kernel authors (WebGPU, WASM, plain JS): check a kernel function against
 * the reference with random cases, shrinking any failure to a minimal case.
 */

import { fuzzCases, randomSeed, type FuzzOptions } from "./fuzz.js";
import { judgeMatmul } from "./judge.js";
import type { CaseVerdict, KernelCase } from "./protocol.js";

/**
 * A kernel under test: given a matmul case (weight: rows × cols/256 packed blocks, x: float32
 * [batch, cols]) it returns y = x·Wᵀ as Float32Array[batch · rows], row-major [batch, rows].
 */
export type KernelFunction = (kernelCase: KernelCase) => Float32Array | Promise<Float32Array>;

/**
 * What checkKernel checks: the fuzzing options (src/harness/fuzz.ts) without progress reporting, each
 * optional — op defaults to "matmul", format to "tq2_0", activations to "f32", the rest as in FuzzOptions.
 */
export type CheckKernelOptions = Partial<Omit<FuzzOptions, "onProgress">>;

/** The outcome of checkKernel. */
export interface CheckKernelResult {
  /** True when the kernel passed every case. */
  readonly passed: boolean;
  /** The seed used: pass it back to replay the same cases. */
  readonly seed: number;
  /** Cases run before the first failure (or all of them). */
  readonly numRuns: number;
  /** The minimal failing case (save it with writeCaseDir to replay it with `trilm check --case`). */
  readonly counterexample?: KernelCase;
  /** Why the minimal case failed, and which element is worst. */
  readonly verdict?: CaseVerdict;
}

/**
 * Check a JavaScript kernel against the reference: run it on `runs` random cases (judged with
 * judgeMatmul) and, on a failure, shrink it to a minimal case (one row, one or two blocks, batch 1,
 * simplest values). A thrown exception counts as a failure. Never throws for a failing kernel.
 *
 * @example
 * ```ts
 * import { checkKernel, dequantizeRow, GgmlType } from "trilm-oracle";
 *
 * const result = await checkKernel((c) => {
 *   const w = dequantizeRow(GgmlType.TQ2_0, c.weight!, c.rows * c.cols); // my kernel here
 *   const y = new Float32Array(c.batch * c.rows);
 *   for (let b = 0; b < c.batch; b++)
 *     for (let r = 0; r < c.rows; r++)
 *       for (let k = 0; k < c.cols; k++) y[b * c.rows + r] += c.x![b * c.cols + k] * w[r * c.cols + k];
 *   return y;
 * }, { format: "tq2_0", runs: 50, seed: 1 });
 * if (!result.passed) console.log(result.verdict?.reason, result.counterexample);
 * ```
 */
export async function checkKernel(fn: KernelFunction, options: CheckKernelOptions = {}): Promise<CheckKernelResult> {
  const seed = options.seed ?? randomSeed();
  const result = await fuzzCases(async (kernelCase) => judgeMatmul(kernelCase, await fn(kernelCase)), {
    ...options,
    op: options.op ?? "matmul",
    format: options.format ?? "tq2_0",
    activations: options.activations ?? "f32",
    seed,
  });
  return {
    passed: result.passed,
    seed: result.seed,
    numRuns: result.numRuns,
    ...(result.counterexample === undefined ? {} : { counterexample: result.counterexample }),
    ...(result.verdict === undefined ? {} : { verdict: result.verdict }),
  };
}
