/**
 * `trilm fuzz --kernel "<command>" --op matmul --format tq2_0|tq1_0 [--activations f32|ggml]
 * [--runs N] [--seed S] [--timeout S] [--out dir]`: random cases until the kernel fails one, then a
 * minimal failing case (src/harness/fuzz.ts), saved as a case directory to replay.
 */

import { Option, type Command } from "commander";
import { resolve } from "node:path";
import { QK_K } from "../../../reference/codec/index.js";
import { UsageError } from "../../errors.js";
import { writeCaseDir } from "../../harness/case-dir.js";
import {
  describeCase,
  describeWorst,
  fuzzKernel,
  randomSeed,
  type FuzzProgress,
  type FuzzResult,
} from "../../harness/fuzz.js";
import {
  KERNEL_ACTIVATIONS,
  KERNEL_FORMATS,
  type KernelActivations,
  type KernelFormat,
} from "../../harness/protocol.js";
import { writeLine, type CliIo, type TextSink } from "../cli-io.js";
import { CommandFailed } from "../exit-code.js";

const EXAMPLES = `
Examples:
  $ trilm fuzz --kernel ./my_kernel --op matmul --format tq2_0
  $ trilm fuzz --kernel "python3 kernel.py" --op matmul --format tq1_0 --activations ggml --runs 500 --seed 42
Exit status: 0 when every run passes, 1 when a counterexample was found (saved under --out), 2 for a bad command line.`;

/** The options commander collects for `fuzz`. */
interface FuzzCliOptions {
  readonly kernel: string;
  readonly op: string;
  readonly format: KernelFormat;
  readonly activations: KernelActivations;
  readonly runs: string;
  readonly seed?: string;
  readonly timeout: string;
  readonly out?: string;
  readonly maxRows: string;
  readonly maxBlocks: string;
  readonly maxBatch: string;
  readonly edgeScales?: boolean;
}

/** An integer option in [min, max]; UsageError otherwise. */
function integerOption(name: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
  return value;
}

/** A positive number of seconds; UsageError otherwise. */
function secondsOption(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds, got '${text}'`);
  return value;
}

/** Does the sink write to a terminal? Progress is only drawn there. */
function isTerminal(sink: TextSink): boolean {
  return "isTTY" in sink && (sink as { isTTY?: unknown }).isTTY === true;
}

/** A progress line redrawn in place on a terminal, nothing elsewhere. */
function progressReporter(sink: TextSink): { update: (progress: FuzzProgress) => void; clear: () => void } {
  if (!isTerminal(sink)) return { update: () => undefined, clear: () => undefined };
  let shown = false;
  return {
    update: (p) => {
      shown = true;
      sink.write(
        p.phase === "search"
          ? `\rfuzz: run ${p.count}/${p.runs}\x1b[K`
          : `\rfuzz: counterexample found, shrinking (try ${p.count})\x1b[K`,
      );
    },
    clear: () => {
      if (shown) sink.write("\r\x1b[K");
    },
  };
}

/** `text` quoted for a POSIX shell when it needs it. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The report of a failed session, line by line. */
export function counterexampleReport(command: string, result: FuzzResult, dir: string, rerun: string): string[] {
  const kernelCase = result.counterexample!;
  const verdict = result.verdict;
  const lines = [
    `trilm fuzz: counterexample after ${result.numRuns} run${result.numRuns === 1 ? "" : "s"}, ` +
      `shrunk in ${result.numShrinks} step${result.numShrinks === 1 ? "" : "s"} (seed ${result.seed})`,
    `  minimal case: ${describeCase(kernelCase)}`,
  ];
  const worst = verdict === undefined ? undefined : describeWorst(verdict);
  if (worst !== undefined) lines.push(`  failing element: ${worst}`);
  lines.push(`  reason: ${verdict?.reason ?? "(none given)"}`);
  lines.push(`  saved: ${dir}`);
  lines.push(`  replay: trilm check --kernel ${shellWord(command)} --case ${shellWord(dir)}`);
  lines.push(`      or: ${command} ${shellWord(dir)}`);
  lines.push(`  search again: ${rerun}`);
  return lines;
}

async function fuzz(options: FuzzCliOptions, io: CliIo): Promise<void> {
  if (options.op !== "matmul") throw new UsageError(`--op: only matmul can be fuzzed so far, not '${options.op}'`);
  if (options.kernel.trim() === "") throw new UsageError("--kernel must name a command");
  const runs = integerOption("runs", options.runs, 1, 1_000_000);
  const seed = options.seed === undefined ? randomSeed() : integerOption("seed", options.seed, 0, 0x7fffffff);
  const timeoutS = secondsOption(options.timeout);
  const maxRows = integerOption("max-rows", options.maxRows, 1, 4096);
  const maxBlocks = integerOption("max-blocks", options.maxBlocks, 1, 4096);
  const maxBatch = integerOption("max-batch", options.maxBatch, 1, 4096);
  const progress = progressReporter(io.stderr);
  let result: FuzzResult;
  try {
    result = await fuzzKernel(options.kernel, {
      op: "matmul",
      format: options.format,
      activations: options.activations,
      runs,
      seed,
      timeoutS,
      maxRows,
      maxBlocks,
      maxBatch,
      edgeScales: options.edgeScales === true,
      onProgress: progress.update,
    });
  } finally {
    progress.clear();
  }
  const what = `--op matmul --format ${options.format} --activations ${options.activations}`;
  if (result.passed) {
    writeLine(
      io.stdout,
      `trilm fuzz: ${result.numRuns} runs passed (${what}, up to ${maxRows} rows × ${maxBlocks} blocks of ${QK_K}, batch ≤ ${maxBatch}; seed ${seed})`,
    );
    return;
  }
  const dir = resolve(options.out ?? `trilm-fuzz-${seed}`);
  writeCaseDir(dir, { ...result.counterexample!, label: `trilm fuzz seed ${seed}` });
  const rerun = `trilm fuzz --kernel ${shellWord(options.kernel)} ${what} --runs ${runs} --seed ${seed}`;
  for (const line of counterexampleReport(options.kernel, result, dir, rerun)) writeLine(io.stdout, line);
  throw new CommandFailed(`counterexample saved in ${dir}`);
}

/** Add the `fuzz` command to `program`. */
export function registerFuzz(program: Command, io: CliIo): void {
  program
    .command("fuzz")
    .summary("search random cases for one a kernel fails, and shrink it to a minimal case")
    .description(
      "Run a kernel command (kernel protocol v1: the case directory is its last argument) on random matmul cases " +
        "until one fails, then shrink that case to a minimal one (fewest rows and blocks, batch 1, simplest values), " +
        "save it as a case directory under --out and print how to replay it. The same --seed replays the same cases.",
    )
    .requiredOption("--kernel <command>", "the kernel command (run by sh; the case directory is appended)")
    .addOption(new Option("--op <op>", "the op to fuzz").choices(["matmul"]).default("matmul"))
    .addOption(new Option("--format <format>", "the weight format").choices([...KERNEL_FORMATS]).makeOptionMandatory())
    .addOption(
      new Option("--activations <mode>", "f32, or ggml (x quantized to Q8_K)")
        .choices([...KERNEL_ACTIVATIONS])
        .default("f32"),
    )
    .option("--runs <N>", "random cases to try", "100")
    .option("--seed <S>", "fast-check seed, 0 to 2147483647 (default: random, printed)")
    .option("--timeout <seconds>", "time limit of one kernel run", "30")
    .option("--out <dir>", "where to save the minimal failing case (default: ./trilm-fuzz-<seed>)")
    .option("--max-rows <N>", "at most this many weight rows a case", "4")
    .option("--max-blocks <N>", "at most this many 256-element blocks a row", "4")
    .option("--max-batch <N>", "at most this many activation rows a case", "3")
    .option("--edge-scales", "also draw edge-case fp16 block scales (0, subnormals, 65504)")
    .addHelpText("after", EXAMPLES)
    .action((options: FuzzCliOptions) => fuzz(options, io));
}
