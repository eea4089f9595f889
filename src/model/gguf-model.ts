/**
 * A TriLM from a GGUF file of the llama architecture (llama.cpp's tensor names and keys).
 * Implements spec/forward.md §10.1.
 *
 *   token_embd.weight          ne [dim, vocab]          output.weight   ne [dim, vocab] (absent: tied)
 *   blk.N.attn_norm.weight     ne [dim]                 output_norm.weight ne [dim]
 *   blk.N.attn_q / attn_k / attn_v / attn_output.weight, blk.N.ffn_norm.weight,
 *   blk.N.ffn_gate / ffn_up / ffn_down.weight
 */

import { GgmlType } from "../../reference/codec/index.js";
import type { TrilmConfig } from "../../reference/model/config.js";
import { configProblems } from "../../reference/model/config.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LayerWeights, TrilmWeights } from "../../reference/model/weights.js";
import { InputError } from "../errors.js";
import {
  f32Entry,
  stringEntry,
  tensorToFloat32,
  u32Entry,
  type GgufFile,
  type GgufKeyValue,
  type GgufTensorInfo,
} from "../gguf/index.js";

/** A model read from a file: its shapes and its tensors. */
export interface LoadedModel {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
}

/** Weight types a linear layer can hold (spec/forward.md §3.2). */
const LINEAR_TYPES = new Set<GgmlType>([
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q4_0,
  GgmlType.Q8_0,
  GgmlType.TQ1_0,
  GgmlType.TQ2_0,
  GgmlType.Q4_K,
  GgmlType.Q5_K,
  GgmlType.Q6_K,
]);

/** The per-layer tensor names of the llama architecture in GGUF. */
const LAYER_TENSORS = [
  "attn_norm",
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_norm",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
] as const;

/** Read the hyper-parameters from `llama.*` keys (spec §10.1). */
function ggufConfig(file: GgufFile): TrilmConfig {
  const architecture = file.getString("general.architecture");
  if (architecture === undefined) throw new InputError(file.name, "missing key 'general.architecture'");
  if (architecture !== "llama") {
    throw new InputError(
      file.name,
      `unsupported architecture '${architecture}' (the oracle runs 'llama', which TriLMs use)`,
    );
  }
  const required = (key: string): number => {
    const value = file.getUint32(`llama.${key}`);
    if (value === undefined) throw new InputError(file.name, `missing key 'llama.${key}'`);
    return value;
  };
  const embedding = file.tensor("token_embd.weight");
  if (embedding === undefined) throw new InputError(file.name, "missing tensor 'token_embd.weight'");
  const dim = required("embedding_length");
  const nHeads = required("attention.head_count");
  const headDim = nHeads > 0 ? dim / nHeads : 0;
  const config: TrilmConfig = {
    dim,
    hiddenDim: required("feed_forward_length"),
    nLayers: required("block_count"),
    nHeads,
    nKvHeads: file.getUint32("llama.attention.head_count_kv") ?? nHeads,
    headDim,
    vocabSize: file.getUint32("llama.vocab_size") ?? embedding.ne[1] ?? 0,
    contextLength: required("context_length"),
    normEps: file.getFloat32("llama.attention.layer_norm_rms_epsilon") ?? Math.fround(1e-5),
    ropeTheta: file.getFloat32("llama.rope.freq_base") ?? 10000,
    ropeDim: file.getUint32("llama.rope.dimension_count") ?? headDim,
    ropeStyle: "adjacent",
  };
  const problems = configProblems(config);
  if (problems.length > 0) throw new InputError(file.name, `inconsistent llama hyper-parameters: ${problems[0]}`);
  return config;
}

/** The tensor `name` with shape `ne`, or an InputError naming what is wrong. */
function requireTensor(file: GgufFile, name: string, ne: readonly number[]): GgufTensorInfo {
  const tensor = file.tensor(name);
  if (tensor === undefined) throw new InputError(file.name, `missing tensor '${name}'`);
  const same = tensor.ne.length === ne.length && tensor.ne.every((n, i) => n === ne[i]);
  if (!same)
    throw new InputError(
      file.name,
      `tensor '${name}' has shape [${tensor.ne.join(", ")}], expected [${ne.join(", ")}]`,
    );
  return tensor;
}

/** A weight matrix W: [rows = ne[1], cols = ne[0]] kept packed (spec §2). */
function requireMatrix(file: GgufFile, name: string, cols: number, rows: number): PackedMatrix {
  const tensor = requireTensor(file, name, [cols, rows]);
  if (!LINEAR_TYPES.has(tensor.type)) {
    throw new InputError(
      file.name,
      `tensor '${name}' has type ${GgmlType[tensor.type]}, which a linear layer cannot use`,
    );
  }
  return { type: tensor.type, rows, cols, data: tensor.data };
}

/** A norm weight, decoded to float32: Float32Array[n]. */
function requireVector(file: GgufFile, name: string, n: number): Float32Array {
  return tensorToFloat32(requireTensor(file, name, [n]));
}

/** The tensors of layer `l` (spec §10.1). */
function ggufLayer(file: GgufFile, config: TrilmConfig, l: number): LayerWeights {
  const { dim, hiddenDim, headDim } = config;
  const qDim = config.nHeads * headDim;
  const kvDim = config.nKvHeads * headDim;
  const name = (tensor: string) => `blk.${l}.${tensor}.weight`;
  return {
    attnNorm: requireVector(file, name("attn_norm"), dim),
    wq: requireMatrix(file, name("attn_q"), dim, qDim),
    wk: requireMatrix(file, name("attn_k"), dim, kvDim),
    wv: requireMatrix(file, name("attn_v"), dim, kvDim),
    wo: requireMatrix(file, name("attn_output"), qDim, dim),
    ffnNorm: requireVector(file, name("ffn_norm"), dim),
    wGate: requireMatrix(file, name("ffn_gate"), dim, hiddenDim),
    wUp: requireMatrix(file, name("ffn_up"), dim, hiddenDim),
    wDown: requireMatrix(file, name("ffn_down"), hiddenDim, dim),
  };
}

/** Refuse tensors the llama forward pass would silently ignore (biases, rope_freqs, other layers). */
function rejectUnknownTensors(file: GgufFile, config: TrilmConfig): void {
  const known = new Set(["token_embd.weight", "output.weight", "output_norm.weight"]);
  for (let l = 0; l < config.nLayers; l++) for (const t of LAYER_TENSORS) known.add(`blk.${l}.${t}.weight`);
  const unknown = file.tensors.find((t) => !known.has(t.name));
  if (unknown !== undefined) {
    throw new InputError(
      file.name,
      `unsupported tensor '${unknown.name}' (the oracle runs plain llama blocks without biases or RoPE scaling)`,
    );
  }
}

/** Config and packed weights of the llama model in `file`. Implements spec/forward.md §10.1. */
export function modelFromGguf(file: GgufFile): LoadedModel {
  const config = ggufConfig(file);
  rejectUnknownTensors(file, config);
  const tokenEmbedding = requireMatrix(file, "token_embd.weight", config.dim, config.vocabSize);
  const output =
    file.tensor("output.weight") === undefined
      ? tokenEmbedding
      : requireMatrix(file, "output.weight", config.dim, config.vocabSize);
  const layers = Array.from({ length: config.nLayers }, (_, l) => ggufLayer(file, config, l));
  const outputNorm = requireVector(file, "output_norm.weight", config.dim);
  return { config, weights: { tokenEmbedding, layers, outputNorm, output } };
}

/**
 * The metadata a llama GGUF file starts with: architecture, name, and the `llama.*` keys this module
 * reads back (written by `trilm make-model` and `trilm convert`). Implements spec/forward.md §10.1.
 */
export function llamaHyperparameterMetadata(config: TrilmConfig, name: string): GgufKeyValue[] {
  return [
    stringEntry("general.architecture", "llama"),
    stringEntry("general.name", name),
    u32Entry("llama.context_length", config.contextLength),
    u32Entry("llama.embedding_length", config.dim),
    u32Entry("llama.block_count", config.nLayers),
    u32Entry("llama.feed_forward_length", config.hiddenDim),
    u32Entry("llama.attention.head_count", config.nHeads),
    u32Entry("llama.attention.head_count_kv", config.nKvHeads),
    f32Entry("llama.attention.layer_norm_rms_epsilon", config.normEps),
    f32Entry("llama.rope.freq_base", config.ropeTheta),
    u32Entry("llama.rope.dimension_count", config.ropeDim),
    u32Entry("llama.vocab_size", config.vocabSize),
  ];
}
