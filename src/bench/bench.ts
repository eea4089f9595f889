/**
 * The benchmark behind `npm run bench` and `trilm bench`, in three parts (src/bench/options.ts selects
 * them, the presets and the backends): "codecs", encode and decode throughput of each codec backend on
 * a fixed-seed ternary matrix; "matvec", the 4096 × 4096 TQ2_0 and TQ1_0 matmul (batch 1 and 16, f32 and
 * ggml-matmul activations) on every compute backend; "models", the forward pass of random TriLMs of the
 * `tiny`, `99m`, `1.1b` and `3.9b` presets (prefill and decode, ms per token, f32 and ggml activations:
 * ggml-exact on the reference, ggml-matmul on the other backends, src/backend/comparison-modes.ts) on
 * every compute backend that can hold them (src/bench/skip-rules.ts), with the memory-bandwidth bound of
 * decoding (src/bench/bandwidth.ts) and the memory the 99m model takes on the reference. packed-wasm is
 * measured once per thread count. Every figure comes with its speed-up over the reference and over
 * packed-wasm on one thread. JSON output prints records instead of the tables (the notes then go to
 * stderr). Progress goes to stderr, and only when stderr is a terminal. Spec/performance.md §5.
 */

import { existsSync, statSync } from "node:fs";
import os from "node:os";
import type { Backend } from "../backend/backend.js";
import { createBackendSession } from "../backend/backend-forward.js";
import { backendModeOf, COMPARISON_ACTIVATIONS } from "../backend/comparison-modes.js";
import type { LoadedModel } from "../model/gguf-model.js";
import { InputError } from "../errors.js";
import { BACKENDS } from "./backends.js";
import { boundMs, bytesPerToken, COPY_BYTES, measureCopyGbs } from "./bandwidth.js";
import { benchBackendSpecs, createSpecBackend, isReferenceSpec, type BenchBackendSpec } from "./compute-backends.js";
import { benchMatrix, shapeName } from "./matrix.js";
import type { MeasureOptions } from "./measure.js";
import { matmulBenchMatrices, measureMatmul, type MatmulBenchResult } from "./matmul.js";
import {
  measureModel,
  memoryLine,
  referenceStepper,
  type MemorySnapshot,
  type ModelBenchResult,
  type StepperFactory,
} from "./model.js";
import { BENCH_MODEL_SEED, BENCH_MODEL_WEIGHTS, loadBenchModel } from "./model-source.js";
import type { BenchOptions, BenchPreset } from "./options.js";
import {
  type BenchJsonRecord,
  matmulJsonRecords,
  matmulResultTable,
  modelJsonRecords,
  modelResultTable,
  resultTable,
  toJsonRecords,
} from "./report.js";
import { type ProgressListener, runBenchmarks } from "./run.js";
import { modelSkipReason, presetSkipReason } from "./skip-rules.js";

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

/** How one preset is measured: tokens per run, and how the reference and the other backends are timed. */
interface ModelPlan {
  readonly preset: BenchPreset;
  readonly prefillTokens: number;
  readonly decodeSteps: number;
  readonly measure: MeasureOptions;
  /**
   * Untimed runs on a backend before its timed ones (kernels compile on first use). 0 for the large presets, where a
   * run takes seconds: their prefill tokens absorb the first use, and decode is timed warm.
   */
  readonly backendWarmupRuns: number;
}

/** The prompt: the first ids of golden/external/llama/tokens.json (valid for every preset's vocabulary). */
const MODEL_PROMPT: readonly number[] = [1, 17, 300, 42, 511, 259, 3, 88];
/** One timed run and nothing more: the large presets take from a quarter of a second to ~15 s a token. */
const ONE_RUN: MeasureOptions = { ...MEASURE_OPTIONS, warmupRuns: 0, budgetMs: 0, minRuns: 1, maxRuns: 1 };
const MODEL_PLANS: Readonly<Record<BenchPreset, ModelPlan>> = {
  tiny: {
    preset: "tiny",
    prefillTokens: 8,
    decodeSteps: 8,
    measure: { ...MEASURE_OPTIONS, warmupRuns: 1, budgetMs: 2000, minRuns: 3, maxRuns: 20 },
    backendWarmupRuns: 1,
  },
  "99m": { preset: "99m", prefillTokens: 8, decodeSteps: 8, measure: ONE_RUN, backendWarmupRuns: 1 },
  "1.1b": { preset: "1.1b", prefillTokens: 4, decodeSteps: 4, measure: ONE_RUN, backendWarmupRuns: 0 },
  "3.9b": { preset: "3.9b", prefillTokens: 2, decodeSteps: 2, measure: ONE_RUN, backendWarmupRuns: 0 },
};
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

/** Node version, CPU, core count and the thread counts packed-wasm runs with. */
function machineLines(options: BenchOptions): string[] {
  const cpus = os.cpus();
  return [
    "trilm-oracle benchmark",
    `node ${process.version}, ${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} cores (os.availableParallelism() ${os.availableParallelism()})`,
    `packed-wasm threads: ${options.threads.join(", ")}; every other backend runs on one thread`,
    "",
  ];
}

/** The matrix, the method, and what MB/s means. */
function codecHeaderLines(shape: string, elements: number): string[] {
  const { warmupRuns, budgetMs, minRuns } = MEASURE_OPTIONS;
  return [
    "codecs:",
    `matrix ${shape} = ${elements} elements: ternary × one float32 scale per row, seed ${MATRIX_SEED}`,
    `each: ${warmupRuns} warm-up runs, then timed runs for ~${budgetMs / 1000} s (at least ${minRuns}); median and min per run`,
    "MB/s: float32 megabytes (4 bytes an element, 10^6 bytes) per second, read by encode and written",
    "by decode; Melem/s: elements per second; packed MB/s: packed block bytes per second",
    "",
  ];
}

/** What the model benchmarks measure and how, for the text output. */
function modelHeaderLines(presets: readonly BenchPreset[]): string[] {
  const runs = presets.map((preset) => {
    const plan = MODEL_PLANS[preset];
    const timing =
      preset === "tiny"
        ? "1 warm-up, then runs for ~2 s"
        : `one run${plan.backendWarmupRuns > 0 ? " after one warm-up run on a backend" : ", no warm-up"}`;
    return `${preset}: ${plan.prefillTokens} + ${plan.decodeSteps} tokens, ${timing}`;
  });
  return [
    "",
    `forward pass on random TriLMs (make-model presets, seed ${BENCH_MODEL_SEED}, ${BENCH_MODEL_WEIGHTS}), f32 KV cache, every backend:`,
    `prefill = the first tokens of the prompt ${MODEL_PROMPT.join(",")} from an empty cache, decode = greedy steps after it,`,
    "one position at a time; times are per token, the median over the timed runs; matrices are prepared once, untimed;",
    `each backend is created afresh for each case; ${runs.join("; ")}`,
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

/** The decode bound of one preset: bytes a token reads, and the fastest decode that reading allows. */
interface BoundLine {
  readonly preset: BenchPreset;
  readonly bytesPerToken: number;
}

/** What the model part produced: results, cases skipped or failed (one line each), notes, memory, bounds. */
interface ModelPartResult {
  readonly results: ModelBenchResult[];
  readonly notes: string[];
  readonly memory: string[];
  readonly bounds: BoundLine[];
}

/** Measure one backend on one preset in one activation mode (a fresh backend, disposed after). */
async function measureBackendCase(
  spec: BenchBackendSpec,
  model: LoadedModel,
  benchCase: Parameters<typeof measureModel>[1],
  plan: ModelPlan,
): Promise<ModelBenchResult[]> {
  if (isReferenceSpec(spec)) return measureModel(model, benchCase, spec.label, plan.measure, referenceStepper);
  const backend = await createSpecBackend(spec);
  const sessions: Array<{ dispose(): void }> = [];
  try {
    const options = { ...plan.measure, warmupRuns: plan.backendWarmupRuns };
    return measureModel(model, benchCase, spec.label, options, once(backendStepper(backend, sessions)));
  } finally {
    sessions.forEach((session) => session.dispose());
    backend.dispose();
  }
}

/** Build or read each preset's model, measure it on every backend that runs it, and describe the memory of MEMORY_PRESET. */
async function runModelBenchmarks(
  options: BenchOptions,
  specs: readonly BenchBackendSpec[],
  onStart: ProgressListener,
): Promise<ModelPartResult> {
  const part: ModelPartResult = { results: [], notes: [], memory: [], bounds: [] };
  for (const preset of options.presets) {
    const plan = MODEL_PLANS[preset];
    const presetSkip = presetSkipReason(preset, options.modelDir !== undefined, options.presetsChosen);
    if (presetSkip !== undefined) {
      part.notes.push(`${preset}: skipped: ${presetSkip}`);
      continue;
    }
    const runnable = specs.filter((spec) => {
      const reason = modelSkipReason(spec.name, preset, options.backendsChosen);
      if (reason !== undefined) part.notes.push(`${preset} ${spec.label}: skipped: ${reason}`);
      return reason === undefined;
    });
    if (runnable.length === 0) continue;
    onStart(`${options.modelDir === undefined ? "building" : "reading"} ${preset}`);
    const before = memoryNow();
    const { model, source } = loadBenchModel(preset, options.modelDir, () => performance.now());
    const loaded = memoryNow();
    part.notes.push(`${preset}: ${source}`);
    part.bounds.push({ preset, bytesPerToken: bytesPerToken(model.weights) });
    const prompt = MODEL_PROMPT.slice(0, plan.prefillTokens);
    for (const activations of COMPARISON_ACTIVATIONS) {
      const benchCase = {
        model: preset,
        weights: BENCH_MODEL_WEIGHTS,
        activations,
        prompt,
        decodeSteps: plan.decodeSteps,
      };
      for (const spec of runnable) {
        onStart(`${preset} ${activations} (${spec.label})`);
        try {
          part.results.push(...(await measureBackendCase(spec, model, benchCase, plan)));
        } catch (error) {
          const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
          part.notes.push(`${preset} ${activations} ${spec.label}: failed: ${message}`);
        }
      }
    }
    if (preset === MEMORY_PRESET && runnable.some(isReferenceSpec)) {
      const after = memoryNow();
      part.memory.push(
        `memory, ${preset} ${BENCH_MODEL_WEIGHTS} model (${model.weights.layers.length} layers, vocab ${model.config.vocabSize}), reference backend:`,
      );
      part.memory.push(`  built and loaded: ${memoryLine(before, loaded)}`);
      part.memory.push(`  after running every backend: ${memoryLine(before, after)}`);
    }
  }
  return part;
}

/** The decode bound per preset at `gbs` GB/s, beside the fastest decode measured (ggml activations). */
function boundLines(part: ModelPartResult, gbs: number, bandwidthSource: string): string[] {
  if (part.bounds.length === 0) return [];
  const lines = [
    "",
    `decode bound: bytes a token reads (every matrix's packed bytes + one embedding row) ÷ ${gbs.toFixed(1)} GB/s (${bandwidthSource})`,
  ];
  for (const { preset, bytesPerToken: bytes } of part.bounds) {
    const decodes = part.results.filter((r) => r.model === preset && r.phase === "decode" && r.activations === "ggml");
    const fastest = decodes.reduce<ModelBenchResult | undefined>(
      (best, r) => (best === undefined || r.measurement.medianMs < best.measurement.medianMs ? r : best),
      undefined,
    );
    const bound = boundMs(bytes, gbs);
    const fastestMs = fastest?.measurement.medianMs ?? 0;
    const measured =
      fastest === undefined
        ? ""
        : `; fastest ggml decode ${fastestMs.toFixed(2)} ms/token (${fastest.backend}), ` +
          `${((bound / fastestMs) * 100).toFixed(1)}% of the bound`;
    lines.push(`  ${preset}: ${(bytes / 1e6).toFixed(1)} MB a token → ≥ ${bound.toFixed(2)} ms/token${measured}`);
  }
  return lines;
}

/** The matmul benchmark on every compute backend (the reference timed by fewer runs: it takes up to seconds a call). */
function runMatmulBenchmarks(
  backends: ReadonlyArray<readonly [BenchBackendSpec, Backend]>,
  onStart: ProgressListener,
): MatmulBenchResult[] {
  onStart("building the 4096x4096 tq2_0 and tq1_0 matrices");
  const matrices = matmulBenchMatrices(MATRIX_SEED);
  const reference = (): MeasureOptions => ({ ...MEASURE_OPTIONS, warmupRuns: 1, budgetMs: 0, minRuns: 3, maxRuns: 3 });
  const accelerated = (): MeasureOptions => ({
    ...MEASURE_OPTIONS,
    warmupRuns: 2,
    budgetMs: 1000,
    minRuns: 5,
    maxRuns: 200,
  });
  return matrices.flatMap((matrix) =>
    backends.flatMap(([spec, backend]) =>
      measureMatmul(backend, spec.label, matrix, isReferenceSpec(spec) ? reference : accelerated, onStart),
    ),
  );
}

/** InputError when --model-dir is given for the model part but is not a directory (checked before any timing). */
function checkModelDir(options: BenchOptions): void {
  const dir = options.modelDir;
  if (dir === undefined || !options.parts.includes("models")) return;
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError(dir, "--model-dir is not a directory (it holds trilm-<preset>-tq2_0.gguf files)");
}

/** The codec part: each format's encode and decode on every codec backend. */
function runCodecPart(
  json: boolean,
  io: BenchOutput,
  progress: ReturnType<typeof terminalProgress>,
): BenchJsonRecord[] {
  const matrix = benchMatrix(MATRIX_ROWS, MATRIX_COLS, MATRIX_SEED);
  if (!json) io.out(codecHeaderLines(shapeName(matrix), matrix.values.length).join("\n") + "\n");
  const results = runBenchmarks(matrix, BACKENDS, MEASURE_OPTIONS, progress.onStart);
  progress.clear();
  if (!json) io.out(resultTable(results).join("\n") + "\n");
  return toJsonRecords(results);
}

/** The matvec part: create every compute backend once (listed with what runs), time the matmuls, dispose them. */
async function runMatvecPart(
  specs: readonly BenchBackendSpec[],
  json: boolean,
  io: BenchOutput,
  progress: ReturnType<typeof terminalProgress>,
): Promise<BenchJsonRecord[]> {
  const backends: Array<readonly [BenchBackendSpec, Backend]> = [];
  try {
    for (const spec of specs) backends.push([spec, await createSpecBackend(spec)]);
    if (!json)
      io.out(
        ["", "compute backends:", ...backends.map(([spec, b]) => `  ${spec.label}: ${b.describe()}`), ""].join("\n") +
          "\n",
      );
    const matmuls = runMatmulBenchmarks(backends, progress.onStart);
    progress.clear();
    if (!json)
      io.out(
        [
          "y = x·Wᵀ, W 4096x4096 prepared once (untimed), the same trits as tq2_0 and tq1_0; times per call",
          "(reference: 1 warm-up + 3 runs; the others: 2 warm-ups, then runs for ~1 s, at least 5); median and min",
          "",
          ...matmulResultTable(matmuls),
        ].join("\n") + "\n",
      );
    return matmulJsonRecords(matmuls);
  } finally {
    backends.forEach(([, backend]) => backend.dispose());
  }
}

/**
 * Run the parts `options` selects and write the tables (or, with `json`, one JSON array of
 * {name, backend, shape, ms_median, ms_min, runs} records; the notes then go to stderr).
 */
export async function runBench(options: BenchOptions, io: BenchOutput): Promise<void> {
  const { json } = options;
  checkModelDir(options);
  const specs = benchBackendSpecs(options.backends, options.threads);
  if (!json) io.out(machineLines(options).join("\n") + "\n");
  const progress = terminalProgress(io);
  const records: BenchJsonRecord[] = [];
  if (options.parts.includes("codecs")) records.push(...runCodecPart(json, io, progress));
  if (options.parts.includes("matvec")) records.push(...(await runMatvecPart(specs, json, io, progress)));
  if (!options.parts.includes("models")) {
    if (json) io.out(JSON.stringify(records, null, 2) + "\n");
    return;
  }
  if (!json) io.out(modelHeaderLines(options.presets).join("\n") + "\n");
  const models = await runModelBenchmarks(options, specs, progress.onStart);
  progress.clear();
  const gbs = options.bandwidthGbs ?? measureCopyGbs(() => performance.now());
  const bandwidthSource =
    options.bandwidthGbs === undefined
      ? `measured: a ${COPY_BYTES / 2 ** 20} MiB copy in JavaScript (TypedArray.set), bytes copied per second — ` +
        "give the machine's figure with --bandwidth-gbs"
      : "given by --bandwidth-gbs";
  const notes = [...models.notes, ...boundLines(models, gbs, bandwidthSource), "", ...models.memory];
  if (json) {
    io.out(JSON.stringify([...records, ...modelJsonRecords(models.results)], null, 2) + "\n");
    io.err(notes.join("\n") + "\n");
  } else {
    io.out([...modelResultTable(models.results), "", ...notes].join("\n") + "\n");
  }
}
