/**
 * Running a kernel command on one I2_S-format case (spec/kernel-protocol.md §12): write the case
 * directory, run the kernel as for every format (one process, §1, or a resident one, §8), read y.npy
 * and judge it. Kernel faults never throw: they give a failed verdict.
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UNSUPPORTED_EXIT_STATUS, unsupportedVerdict } from "./protocol.js";
import { ResidentKernel } from "./resident-kernel.js";
import { exitProblem, runKernelProcess, unsupportedReason, type KernelExit } from "./run-kernel.js";
import { I2S_FILES, writeI2sCaseDir, type I2sKernelCase } from "./i2s-case.js";
import { judgeI2sOutputFile, type I2sJudgeOptions, type I2sVerdict } from "./i2s-judge.js";

/** Options of runI2sKernelOnCase. */
export interface RunI2sKernelOptions extends I2sJudgeOptions {
  /** Seconds the kernel may run before its process group is killed. */
  readonly timeoutS: number;
  /** Write the case directory here (created if needed) and keep it, instead of a removed temp dir. */
  readonly keepDir?: string;
  /** A resident kernel (protocol v1.1, §8) to send the case to, instead of one process for the case. */
  readonly resident?: ResidentKernel;
}

/** A I2_S-format case judge: runs the kernel on a case and judges its y (with `judging` for this case, if given). */
export type I2sCaseJudge = (kernelCase: I2sKernelCase, judging?: I2sJudgeOptions) => Promise<I2sVerdict>;

/**
 * Run the kernel `command` on `kernelCase`: write its case directory (spec/kernel-protocol.md §12),
 * run it (exit status 3 or a resident `unsupported` skips the case, §4), then read y.npy and judge it
 * with judgeI2sOutputFile.
 */
export async function runI2sKernelOnCase(
  command: string,
  kernelCase: I2sKernelCase,
  options: RunI2sKernelOptions,
): Promise<I2sVerdict> {
  let dir: string;
  try {
    dir = options.keepDir ?? mkdtempSync(join(tmpdir(), "trilm-i2s-case-"));
  } catch (error) {
    return {
      passed: false,
      reason: `no temp directory for the case: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  try {
    try {
      writeI2sCaseDir(dir, kernelCase);
    } catch (error) {
      return {
        passed: false,
        reason: `the case directory could not be written: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const exit: KernelExit =
      options.resident === undefined
        ? await runKernelProcess(command, dir, options.timeoutS)
        : await options.resident.runDir(dir);
    if (exit.code === UNSUPPORTED_EXIT_STATUS && !exit.timedOut) return unsupportedVerdict(unsupportedReason(exit));
    const problem = exitProblem(exit, options.timeoutS);
    if (problem !== undefined) return { passed: false, reason: problem };
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(dir, I2S_FILES.y)));
    } catch {
      return { passed: false, reason: `the kernel exited 0 but wrote no ${I2S_FILES.y}` };
    }
    return judgeI2sOutputFile(kernelCase, bytes, options);
  } finally {
    if (options.keepDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Call `body` with a judge that runs `command` on I2_S-format cases: one process per case, or with
 * `resident` one resident process for all of them, closed when `body` settles.
 */
export async function withI2sKernel<T>(
  command: string,
  options: { readonly timeoutS: number; readonly resident?: boolean },
  body: (judge: I2sCaseJudge, kernel: ResidentKernel | undefined) => Promise<T>,
): Promise<T> {
  const resident = options.resident === true ? new ResidentKernel(command, { timeoutS: options.timeoutS }) : undefined;
  const judgeOptions = { timeoutS: options.timeoutS, ...(resident === undefined ? {} : { resident }) };
  try {
    return await body(
      (kernelCase, judging) => runI2sKernelOnCase(command, kernelCase, { ...judgeOptions, ...judging }),
      resident,
    );
  } finally {
    await resident?.close();
  }
}
