/**
 * The JavaScript API for kernel authors (WebGPU, WASM, plain JS): check a kernel function against
 * the reference with random cases, shrinking any failure to a minimal case.
 */

import { fuzzCases, randomSeed, type FuzzOptions } from "./fuzz.js";
import { judgeMatmul } from "./judge.js";
import { unsupportedVerdict, type CaseVerdict, type Diagnosis, type KernelCase } from "./protocol.js";

/**
 * Thrown by a KernelFunction for a case it does not implement (a format or activation mode): the
 * JavaScript form of exit status 3 (spec/kernel-protocol.md §4). checkKernel skips the case instead
 * of failing it; any other exception is a failure.
 */
export class UnsupportedCaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedCaseError";
  }
}

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
  /**
   * True when no case failed and the kernel took at least one: a kernel that declines every case
   * (UnsupportedCaseError) has not passed, though there is no counterexample.
   */
  readonly passed: boolean;
  /** The seed used: pass it back to replay the same cases. */
  readonly seed: number;
  /** Cases run before the first failure (or all of them). */
  readonly numRuns: number;
  /** Cases of the search the kernel declined with UnsupportedCaseError: skipped, neither passed nor failed. */
  readonly numUnsupported: number;
  /** The message of the first of them. */
  readonly unsupportedReason?: string;
  /** The minimal failing case (save it with writeCaseDir to replay it with `trilm check --case`). */
  readonly counterexample?: KernelCase;
  /** Why the minimal case failed, and which element is worst. */
  readonly verdict?: CaseVerdict;
  /** The catalogued causes that reproduce the kernel's output on the minimal case (spec/kernel-protocol.md §9). */
  readonly diagnosis?: Diagnosis;
}

/**
 * Check a JavaScript kernel against the reference: run it on `runs` random cases (judged with
 * judgeMatmul) and, on a failure, shrink it to a minimal case (one row, one or two blocks, batch 1,
 * simplest values). A thrown exception counts as a failure, except UnsupportedCaseError: that case
 * is skipped (numUnsupported). Never throws for a failing kernel.
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
  const judge = async (kernelCase: KernelCase): Promise<CaseVerdict> => {
    let y: Float32Array;
    try {
      y = await fn(kernelCase);
    } catch (error) {
      if (error instanceof UnsupportedCaseError) return unsupportedVerdict(`unsupported: ${error.message}`);
      throw error;
    }
    return judgeMatmul(kernelCase, y);
  };
  const result = await fuzzCases(judge, {
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
    numUnsupported: result.numUnsupported,
    ...(result.unsupportedReason === undefined ? {} : { unsupportedReason: result.unsupportedReason }),
    ...(result.counterexample === undefined ? {} : { counterexample: result.counterexample }),
    ...(result.verdict === undefined ? {} : { verdict: result.verdict }),
    ...(result.verdict?.diagnosis === undefined ? {} : { diagnosis: result.verdict.diagnosis }),
  };
}
