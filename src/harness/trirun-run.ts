/**
 * Running a kernel command on one TriRun-format case (spec/kernel-protocol.md §11): write the case
 * directory, run the kernel as for every format (one process, §1, or a resident one, §8), read y.npy
 * and judge it. Kernel faults never throw: they give a failed verdict.
 */

import { withKernelSession } from "./kernel-session.js";
import type { ResidentKernel } from "./resident-kernel.js";
import { runKernelInCaseDir, runKernelProcess } from "./run-kernel.js";
import { TRIRUN_FILES, writeTrirunCaseDir, type TrirunKernelCase } from "./trirun-case.js";
import { judgeTrirunOutputFile, type TrirunJudgeOptions, type TrirunVerdict } from "./trirun-judge.js";

/** Options of runTrirunKernelOnCase. */
export interface RunTrirunKernelOptions extends TrirunJudgeOptions {
  /** Seconds the kernel may run before its process group is killed. */
  readonly timeoutS: number;
  /** Write the case directory here (created if needed) and keep it, instead of a removed temp dir. */
  readonly keepDir?: string;
  /** A resident kernel (protocol v1.1, §8) to send the case to, instead of one process for the case. */
  readonly resident?: ResidentKernel;
}

/** A TriRun-format case judge: runs the kernel on a case and judges its y (with `judging` for this case, if given). */
export type TrirunCaseJudge = (kernelCase: TrirunKernelCase, judging?: TrirunJudgeOptions) => Promise<TrirunVerdict>;

/**
 * Run the kernel `command` on `kernelCase`: write its case directory (spec/kernel-protocol.md §11),
 * run it (exit status 3 or a resident `unsupported` skips the case, §4), then read y.npy and judge it
 * with judgeTrirunOutputFile.
 */
export async function runTrirunKernelOnCase(
  command: string,
  kernelCase: TrirunKernelCase,
  options: RunTrirunKernelOptions,
): Promise<TrirunVerdict> {
  return runKernelInCaseDir({
    tempPrefix: "trilm-trirun-case-",
    ...(options.keepDir === undefined ? {} : { keepDir: options.keepDir }),
    timeoutS: options.timeoutS,
    writeCase: (dir) => writeTrirunCaseDir(dir, kernelCase),
    runKernel: (dir) =>
      options.resident === undefined ? runKernelProcess(command, dir, options.timeoutS) : options.resident.runDir(dir),
    outputFile: TRIRUN_FILES.y,
    judgeOutput: (bytes) => judgeTrirunOutputFile(kernelCase, bytes, options),
  });
}

/**
 * Call `body` with a judge that runs `command` on TriRun-format cases: one process per case, or with
 * `resident` one resident process for all of them, closed when `body` settles.
 */
export async function withTrirunKernel<T>(
  command: string,
  options: TrirunJudgeOptions & { readonly timeoutS: number; readonly resident?: boolean },
  body: (judge: TrirunCaseJudge, kernel: ResidentKernel | undefined) => Promise<T>,
): Promise<T> {
  const slices = options.slices === undefined ? {} : { slices: options.slices };
  return withKernelSession(command, options, (run, resident) =>
    body(
      (kernelCase, judging) => runTrirunKernelOnCase(command, kernelCase, { ...run, ...slices, ...judging }),
      resident,
    ),
  );
}
