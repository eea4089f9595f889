/**
 * The published TriLM shapes by name, for building random models of the real sizes.
 *
 * Sources: the Spectra paper (Kaushal et al., "Spectra: Surprisingly Effective Pretraining of
 * Ternary Language Models at Scale", arXiv 2407.12327, its table of model sizes), the released
 * SpectraSuite Hugging Face configs (`hidden_size`, `intermediate_size`, `num_hidden_layers`,
 * `num_attention_heads`, `num_key_value_heads`, `head_dim`, `vocab_size`,
 * `max_position_embeddings`, `rms_norm_eps`, `rope_theta`, `pretraining_model_parallel`); the
 * table is spec/forward.md §1 ("The released sizes"). Every released size has
 * kv heads = heads, head dim 64 (128 for 3.9B), vocabulary 50304 (50688 for 3.9B), 2048
 * positions, RMSNorm eps 1e-5, RoPE θ 10000.
 *
 * `tiny` is not a released size: it is the shape of golden/external/llama/tiny-*.gguf (the model
 * llama.cpp's own logits were computed for), so tests can build TriLM-like models that llama.cpp
 * has been run on.
 */

import type { TrilmConfig } from "./config.js";

/** A named TriLM shape: the model's config and how many model-parallel shards it was trained with. */
export interface TrilmPreset {
  /** `tiny`, `99m`, … `3.9b` (lower case, as the CLI takes it). */
  readonly name: string;
  /** The hyper-parameters, with `ropeStyle` "adjacent" (GGUF convention: q/k rows permuted). */
  readonly config: TrilmConfig;
  /**
   * `pretraining_model_parallel`: the number of shards each ternary matrix was split into during
   * training, each with its own absmean scale (column-parallel q, k, v, gate, up split their output
   * rows; row-parallel o, down split their input columns).
   */
  readonly modelParallel: number;
}

/** RMSNorm epsilon 1e-5 as the float32 a GGUF file stores. */
const NORM_EPS = Math.fround(1e-5);

/** The config of a released size: (hidden, ffn, layers, heads, head dim, vocab). */
function releasedConfig(
  dim: number,
  hiddenDim: number,
  nLayers: number,
  nHeads: number,
  headDim: number,
  vocabSize: number,
): TrilmConfig {
  return {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads: nHeads,
    headDim,
    vocabSize,
    contextLength: 2048,
    normEps: NORM_EPS,
    ropeTheta: 10000,
    ropeDim: headDim,
    ropeStyle: "adjacent",
  };
}

/** Every preset, smallest first. */
export const TRILM_PRESETS: readonly TrilmPreset[] = [
  {
    name: "tiny",
    config: {
      dim: 256,
      hiddenDim: 768,
      nLayers: 2,
      nHeads: 4,
      nKvHeads: 2,
      headDim: 64,
      vocabSize: 512,
      contextLength: 256,
      normEps: NORM_EPS,
      ropeTheta: 10000,
      ropeDim: 64,
      ropeStyle: "adjacent",
    },
    modelParallel: 1,
  },
  { name: "99m", config: releasedConfig(512, 1280, 16, 8, 64, 50304), modelParallel: 1 },
  { name: "190m", config: releasedConfig(768, 2048, 16, 12, 64, 50304), modelParallel: 1 },
  { name: "390m", config: releasedConfig(1024, 2560, 24, 16, 64, 50304), modelParallel: 1 },
  { name: "560m", config: releasedConfig(1280, 3072, 24, 20, 64, 50304), modelParallel: 1 },
  { name: "830m", config: releasedConfig(1536, 4096, 24, 24, 64, 50304), modelParallel: 1 },
  { name: "1.1b", config: releasedConfig(1792, 5120, 24, 28, 64, 50304), modelParallel: 2 },
  { name: "1.5b", config: releasedConfig(2048, 6144, 24, 32, 64, 50304), modelParallel: 2 },
  { name: "2.4b", config: releasedConfig(2304, 7680, 30, 36, 64, 50304), modelParallel: 3 },
  { name: "3.9b", config: releasedConfig(3072, 9216, 30, 24, 128, 50688), modelParallel: 6 },
];

/** The preset names, smallest first: `tiny`, `99m`, … `3.9b`. */
export const TRILM_PRESET_NAMES: readonly string[] = TRILM_PRESETS.map((preset) => preset.name);

/**
 * Shapes of llama.cpp's bitnet architecture (spec/forward.md §17). `bitnet-tiny` is BitNet b1.58-2B-4T's layout
 * scaled down — head dim 128, GQA 4:1 (2B-4T: 20 heads, 5 KV heads), RMSNorm eps 1e-5, RoPE θ 500000, NEOX
 * ("rotate-half") RoPE — to dim 512 (4 heads, 1 KV head), FFN 1280, 2 layers, vocabulary 512: the shape of
 * golden/external/llama-bitnet/. Its FFN activation is "silu", what llama.cpp computes (§17.3).
 */
export const BITNET_PRESETS: readonly TrilmPreset[] = [
  {
    name: "bitnet-tiny",
    config: {
      dim: 512,
      hiddenDim: 1280,
      nLayers: 2,
      nHeads: 4,
      nKvHeads: 1,
      headDim: 128,
      vocabSize: 512,
      contextLength: 1024,
      normEps: NORM_EPS,
      ropeTheta: 500000,
      ropeDim: 128,
      ropeStyle: "rotate-half",
      architecture: "bitnet",
      ffnActivation: "silu",
    },
    modelParallel: 1,
  },
];

/** The bitnet preset names: `bitnet-tiny`. */
export const BITNET_PRESET_NAMES: readonly string[] = BITNET_PRESETS.map((preset) => preset.name);

/** The preset called `name` (case-insensitive: `99M` = `99m`) among TRILM_PRESETS and BITNET_PRESETS, or `undefined`. Spec §12. */
export function findPreset(name: string): TrilmPreset | undefined {
  const wanted = name.toLowerCase();
  return [...TRILM_PRESETS, ...BITNET_PRESETS].find((preset) => preset.name === wanted);
}

/** Parameters of the seven ternary matrices of all layers: nLayers · (dim·(q + k + v + o) + 3·dim·hiddenDim). Spec §1, §2.1. */
export function ternaryParameterCount(config: TrilmConfig): number {
  const qDim = config.nHeads * config.headDim;
  const kvDim = config.nKvHeads * config.headDim;
  const attention = config.dim * (qDim + 2 * kvDim) + qDim * config.dim;
  const mlp = 3 * config.dim * config.hiddenDim;
  return config.nLayers * (attention + mlp);
}

/** All parameters: ternary matrices, untied embedding and lm head (2·vocab·dim), norm weights ((2·nLayers + 1)·dim). Spec §1, §2.1. */
export function parameterCount(config: TrilmConfig): number {
  return ternaryParameterCount(config) + 2 * config.vocabSize * config.dim + (2 * config.nLayers + 1) * config.dim;
}
