/**
 * `trilm check` and `trilm fuzz` for I2_S-format kernels (spec/kernel-protocol.md §12): run a kernel command on the
 * fixed cases or on random ones, and report each verdict as the TQ formats' rows are.
 */

import { checkRowCells, type CheckResult } from "./check.js";
import type { I2sKernelCase } from "./i2s-case.js";
import { fuzzI2sCases, type I2sFuzzOptions, type I2sFuzzResult } from "./i2s-fuzz.js";
import { describeI2sWeightPlace, type I2sVerdict } from "./i2s-judge.js";
import { withI2sKernel } from "./i2s-run.js";

/** How an I2_S-format kernel is run. */
export interface I2sKernelRunOptions {
  /** Seconds one kernel run may take. */
  readonly timeoutS: number;
  /** One resident process for all cases (protocol v1.1, spec/kernel-protocol.md §8). */
  readonly resident?: boolean;
}

/** One row of an I2_S check: CheckResult with the I2_S verdict and the case's layout. */
export interface I2sCheckResult extends CheckResult {
  readonly verdict?: I2sVerdict;
  readonly layout?: string;
}

/** Run `command` on every case in order (one process per case, or one resident process). Never throws for kernel faults. */
export async function runI2sCheck(
  command: string,
  cases: readonly I2sKernelCase[],
  options: I2sKernelRunOptions,
): Promise<I2sCheckResult[]> {
  return withI2sKernel(command, options, async (judge) => {
    const results: I2sCheckResult[] = [];
    for (const kernelCase of cases)
      results.push({ label: kernelCase.label ?? "i2_s", verdict: await judge(kernelCase), layout: kernelCase.layout });
    return results;
  });
}

/** The failing output and the stored places of the case's non-zero weights, as one cell ("-" for none). */
export function i2sWorstCell(verdict: I2sVerdict | undefined, layout: string): string {
  const output = verdict?.output;
  if (output === undefined) return "-";
  const cell = `y[${output.row},${output.column}]`;
  const weights = verdict?.weights;
  if (weights === undefined || weights.length === 0) return cell;
  return `${cell}; ${weights.map((w) => describeI2sWeightPlace(w, layout)).join("; ")}`;
}

/** The report cells of one I2_S result (CHECK_HEADER's columns): the worst element is the failing output. */
export function i2sCheckRowCells(result: I2sCheckResult): string[] {
  const cells = checkRowCells(result);
  if (result.verdict !== undefined && result.verdict.unsupported !== true)
    cells[5] = i2sWorstCell(result.verdict, result.layout ?? "x86");
  return cells;
}

/** fuzzI2sKernel's outcome: the session's and, in resident mode, how often the kernel process was started. */
export interface I2sFuzzKernelResult extends I2sFuzzResult {
  readonly kernelStarts?: number;
}

/** Fuzz the kernel command on random I2_S-format cases and shrink a failure (src/harness/i2s-fuzz.ts). */
export async function fuzzI2sKernel(
  command: string,
  options: I2sFuzzOptions & I2sKernelRunOptions,
): Promise<I2sFuzzKernelResult> {
  return withI2sKernel(command, options, async (judge, kernel) => {
    const result = await fuzzI2sCases((kernelCase) => judge(kernelCase), options);
    return kernel === undefined ? result : { ...result, kernelStarts: kernel.starts };
  });
}
