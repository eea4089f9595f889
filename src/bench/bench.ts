/**
 * The benchmark behind `npm run bench` and `trilm bench`: encode and decode throughput of each
 * codec backend on a fixed-seed ternary matrix; the 4096 × 4096 TQ2_0 matmul (batch 1 and 16) on
 * every compute backend; then the forward pass of random TriLMs of the `tiny` and `99m` presets
 * (prefill and decode, ms per token, f32 and ggml activations: ggml-exact on the reference,
 * ggml-matmul on the other backends, src/backend/comparison-modes.ts) on every compute backend, each with
 * its speed-up over the reference, and the memory the 99m model takes on the reference.
 * JSON output prints records instead of the tables (the memory lines then go to stderr). Progress
 * goes to stderr, and only when stderr is a terminal.
 */

import os from "node:os";
import type { Backend } from "../backend/backend.js";
import { createBackendSession } from "../backend/backend-forward.js";
import { backendModeOf, COMPARISON_ACTIVATIONS } from "../backend/comparison-modes.js";
import { createBackend, NODE_BACKEND_NAMES } from "../backend/registry.js";
import { modelFromGguf } from "../model/gguf-model.js";
import { randomTrilm } from "../model/random-model.js";
import { BACKENDS, REFERENCE_BACKEND_NAME } from "./backends.js";
import { benchMatrix, shapeName } from "./matrix.js";
import type { MeasureOptions } from "./measure.js";
import { matmulBenchMatrix, measureMatmul, type MatmulBenchResult } from "./matmul.js";
import {
  measureModel,
  memoryLine,
  referenceStepper,
  type MemorySnapshot,
  type ModelBenchResult,
  type StepperFactory,
} from "./model.js";
import {
  matmulJsonRecords,
  matmulResultTable,
  modelJsonRecords,
  modelResultTable,
  resultTable,
  toJsonRecords,
} from "./report.js";
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

/** The random models measured: preset, how long each run is and how it is timed. The 99m runs once (≈ 0.25 s a token on the reference). */
interface ModelPlan {
  readonly preset: string;
  readonly prefillTokens: number;
  readonly decodeSteps: number;
  readonly measure: MeasureOptions;
}

const MODEL_SEED = 1;
const MODEL_WEIGHTS = "tq2_0";
/** The prompt: the first ids of golden/external/llama/tokens.json (valid for every preset's vocabulary). */
const MODEL_PROMPT: readonly number[] = [1, 17, 300, 42, 511, 259, 3, 88];
const MODEL_PLANS: readonly ModelPlan[] = [
  {
    preset: "tiny",
    prefillTokens: 8,
    decodeSteps: 8,
    measure: { ...MEASURE_OPTIONS, warmupRuns: 1, budgetMs: 2000, minRuns: 3, maxRuns: 20 },
  },
  {
    preset: "99m",
    prefillTokens: 8,
    decodeSteps: 8,
    measure: { ...MEASURE_OPTIONS, warmupRuns: 0, budgetMs: 0, minRuns: 1, maxRuns: 1 },
  },
];
/** The preset whose memory is reported. */
const MEMORY_PRESET = "99m";

/** Where the benchmark writes: result lines, and progress/notes (stderr). */
export interface BenchOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether `err` is a terminal (progress is shown only then). */
  readonly errIsTerminal: boolean;
}

/** Writes "measuring …" over one stderr line when stderr is a terminal; otherwise does nothing. */
function terminalProgress(io: BenchOutput): { onStart: ProgressListener; clear: () => void } {
  if (!io.errIsTerminal) return { onStart: () => {}, clear: () => {} };
  return {
    onStart: (label) => io.err(`\r\x1b[Kmeasuring ${label}…`),
    clear: () => io.err("\r\x1b[K"),
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
    `forward pass on random TriLMs (make-model presets, seed ${MODEL_SEED}, ${MODEL_WEIGHTS}, built in memory), f32 KV cache, every backend:`,
    `prefill = the ${MODEL_PROMPT.length}-token prompt ${MODEL_PROMPT.join(",")} from an empty cache, decode = greedy steps after it,`,
    "one position at a time; times are per token (tiny: 1 warm-up, then runs for ~2 s; 99m: one run, after one",
    "warm-up run on accelerated backends, which compile kernels on first use); matrices are prepared once, untimed",
    "",
  ];
}

/** A snapshot of the process's memory (after a garbage collection when node runs with --expose-gc). */
function memoryNow(): MemorySnapshot {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, arrayBuffers };
}

/** The stepper of a backend: one session (matrices prepared once) reused by every run of a case. */
function backendStepper(backend: Backend, sessions: Array<{ dispose(): void }>): StepperFactory {
  return (model, activations) => {
    const options = { activations: backendModeOf(activations), kvCache: "f32" } as const;
    const session = createBackendSession(model.config, model.weights, backend, options);
    sessions.push(session);
    return { step: (token, pos) => session.step(token, pos) };
  };
}

/** A factory that builds its product once and then returns it again (sessions outlive a run). */
function once(factory: StepperFactory): StepperFactory {
  let made: ReturnType<StepperFactory> | undefined;
  return (model, options, positions) => (made ??= factory(model, options, positions));
}

/** Build each random model, measure it on every backend, and describe the memory of MEMORY_PRESET. */
function runModelBenchmarks(
  backends: readonly Backend[],
  onStart: ProgressListener,
): { results: ModelBenchResult[]; memory: string[] } {
  const results: ModelBenchResult[] = [];
  const memory: string[] = [];
  for (const plan of MODEL_PLANS) {
    onStart(`building ${plan.preset}`);
    const before = memoryNow();
    const model = modelFromGguf(randomTrilm(plan.preset, MODEL_SEED, MODEL_WEIGHTS));
    const loaded = memoryNow();
    const prompt = MODEL_PROMPT.slice(0, plan.prefillTokens);
    for (const activations of COMPARISON_ACTIVATIONS) {
      const benchCase = {
        model: plan.preset,
        weights: MODEL_WEIGHTS,
        activations,
        prompt,
        decodeSteps: plan.decodeSteps,
      };
      onStart(`${plan.preset} ${activations} (${REFERENCE_BACKEND_NAME})`);
      results.push(...measureModel(model, benchCase, REFERENCE_BACKEND_NAME, plan.measure, referenceStepper));
      for (const backend of backends) {
        onStart(`${plan.preset} ${activations} (${backend.name})`);
        const sessions: Array<{ dispose(): void }> = [];
        const options = { ...plan.measure, warmupRuns: Math.max(1, plan.measure.warmupRuns) };
        results.push(...measureModel(model, benchCase, backend.name, options, once(backendStepper(backend, sessions))));
        sessions.forEach((session) => session.dispose());
      }
    }
    if (plan.preset === MEMORY_PRESET) {
      const after = memoryNow();
      memory.push(
        `memory, ${plan.preset} ${MODEL_WEIGHTS} model (${model.weights.layers.length} layers, vocab ${model.config.vocabSize}), reference backend:`,
      );
      memory.push(`  built and loaded: ${memoryLine(before, loaded)}`);
      memory.push(`  after running every backend: ${memoryLine(before, after)}`);
    }
  }
  return { results, memory };
}

/** The matmul benchmark on the reference and on every accelerated backend. */
function runMatmulBenchmarks(backends: readonly Backend[], onStart: ProgressListener): MatmulBenchResult[] {
  onStart("building the 4096x4096 tq2_0 matrix");
  const matrix = matmulBenchMatrix(MATRIX_SEED);
  const reference = (): MeasureOptions => ({ ...MEASURE_OPTIONS, warmupRuns: 1, budgetMs: 0, minRuns: 3, maxRuns: 3 });
  const accelerated = (): MeasureOptions => ({
    ...MEASURE_OPTIONS,
    warmupRuns: 2,
    budgetMs: 1000,
    minRuns: 5,
    maxRuns: 200,
  });
  return [referenceBackendOf(backends), ...acceleratedOf(backends)].flatMap((backend) =>
    measureMatmul(backend, matrix, backend.name === REFERENCE_BACKEND_NAME ? reference : accelerated, onStart),
  );
}

function referenceBackendOf(backends: readonly Backend[]): Backend {
  const reference = backends.find((b) => b.name === REFERENCE_BACKEND_NAME);
  if (reference === undefined) throw new Error("bench: the reference backend is missing");
  return reference;
}

function acceleratedOf(backends: readonly Backend[]): Backend[] {
  return backends.filter((b) => b.name !== REFERENCE_BACKEND_NAME);
}

/**
 * Run every benchmark and write the tables (or, with `json`, one JSON array of
 * {name, backend, shape, ms_median, ms_min, runs} records).
 */
export async function runBench(options: { readonly json: boolean }, io: BenchOutput): Promise<void> {
  const { json } = options;
  const matrix = benchMatrix(MATRIX_ROWS, MATRIX_COLS, MATRIX_SEED);
  if (!json) io.out(headerLines(shapeName(matrix), matrix.values.length).join("\n") + "\n");
  const progress = terminalProgress(io);
  const results = runBenchmarks(matrix, BACKENDS, MEASURE_OPTIONS, progress.onStart);
  if (!json) {
    progress.clear();
    io.out(resultTable(results).join("\n") + "\n");
  }
  const backends = await Promise.all(NODE_BACKEND_NAMES.map((name) => createBackend(name)));
  try {
    if (!json)
      io.out(["", "compute backends:", ...backends.map((b) => `  ${b.name}: ${b.describe()}`), ""].join("\n") + "\n");
    const matmuls = runMatmulBenchmarks(backends, progress.onStart);
    if (!json) {
      progress.clear();
      io.out(
        [
          "y = x·Wᵀ, W 4096x4096 tq2_0 prepared once (untimed), f32 activations; times per call",
          "",
          ...matmulResultTable(matmuls),
        ].join("\n") + "\n",
      );
      io.out(modelHeaderLines().join("\n") + "\n");
    }
    const models = runModelBenchmarks(acceleratedOf(backends), progress.onStart);
    progress.clear();
    if (json) {
      io.out(
        JSON.stringify(
          [...toJsonRecords(results), ...matmulJsonRecords(matmuls), ...modelJsonRecords(models.results)],
          null,
          2,
        ) + "\n",
      );
      io.err(models.memory.join("\n") + "\n");
    } else {
      io.out([...modelResultTable(models.results), "", ...models.memory].join("\n") + "\n");
    }
  } finally {
    backends.forEach((backend) => backend.dispose());
  }
}
