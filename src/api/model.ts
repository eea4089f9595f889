/**
 * `trilm-oracle/model`: models on disk, ready for `trilm-oracle/reference` — loadModel reads a GGUF
 * file or a Hugging Face checkpoint folder (config.json + safetensors) into a config and packed
 * weights; modelFromGguf does the same for a GGUF file already in memory; randomTrilm makes a
 * random TriLM of a published shape; embeddedModelPath is the tiny model `trilm run` uses;
 * detectTernary reports whether a matrix is ternary and how its scales are laid out. Node only
 * (reads files).
 *
 * Model loading lives here rather than in `trilm-oracle/gguf` because it reads more than GGUF
 * (Hugging Face folders) and yields the interpreter's types, not the container's.
 *
 * @example
 * ```ts
 * import { DEFAULT_PROMPT, embeddedModelPath, loadModel } from "trilm-oracle/model";
 * const model = loadModel(embeddedModelPath()); // or "model.gguf", or a Hugging Face folder
 * console.log(model.kind, model.config.nLayers);
 * ```
 *
 * @packageDocumentation
 */

export { loadModel, type LoadedModelFile, type LoadModelOptions } from "../model/load-model.js";
export { modelFromGguf, type LoadedModel } from "../model/gguf-model.js";
export { loadHfModel } from "../model/hf-folder.js";
export type { HfLoadOptions } from "../model/hf-model.js";
export { RANDOM_MODEL_TYPES, randomTrilm, type RandomModelType } from "../model/random-model.js";
export { EMBEDDED_MODEL_FILE, embeddedModelPath } from "../model/embedded.js";
export type { GgufModelOptions } from "../model/gguf-model.js";
export type { RandomModelOptions } from "../model/random-model.js";
export { DEFAULT_PROMPT } from "../model/default-prompt.js";
export {
  detectTernary,
  MAX_SHARD_SCALES,
  type ScaleShard,
  type ShardLayout,
  type TernaryReport,
} from "../model/ternary-detect.js";
export {
  Tokenizer,
  TokenAttr,
  hasTokenizer,
  readVocab,
  type PreTokenizerType,
  type TokenizeOptions,
  type TokenizerModel,
  type Vocab,
} from "../tokenizer/index.js";
export { readTokenizerFile, tokenizerOf } from "../tokenizer/file.js";
