/**
 * `trilm check` and `trilm fuzz` for the BitNet linear-layer formats (spec/kernel-protocol.md §13 hf-bitnet, §14 w2a8):
 * the fixed cases, a saved case directory, or random cases shrunk on failure, run through bitlinear-run.ts.
 */

import type { HfBitnetScaleConvention } from "../../reference/codec/hf-bitnet.js";
import { fuzzBitlinearCases, type BitlinearFuzzOptions, type BitlinearFuzzResult } from "./bitlinear-fuzz.js";
import { runBitlinearCheck, withBitlinearKernel, type BitlinearRunOptions } from "./bitlinear-run.js";
import type { BitlinearSuite } from "./bitlinear-suite.js";
import type { CheckResult } from "./check.js";
import {
  hfBitnetCaseJsonIn,
  HF_BITNET_FORMAT,
  readHfBitnetCaseDir,
  writeHfBitnetCaseDir,
  type HfBitnetKernelCase,
} from "./hf-bitnet-case.js";
import { hfBitnetBuiltinCases, HF_BITNET_KERNEL_FORMAT } from "./hf-bitnet-cases.js";
import { describeHfBitnetCase, hfBitnetFuzzFormat } from "./hf-bitnet-fuzz.js";
import { readW2a8CaseDir, w2a8CaseJsonIn, W2A8_FORMAT, writeW2a8CaseDir, type W2a8KernelCase } from "./w2a8-case.js";
import { w2a8BuiltinCases, W2A8_KERNEL_FORMAT } from "./w2a8-cases.js";
import { describeW2a8Case, W2A8_FUZZ_FORMAT } from "./w2a8-fuzz.js";

/** The formats this module runs: `hf-bitnet` and `w2a8`. */
export type BitlinearFormatName = typeof HF_BITNET_FORMAT | typeof W2A8_FORMAT;

/** Their names, as --format takes them. */
export const BITLINEAR_FORMAT_NAMES: readonly BitlinearFormatName[] = [HF_BITNET_FORMAT, W2A8_FORMAT];

/** The format of the case directory `dir` when it is one of these (InputError for a malformed one), else undefined. */
export function savedBitlinearFormat(dir: string): BitlinearFormatName | undefined {
  if (hfBitnetCaseJsonIn(dir) !== undefined) return HF_BITNET_FORMAT;
  if (w2a8CaseJsonIn(dir) !== undefined) return W2A8_FORMAT;
  return undefined;
}

/** Which cases to run: the fixed ones of a seed, or one saved case directory (`caseDir`). */
export interface BitlinearCheckOptions extends BitlinearRunOptions {
  readonly seed: number;
  readonly caseDir?: string;
}

/** Run `command` on the fixed cases of `format` (or the saved case); one CheckResult each. Never throws for kernel faults. */
export async function runBitlinearFormatCheck(
  format: BitlinearFormatName,
  command: string,
  options: BitlinearCheckOptions,
): Promise<CheckResult[]> {
  const run = { timeoutS: options.timeoutS, resident: options.resident === true };
  const dir = options.caseDir;
  if (format === HF_BITNET_FORMAT) {
    const cases =
      dir === undefined
        ? hfBitnetBuiltinCases(options.seed)
        : [{ ...readHfBitnetCaseDir(dir), label: hfBitnetCaseJsonIn(dir)?.label ?? dir }];
    return runBitlinearCheck(HF_BITNET_KERNEL_FORMAT, command, cases, run);
  }
  const cases =
    dir === undefined
      ? w2a8BuiltinCases(options.seed)
      : [{ ...readW2a8CaseDir(dir), label: w2a8CaseJsonIn(dir)?.label ?? dir }];
  return runBitlinearCheck(W2A8_KERNEL_FORMAT, command, cases, run);
}

/** A fuzzing session's outcome with its counterexamples described in one line each. */
export type BitlinearFuzzKernelResult =
  | (BitlinearFuzzResult<HfBitnetKernelCase> & { readonly format: typeof HF_BITNET_FORMAT })
  | (BitlinearFuzzResult<W2a8KernelCase> & { readonly format: typeof W2A8_FORMAT });

/** Options of fuzzBitlinearKernel: the session's, the run's, and hf-bitnet's scale convention (drawn when absent). */
export interface BitlinearFuzzKernelOptions extends BitlinearFuzzOptions, BitlinearRunOptions {
  readonly convention?: HfBitnetScaleConvention;
}

/** Fuzz `command` on random cases of `format` and shrink a failure. */
export async function fuzzBitlinearKernel(
  format: BitlinearFormatName,
  command: string,
  options: BitlinearFuzzKernelOptions,
): Promise<BitlinearFuzzKernelResult> {
  if (format === HF_BITNET_FORMAT) {
    const result = await withBitlinearKernel(HF_BITNET_KERNEL_FORMAT, command, options, (judge) =>
      fuzzBitlinearCases(hfBitnetFuzzFormat(options.convention), judge, options),
    );
    return { ...result, format };
  }
  const result = await withBitlinearKernel(W2A8_KERNEL_FORMAT, command, options, (judge) =>
    fuzzBitlinearCases(W2A8_FUZZ_FORMAT, judge, options),
  );
  return { ...result, format };
}

/** The counterexample of a fuzzing result in one line ("" when there is none). */
export function describeBitlinearCounterexample(result: BitlinearFuzzKernelResult): string {
  if (result.format === HF_BITNET_FORMAT)
    return result.counterexample === undefined ? "" : describeHfBitnetCase(result.counterexample);
  return result.counterexample === undefined ? "" : describeW2a8Case(result.counterexample);
}

/** Save a session's minimal counterexample as a case directory with `label`; false when there is none. */
export function writeBitlinearCounterexample(result: BitlinearFuzzKernelResult, dir: string, label: string): boolean {
  if (result.counterexample === undefined) return false;
  if (result.format === HF_BITNET_FORMAT) writeHfBitnetCaseDir(dir, { ...result.counterexample, label });
  else writeW2a8CaseDir(dir, { ...result.counterexample, label });
  return true;
}

/**
 * Run `command` on a golden suite's hf-bitnet and w2a8 matmul tests (bitlinearSuiteCases), those of `only` when
 * given, hf-bitnet first; one CheckResult each. Never throws for kernel faults.
 */
export async function runBitlinearSuiteCheck(
  command: string,
  suite: BitlinearSuite,
  options: BitlinearRunOptions & { readonly only?: BitlinearFormatName },
): Promise<CheckResult[]> {
  const run = { timeoutS: options.timeoutS, resident: options.resident === true };
  const hf = options.only === W2A8_FORMAT ? [] : suite.hfBitnet;
  const w2 = options.only === HF_BITNET_FORMAT ? [] : suite.w2a8;
  return [
    ...(hf.length === 0 ? [] : await runBitlinearCheck(HF_BITNET_KERNEL_FORMAT, command, hf, run)),
    ...(w2.length === 0 ? [] : await runBitlinearCheck(W2A8_KERNEL_FORMAT, command, w2, run)),
  ];
}
