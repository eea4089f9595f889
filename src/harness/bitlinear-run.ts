/**
 * Running a kernel command on the cases of a BitNet linear-layer format, `hf-bitnet` (spec/kernel-protocol.md §13) or
 * `w2a8` (§14): write the case directory, optionally fill the output file first, run the kernel as for every format
 * (one process, §1, or a resident one, §8), read the output and judge it. Kernel faults never throw: they give a
 * failed verdict. An output file the kernel left exactly as the harness filled it is a failure of its own, named.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckResult } from "./check.js";
import { withKernelSession } from "./kernel-session.js";
import type { CaseVerdict } from "./protocol.js";
import type { ResidentKernel } from "./resident-kernel.js";
import { runKernelInCaseDir, runKernelProcess } from "./run-kernel.js";

/** What the runner needs of a format: how to write a case, where its output goes and how to judge it. */
export interface BitlinearFormat<C> {
  /** case.json's `format`. */
  readonly name: string;
  /** The output file the kernel writes, relative to the case directory. */
  readonly outputFile: string;
  /** Write the case directory (created if needed); RangeError when the case is inconsistent. */
  readonly writeCase: (dir: string, kernelCase: C) => void;
  /** Bytes written to the output file before the kernel runs, so that an output left untouched is seen. */
  readonly outputFill?: (kernelCase: C) => Uint8Array;
  /** Why an output still equal to the fill fails (the kernel wrote nothing). */
  readonly untouchedReason?: string;
  /** Judge the output file's bytes. */
  readonly judge: (kernelCase: C, bytes: Uint8Array) => CaseVerdict;
  /** The case's name in reports. */
  readonly label: (kernelCase: C) => string;
}

/** Runs the kernel on one case and judges it. */
export type BitlinearCaseJudge<C> = (kernelCase: C) => Promise<CaseVerdict>;

/** How the kernel is run. */
export interface BitlinearRunOptions {
  /** Seconds one kernel run may take. */
  readonly timeoutS: number;
  /** One resident process for all cases (protocol v1.1, spec/kernel-protocol.md §8). */
  readonly resident?: boolean;
}

/** Same length and bytes? */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Run the kernel `command` on `kernelCase` of `format` (in `keepDir`, kept, or a removed temp dir): exit status 3 or a
 * resident `unsupported` skips the case (§4); an output still equal to the fill fails with the format's reason.
 */
export async function runBitlinearKernelOnCase<C>(
  format: BitlinearFormat<C>,
  command: string,
  kernelCase: C,
  options: { readonly timeoutS: number; readonly resident?: ResidentKernel; readonly keepDir?: string },
): Promise<CaseVerdict> {
  const fill = format.outputFill?.(kernelCase);
  return runKernelInCaseDir({
    tempPrefix: `trilm-${format.name}-case-`,
    ...(options.keepDir === undefined ? {} : { keepDir: options.keepDir }),
    timeoutS: options.timeoutS,
    writeCase: (dir) => {
      format.writeCase(dir, kernelCase);
      if (fill !== undefined) writeFileSync(join(dir, format.outputFile), fill);
    },
    runKernel: (dir) =>
      options.resident === undefined ? runKernelProcess(command, dir, options.timeoutS) : options.resident.runDir(dir),
    outputFile: format.outputFile,
    judgeOutput: (bytes) =>
      fill !== undefined && sameBytes(bytes, fill)
        ? { passed: false, reason: format.untouchedReason ?? `${format.outputFile} was left untouched` }
        : format.judge(kernelCase, bytes),
  });
}

/**
 * Call `body` with a judge that runs `command` on cases of `format`: one process per case, or with `resident` one
 * resident process for all of them, closed when `body` settles.
 */
export async function withBitlinearKernel<C, T>(
  format: BitlinearFormat<C>,
  command: string,
  options: BitlinearRunOptions,
  body: (judge: BitlinearCaseJudge<C>, kernel: ResidentKernel | undefined) => Promise<T>,
): Promise<T> {
  return withKernelSession(command, options, (run, resident) =>
    body((kernelCase) => runBitlinearKernelOnCase(format, command, kernelCase, run), resident),
  );
}

/** Run `command` on every case in order; one CheckResult each. Never throws for kernel faults. */
export async function runBitlinearCheck<C>(
  format: BitlinearFormat<C>,
  command: string,
  cases: readonly C[],
  options: BitlinearRunOptions,
): Promise<CheckResult[]> {
  return withBitlinearKernel(format, command, options, async (judge) => {
    const results: CheckResult[] = [];
    for (const kernelCase of cases) results.push({ label: format.label(kernelCase), verdict: await judge(kernelCase) });
    return results;
  });
}
