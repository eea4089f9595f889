/**
 * `npm run bench`: encode and decode throughput of each codec backend on a fixed-seed ternary
 * matrix, then the reference forward pass on random TriLMs of the `tiny` and `99m` presets
 * (prefill and decode, ms per token, f32 and ggml activations) and the memory the 99m model takes.
 * `--json` prints the results as JSON records instead of the tables (the memory line then goes to
 * stderr). Progress goes to stderr, and only when stderr is a terminal.
 */

import os from "node:os";
import type { ActivationMode } from "../../reference/model/linear.js";
import { modelFromGguf } from "../model/gguf-model.js";
import { randomTrilm } from "../model/random-model.js";
import { BACKENDS, REFERENCE_BACKEND_NAME } from "./backends.js";
import { shapeName, ternaryMatrix } from "./matrix.js";
import type { MeasureOptions } from "./measure.js";
import { measureModel, memoryLine, type MemorySnapshot, type ModelBenchResult } from "./model.js";
import { modelJsonRecords, modelResultTable, resultTable, toJsonRecords } from "./report.js";
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

/** The random models measured: preset, how long each run is and how it is timed. The 99m runs once (≈ 3 s a token). */
interface ModelPlan {
  readonly preset: string;
  readonly prefillTokens: number;
  readonly decodeSteps: number;
  readonly measure: MeasureOptions;
}

const MODEL_SEED = 1;
const MODEL_WEIGHTS = "tq2_0";
const MODEL_ACTIVATIONS: readonly ActivationMode[] = ["f32", "ggml"];
/** The prompt: the first ids of golden/external/llama/tokens.json (valid for every preset's vocabulary). */
const MODEL_PROMPT: readonly number[] = [1, 17, 300, 42, 511, 259, 3, 88];
const MODEL_PLANS: readonly ModelPlan[] = [
  { preset: "tiny", prefillTokens: 8, decodeSteps: 8, measure: { ...MEASURE_OPTIONS, warmupRuns: 1, budgetMs: 2000, minRuns: 3, maxRuns: 20 } },
  { preset: "99m", prefillTokens: 8, decodeSteps: 8, measure: { ...MEASURE_OPTIONS, warmupRuns: 0, budgetMs: 0, minRuns: 1, maxRuns: 1 } },
];
/** The preset whose memory is reported. */
const MEMORY_PRESET = "99m";

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

/** What the model benchmarks measure and how, for the text output. */
function modelHeaderLines(): string[] {
  return [
    "",
    `reference forward pass on random TriLMs (make-model presets, seed ${MODEL_SEED}, ${MODEL_WEIGHTS}, built in memory), f32 KV cache:`,
    `prefill = the ${MODEL_PROMPT.length}-token prompt ${MODEL_PROMPT.join(",")} from an empty cache, decode = greedy steps after it,`,
    "one position at a time; times are per token (tiny: 1 warm-up, then runs for ~2 s; 99m: one run)",
    "",
  ];
}

/** A snapshot of the process's memory (after a garbage collection when node runs with --expose-gc). */
function memoryNow(): MemorySnapshot {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, arrayBuffers };
}

/** Build each random model, measure it, and describe the memory of MEMORY_PRESET. */
function runModelBenchmarks(onStart: ProgressListener): { results: ModelBenchResult[]; memory: string[] } {
  const results: ModelBenchResult[] = [];
  const memory: string[] = [];
  for (const plan of MODEL_PLANS) {
    onStart(`building ${plan.preset}`);
    const before = memoryNow();
    const model = modelFromGguf(randomTrilm(plan.preset, MODEL_SEED, MODEL_WEIGHTS));
    const loaded = memoryNow();
    const prompt = MODEL_PROMPT.slice(0, plan.prefillTokens);
    for (const activations of MODEL_ACTIVATIONS) {
      onStart(`${plan.preset} ${activations} (${REFERENCE_BACKEND_NAME})`);
      const benchCase = { model: plan.preset, weights: MODEL_WEIGHTS, activations, prompt, decodeSteps: plan.decodeSteps };
      results.push(...measureModel(model, benchCase, REFERENCE_BACKEND_NAME, plan.measure));
    }
    if (plan.preset === MEMORY_PRESET) {
      const after = memoryNow();
      memory.push(`memory, ${plan.preset} ${MODEL_WEIGHTS} model (${model.weights.layers.length} layers, vocab ${model.config.vocabSize}):`);
      memory.push(`  built and loaded: ${memoryLine(before, loaded)}`);
      memory.push(`  after running:    ${memoryLine(before, after)}`);
    }
  }
  return { results, memory };
}

function main(): void {
  const { json } = parseArguments(process.argv.slice(2));
  const matrix = ternaryMatrix(MATRIX_ROWS, MATRIX_COLS, MATRIX_SEED);
  if (!json) console.log(headerLines(shapeName(matrix), matrix.values.length).join("\n"));
  const progress = terminalProgress();
  const results = runBenchmarks(matrix, BACKENDS, MEASURE_OPTIONS, progress.onStart);
  if (!json) {
    progress.clear();
    console.log(resultTable(results).join("\n"));
    console.log(modelHeaderLines().join("\n"));
  }
  const models = runModelBenchmarks(progress.onStart);
  progress.clear();
  if (json) {
    console.log(JSON.stringify([...toJsonRecords(results), ...modelJsonRecords(models.results)], null, 2));
    console.error(models.memory.join("\n"));
  } else {
    console.log([...modelResultTable(models.results), "", ...models.memory].join("\n"));
  }
}

main();
