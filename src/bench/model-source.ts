/**
 * Where the model benchmarks get their random TriLMs: built in memory (src/model/random-model.ts,
 * seed 1, TQ2_0), or read from a folder (--model-dir) holding `trilm-<preset>-tq2_0.gguf`. A file
 * missing from the folder is written there first by the streaming generator (the same bytes as
 * `trilm make-model --preset <preset> --seed 1`), so a later run reads it instead of building it
 * again: the 3.9b model takes minutes to generate in JavaScript.
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import { readGgufFile } from "../gguf/file.js";
import { modelFromGguf, type LoadedModel } from "../model/gguf-model.js";
import { planRandomTrilm, randomTrilm, type RandomModelType } from "../model/random-model.js";
import { writePlannedGguf } from "../model/stream-gguf.js";

/** The seed of every benchmark model. */
export const BENCH_MODEL_SEED = 1;
/** The storage of the benchmark models' ternary matrices. */
export const BENCH_MODEL_WEIGHTS: RandomModelType = "tq2_0";

/** `DIR/trilm-3.9b-tq2_0.gguf`: the file --model-dir holds for `preset` (the name `trilm make-model` examples use). */
export function benchModelPath(dir: string, preset: string): string {
  return join(dir, `trilm-${preset}-${BENCH_MODEL_WEIGHTS}.gguf`);
}

/** A benchmark model and how it was obtained, for the output: `built in memory in 1.2 s`. */
export interface BenchModel {
  readonly model: LoadedModel;
  readonly source: string;
}

/**
 * The random TriLM of `preset` (seed 1, TQ2_0): read from `modelDir` when given (written there first if missing),
 * otherwise built in memory. `now` is a millisecond clock for the source line.
 */
export function loadBenchModel(preset: string, modelDir: string | undefined, now: () => number): BenchModel {
  const start = now();
  const seconds = () => `${((now() - start) / 1000).toFixed(1)} s`;
  if (modelDir === undefined) {
    const model = modelFromGguf(randomTrilm(preset, BENCH_MODEL_SEED, BENCH_MODEL_WEIGHTS));
    return { model, source: `built in memory in ${seconds()}` };
  }
  const path = benchModelPath(modelDir, preset);
  let made = "";
  if (!existsSync(path)) {
    writePlannedGguf(path, planRandomTrilm(preset, BENCH_MODEL_SEED, BENCH_MODEL_WEIGHTS));
    made = `made (as trilm make-model --preset ${preset} --seed ${BENCH_MODEL_SEED}) in ${seconds()}, then `;
  }
  const model = modelFromGguf(readGgufFile(path));
  return { model, source: `${made}read from ${path} (${seconds()} in all)` };
}
