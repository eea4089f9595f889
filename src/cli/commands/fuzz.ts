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
import { describeDiagnosis, diagnosisOfBoth } from "../../harness/diagnose.js";
import { coverageLine } from "../../harness/edge-cases.js";
import {
  describeCase,
  describeWorst,
  fuzzKernel,
  randomSeed,
  type FuzzKernelResult,
  type FuzzProgress,
  type FuzzResult,
} from "../../harness/fuzz.js";
import {
  DEFAULT_TIMEOUT_S,
  KERNEL_ACTIVATIONS,
  TERNARY_FORMATS,
  type CaseVerdict,
  type KernelActivations,
  type TernaryFormat,
} from "../../harness/protocol.js";
import { I2S_LAYOUTS, type I2sLayout } from "../../../reference/codec/i2_s.js";
import {
  BITLINEAR_FORMAT_NAMES,
  describeBitlinearCounterexample,
  fuzzBitlinearKernel,
  writeBitlinearCounterexample,
  type BitlinearFormatName,
} from "../../harness/bitlinear-check.js";
import { I2S_FORMAT, writeI2sCaseDir } from "../../harness/i2s-case.js";
import { fuzzI2sKernel, type I2sFuzzKernelResult } from "../../harness/i2s-check.js";
import { describeI2sCase } from "../../harness/i2s-fuzz.js";
import { describeI2sOutput, describeI2sWeightPlace } from "../../harness/i2s-judge.js";
import { TRIRUN_FORMAT, writeTrirunCaseDir } from "../../harness/trirun-case.js";
import { fuzzTrirunKernel, type TrirunFuzzKernelResult } from "../../harness/trirun-check.js";
import { describeTrirunCase } from "../../harness/trirun-fuzz.js";
import { describeTrirunOutput, describeWeightPlace } from "../../harness/trirun-judge.js";
import { writeLine, type CliIo, type TextSink } from "../cli-io.js";
import { CommandFailed } from "../exit-code.js";

const EXAMPLES = `
Examples:
  $ trilm fuzz --kernel ./my_kernel --op matmul --format tq2_0
  $ trilm fuzz --kernel "python3 kernel.py" --op matmul --format tq1_0 --activations ggml --runs 500 --seed 42
  $ trilm fuzz --kernel "python3 examples/kernels/tq_matmul_resident.py" --resident --op matmul --format tq2_0 --runs 200
  $ trilm fuzz --kernel ./i2_s_matmul --format i2_s --runs 200 --seed 1
      I2_S-format cases of one --layout; a failure shrinks to one activation row, 128 inputs, one weight row
  $ trilm fuzz --kernel ./w2a8_matmul --format w2a8 --runs 100 --seed 1
      BitNet GPU W2A8 cases (hf-bitnet likewise); a failure shrinks to one token, fewer blocks, fewer weights
  $ trilm fuzz --kernel ./trirun_matmul --format trirun --runs 200 --seed 1
      TriRun-format cases (k <= 256, n <= 512, m <= --max-batch); a failure shrinks to the fewest 16x16 tiles
      one kernel process for the whole session (protocol v1.1): case directories one per line on stdin
A kernel exits 3 for a case it does not support: the run is skipped, not failed.
Exit status: 0 when no run failed, 1 when a counterexample was found (saved under --out) or every run was skipped,
2 for a bad command line.`;

/** The options commander collects for `fuzz`. */
interface FuzzCliOptions {
  readonly kernel: string;
  readonly op: string;
  readonly format: TernaryFormat | typeof TRIRUN_FORMAT | typeof I2S_FORMAT | BitlinearFormatName;
  readonly layout?: I2sLayout;
  readonly activations: KernelActivations;
  readonly runs: string;
  readonly seed?: string;
  readonly timeout: string;
  readonly out?: string;
  readonly maxRows: string;
  readonly maxBlocks: string;
  readonly maxBatch: string;
  readonly edgeScales?: boolean;
  readonly edgeValues?: boolean;
  readonly resident?: boolean;
  readonly slices?: string;
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

/**
 * A verdict's error in words: "max abs err 0.5, nmse 0.25" over the finite outputs, and the non-finite
 * mismatches those leave out ("; 1 non-finite mismatch"); undefined when the verdict has no statistics.
 */
export function describeError(verdict: CaseVerdict): string | undefined {
  if (verdict.maxAbsError === undefined || verdict.nmse === undefined) return undefined;
  const n = verdict.nonFinite ?? 0;
  const stats = `max abs err ${verdict.maxAbsError}, nmse ${verdict.nmse}`;
  return n === 0
    ? stats
    : `${stats} over the finite outputs; ${n} non-finite mismatch${n === 1 ? "" : "es"} (NaN or ±inf, left out of both)`;
}

/**
 * The diagnosis lines of a failed session (spec/kernel-protocol.md §9): the causes that match both the
 * first failing case (larger, before shrinking) and the minimal one, then each case's own diagnosis;
 * the minimal case's alone when the search's first failure is the minimal case or was not diagnosed.
 */
export function diagnosisLines(result: FuzzResult): string[] {
  const minimal = result.verdict?.diagnosis;
  if (minimal === undefined) return [];
  const first = result.firstVerdict?.diagnosis;
  if (first === undefined || result.firstCounterexample === result.counterexample)
    return [`  diagnosis: ${describeDiagnosis(minimal)}`];
  return [
    `  diagnosis: ${describeDiagnosis(diagnosisOfBoth(first, minimal))} (the first failing case and the minimal case together)`,
    `    first failing case (${describeCase(result.firstCounterexample!)}): ${describeDiagnosis(first)}`,
    `    minimal case: ${describeDiagnosis(minimal)}`,
  ];
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
  lines.push(...diagnosisLines(result));
  const worst = verdict === undefined ? undefined : describeWorst(verdict);
  const guess = verdict?.diagnosis === undefined ? "" : " (the weight's location is a guess)";
  if (worst !== undefined) lines.push(`  failing element: ${worst}${guess}`);
  lines.push(`  reason: ${verdict?.reason ?? "(none given)"}`);
  const error = verdict === undefined ? undefined : describeError(verdict);
  if (error !== undefined) lines.push(`  error: ${error}`);
  lines.push(`  saved: ${dir}`);
  lines.push(`  replay: trilm check --kernel ${shellWord(command)} --case ${shellWord(dir)}`);
  lines.push(`      or: ${command} ${shellWord(dir)}`);
  lines.push(`  search again: ${rerun}`);
  return lines;
}

/** The report of a failed TriRun-format session, line by line (spec/kernel-protocol.md §11.5). */
export function trirunCounterexampleReport(
  command: string,
  result: TrirunFuzzKernelResult,
  dir: string,
  rerun: string,
): string[] {
  const verdict = result.verdict;
  const lines = [
    `trilm fuzz: counterexample after ${result.numRuns} run${result.numRuns === 1 ? "" : "s"}, ` +
      `shrunk in ${result.numShrinks} step${result.numShrinks === 1 ? "" : "s"} (seed ${result.seed})`,
    `  minimal case: ${describeTrirunCase(result.counterexample!)}`,
  ];
  if (result.firstCounterexample !== undefined)
    lines.push(`  first failing case: ${describeTrirunCase(result.firstCounterexample)}`);
  const minimal = verdict?.diagnosis;
  const first = result.firstVerdict?.diagnosis;
  if (minimal !== undefined && first !== undefined)
    lines.push(
      `  diagnosis: ${describeDiagnosis(diagnosisOfBoth(first, minimal))} (the first failing case and the minimal case together)`,
    );
  if (verdict?.output !== undefined) lines.push(`  failing element: ${describeTrirunOutput(verdict.output)}`);
  for (const place of verdict?.weights ?? []) lines.push(`  weight: ${describeWeightPlace(place)}`);
  lines.push(`  reason: ${verdict?.reason ?? "(none given)"}`);
  const error = verdict === undefined ? undefined : describeError(verdict);
  if (error !== undefined) lines.push(`  error: ${error}`);
  lines.push(`  saved: ${dir}`);
  lines.push(`  replay: trilm check --kernel ${shellWord(command)} --case ${shellWord(dir)}`);
  lines.push(`      or: ${command} ${shellWord(dir)}`);
  lines.push(`  search again: ${rerun}`);
  return lines;
}

/** `trilm fuzz --format trirun`: random TriRun-format cases, a failure shrunk to the fewest tiles. */
async function fuzzTrirun(options: FuzzCliOptions, io: CliIo): Promise<void> {
  if (options.activations !== "f32") throw new UsageError("--activations: format trirun's activations are always f16");
  const runs = integerOption("runs", options.runs, 1, 1_000_000);
  const seed = options.seed === undefined ? randomSeed() : integerOption("seed", options.seed, 0, 0x7fffffff);
  const timeoutS = secondsOption(options.timeout);
  const maxM = integerOption("max-batch", options.maxBatch, 1, 4096);
  const slices = options.slices === undefined ? undefined : integerOption("slices", options.slices, 1, 1 << 20);
  const progress = progressReporter(io.stderr);
  let result: TrirunFuzzKernelResult;
  try {
    result = await fuzzTrirunKernel(options.kernel, {
      runs,
      seed,
      timeoutS,
      maxM,
      resident: options.resident === true,
      ...(slices === undefined ? {} : { slices }),
      onProgress: (p) => progress.update({ ...p, runs }),
    });
  } finally {
    progress.clear();
  }
  const slicesFlag = slices === undefined ? "" : ` --slices ${slices}`;
  const what = `--format trirun${slicesFlag}`;
  const skipped = result.numUnsupported === 0 ? "" : `, ${result.numUnsupported} skipped as unsupported`;
  if (result.passed) {
    writeLine(
      io.stdout,
      `trilm fuzz: ${result.numRuns - result.numUnsupported} runs passed${skipped} (${what}, k ≤ 256, n ≤ 512, ` +
        `m ≤ ${maxM}, both scale modes; seed ${seed})`,
    );
    return;
  }
  if (result.counterexample === undefined) {
    failEveryRunSkipped(io, result.numRuns, what, result.unsupportedReason);
  }
  const dir = resolve(options.out ?? `trilm-fuzz-${seed}`);
  writeTrirunCaseDir(dir, { ...result.counterexample, label: `trilm fuzz seed ${seed}` });
  const resident = options.resident === true ? " --resident" : "";
  const rerun = `trilm fuzz --kernel ${shellWord(options.kernel)}${resident} ${what} --runs ${runs} --seed ${seed}`;
  for (const line of trirunCounterexampleReport(options.kernel, result, dir, rerun)) writeLine(io.stdout, line);
  throw new CommandFailed(`counterexample saved in ${dir}`);
}

/** The report of a failed I2_S-format session, line by line (spec/kernel-protocol.md §12.6). */
export function i2sCounterexampleReport(
  command: string,
  result: I2sFuzzKernelResult,
  dir: string,
  rerun: string,
): string[] {
  const verdict = result.verdict;
  const layout = result.counterexample?.layout ?? "x86";
  const lines = [
    `trilm fuzz: counterexample after ${result.numRuns} run${result.numRuns === 1 ? "" : "s"}, ` +
      `shrunk in ${result.numShrinks} step${result.numShrinks === 1 ? "" : "s"} (seed ${result.seed})`,
    `  minimal case: ${describeI2sCase(result.counterexample!)}`,
  ];
  if (result.firstCounterexample !== undefined)
    lines.push(`  first failing case: ${describeI2sCase(result.firstCounterexample)}`);
  const minimal = verdict?.diagnosis;
  const first = result.firstVerdict?.diagnosis;
  if (minimal !== undefined && first !== undefined)
    lines.push(
      `  diagnosis: ${describeDiagnosis(diagnosisOfBoth(first, minimal))} (the first failing case and the minimal case together)`,
    );
  if (verdict?.output !== undefined) lines.push(`  failing element: ${describeI2sOutput(verdict.output)}`);
  for (const place of verdict?.weights ?? []) lines.push(`  weight: ${describeI2sWeightPlace(place, layout)}`);
  lines.push(`  reason: ${verdict?.reason ?? "(none given)"}`);
  const error = verdict === undefined ? undefined : describeError(verdict);
  if (error !== undefined) lines.push(`  error: ${error}`);
  lines.push(`  saved: ${dir}`);
  lines.push(`  replay: trilm check --kernel ${shellWord(command)} --case ${shellWord(dir)}`);
  lines.push(`      or: ${command} ${shellWord(dir)}`);
  lines.push(`  search again: ${rerun}`);
  return lines;
}

/** `trilm fuzz --format i2_s [--layout …]`: random I2_S-format cases, a failure shrunk to the fewest weights. */
async function fuzzI2s(options: FuzzCliOptions, io: CliIo): Promise<void> {
  if (options.activations !== "f32")
    throw new UsageError("--activations: format i2_s's activations are always i8_s (x and its quantize_row_i8_s rows)");
  if (options.slices !== undefined) throw new UsageError("--slices applies to --format trirun only");
  const runs = integerOption("runs", options.runs, 1, 1_000_000);
  const seed = options.seed === undefined ? randomSeed() : integerOption("seed", options.seed, 0, 0x7fffffff);
  const timeoutS = secondsOption(options.timeout);
  const maxM = integerOption("max-batch", options.maxBatch, 1, 4096);
  const layout = options.layout ?? "x86";
  const progress = progressReporter(io.stderr);
  let result: I2sFuzzKernelResult;
  try {
    result = await fuzzI2sKernel(options.kernel, {
      runs,
      seed,
      timeoutS,
      maxM,
      layout,
      resident: options.resident === true,
      onProgress: (p) => progress.update({ ...p, runs }),
    });
  } finally {
    progress.clear();
  }
  const what = `--format i2_s --layout ${layout}`;
  const skipped = result.numUnsupported === 0 ? "" : `, ${result.numUnsupported} skipped as unsupported`;
  if (result.passed) {
    writeLine(
      io.stdout,
      `trilm fuzz: ${result.numRuns - result.numUnsupported} runs passed${skipped} (${what}, k ≤ 512 or long ` +
        `same-sign cases up to 2560, n ≤ 16, m ≤ ${maxM}; seed ${seed})`,
    );
    return;
  }
  if (result.counterexample === undefined) {
    failEveryRunSkipped(io, result.numRuns, what, result.unsupportedReason);
  }
  const dir = resolve(options.out ?? `trilm-fuzz-${seed}`);
  writeI2sCaseDir(dir, { ...result.counterexample, label: `trilm fuzz seed ${seed}` });
  const resident = options.resident === true ? " --resident" : "";
  const rerun = `trilm fuzz --kernel ${shellWord(options.kernel)}${resident} ${what} --runs ${runs} --seed ${seed}`;
  for (const line of i2sCounterexampleReport(options.kernel, result, dir, rerun)) writeLine(io.stdout, line);
  throw new CommandFailed(`counterexample saved in ${dir}`);
}

/** `trilm fuzz --format hf-bitnet|w2a8` (spec/kernel-protocol.md §13.3, §14.4): random cases, a failure shrunk. */
async function fuzzBitlinear(format: BitlinearFormatName, options: FuzzCliOptions, io: CliIo): Promise<void> {
  if (options.activations !== "f32" || options.slices !== undefined || options.layout !== undefined)
    throw new UsageError(`format ${format} takes no --activations, --slices or --layout (int8 per token)`);
  const runs = integerOption("runs", options.runs, 1, 1_000_000);
  const seed = options.seed === undefined ? randomSeed() : integerOption("seed", options.seed, 0, 0x7fffffff);
  const progress = progressReporter(io.stderr);
  let result;
  try {
    result = await fuzzBitlinearKernel(format, options.kernel, {
      runs,
      seed,
      timeoutS: secondsOption(options.timeout),
      resident: options.resident === true,
      onProgress: (p) => progress.update({ ...p, runs }),
    });
  } finally {
    progress.clear();
  }
  const skipped = result.numUnsupported === 0 ? "" : `, ${result.numUnsupported} skipped as unsupported`;
  if (result.passed) {
    writeLine(
      io.stdout,
      `trilm fuzz: ${result.numRuns - result.numUnsupported} runs passed${skipped} (--format ${format}; seed ${seed})`,
    );
    return;
  }
  const dir = resolve(options.out ?? `trilm-fuzz-${seed}`);
  if (!writeBitlinearCounterexample(result, dir, `trilm fuzz seed ${seed}`)) {
    failEveryRunSkipped(io, result.numRuns, `--format ${format}`, result.unsupportedReason);
  }
  const lines = [
    `trilm fuzz: counterexample after ${result.numRuns} run${result.numRuns === 1 ? "" : "s"}, ` +
      `shrunk in ${result.numShrinks} step${result.numShrinks === 1 ? "" : "s"} (seed ${seed})`,
    `  minimal case: ${describeBitlinearCounterexample(result)}`,
  ];
  if (result.verdict?.diagnosis !== undefined)
    lines.push(`  diagnosis: ${describeDiagnosis(result.verdict.diagnosis)}`);
  lines.push(`  reason: ${result.verdict?.reason ?? "(none given)"}`, `  saved: ${dir}`);
  lines.push(`  replay: trilm check --kernel ${shellWord(options.kernel)} --case ${shellWord(dir)}`);
  for (const line of lines) writeLine(io.stdout, line);
  throw new CommandFailed(`counterexample saved in ${dir}`);
}

async function fuzz(options: FuzzCliOptions, io: CliIo): Promise<void> {
  if (options.kernel.trim() === "") throw new UsageError("--kernel must name a command");
  if (options.format === "hf-bitnet" || options.format === "w2a8") return fuzzBitlinear(options.format, options, io);
  if (options.format === I2S_FORMAT) return fuzzI2s(options, io);
  if (options.layout !== undefined) throw new UsageError("--layout applies to --format i2_s only");
  if (options.format === TRIRUN_FORMAT) return fuzzTrirun(options, io);
  if (options.slices !== undefined) throw new UsageError("--slices applies to --format trirun only");
  if (options.op !== "matmul") throw new UsageError(`--op: only matmul can be fuzzed so far, not '${options.op}'`);
  const runs = integerOption("runs", options.runs, 1, 1_000_000);
  const seed = options.seed === undefined ? randomSeed() : integerOption("seed", options.seed, 0, 0x7fffffff);
  const timeoutS = secondsOption(options.timeout);
  const maxRows = integerOption("max-rows", options.maxRows, 1, 4096);
  const maxBlocks = integerOption("max-blocks", options.maxBlocks, 1, 4096);
  const maxBatch = integerOption("max-batch", options.maxBatch, 1, 4096);
  const progress = progressReporter(io.stderr);
  const tally = { search: 0, shrink: 0 };
  const started = performance.now();
  let result: FuzzKernelResult;
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
      edgeScales: options.edgeScales !== false,
      edgeValues: options.edgeValues !== false,
      resident: options.resident === true,
      onProgress: (p) => {
        tally[p.phase] = p.count;
        progress.update(p);
      },
    });
  } finally {
    progress.clear();
  }
  if (options.resident === true && !isTerminal(io.stderr)) {
    // no progress was drawn: say what the session did, so a long run in a pipe or CI log is accounted for
    const starts = result.kernelStarts ?? 0;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    writeLine(
      io.stderr,
      `trilm fuzz: ${tally.search} run${tally.search === 1 ? "" : "s"} and ${tally.shrink} shrink tries in ${seconds} s; ` +
        `resident kernel started ${starts} time${starts === 1 ? "" : "s"}`,
    );
  }
  const what = `--op matmul --format ${options.format} --activations ${options.activations}`;
  const skipped = result.numUnsupported === 0 ? "" : `, ${result.numUnsupported} skipped as unsupported`;
  if (result.passed) {
    writeLine(
      io.stdout,
      `trilm fuzz: ${result.numRuns - result.numUnsupported} runs passed${skipped} (${what}, up to ${maxRows} rows × ` +
        `${maxBlocks} blocks of ${QK_K}, batch ≤ ${maxBatch}; seed ${seed})`,
    );
    if (result.unsupportedReason !== undefined)
      writeLine(io.stdout, `  first unsupported: ${result.unsupportedReason}`);
    writeLine(io.stdout, `  coverage: ${coverageLine(result.coverage)}`);
    return;
  }
  if (result.counterexample === undefined) {
    failEveryRunSkipped(io, result.numRuns, what, result.unsupportedReason);
  }
  const dir = resolve(options.out ?? `trilm-fuzz-${seed}`);
  writeCaseDir(dir, { ...result.counterexample, label: `trilm fuzz seed ${seed}` });
  const resident = options.resident === true ? " --resident" : "";
  const edgeFlags =
    (options.edgeScales === false ? " --no-edge-scales" : "") +
    (options.edgeValues === false ? " --no-edge-values" : "");
  const rerun = `trilm fuzz --kernel ${shellWord(options.kernel)}${resident} ${what}${edgeFlags} --runs ${runs} --seed ${seed}`;
  for (const line of counterexampleReport(options.kernel, result, dir, rerun)) writeLine(io.stdout, line);
  writeLine(io.stdout, `  coverage (search): ${coverageLine(result.coverage)}`);
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
    .addOption(
      new Option(
        "--format <format>",
        "the weight format (trirun: TriRun's fp16 x 2-bit layout, spec/kernel-protocol.md §11)",
      )
        .choices([...TERNARY_FORMATS, TRIRUN_FORMAT, I2S_FORMAT, ...BITLINEAR_FORMAT_NAMES])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option(
        "--layout <layout>",
        "format i2_s (spec/kernel-protocol.md §12): the I2_S packing the kernel implements (default x86)",
      ).choices([...I2S_LAYOUTS]),
    )
    .addOption(
      new Option("--activations <mode>", "f32, or ggml (x quantized to Q8_K)")
        .choices([...KERNEL_ACTIVATIONS])
        .default("f32"),
    )
    .option("--runs <N>", "random cases to try", "100")
    .option("--seed <S>", "fast-check seed, 0 to 2147483647 (default: random, printed)")
    .option("--timeout <seconds>", "time limit of one kernel run", String(DEFAULT_TIMEOUT_S))
    .option("--out <dir>", "where to save the minimal failing case (default: ./trilm-fuzz-<seed>)")
    .option("--max-rows <N>", "at most this many weight rows a case", "4")
    .option("--max-blocks <N>", "at most this many 256-element blocks a row", "4")
    .option("--max-batch <N>", "at most this many activation rows a case", "3")
    .option(
      "--slices <P>",
      "format trirun: the thread-block slices P of the launch under test (spec/tolerances.md §10; default k/64)",
    )
    .option(
      "--resident",
      "start the kernel once, with no argument, and send it case directories one per line on stdin (protocol v1.1)",
    )
    .option("--edge-scales", "draw edge-case fp16 block scales (0, subnormals, 65504, inf, NaN): the default")
    .option("--no-edge-scales", "draw normal fp16 block scales only")
    .option(
      "--edge-values",
      "draw Q8_K tie blocks, zero and saturated activation blocks, TQ2_0 code 3, TQ1_0 alias bytes: the default",
    )
    .option("--no-edge-values", "draw none of those")
    .addHelpText("after", EXAMPLES)
    .action((options: FuzzCliOptions) => fuzz(options, io));
}

/**
 * The end of a fuzz session whose kernel declined every run as unsupported: one warning line on stderr naming what was
 * asked (`what`) and the kernel's reason, then a failure: nothing was tested, so nothing passed (spec/kernel-protocol.md §4).
 */
function failEveryRunSkipped(io: CliIo, numRuns: number, what: string, reason: string | undefined): never {
  writeLine(
    io.stderr,
    `trilm fuzz: WARNING: the kernel declined all ${numRuns} runs as unsupported, nothing was tested ` +
      `(${what}): ${reason ?? ""}`,
  );
  throw new CommandFailed("every run was skipped");
}
