/**
 * Running a kernel command on one I2_S-format case (spec/kernel-protocol.md §12): write the case
 * directory, run the kernel as for every format (one process, §1, or a resident one, §8), read y.npy
 * and judge it. Kernel faults never throw: they give a failed verdict.
 */

import { withKernelSession } from "./kernel-session.js";
import type { ResidentKernel } from "./resident-kernel.js";
import { runKernelInCaseDir, runKernelProcess } from "./run-kernel.js";
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
  return runKernelInCaseDir({
    tempPrefix: "trilm-i2s-case-",
    ...(options.keepDir === undefined ? {} : { keepDir: options.keepDir }),
    timeoutS: options.timeoutS,
    writeCase: (dir) => writeI2sCaseDir(dir, kernelCase),
    runKernel: (dir) =>
      options.resident === undefined ? runKernelProcess(command, dir, options.timeoutS) : options.resident.runDir(dir),
    outputFile: I2S_FILES.y,
    judgeOutput: (bytes) => judgeI2sOutputFile(kernelCase, bytes, options),
  });
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
  return withKernelSession(command, options, (run, resident) =>
    body((kernelCase, judging) => runI2sKernelOnCase(command, kernelCase, { ...run, ...judging }), resident),
  );
}
