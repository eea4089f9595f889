/**
 * `npm run bench`: encode and decode throughput of each codec backend on a fixed-seed ternary
 * matrix. `--json` prints the results as JSON records instead of the table.
 * Progress goes to stderr, and only when stderr is a terminal.
 */

import os from "node:os";
import { BACKENDS } from "./backends.js";
import { shapeName, ternaryMatrix } from "./matrix.js";
import type { MeasureOptions } from "./measure.js";
import { resultTable, toJsonRecords } from "./report.js";
import { type ProgressListener, runBenchmarks } from "./run.js";

const MATRIX_ROWS = 256;
const MATRIX_COLS = 4096;
const MATRIX_SEED = 1;

const MEASURE_OPTIONS: MeasureOptions = {
  warmupRuns: 2,
  budgetMs: 1000,
  minRuns: 3,
  maxRuns: 1000,
  now: () => performance.now(),
};

const USAGE = "usage: npm run bench [-- --json]";

/** Whether to print JSON; exits with status 2 on an unknown argument. */
function parseArguments(args: readonly string[]): { json: boolean } {
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg !== "--json") {
      console.error(`bench: unknown argument '${arg}'\n${USAGE}`);
      process.exit(2);
    }
  }
  return { json: args.includes("--json") };
}

/** Writes "measuring …" over one stderr line when stderr is a terminal; otherwise does nothing. */
function terminalProgress(): { onStart: ProgressListener; clear: () => void } {
  if (!process.stderr.isTTY) return { onStart: () => {}, clear: () => {} };
  return {
    onStart: (label) => process.stderr.write(`\r\x1b[Kmeasuring ${label}…`),
    clear: () => process.stderr.write("\r\x1b[K"),
  };
}

/** Node version, CPU, core count, the matrix, the method, and what MB/s means. */
function headerLines(shape: string, elements: number): string[] {
  const cpus = os.cpus();
  const { warmupRuns, budgetMs, minRuns } = MEASURE_OPTIONS;
  return [
    "trilm-oracle codec benchmark",
    `node ${process.version}, ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores`,
    `matrix ${shape} = ${elements} elements: ternary × one float32 scale per row, seed ${MATRIX_SEED}`,
    `each: ${warmupRuns} warm-up runs, then timed runs for ~${budgetMs / 1000} s (at least ${minRuns}); median and min per run`,
    "MB/s: float32 megabytes (4 bytes an element, 10^6 bytes) per second, read by encode and written",
    "by decode; Melem/s: elements per second; packed MB/s: packed block bytes per second",
    "",
  ];
}

function main(): void {
  const { json } = parseArguments(process.argv.slice(2));
  const matrix = ternaryMatrix(MATRIX_ROWS, MATRIX_COLS, MATRIX_SEED);
  if (!json) console.log(headerLines(shapeName(matrix), matrix.values.length).join("\n"));
  const progress = terminalProgress();
  const results = runBenchmarks(matrix, BACKENDS, MEASURE_OPTIONS, progress.onStart);
  progress.clear();
  console.log(json ? JSON.stringify(toJsonRecords(results), null, 2) : resultTable(results).join("\n"));
}

main();
