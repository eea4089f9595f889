/**
 * `trilm golden generate <dir> [--seed S] [--suite …] [--commit C]` and `trilm golden verify <dir>`:
 * the golden test-vector corpus (spec/golden.md).
 */

import { InvalidArgumentError, Option, type Command } from "commander";
import { UsageError } from "../../errors.js";
import {
  ALL_SUITES,
  DEFAULT_SUITES,
  generateGolden,
  findManifests,
  readManifest,
  verifySuite,
  type SuiteName,
} from "../../golden/index.js";
import { writeLine, type CliIo } from "../cli-io.js";
import { CommandFailed } from "../exit-code.js";
import { packageVersion } from "../package-version.js";
import { isTerminal, parseSeedOption } from "./run.js";

/** The options commander collects for `golden generate`. */
interface GenerateCliOptions {
  readonly seed: string;
  readonly suite?: SuiteName[];
  readonly commit: string;
}

/** The seed of the checked-in corpus. */
export const GOLDEN_DEFAULT_SEED = 1;

/** The command that regenerates the checked-in corpus byte for byte (from the repository root). */
export const GOLDEN_CORPUS_COMMAND = "trilm golden generate golden/suites";

/** commander parser for a repeatable --suite: names separated by commas, accumulated. */
function parseSuites(text: string, previous: SuiteName[] | undefined): SuiteName[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const out = [...(previous ?? [])];
  for (const name of names) {
    const suite = ALL_SUITES.find((s) => s === name);
    if (suite === undefined) throw new InvalidArgumentError(`Expected one of ${ALL_SUITES.join(", ")}.`);
    if (!out.includes(suite)) out.push(suite);
  }
  return out;
}

/** A progress line on stderr when it is a terminal. */
function progress(
  io: CliIo,
  verb: string,
): { update: (suite: string, done: number, total: number) => void; clear: () => void } {
  if (!isTerminal(io.stderr)) return { update: () => {}, clear: () => {} };
  return {
    update: (suite, done, total) => io.stderr.write(`\r\x1b[Kgolden ${verb}: ${suite} ${done}/${total}`),
    clear: () => io.stderr.write("\r\x1b[K"),
  };
}

function generate(dir: string, options: GenerateCliOptions, io: CliIo): void {
  const seed = parseSeedOption(options.seed);
  if (!/^(unknown|[0-9a-f]{7,40})$/.test(options.commit))
    throw new UsageError(`--commit: expected 7 to 40 lower-case hex digits or 'unknown', got '${options.commit}'`);
  const suites = options.suite ?? [...DEFAULT_SUITES];
  const bar = progress(io, "generate");
  let written;
  try {
    written = generateGolden(dir, {
      seed,
      suites,
      version: packageVersion(),
      commit: options.commit,
      onProgress: bar.update,
    });
  } finally {
    bar.clear();
  }
  let total = 0;
  for (const suite of written) {
    writeLine(io.stdout, `${suite.suite}: ${suite.tests} tests, ${suite.bytes} bytes`);
    total += suite.bytes;
  }
  writeLine(
    io.stdout,
    `wrote ${written.reduce((sum, s) => sum + s.tests, 0)} tests in ${written.length} suite(s) to ` +
      `${dir} (${total} bytes, ${(total / (1024 * 1024)).toFixed(2)} MiB), seed ${seed}`,
  );
}

function verify(dir: string, io: CliIo): void {
  const manifests = findManifests(dir);
  for (const path of manifests) readManifest(path); // every manifest well-formed before any test runs (exit 2, nothing on stdout)
  const bar = progress(io, "verify");
  let passed = 0;
  let failed = 0;
  try {
    for (const path of manifests) {
      const report = verifySuite(path, bar.update);
      bar.clear();
      for (const failure of report.failures)
        writeLine(io.stdout, `FAIL ${failure.suite} tcId ${failure.tcId}: ${failure.problem}`);
      writeLine(io.stdout, `${report.suite}: ${report.passed} passed, ${report.failed} failed`);
      passed += report.passed;
      failed += report.failed;
    }
  } finally {
    bar.clear();
  }
  writeLine(io.stdout, `${passed} passed, ${failed} failed`);
  if (failed > 0) throw new CommandFailed(`${failed} failed`);
}

const EXAMPLES = `
Examples:
  $ ${GOLDEN_CORPUS_COMMAND}
      the checked-in corpus, byte for byte (seed ${GOLDEN_DEFAULT_SEED}, commit recorded as "unknown")
  $ trilm golden generate /tmp/golden --suite matmul-large
  $ trilm golden generate /tmp/golden --suite trirun-bench
      TriRun matmuls at the shapes of TriRun's bench.py (Spectra: k × n = 3072 × 11264 … 768 × 3072, m = 16; ~55 MB)
  $ trilm golden verify golden/suites`;

/** Add the `golden` command (with `generate` and `verify`) to `program`. */
export function registerGolden(program: Command, io: CliIo): void {
  const golden = program
    .command("golden")
    .summary("generate or verify the golden test vectors (Wycheproof-style suites)")
    .description(
      "Golden test vectors: per suite a manifest.json (golden/schema/manifest.schema.json) and " +
        ".npy/.bin files of inputs and the reference's expected outputs. See spec/golden.md.",
    )
    .addHelpText("after", EXAMPLES);
  golden
    .command("generate")
    .summary("write suites of test vectors, the same bytes for the same seed")
    .description(
      `Write each suite into <dir>/<suite>/: manifest.json and one folder per test. The same seed gives the same bytes ` +
        `(no timestamps; the git commit is recorded as "unknown" unless --commit is given). Default suites: ` +
        `${DEFAULT_SUITES.join(", ")} (the checked-in corpus); on demand: ` +
        `${ALL_SUITES.filter((s) => !(DEFAULT_SUITES as readonly string[]).includes(s)).join(", ")}. ` +
        `Files are written atomically; progress goes to stderr when it is a terminal.`,
    )
    .argument("<dir>", "folder to write the suites into")
    .option("--seed <S>", "seed, 0 to 4294967295", String(GOLDEN_DEFAULT_SEED))
    .addOption(
      new Option(
        "--suite <names>",
        `suites to write (repeatable or comma-separated): ${ALL_SUITES.join(", ")}`,
      ).argParser(parseSuites),
    )
    .option("--commit <hash>", "git commit to record in the manifests", "unknown")
    .action((dir: string, options: GenerateCliOptions) => generate(dir, options, io));
  golden
    .command("verify")
    .summary("recompute every test vector with the reference and check every file")
    .description(
      "Read every manifest.json in <dir> (or <dir>/*/manifest.json), check it against the schema, check each file's " +
        "sha256, dtype and shape, and recompute each expected output with the reference. Prints a line per failing test, " +
        "a line per suite and finally `N passed, N failed`. Exit status 1 when a test fails, 2 when a manifest is malformed.",
    )
    .argument("<dir>", "a suite folder or a folder of suites")
    .action((dir: string) => verify(dir, io));
}
