/**
 * Model benchmarks of `npm run bench`: the reference forward pass (reference/model/forward.ts) on a
 * random TriLM built in memory (src/model/random-model.ts), timed per token for prefill (the
 * prompt's positions, from an empty KV cache) and decode (greedy steps after the prompt). The
 * reference evaluates one position at a time, so prefill and decode differ only in how many cached
 * positions attention reads. Pure apart from the clock in the options.
 */

import type { LoadedModel } from "../model/gguf-model.js";
import { createForwardState, forward } from "../../reference/model/forward.js";
import { argmax } from "../../reference/model/sampling.js";
import { referenceModeOf, type ComparisonActivations } from "../backend/comparison-modes.js";
import { median, minimum, type MeasureOptions, type Measurement } from "./measure.js";

/** Prefill (prompt positions) or decode (generated positions). */
export type ModelPhase = "prefill" | "decode";

/** One model benchmark to run: which model, how it computes, how many tokens each phase takes. */
export interface ModelBenchCase {
  /** Preset name: `tiny`, `99m`. */
  readonly model: string;
  /** Storage of the ternary matrices: `tq2_0`. */
  readonly weights: string;
  /** "f32", or "ggml": ggml-exact on the reference, ggml-matmul on a backend (src/backend/comparison-modes.ts). */
  readonly activations: ComparisonActivations;
  /** Prompt token ids (prefill positions). */
  readonly prompt: readonly number[];
  /** Greedy decode steps after the prompt. */
  readonly decodeSteps: number;
}

/** One measured phase; the measurement is in milliseconds PER TOKEN. */
export interface ModelBenchResult {
  readonly model: string;
  readonly weights: string;
  readonly activations: ComparisonActivations;
  readonly phase: ModelPhase;
  readonly backend: string;
  /** Tokens the phase processes per run. */
  readonly tokens: number;
  /** Per-token times over the timed runs: run count, median and minimum of (phase ms / tokens). */
  readonly measurement: Measurement;
}

/** Per-token milliseconds of one run's prefill and decode. */
interface PhaseSample {
  readonly prefillMs: number;
  readonly decodeMs: number;
}

/** Runs a model one position at a time: the reference forward pass, or a backend's session. */
export interface ModelStepper {
  /** Logits of `token` at `pos`: Float32Array[vocabSize]. */
  step(token: number, pos: number): Float32Array;
}

/** Makes a stepper with an empty f32 KV cache of `positions` positions. */
export type StepperFactory = (
  model: LoadedModel,
  activations: ComparisonActivations,
  positions: number,
) => ModelStepper;

/** The reference forward pass of reference/model (a fresh state per run). */
export const referenceStepper: StepperFactory = (model, activations, positions) => {
  const options = { activations: referenceModeOf(activations), kvCache: "f32" } as const;
  const state = createForwardState({ ...model.config, contextLength: positions }, model.weights, options);
  return { step: (token, pos) => forward(state, token, pos) };
};

/** Run the prompt from an empty cache, then `decodeSteps` greedy steps; per-token times of both phases. */
function runOnce(
  model: LoadedModel,
  benchCase: ModelBenchCase,
  now: () => number,
  makeStepper: StepperFactory,
): PhaseSample {
  const positions = benchCase.prompt.length + benchCase.decodeSteps;
  const stepper = makeStepper(model, benchCase.activations, positions);
  const start = now();
  let logits = new Float32Array(0) as Float32Array;
  benchCase.prompt.forEach((token, pos) => (logits = stepper.step(token, pos)));
  const prefillEnd = now();
  for (let step = 0; step < benchCase.decodeSteps; step++)
    logits = stepper.step(argmax(logits), benchCase.prompt.length + step);
  const decodeEnd = now();
  return {
    prefillMs: (prefillEnd - start) / benchCase.prompt.length,
    decodeMs: benchCase.decodeSteps === 0 ? 0 : (decodeEnd - prefillEnd) / benchCase.decodeSteps,
  };
}

/**
 * Time prefill and decode of `benchCase` on `model`: warm-up runs, then whole runs (prompt + decode
 * steps) until their total time reaches the budget, within the run-count limits (see MeasureOptions).
 * Returns the prefill result, then the decode result (none when decodeSteps is 0), per token.
 */
export function measureModel(
  model: LoadedModel,
  benchCase: ModelBenchCase,
  backend: string,
  options: MeasureOptions,
  makeStepper: StepperFactory = referenceStepper,
): ModelBenchResult[] {
  if (benchCase.prompt.length === 0) throw new RangeError("a model benchmark needs a prompt of at least one token");
  for (let run = 0; run < options.warmupRuns; run++) runOnce(model, benchCase, options.now, makeStepper);
  const samples: PhaseSample[] = [];
  let spentMs = 0;
  while (samples.length < options.maxRuns && (samples.length < options.minRuns || spentMs < options.budgetMs)) {
    const sample = runOnce(model, benchCase, options.now, makeStepper);
    samples.push(sample);
    spentMs += sample.prefillMs * benchCase.prompt.length + sample.decodeMs * benchCase.decodeSteps;
  }
  const summarize = (values: number[]): Measurement => ({
    runs: values.length,
    medianMs: median(values),
    minMs: minimum(values),
  });
  const common = { model: benchCase.model, weights: benchCase.weights, activations: benchCase.activations, backend };
  const results: ModelBenchResult[] = [
    {
      ...common,
      phase: "prefill",
      tokens: benchCase.prompt.length,
      measurement: summarize(samples.map((s) => s.prefillMs)),
    },
  ];
  if (benchCase.decodeSteps > 0) {
    results.push({
      ...common,
      phase: "decode",
      tokens: benchCase.decodeSteps,
      measurement: summarize(samples.map((s) => s.decodeMs)),
    });
  }
  return results;
}

/** Memory figures in bytes, as process.memoryUsage() gives them. */
export interface MemorySnapshot {
  readonly rss: number;
  readonly heapUsed: number;
  readonly arrayBuffers: number;
}

/** "rss 412.3 MB (+301.2 MB), heapUsed +10.4 MB, arrayBuffers +290.0 MB" (10^6 bytes a MB). */
export function memoryLine(before: MemorySnapshot, after: MemorySnapshot): string {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const signed = (bytes: number) => `${bytes >= 0 ? "+" : "−"}${mb(Math.abs(bytes))}`;
  return (
    `rss ${mb(after.rss)} (${signed(after.rss - before.rss)}), heapUsed ${signed(after.heapUsed - before.heapUsed)}, ` +
    `arrayBuffers ${signed(after.arrayBuffers - before.arrayBuffers)}`
  );
}
