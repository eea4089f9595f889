/**
 * The JavaScript API for kernel authors (WebGPU, WASM, plain JS): check a kernel function against
 * the reference with random cases, shrinking any failure to a minimal case.
 */

import { fuzzCases, randomSeed, type FuzzOptions } from "./fuzz.js";
import { judgeMatmul } from "./judge.js";
import { unsupportedVerdict, type CaseVerdict, type Diagnosis, type KernelCase } from "./protocol.js";
import type { I2sLayout } from "../../reference/codec/i2_s.js";
import { I2S_FORMAT, i2sKernelInputOf, type I2sKernelCase, type I2sKernelInput } from "./i2s-case.js";
import { fuzzI2sCases, type I2sFuzzOptions, type I2sFuzzResult } from "./i2s-fuzz.js";
import { judgeI2sMatmul, type I2sVerdict } from "./i2s-judge.js";
import { TRIRUN_FORMAT, type TrirunKernelCase } from "./trirun-case.js";
import type { BitlinearFuzzResult } from "./bitlinear-fuzz.js";
import {
  checkHfBitnetKernel,
  checkW2a8Kernel,
  type CheckHfBitnetKernelOptions,
  type CheckW2a8KernelOptions,
  type HfBitnetKernelFunction,
  type W2a8KernelFunction,
} from "./bitlinear-kernel-api.js";
import type { HfBitnetKernelCase } from "./hf-bitnet-case.js";
import type { W2a8KernelCase } from "./w2a8-case.js";
import { fuzzTrirunCases, type TrirunFuzzOptions, type TrirunFuzzResult } from "./trirun-fuzz.js";
import { judgeTrirunMatmul, type TrirunVerdict } from "./trirun-judge.js";

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
 * A TriRun-format kernel under test (spec/kernel-protocol.md §11): given a case (weights k × n, packed
 * with packTrirun as the kernel reads them; x fp16 bits [m × k]) it returns y = x·W as fp16 bits [m × n].
 */
export type TrirunKernelFunction = (kernelCase: TrirunKernelCase) => Uint16Array | Promise<Uint16Array>;

/** What checkKernel checks for a TriRun-format kernel: format "trirun", the fuzzing options, the launch's slices. */
export interface CheckTrirunKernelOptions extends Partial<Omit<TrirunFuzzOptions, "onProgress">> {
  readonly format: typeof TRIRUN_FORMAT;
  /** The launch's thread-block slices P (spec/tolerances.md §10); default the worst case for each k. */
  readonly slices?: number;
}

/** The outcome of checkKernel for a TriRun-format kernel: the fuzzing session, counterexample shrunk to the fewest tiles. */
export type CheckTrirunKernelResult = TrirunFuzzResult;

/**
 * An I2_S-format kernel under test (spec/kernel-protocol.md §12): given a case with its W.bin bytes (`weight`, in
 * `layout`), x and x's I8_S rows (`q`, `actScale`, `actSum`), it returns y = x·Wᵀ as Float32Array[m × n].
 */
export type I2sKernelFunction = (input: I2sKernelInput) => Float32Array | Promise<Float32Array>;

/** What checkKernel checks for an I2_S-format kernel: format "i2_s", the layout it implements, the fuzzing options. */
export interface CheckI2sKernelOptions extends Partial<Omit<I2sFuzzOptions, "onProgress" | "layout">> {
  readonly format: typeof I2S_FORMAT;
  /** The I2_S packing the kernel reads (default "x86", the official GGUF's). */
  readonly layout?: I2sLayout;
}

/** The outcome of checkKernel for an I2_S-format kernel: the fuzzing session, counterexample shrunk. */
export type CheckI2sKernelResult = I2sFuzzResult;

/** The UnsupportedCaseError message of `error`, or undefined for any other exception. */
function unsupportedMessage(error: unknown): string | undefined {
  return error instanceof UnsupportedCaseError ? error.message : undefined;
}

/** Is the option bag an I2_S one? */
function isI2sOptions(
  options: CheckKernelOptions | CheckTrirunKernelOptions | CheckI2sKernelOptions,
): options is CheckI2sKernelOptions {
  return (options.format as string | undefined) === I2S_FORMAT;
}

/** Is the option bag a TriRun one? */
function isTrirunOptions(
  options: CheckKernelOptions | CheckTrirunKernelOptions | CheckI2sKernelOptions,
): options is CheckTrirunKernelOptions {
  return (options.format as string | undefined) === TRIRUN_FORMAT;
}

/**
 * Check an hf-bitnet JavaScript kernel (options.format "hf-bitnet", spec/kernel-protocol.md §13): it gets pack_weights'
 * bytes, weight_scale with its convention and x, and returns y float32 [m, n]; judged by spec/tolerances.md §13, a
 * failure shrunk and its cause named (kernel-bugs B9 for the scale convention).
 */
export function checkKernel(
  fn: HfBitnetKernelFunction,
  options: CheckHfBitnetKernelOptions,
): Promise<BitlinearFuzzResult<HfBitnetKernelCase>>;
/**
 * Check a w2a8 JavaScript kernel (options.format "w2a8", spec/kernel-protocol.md §14): it gets the arguments of
 * bitlinear_int8xint2 and returns y as bf16 bits [m, n], judged exactly; a failure shrunk and its cause named.
 */
export function checkKernel(
  fn: W2a8KernelFunction,
  options: CheckW2a8KernelOptions,
): Promise<BitlinearFuzzResult<W2a8KernelCase>>;
/**
 * Check an I2_S-format JavaScript kernel (options.format "i2_s", options.layout): random cases judged with
 * judgeI2sMatmul (spec/tolerances.md §12), a failure shrunk to one activation row, 128 inputs, one weight row and the
 * fewest weights (src/harness/i2s-fuzz.ts), its cause named (spec/kernel-protocol.md §12.4).
 */
export function checkKernel(fn: I2sKernelFunction, options: CheckI2sKernelOptions): Promise<CheckI2sKernelResult>;
/**
 * Check a TriRun-format JavaScript kernel (options.format "trirun"): random cases judged with
 * judgeTrirunMatmul, a failure shrunk to the fewest tiles (src/harness/trirun-fuzz.ts).
 */
export function checkKernel(
  fn: TrirunKernelFunction,
  options: CheckTrirunKernelOptions,
): Promise<CheckTrirunKernelResult>;
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
export function checkKernel(fn: KernelFunction, options?: CheckKernelOptions): Promise<CheckKernelResult>;
/** checkKernel's implementation: TriRun-format kernels by options.format, the others as before. */
export async function checkKernel(
  fn: KernelFunction | TrirunKernelFunction | I2sKernelFunction | HfBitnetKernelFunction | W2a8KernelFunction,
  options:
    | CheckKernelOptions
    | CheckTrirunKernelOptions
    | CheckI2sKernelOptions
    | CheckHfBitnetKernelOptions
    | CheckW2a8KernelOptions = {},
): Promise<
  | CheckKernelResult
  | CheckTrirunKernelResult
  | CheckI2sKernelResult
  | BitlinearFuzzResult<HfBitnetKernelCase>
  | BitlinearFuzzResult<W2a8KernelCase>
> {
  if (options.format === "hf-bitnet")
    return checkHfBitnetKernel(fn as HfBitnetKernelFunction, options, unsupportedMessage);
  if (options.format === "w2a8") return checkW2a8Kernel(fn as W2a8KernelFunction, options, unsupportedMessage);
  if (isI2sOptions(options)) return checkI2sKernel(fn as I2sKernelFunction, options);
  if (isTrirunOptions(options)) return checkTrirunKernel(fn as TrirunKernelFunction, options);
  return checkTernaryKernel(fn as KernelFunction, options);
}

/** checkKernel for a TriRun-format kernel. */
async function checkTrirunKernel(
  fn: TrirunKernelFunction,
  options: CheckTrirunKernelOptions,
): Promise<CheckTrirunKernelResult> {
  const judgeOptions = options.slices === undefined ? {} : { slices: options.slices };
  const judge = async (kernelCase: TrirunKernelCase): Promise<TrirunVerdict> => {
    let y: Uint16Array;
    try {
      y = await fn(kernelCase);
    } catch (error) {
      if (error instanceof UnsupportedCaseError) return unsupportedVerdict(`unsupported: ${error.message}`);
      throw error;
    }
    return judgeTrirunMatmul(kernelCase, y, judgeOptions);
  };
  return fuzzTrirunCases(judge, { ...options, seed: options.seed ?? randomSeed() });
}

/** checkKernel for an I2_S-format kernel. */
async function checkI2sKernel(fn: I2sKernelFunction, options: CheckI2sKernelOptions): Promise<CheckI2sKernelResult> {
  const judge = async (kernelCase: I2sKernelCase): Promise<I2sVerdict> => {
    let y: Float32Array;
    try {
      y = await fn(i2sKernelInputOf(kernelCase));
    } catch (error) {
      if (error instanceof UnsupportedCaseError) return unsupportedVerdict(`unsupported: ${error.message}`);
      throw error;
    }
    return judgeI2sMatmul(kernelCase, y);
  };
  return fuzzI2sCases(judge, { ...options, layout: options.layout ?? "x86", seed: options.seed ?? randomSeed() });
}

/** checkKernel for a TQ1_0 / TQ2_0 kernel. */
async function checkTernaryKernel(fn: KernelFunction, options: CheckKernelOptions): Promise<CheckKernelResult> {
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
