/**
 * Loading a model from a path given on the command line: a Hugging Face checkpoint folder
 * (config.json + model.safetensors or a sharded index; src/model/hf-folder.ts) or a GGUF file
 * (readGgufFile + modelFromGguf). Each kind of model on disk is one entry of MODEL_LOADERS, tried
 * in order; the first whose `accepts` says yes loads it. Node only.
 */

import { statSync, type Stats } from "node:fs";
import { InputError, UsageError } from "../errors.js";
import { readGgufFile } from "../gguf/file.js";
import { GgufValueType } from "../gguf/index.js";
import { describeFileSystemError } from "../io/atomic-write.js";
import type { InputFileMemory } from "../io/input-file.js";
import { tokenizerOf } from "../tokenizer/file.js";
import type { Tokenizer } from "../tokenizer/tokenizer.js";
import { modelFromGguf, type GgufModelOptions, type LoadedModel } from "./gguf-model.js";
import { loadHfModel } from "./hf-folder.js";

/** A model on disk with where it came from. */
export interface LoadedModelFile extends LoadedModel {
  /** The path as the user gave it. */
  readonly path: string;
  /** What kind of model it is (the loader's `kind`: `gguf`, …). */
  readonly kind: string;
  /** The model's own name where the file records one (GGUF `general.name`), else undefined. */
  readonly modelName: string | undefined;
  /**
   * The tokenizer the file carries (GGUF `tokenizer.ggml.*`, src/tokenizer/), read on demand: InputError
   * naming the file where it has none or one the oracle does not implement. Absent for kinds without one.
   */
  readonly readTokenizer?: () => Tokenizer;
}

/** How to load a model: what a GGUF file does not record, and where its bytes go. */
export interface LoadModelOptions extends GgufModelOptions {
  /**
   * Memory to read a GGUF file into (a backend's Backend.weightMemory): its packed matrices are then views of that
   * memory, never copied (spec/performance.md §4). Default: a buffer of the loader's own.
   */
  readonly memory?: InputFileMemory;
}

/** One way of reading a model from disk. */
export interface ModelLoader {
  /** Short name for messages: `gguf`. */
  readonly kind: string;
  /** Whether this loader reads `path` (`stats` is its lstat-free stat). */
  accepts(path: string, stats: Stats): boolean;
  /** Read the model (`options`: what a GGUF file does not record, where to read it); InputError naming the file for anything wrong with it. */
  load(path: string, options: LoadModelOptions): Omit<LoadedModelFile, "path" | "kind">;
}

/** GGUF files of the llama and bitnet architectures: any regular file (read into `options.memory` where given). */
const ggufLoader: ModelLoader = {
  kind: "gguf",
  accepts: (_path, stats) => !stats.isDirectory(),
  load: (path, options) => {
    const file = readGgufFile(path, { memory: options.memory });
    const model = modelFromGguf(file, options);
    const name = file.get("general.name");
    return {
      ...model,
      modelName: name?.type === GgufValueType.STRING ? name.value : undefined,
      readTokenizer: () => tokenizerOf(file),
    };
  },
};

/**
 * Hugging Face checkpoint folders (LlamaForCausalLM: config.json, model.safetensors or an index and
 * its shards), loaded as released: q/k as stored with rotate-half RoPE (the same logits as the
 * llama.cpp-converted GGUF with adjacent RoPE; see src/model/hf-model.ts).
 */
const hfFolderLoader: ModelLoader = {
  kind: "hf",
  accepts: (_path, stats) => stats.isDirectory(),
  load: (path, options) => {
    if (options.ffnActivation !== undefined)
      throw new UsageError(
        "--ffn-activation applies to GGUF files: a Hugging Face folder's config.json names its activation",
      );
    return { ...loadHfModel(path, { ropeStyle: "rotate-half" }), modelName: undefined };
  },
};

/** The loaders `loadModel` tries, in order: directories are Hugging Face folders, files GGUF. Another format adds an entry here. */
export const MODEL_LOADERS: ModelLoader[] = [hfFolderLoader, ggufLoader];

/** `stat` of `path`, or an InputError naming it. */
function statInput(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw new InputError(path, describeFileSystemError(error));
  }
}

/**
 * The model at `path`: config and packed weights, ready for reference/model/forward.ts. InputError
 * naming `path` (or the file inside a folder) when it is missing or unreadable, not a valid GGUF
 * file or Hugging Face folder, or a model the oracle cannot run (another architecture, a tensor
 * type a linear layer cannot use, a missing tensor, a shape mismatch). `options.ffnActivation`: a bitnet GGUF
 * file's FFN activation (src/model/gguf-model.ts GgufModelOptions; UsageError for a Hugging Face folder);
 * `options.memory`: where a GGUF file's bytes are read (a Hugging Face folder is read as before).
 */
export function loadModel(path: string, options: LoadModelOptions = {}): LoadedModelFile {
  const stats = statInput(path);
  const loader = MODEL_LOADERS.find((candidate) => candidate.accepts(path, stats));
  if (loader === undefined) {
    const kinds = MODEL_LOADERS.map((candidate) => candidate.kind).join(", ");
    throw new InputError(
      path,
      stats.isDirectory()
        ? `is a directory, not a model file the oracle reads (${kinds})`
        : `is not a model file the oracle reads (${kinds})`,
    );
  }
  return { ...loader.load(path, options), path, kind: loader.kind };
}
