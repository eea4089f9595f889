/**
 * `trilm check --kernel "<command>" [--suite <dir> | --op <op> --format <fmt> | --case <dir>]`: run a
 * kernel under test on cases through kernel protocol v1 (spec/kernel-protocol.md) and judge its
 * outputs against the reference codec.
 */

import { InvalidArgumentError, type Command } from "commander";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.js";
import { readManifest } from "../../golden/verify.js";
import {
  builtinCases,
  CHECK_HEADER,
  checkRowCells,
  checkSummaryLine,
  runCheck,
  summarizeCheck,
  suiteCases,
  type SuiteEntry,
} from "../../harness/check.js";
import { readCaseDir } from "../../harness/case-dir.js";
import { bitlinearSuiteCases } from "../../harness/bitlinear-suite.js";
import {
  BITLINEAR_FORMAT_NAMES,
  runBitlinearFormatCheck,
  runBitlinearSuiteCheck,
  savedBitlinearFormat,
  type BitlinearFormatName,
} from "../../harness/bitlinear-check.js";
import { I2S_LAYOUTS, type I2sLayout } from "../../../reference/codec/i2_s.js";
import { i2sCaseJsonIn, I2S_FORMAT, readI2sCaseDir } from "../../harness/i2s-case.js";
import { i2sBuiltinCases } from "../../harness/i2s-cases.js";
import { i2sCheckRowCells, runI2sCheck } from "../../harness/i2s-check.js";
import { readTrirunCaseDir, trirunCaseJsonIn, TRIRUN_FORMAT } from "../../harness/trirun-case.js";
import { trirunBuiltinCases } from "../../harness/trirun-cases.js";
import { runTrirunCheck, runTrirunSuiteCheck, trirunCheckRowCells } from "../../harness/trirun-check.js";
import { trirunCodecTestsNote, trirunSuiteTests } from "../../harness/trirun-suite.js";
import {
  DEFAULT_TIMEOUT_S,
  KERNEL_ACTIVATIONS,
  formatProblem,
  KERNEL_FORMATS,
  KERNEL_OPS,
  type KernelActivations,
  type KernelFormat,
  type KernelOp,
} from "../../harness/protocol.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { CommandFailed } from "../exit-code.js";
import { formatTable } from "../../text/text-table.js";

const EXAMPLES = `
Examples:
  $ trilm check --kernel "./my-kernel" --op matmul --format tq2_0
      the built-in matmul cases (f32 and ggml activations) for a TQ2_0 kernel
  $ trilm check --kernel "python3 kernel.py" --op quantize --format tq1_0 --seed 7
  $ trilm check --kernel "./my-kernel" --suite golden/suites/matmul --timeout 60
      every matmul test of the golden suite (golden/suites/codecs holds the quantize and dequantize tests)
  $ trilm check --kernel "python3 kernel.py" --resident --op matmul --format tq2_0
      one kernel process for all cases: it reads a case directory a line on stdin, answers ok, unsupported or error
  $ trilm check --kernel ./trirun_matmul --format trirun
      the fixed TriRun-format cases (fp16 x 2-bit, B + s as TriRun packs them; both scale modes)
  $ trilm check --kernel ./trirun_matmul --suite golden/suites/trirun
      the golden suite's TriRun matmul tests, judged by its own y_center, y_bound and y_nonfinite files
  $ trilm check --kernel ./i2_s_matmul --format i2_s --layout x86
      the fixed I2_S-format cases (bitnet.cpp's I2_S weights x I8_S activations) of one I2_S packing
  $ trilm check --kernel ./w2a8_matmul --format w2a8
      the fixed W2A8 cases (BitNet's GPU layout, int8 x int2, bf16 y judged exactly; hf-bitnet likewise)
  $ trilm check --kernel "./my-kernel" --case failing-case/
      the kernel is run as: sh -c '<command> <case directory>'; it exits 3 for a case it does not support (SKIP)
Exit status: 0 when no case failed, 1 when one failed or every case was skipped, 2 for bad usage.`;

/** The options commander collects for `check`. */
interface CheckOptions {
  readonly kernel: string;
  readonly suite?: string;
  readonly op?: KernelOp;
  readonly format?: KernelFormat | typeof TRIRUN_FORMAT | typeof I2S_FORMAT | BitlinearFormatName;
  readonly layout?: I2sLayout;
  readonly case?: string;
  readonly activations?: KernelActivations;
  readonly timeout: number;
  readonly resident?: boolean;
  readonly seed: number;
  readonly slices?: number;
}

/** A commander parser accepting exactly `allowed`. */
function choice<T extends string>(allowed: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(allowed as readonly string[]).includes(text))
      throw new InvalidArgumentError(`Expected ${allowed.join(", ")}.`);
    return text as T;
  };
}

/** --timeout: a positive number of seconds. */
function parseTimeout(text: string): number {
  const v = Number(text);
  if (!/^\s*[0-9.e+]+\s*$/i.test(text) || !Number.isFinite(v) || v <= 0)
    throw new InvalidArgumentError("Expected a positive number of seconds.");
  return v;
}

/** --seed: an integer 0..2^32−1. */
function parseSeed(text: string): number {
  const v = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(v) || v > 0xffffffff)
    throw new InvalidArgumentError("Expected an integer from 0 to 4294967295.");
  return v;
}

/** --slices: a positive integer (the TriRun launch's thread-block slices P). */
function parseSlices(text: string): number {
  const v = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(v) || v < 1)
    throw new InvalidArgumentError("Expected a positive integer.");
  return v;
}

/**
 * `check --format trirun` or `--case` of a TriRun-format case directory (spec/kernel-protocol.md §11):
 * the fixed cases or the saved one, judged by spec/tolerances.md §10. Returns false for any other case source.
 */
async function checkTrirun(options: CheckOptions, io: CliIo): Promise<boolean> {
  const saved = options.case === undefined ? undefined : trirunCaseJsonIn(options.case);
  if (options.format !== TRIRUN_FORMAT && saved === undefined) return false;
  if (options.suite !== undefined)
    throw new UsageError("check: give exactly one of --suite <dir>, --op <op> --format <format>, or --case <dir>");
  if (options.op !== undefined && options.op !== "matmul")
    throw new UsageError("check: format trirun is a matmul format");
  if (options.activations !== undefined) throw new UsageError("check: format trirun's activations are always f16");
  if (options.case !== undefined && options.format !== undefined)
    throw new UsageError("check: --case takes its op and format from case.json");
  const cases =
    options.case === undefined
      ? trirunBuiltinCases(options.seed)
      : [{ ...readTrirunCaseDir(options.case), label: saved?.label ?? options.case }];
  const results = await runTrirunCheck(options.kernel, cases, {
    timeoutS: options.timeout,
    resident: options.resident === true,
    ...(options.slices === undefined ? {} : { slices: options.slices }),
  });
  reportResults(results.map(trirunCheckRowCells), summarizeCheck(results), io);
  return true;
}

/**
 * `check --format i2_s [--layout x86|arm|1x4]` or `--case` of an I2_S-format case directory (spec/kernel-protocol.md
 * §12): the fixed cases of the layout or the saved one, judged by spec/tolerances.md §12. False for any other source.
 */
async function checkI2s(options: CheckOptions, io: CliIo): Promise<boolean> {
  const saved = options.case === undefined ? undefined : i2sCaseJsonIn(options.case);
  if (options.format !== I2S_FORMAT && saved === undefined) {
    if (options.layout !== undefined) throw new UsageError("check: --layout applies to --format i2_s only");
    return false;
  }
  if (options.suite !== undefined)
    throw new UsageError("check: give exactly one of --suite <dir>, --op <op> --format <format>, or --case <dir>");
  if (options.op !== undefined && options.op !== "matmul")
    throw new UsageError("check: format i2_s is a matmul format");
  if (options.activations !== undefined)
    throw new UsageError("check: format i2_s's activations are always i8_s (x and its quantize_row_i8_s rows)");
  if (options.slices !== undefined) throw new UsageError("check: --slices applies to --format trirun only");
  if (options.case !== undefined && (options.format !== undefined || options.layout !== undefined))
    throw new UsageError("check: --case takes its op, format and layout from case.json");
  const cases =
    options.case === undefined
      ? i2sBuiltinCases(options.layout ?? "x86", options.seed)
      : [{ ...readI2sCaseDir(options.case), label: saved?.label ?? options.case }];
  const results = await runI2sCheck(options.kernel, cases, {
    timeoutS: options.timeout,
    resident: options.resident === true,
  });
  reportResults(results.map(i2sCheckRowCells), summarizeCheck(results), io);
  return true;
}

/**
 * `check --format hf-bitnet|w2a8` or `--case` of such a case directory (spec/kernel-protocol.md §13, §14): the fixed
 * cases or the saved one. Returns false for any other case source.
 */
async function checkBitlinear(options: CheckOptions, io: CliIo): Promise<boolean> {
  const saved = options.case === undefined ? undefined : savedBitlinearFormat(options.case);
  const named = BITLINEAR_FORMAT_NAMES.find((name) => name === options.format);
  const format = saved ?? named;
  if (format === undefined) return false;
  if (options.suite !== undefined)
    throw new UsageError("check: give exactly one of --suite <dir>, --op <op> --format <format>, or --case <dir>");
  if (options.op !== undefined && options.op !== "matmul")
    throw new UsageError(`check: format ${format} is a matmul format`);
  if (options.activations !== undefined || options.slices !== undefined || options.layout !== undefined)
    throw new UsageError(`check: format ${format} takes no --activations, --slices or --layout (int8 per token)`);
  if (options.case !== undefined && options.format !== undefined)
    throw new UsageError("check: --case takes its op and format from case.json");
  const results = await runBitlinearFormatCheck(format, options.kernel, {
    seed: options.seed,
    timeoutS: options.timeout,
    resident: options.resident === true,
    ...(options.case === undefined ? {} : { caseDir: options.case }),
  });
  reportResults(results.map(checkRowCells), summarizeCheck(results), io);
  return true;
}

/**
 * `check --suite` of a suite holding hf-bitnet or w2a8 matmul tests (golden/suites/hf-bitnet, w2a8): those tests (of
 * --format's format when given), judged as the fixed cases; false when the suite holds none.
 */
async function checkBitlinearSuite(manifestPath: string, options: CheckOptions, io: CliIo): Promise<boolean> {
  if (!existsSync(manifestPath)) return false;
  const only = BITLINEAR_FORMAT_NAMES.find((name) => name === options.format);
  if (options.format !== undefined && only === undefined) return false;
  let suite;
  try {
    suite = bitlinearSuiteCases(manifestPath);
  } catch (error) {
    throw new UsageError(`check: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (suite.hfBitnet.length + suite.w2a8.length === 0) return false;
  if (options.activations !== undefined || (options.op !== undefined && options.op !== "matmul"))
    throw new UsageError("check: a suite's hf-bitnet and w2a8 tests are int8-per-token matmuls (no --activations)");
  if (suite.codecTests > 0)
    writeLine(io.stdout, `note: ${suite.codecTests} pack and unpack tests of the suite are codec tests, not run`);
  const results = await runBitlinearSuiteCheck(options.kernel, suite, {
    timeoutS: options.timeout,
    resident: options.resident === true,
    ...(only === undefined ? {} : { only }),
  });
  reportResults(results.map(checkRowCells), summarizeCheck(results), io);
  return true;
}

/** Print the table and the summary line; CommandFailed when a case failed or every case was skipped. */
function reportResults(rows: string[][], summary: ReturnType<typeof summarizeCheck>, io: CliIo): void {
  for (const line of formatTable(CHECK_HEADER, rows, ["left", "left", "right", "right", "right"]))
    writeLine(io.stdout, line);
  writeLine(io.stdout, checkSummaryLine(summary));
  if (summary.failed > 0) throw new CommandFailed(`${summary.failed} failed`);
  if (summary.passed === 0) {
    writeLine(
      io.stderr,
      `trilm check: WARNING: all ${summary.skipped} cases were skipped, nothing was checked ` +
        "(does the kernel support this op, format and activation mode?)",
    );
    throw new CommandFailed("every case was skipped");
  }
}

/** The built-in or saved cases the options select (--suite: checkSuite); UsageError when they select none or several sources. */
function selectCases(options: CheckOptions): SuiteEntry[] {
  const builtin = options.suite === undefined && (options.op !== undefined || options.format !== undefined);
  const sources = [options.suite !== undefined, builtin, options.case !== undefined].filter(Boolean).length;
  if (sources !== 1)
    throw new UsageError("check: give exactly one of --suite <dir>, --op <op> --format <format>, or --case <dir>");
  if (options.case !== undefined && (options.op !== undefined || options.format !== undefined))
    throw new UsageError("check: --case takes its op and format from case.json");
  if (options.case !== undefined) {
    const kernelCase = readCaseDir(options.case);
    return [{ label: kernelCase.label ?? options.case, kernelCase }];
  }
  if (options.op === undefined || options.format === undefined)
    throw new UsageError("check: --op and --format go together");
  const formatIssue = formatProblem(options.op, options.format as KernelFormat);
  if (formatIssue !== undefined) throw new UsageError(`check: ${formatIssue} (q8_K takes --op quantize or dequantize)`);
  return builtinCases(options.op, options.format as KernelFormat, {
    seed: options.seed,
    activations: options.activations,
  }).map((kernelCase) => ({
    label: kernelCase.label ?? kernelCase.op,
    kernelCase,
  }));
}

/**
 * `check --suite <dir>`: the suite's TQ kernel tests (suiteCases) and its TriRun matmul tests (trirunSuiteTests,
 * judged by the suite's own acceptance files, spec/kernel-protocol.md §11.4), as --op, --format and --activations
 * select them; a one-line note first when the suite's pack, unpack and validate tests are left out.
 */
async function checkSuite(dir: string, options: CheckOptions, io: CliIo): Promise<void> {
  if (options.slices !== undefined)
    throw new UsageError(
      "check: --slices applies to --format trirun only (a suite's bounds are for its groups' slices)",
    );
  // the strict reading of golden verify first: a malformed manifest is refused (exit 2), not run
  const manifestPath = join(dir, "manifest.json");
  if (existsSync(manifestPath)) readManifest(manifestPath);
  if (await checkBitlinearSuite(manifestPath, options, io)) return;
  const tq =
    options.format === TRIRUN_FORMAT ||
    options.format === I2S_FORMAT ||
    options.format === "hf-bitnet" ||
    options.format === "w2a8"
      ? []
      : suiteCases(dir, { op: options.op, format: options.format, activations: options.activations });
  // TriRun tests are fp16 matmuls: --activations (f32 or ggml) selects none of them
  const trirun =
    (options.format === undefined || options.format === TRIRUN_FORMAT) && options.activations === undefined
      ? trirunSuiteTests(dir, options.op)
      : undefined;
  const trirunEntries = trirun?.entries ?? [];
  if (tq.length === 0 && trirunEntries.length === 0) throw new UsageError(`check: ${dir} holds no kernel test groups`);
  const note = trirun === undefined ? undefined : trirunCodecTestsNote(trirun, dir);
  if (note !== undefined) writeLine(io.stdout, note);
  const run = { timeoutS: options.timeout, resident: options.resident === true };
  const tqResults = tq.length === 0 ? [] : await runCheck(options.kernel, tq, run);
  const trirunResults = trirunEntries.length === 0 ? [] : await runTrirunSuiteCheck(options.kernel, trirunEntries, run);
  reportResults(
    [...tqResults.map(checkRowCells), ...trirunResults.map(trirunCheckRowCells)],
    summarizeCheck([...tqResults, ...trirunResults]),
    io,
  );
}

async function check(options: CheckOptions, io: CliIo): Promise<void> {
  if (options.suite !== undefined && options.case === undefined) return checkSuite(options.suite, options, io);
  if (await checkBitlinear(options, io)) return;
  if (await checkI2s(options, io)) return;
  if (await checkTrirun(options, io)) return;
  if (options.slices !== undefined) throw new UsageError("check: --slices applies to --format trirun only");
  const entries = selectCases(options);
  const results = await runCheck(options.kernel, entries, {
    timeoutS: options.timeout,
    resident: options.resident === true,
  });
  reportResults(results.map(checkRowCells), summarizeCheck(results), io);
}

/** Add the `check` command to `program`. */
export function registerCheck(program: Command, io: CliIo): void {
  program
    .command("check")
    .summary("run a kernel under test on reference cases (kernel protocol v1) and judge its outputs")
    .description(
      "Run a kernel command on cases written as case directories (spec/kernel-protocol.md) and judge its outputs against " +
        "the reference codec: matmul within the spec/formats.md §8.2 bound, dequantize and quantize bit-exact. " +
        "A kernel exits 3 for a case it does not support: the case is skipped, not failed. " +
        "Prints one row per case and `N passed, N failed, N skipped`; exit status 1 when any case fails or every case " +
        "was skipped, 2 on bad usage.",
    )
    .requiredOption("--kernel <command>", "the kernel command; the case directory is appended as its last argument")
    .option("--suite <dir>", "a golden suite directory (manifest.json)")
    .option(
      "--op <op>",
      `built-in cases of this op (with --suite: only this op): ${KERNEL_OPS.join(", ")}`,
      choice(KERNEL_OPS),
    )
    .option(
      "--format <format>",
      `with --op: ${KERNEL_FORMATS.join(", ")} (with --suite: only this format); ${TRIRUN_FORMAT}: the fixed ` +
        "TriRun-format cases (fp16 x 2-bit matmul, spec/kernel-protocol.md §11; --op may be left out); " +
        `${I2S_FORMAT}: the fixed I2_S-format cases (spec/kernel-protocol.md §12); hf-bitnet, w2a8: the fixed ` +
        "cases of transformers' packed BitLinear (§13) and BitNet's GPU W2A8 kernel (§14)",
      choice<KernelFormat | typeof TRIRUN_FORMAT | typeof I2S_FORMAT | BitlinearFormatName>([
        ...KERNEL_FORMATS,
        TRIRUN_FORMAT,
        I2S_FORMAT,
        ...BITLINEAR_FORMAT_NAMES,
      ]),
    )
    .option(
      "--layout <layout>",
      `format ${I2S_FORMAT} (bitnet.cpp's I2_S x I8_S, spec/kernel-protocol.md §12): the I2_S packing the kernel ` +
        `implements, ${I2S_LAYOUTS.join(", ")} (default x86, the official GGUF's)`,
      choice(I2S_LAYOUTS),
    )
    .option("--case <dir>", "one saved case directory")
    .option(
      "--activations <mode>",
      `matmul activations: ${KERNEL_ACTIVATIONS.join(", ")} (default: both)`,
      choice(KERNEL_ACTIVATIONS),
    )
    .option("--timeout <seconds>", "seconds each kernel run may take", parseTimeout, DEFAULT_TIMEOUT_S)
    .option("--seed <N>", "seed of the built-in cases, 0 to 4294967295", parseSeed, 1)
    .option(
      "--slices <P>",
      "format trirun: the thread-block slices P of the launch under test (spec/tolerances.md §10; default k/64, the worst case)",
      parseSlices,
    )
    .option(
      "--resident",
      "start the kernel once, with no argument, and send it case directories one per line on stdin (protocol v1.1)",
    )
    .addHelpText("after", EXAMPLES)
    .action((options: CheckOptions) => check(options, io));
}
