/**
 * Resident kernels (kernel protocol v1.1, spec/kernel-protocol.md §8): the kernel command is started
 * once, without a case directory argument, and reads case directories one per line on stdin,
 * answering one line each on stdout (`ok`, `unsupported [why]`, `error <message>`). A kernel that
 * dies, hangs past the timeout or answers out of protocol fails that case and is restarted for the
 * next one. The case files and their judging are those of protocol v1 (runKernelOnCase).
 */

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { exitProblem, OUTPUT_CAP_BYTES, runKernelOnCase, type KernelExit } from "./run-kernel.js";
import { UNSUPPORTED_EXIT_STATUS, type CaseVerdict, type KernelCase } from "./protocol.js";

/** Options of a resident kernel. */
export interface ResidentKernelOptions {
  /** Seconds one case may take, from sending its directory to the answer (the first case includes start-up). */
  readonly timeoutS: number;
}

/** A running kernel process and what it has said. */
interface Live {
  readonly child: ChildProcessWithoutNullStreams;
  /** Complete stdout lines not yet taken as answers. */
  readonly lines: string[];
  /** stdout after the last newline. */
  partial: string;
  /** stderr of the current case, at most OUTPUT_CAP_BYTES. */
  stderr: string;
  /** Set once the process has exited and its pipes are closed. */
  ended?: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
  /** Set when it broke the protocol (an over-long line); it is then restarted. */
  broken?: string;
  /** Called on every stdout line, exit or protocol break. */
  wake: () => void;
}

/**
 * An answer line as a KernelExit for runKernelOnCase: `ok` as exit 0, `unsupported` as exit status 3
 * (the case is skipped), `error` and anything else as a failure with the reason.
 */
export function answerExit(line: string, stderr: string): KernelExit {
  const base = { signal: null, timedOut: false, stdout: line, stderr };
  const match = /^(ok|unsupported|error)(?:\s+(.*))?$/.exec(line.trim());
  if (match === null) {
    const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    return {
      ...base,
      code: null,
      reason: `the resident kernel answered '${shown}', expected ok, unsupported or error (stdout is for answers only)`,
    };
  }
  const detail = match[2]?.trim() ?? "";
  if (match[1] === "ok") return { ...base, code: 0 };
  if (match[1] === "unsupported")
    return {
      ...base,
      code: UNSUPPORTED_EXIT_STATUS,
      reason: `unsupported (resident answer${detail === "" ? "" : `: ${detail}`})`,
    };
  return { ...base, code: 1, reason: `the kernel answered error${detail === "" ? "" : `: ${detail}`}` };
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

/**
 * One kernel command run as a resident process: started on the first case, restarted after it dies,
 * hangs or breaks the protocol, ended by close(). Cases are run one at a time (runCase awaits).
 */
export class ResidentKernel {
  private live: Live | undefined;
  private startCount = 0;

  /** The command is run as `sh -c '<command>'`, nothing appended, in its own process group. */
  constructor(
    readonly command: string,
    private readonly options: ResidentKernelOptions,
  ) {}

  /** How many times the process was started (1 when it never died). */
  get starts(): number {
    return this.startCount;
  }

  /** Run `kernelCase` through the resident process and judge it as runKernelOnCase does. Never throws. */
  runCase(kernelCase: KernelCase, keepDir?: string): Promise<CaseVerdict> {
    return runKernelOnCase(this.command, kernelCase, {
      timeoutS: this.options.timeoutS,
      ...(keepDir === undefined ? {} : { keepDir }),
      runner: (dir) => this.ask(dir),
    });
  }

  /**
   * Send the case directory `dir` (already written) to the resident process and wait for its answer: the
   * runner a TriRun-format case (src/harness/trirun-run.ts) uses, as runCase does for the other formats.
   */
  runDir(dir: string): Promise<KernelExit> {
    return this.ask(dir);
  }

  /**
   * End the session: close stdin, wait up to the timeout for the process to exit, then kill its
   * process group (so no child outlives it).
   */
  async close(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live === undefined) return;
    live.child.stdin.end();
    await this.until(live, () => live.ended !== undefined, this.options.timeoutS);
    killGroup(live.child.pid);
  }

  /** Start the process. */
  private start(): Live {
    this.startCount++;
    const child = spawn("sh", ["-c", this.command], { detached: true, stdio: ["pipe", "pipe", "pipe"] });
    const live: Live = { child, lines: [], partial: "", stderr: "", wake: () => undefined };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const parts = (live.partial + chunk).split("\n");
      live.partial = parts.pop() ?? "";
      live.lines.push(...parts.map((l) => l.replace(/\r$/, "")));
      if (live.partial.length > OUTPUT_CAP_BYTES)
        live.broken = `the resident kernel wrote more than ${OUTPUT_CAP_BYTES} bytes to stdout without a newline`;
      live.wake();
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (live.stderr.length < OUTPUT_CAP_BYTES) live.stderr += chunk.slice(0, OUTPUT_CAP_BYTES - live.stderr.length);
    });
    child.stdin.on("error", () => undefined); // EPIPE from a dead kernel: seen as its exit
    child.on("exit", () => killGroup(child.pid));
    child.on("error", (error) => {
      live.stderr += error.message;
      live.ended ??= { code: null, signal: null };
      live.wake();
    });
    child.on("close", (code, signal) => {
      live.ended ??= { code, signal };
      live.wake();
    });
    return live;
  }

  /** Wait until `done()` or `timeoutS` seconds; true when done. */
  private until(live: Live, done: () => boolean, timeoutS: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (value: boolean): void => {
        clearTimeout(timer);
        live.wake = () => undefined;
        resolve(value);
      };
      const timer = setTimeout(() => finish(done()), Math.max(0, timeoutS * 1000));
      live.wake = () => {
        if (done()) finish(true);
      };
      live.wake();
    });
  }

  /** Kill the process and forget it: the next case starts a fresh one. */
  private discard(live: Live): void {
    killGroup(live.child.pid);
    if (this.live === live) this.live = undefined;
  }

  /** Send one case directory and wait for its answer line, the process's end or the timeout. */
  private async ask(dir: string): Promise<KernelExit> {
    if (this.live !== undefined && (this.live.ended !== undefined || this.live.lines.length > 0)) {
      // it exited or spoke between cases: start afresh so that answers stay in step
      this.discard(this.live);
    }
    const live = (this.live ??= this.start());
    live.stderr = "";
    live.child.stdin.write(`${dir}\n`);
    const answered = await this.until(
      live,
      () => live.lines.length > 0 || live.ended !== undefined || live.broken !== undefined,
      this.options.timeoutS,
    );
    const base = { stdout: "", stderr: live.stderr, signal: null, code: null, timedOut: false };
    if (!answered) {
      this.discard(live);
      return { ...base, timedOut: true, signal: "SIGKILL" };
    }
    const line = live.lines.shift();
    if (line !== undefined) {
      const exit = answerExit(line, live.stderr);
      if (exit.code === null) this.discard(live);
      return exit;
    }
    this.discard(live);
    if (live.broken !== undefined) return { ...base, reason: live.broken };
    const died = exitProblem({ ...base, ...live.ended! }, this.options.timeoutS);
    return {
      ...base,
      reason: `${died ?? "the kernel exited with status 0"} before answering (resident mode; it is restarted for the next case)`,
    };
  }
}
