/**
 * `trilm check` and `trilm fuzz` for TriRun-format kernels (spec/kernel-protocol.md §11): run a kernel
 * command on the fixed cases or on random ones, and report each verdict as the TQ formats' rows are.
 */

import { checkRowCells, type CheckResult } from "./check.js";
import type { TrirunKernelCase } from "./trirun-case.js";
import { fuzzTrirunCases, type TrirunFuzzOptions, type TrirunFuzzResult } from "./trirun-fuzz.js";
import { describeWeightPlace, type TrirunVerdict } from "./trirun-judge.js";
import { withTrirunKernel } from "./trirun-run.js";
import type { TrirunSuite } from "./trirun-suite.js";

/** How a TriRun-format kernel is run and judged. */
export interface TrirunKernelRunOptions {
  /** Seconds one kernel run may take. */
  readonly timeoutS: number;
  /** One resident process for all cases (protocol v1.1, spec/kernel-protocol.md §8). */
  readonly resident?: boolean;
  /** The launch's thread-block slices P (spec/tolerances.md §10); default the worst case for each k. */
  readonly slices?: number;
}

/** One row of a TriRun check: CheckResult with the TriRun verdict. */
export interface TrirunCheckResult extends CheckResult {
  readonly verdict?: TrirunVerdict;
}

/** Run `command` on every case in order (one process per case, or one resident process). Never throws for kernel faults. */
export async function runTrirunCheck(
  command: string,
  cases: readonly TrirunKernelCase[],
  options: TrirunKernelRunOptions,
): Promise<TrirunCheckResult[]> {
  return withTrirunKernel(command, options, async (judge) => {
    const results: TrirunCheckResult[] = [];
    for (const kernelCase of cases)
      results.push({ label: kernelCase.label ?? "trirun", verdict: await judge(kernelCase) });
    return results;
  });
}

/**
 * Run `command` on a golden suite's TriRun matmul tests in order (trirunSuiteTests), judging each with the suite's
 * own acceptance data and y; a skipped test gives a SKIP row. Never throws for kernel faults.
 */
export async function runTrirunSuiteCheck(
  command: string,
  entries: TrirunSuite["entries"],
  options: Omit<TrirunKernelRunOptions, "slices">,
): Promise<TrirunCheckResult[]> {
  return withTrirunKernel(command, options, async (judge) => {
    const results: TrirunCheckResult[] = [];
    for (const entry of entries)
      results.push(
        "skipped" in entry
          ? entry
          : {
              label: entry.label,
              verdict: await judge(entry.kernelCase, { acceptance: entry.acceptance, expected: entry.expected }),
            },
      );
    return results;
  });
}

/** The failing output and the stored places of the case's non-zero weights, as one cell ("-" for none). */
export function trirunWorstCell(verdict: TrirunVerdict | undefined): string {
  const output = verdict?.output;
  if (output === undefined) return "-";
  const cell = `y[${output.row},${output.column}] n-tile ${output.nTile}`;
  const weights = verdict?.weights;
  if (weights === undefined || weights.length === 0) return cell;
  return `${cell}; ${weights.map(describeWeightPlace).join("; ")}`;
}

/** The report cells of one TriRun result (CHECK_HEADER's columns): the worst element is the failing output. */
export function trirunCheckRowCells(result: TrirunCheckResult): string[] {
  const cells = checkRowCells(result);
  if (result.verdict !== undefined && result.verdict.unsupported !== true) cells[5] = trirunWorstCell(result.verdict);
  return cells;
}

/** fuzzTrirunKernel's outcome: the session's and, in resident mode, how often the kernel process was started. */
export interface TrirunFuzzKernelResult extends TrirunFuzzResult {
  readonly kernelStarts?: number;
}

/** Fuzz the kernel command on random TriRun-format cases and shrink a failure (src/harness/trirun-fuzz.ts). */
export async function fuzzTrirunKernel(
  command: string,
  options: TrirunFuzzOptions & TrirunKernelRunOptions,
): Promise<TrirunFuzzKernelResult> {
  return withTrirunKernel(command, options, async (judge, kernel) => {
    const result = await fuzzTrirunCases(judge, options);
    return kernel === undefined ? result : { ...result, kernelStarts: kernel.starts };
  });
}
