/**
 * Which model benchmark cases `npm run bench` runs: the backends that expand the ternary weights to
 * float32 (tfjs) cannot hold the large presets, and some cases would take the default run past its
 * time. A skipped case prints why. Pure: decided from the preset's shape, before any model is built.
 */

import { findPreset } from "../../reference/model/presets.js";
import type { BenchPreset } from "./options.js";

/** WebAssembly's 32-bit address space: what tfjs-wasm's memory can grow to (4 GiB). */
export const WASM32_BYTES = 4 * 2 ** 30;

/** The float32 copies a default run lets a backend make (2 GiB): more takes minutes to build and most of a shared machine's memory. */
export const DEFAULT_FLOAT32_LIMIT_BYTES = 2 * 2 ** 30;

/**
 * Presets a backend does not run unless asked for by name (--backends), because the default run must
 * stay within ~15 minutes on 2 cores: gpu.js's webasm mode in Node decodes the packed words in its
 * kernels at about the reference's speed per weight (seconds a token at 3.9B).
 */
const SLOW_BY_DEFAULT: Readonly<Record<string, readonly BenchPreset[]>> = { gpujs: ["3.9b"] };

/**
 * Presets a default run measures only when their files are read from --model-dir: building them in memory takes
 * minutes in JavaScript (1.1b ≈ 1 to 3 minutes, 3.9b ≈ 3 to 10 minutes on a loaded 2-core machine), reading a
 * file seconds.
 */
const FILE_ONLY_BY_DEFAULT: readonly BenchPreset[] = ["1.1b", "3.9b"];

/**
 * Why the whole preset is skipped, or undefined when it runs: a large preset in a default run without --model-dir
 * (`modelDir` false). Named with --presets (`presetsChosen`), it is built in memory however long that takes.
 */
export function presetSkipReason(preset: BenchPreset, modelDir: boolean, presetsChosen: boolean): string | undefined {
  if (modelDir || presetsChosen || !FILE_ONLY_BY_DEFAULT.includes(preset)) return undefined;
  return (
    `building ${preset} in memory takes minutes; give --model-dir DIR (trilm-${preset}-tq2_0.gguf is read there, ` +
    `or written first) or name it with --presets ${preset}`
  );
}

/** Backends that decode every matrix (the linear layers and the head) once to float32 Wᵀ in prepareMatrix. */
const FLOAT32_BACKENDS: ReadonlySet<string> = new Set(["tfjs-cpu", "tfjs-wasm"]);

/** Elements of the matrices a forward pass multiplies by: the seven linears of every layer and the output head. */
export function matrixElements(preset: BenchPreset): number {
  const { dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim, vocabSize } = presetConfig(preset);
  const attention = 2 * dim * nHeads * headDim + 2 * dim * nKvHeads * headDim;
  return nLayers * (attention + 3 * dim * hiddenDim) + vocabSize * dim;
}

/** The bytes a float32 copy of every matrix of `preset` takes. */
export function float32Bytes(preset: BenchPreset): number {
  return 4 * matrixElements(preset);
}

function presetConfig(preset: BenchPreset) {
  const found = findPreset(preset);
  if (found === undefined) throw new RangeError(`bench: unknown preset ${preset}`);
  return found.config;
}

/** "15.6 GB" (10^9 bytes). */
function gigabytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * Why the case (backend, preset) is skipped, or undefined when it runs. `backendsChosen`: the user
 * named the backends, so the default run's limits (float32 copies over 2 GiB, SLOW_BY_DEFAULT) do not
 * apply; what cannot run (tfjs-wasm over 4 GiB) is skipped always.
 */
export function modelSkipReason(backend: string, preset: BenchPreset, backendsChosen: boolean): string | undefined {
  if (FLOAT32_BACKENDS.has(backend)) {
    const bytes = float32Bytes(preset);
    if (backend === "tfjs-wasm" && bytes > WASM32_BYTES)
      return `${backend} expands to float32, ${gigabytes(bytes)} > 4 GiB (wasm32 memory)`;
    if (!backendsChosen && bytes > DEFAULT_FLOAT32_LIMIT_BYTES)
      return `${backend} expands to float32, ${gigabytes(bytes)} > 2 GiB, the default run's limit (ask with --backends ${backend})`;
  }
  if (!backendsChosen && (SLOW_BY_DEFAULT[backend] ?? []).includes(preset))
    return `${backend} at ${preset} takes seconds a token, past the default run's ~15 minutes (ask with --backends ${backend})`;
  return undefined;
}
