/**
 * Running a kernel command on one case (kernel protocol v1, spec/kernel-protocol.md): write the case
 * directory, run `sh -c "<command> <dir>"` in its own process group under a timeout, read the
 * outputs back and judge them. Kernel faults never throw: they give a failed verdict.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCaseDir } from "./case-dir.js";
import { judgeCase } from "./judge.js";
import {
  outputRole,
  ROLE_FILES,
  UNSUPPORTED_EXIT_STATUS,
  unsupportedVerdict,
  type CaseVerdict,
  type KernelCase,
} from "./protocol.js";

/** The most bytes of stdout and of stderr kept from a kernel run. */
export const OUTPUT_CAP_BYTES = 64 * 1024;

/** Options of runKernelOnCase. */
export interface RunKernelOptions {
  /** Seconds the kernel may run before its process group is killed. */
  readonly timeoutS: number;
  /** Write the case directory here (created if needed) and keep it, instead of a removed temp dir. */
  readonly keepDir?: string;
  /**
   * Run the kernel on the written case directory (default: runKernelProcess, one process for the case);
   * a resident kernel (src/harness/resident-kernel.ts) passes its own, which sends the directory to its process.
   */
  readonly runner?: (dir: string) => Promise<KernelExit>;
}

/** How a kernel process ended. */
export interface KernelExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** Up to OUTPUT_CAP_BYTES of each stream. */
  readonly stdout: string;
  readonly stderr: string;
  /** Why the run failed when the exit status does not tell (a resident kernel's answer or death, spec/kernel-protocol.md §8). */
  readonly reason?: string;
}

/** `text` as one shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Kill a process group, ignoring one that is already gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Collect a stream, keeping at most OUTPUT_CAP_BYTES. */
function capped(): { push: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push: (chunk) => {
      if (size >= OUTPUT_CAP_BYTES) return;
      const part = chunk.subarray(0, OUTPUT_CAP_BYTES - size);
      chunks.push(part);
      size += part.length;
    },
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

/**
 * Run `sh -c "<command> <dir>"` detached (its own process group), killing the whole group on
 * timeout and after the shell exits (so no stray child outlives the run). Never rejects.
 */
export function runKernelProcess(command: string, dir: string, timeoutS: number): Promise<KernelExit> {
  return new Promise((resolve) => {
    const out = capped();
    const err = capped();
    let timedOut = false;
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const stderr = spawnError === undefined ? err.text() : `${err.text()}${spawnError.message}`;
      resolve({ code, signal, timedOut, stdout: out.text(), stderr });
    };
    const child = spawn("sh", ["-c", `${command} ${shellQuote(dir)}`], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(
      () => {
        timedOut = true;
        killGroup(child.pid);
      },
      Math.max(0, timeoutS * 1000),
    );
    child.stdout.on("data", out.push);
    child.stderr.on("data", err.push);
    child.on("exit", () => killGroup(child.pid));
    child.on("error", (error) => finish(null, null, error));
    child.on("close", (code, signal) => finish(code, signal));
  });
}

/** The last line of `text` that names an error (else the last non-empty line), shortened for a one-line reason. */
function lastLine(text: string): string {
  // skip stack frames and Node's trailing version banner, so the message itself is quoted
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^(at |Node\.js v\d)/.test(l));
  const errors = lines.filter((l) => /error|fault|abort|panic|exception/i.test(l));
  const line = errors[errors.length - 1] ?? lines[lines.length - 1] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Why the kernel declined a case, as the report shows it: "unsupported (exit status 3: <last line of stderr>)". */
export function unsupportedReason(exit: KernelExit): string {
  if (exit.reason !== undefined) return exit.reason; // a resident kernel's `unsupported` answer
  const detail = lastLine(exit.stderr);
  return `unsupported (exit status ${UNSUPPORTED_EXIT_STATUS}${detail === "" ? "" : `: ${detail}`})`;
}

/** Why a kernel run failed before its outputs could be judged, or undefined when it exited 0. */
export function exitProblem(exit: KernelExit, timeoutS: number): string | undefined {
  if (exit.reason !== undefined) return exit.reason;
  const detail = lastLine(exit.stderr);
  const suffix = detail === "" ? "" : ` (stderr: ${detail})`;
  if (exit.timedOut) return `timed out after ${timeoutS} s; the kernel's process group was killed`;
  if (exit.signal !== null) return `the kernel was killed by ${exit.signal}${suffix}`;
  if (exit.code === null) return `the kernel could not be started${suffix}`;
  if (exit.code !== 0) return `the kernel exited with status ${exit.code}${suffix}`;
  return undefined;
}

/**
 * Run the kernel `command` on `kernelCase`: write its case directory (a fresh temp directory,
 * removed afterwards, or options.keepDir, kept), run `sh -c "<command> <dir>"` under
 * options.timeoutS, then read the output file and judge it (judgeCase). A crash, a non-zero exit, a
 * timeout, a missing or malformed output or a wrong result gives a failed verdict with the reason;
 * exit status 3 gives an unsupported one (the case is skipped, spec/kernel-protocol.md §4).
 */
export async function runKernelOnCase(
  command: string,
  kernelCase: KernelCase,
  options: RunKernelOptions,
): Promise<CaseVerdict> {
  const name = ROLE_FILES[outputRole(kernelCase.op)];
  return runKernelInCaseDir({
    tempPrefix: "trilm-case-",
    ...(options.keepDir === undefined ? {} : { keepDir: options.keepDir }),
    timeoutS: options.timeoutS,
    writeCase: (dir) => writeCaseDir(dir, kernelCase),
    runKernel: options.runner ?? ((dir) => runKernelProcess(command, dir, options.timeoutS)),
    outputFile: name,
    judgeOutput: (bytes) => {
      try {
        return judgeCase(kernelCase, new Map([[name, bytes]]));
      } catch (error) {
        return {
          passed: false,
          reason: `${name} could not be judged: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
    },
  });
}

/** One kernel run on a case directory: where it goes, how it is written and run, and how its output is judged. */
export interface CaseDirRun<V extends CaseVerdict> {
  /** The prefix of the temp directory made for the case (in the OS temp dir) when keepDir is absent. */
  readonly tempPrefix: string;
  /** Write the case directory here (created if needed) and keep it, instead of a removed temp dir. */
  readonly keepDir?: string;
  /** Seconds the kernel may run (for the timeout's reason). */
  readonly timeoutS: number;
  /** Writes the case's files into the directory; may throw. */
  readonly writeCase: (dir: string) => void;
  /** Runs the kernel on the written directory. */
  readonly runKernel: (dir: string) => Promise<KernelExit>;
  /** The output file the kernel writes, read back after a clean exit. */
  readonly outputFile: string;
  /** Judges the output file's bytes. */
  readonly judgeOutput: (bytes: Uint8Array) => V | Promise<V>;
}

/**
 * The prologue and epilogue every format shares (spec/kernel-protocol.md §1, §4): make the case directory (or use
 * keepDir), write the case, run the kernel, turn exit status 3 into an unsupported verdict and a crash, a non-zero
 * exit, a timeout or a missing output into a failed one, else judge the output; the temp directory is removed
 * afterwards. Never throws for kernel faults.
 */
export async function runKernelInCaseDir<V extends CaseVerdict>(run: CaseDirRun<V>): Promise<V | CaseVerdict> {
  let dir: string;
  try {
    dir = run.keepDir ?? mkdtempSync(join(tmpdir(), run.tempPrefix));
  } catch (error) {
    return {
      passed: false,
      reason: `no temp directory for the case: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  try {
    try {
      run.writeCase(dir);
    } catch (error) {
      return {
        passed: false,
        reason: `the case directory could not be written: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const exit = await run.runKernel(dir);
    if (exit.code === UNSUPPORTED_EXIT_STATUS && !exit.timedOut) return unsupportedVerdict(unsupportedReason(exit));
    const problem = exitProblem(exit, run.timeoutS);
    if (problem !== undefined) return { passed: false, reason: problem };
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(dir, run.outputFile)));
    } catch {
      return { passed: false, reason: `the kernel exited 0 but wrote no ${run.outputFile}` };
    }
    return await run.judgeOutput(bytes);
  } finally {
    if (run.keepDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
