/**
 * A TriLM from a GGUF file of the llama or bitnet architecture (llama.cpp's tensor names and keys).
 * Implements spec/forward.md §10.1, §17.5.
 *
 *   token_embd.weight          ne [dim, vocab]          output.weight   ne [dim, vocab] (absent: tied)
 *   blk.N.attn_norm.weight     ne [dim]                 output_norm.weight ne [dim]
 *   blk.N.attn_q / attn_k / attn_v / attn_output.weight, blk.N.ffn_norm.weight,
 *   blk.N.ffn_gate / ffn_up / ffn_down.weight
 * bitnet (keys `bitnet.*`, NEOX RoPE, always tied: no output.weight) adds
 *   blk.N.attn_sub_norm.weight ne [dim]                 blk.N.ffn_sub_norm.weight ne [hiddenDim]
 *   blk.N.<linear>.scale       ne [1] F32, optional: the linear layer's output is multiplied by it
 * bitnet-b1.58 (bitnet.cpp's converter: keys `bitnet-b1.58.*`, read as bitnet) has the same tensors with every linear
 * layer an I2_S tensor whose tail scale multiplies its output (src/model/i2s-linear.ts, spec §17.7).
 */

import { BitnetCppType, GgmlType } from "../../reference/codec/index.js";
import type { DecoderArchitecture, FfnActivation, TrilmConfig } from "../../reference/model/config.js";
import { configProblems } from "../../reference/model/config.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LayerWeights, LinearName, LinearOutputScale, TrilmWeights } from "../../reference/model/weights.js";
import { InputError } from "../errors.js";
import { isBitnetCppType } from "../gguf/tensor-type.js";
import { BITNET_CPP_ARCHITECTURE, I2S_LLAMA_CPP_PROBLEM, i2sLinear } from "./i2s-linear.js";
import {
  f32Entry,
  stringEntry,
  tensorToFloat32,
  u32Entry,
  type GgufFile,
  type GgufKeyValue,
  type GgufTensorInfo,
  requireGgmlType,
} from "../gguf/index.js";

/** A model read from a file: its shapes and its tensors. */
export interface LoadedModel {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  /**
   * Why llama.cpp's arithmetic (ggml-exact, ggml-matmul) does not apply to this model, one line: set for a model read
   * from a bitnet.cpp I2_S file (spec §17.7); undefined for every model llama.cpp runs.
   */
  readonly llamaCppProblem?: string;
}

/** How to read a GGUF model: what the file does not say. */
export interface GgufModelOptions {
  /**
   * The FFN activation of a bitnet file, which its metadata does not record (spec/forward.md §17.3): "silu", what
   * llama.cpp de3ff815 computes for every bitnet file (the default), or "relu2", what BitNet b1.58 was trained with.
   * A llama file is always SiLU: "relu2" is refused for it.
   */
  readonly ffnActivation?: FfnActivation;
}

/** The architectures whose GGUF files the oracle reads (`general.architecture`). */
const GGUF_ARCHITECTURES: readonly DecoderArchitecture[] = ["llama", "bitnet"];

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

/**
 * The file's `general.architecture` as one of GGUF_ARCHITECTURES and the prefix of its keys, or an InputError naming
 * it: bitnet.cpp's "bitnet-b1.58" is the bitnet architecture with `bitnet-b1.58.*` keys (spec §17.7).
 */
function ggufArchitecture(file: GgufFile): { readonly arch: DecoderArchitecture; readonly prefix: string } {
  const architecture = file.getString("general.architecture");
  if (architecture === undefined) throw new InputError(file.name, "missing key 'general.architecture'");
  if (architecture === BITNET_CPP_ARCHITECTURE) return { arch: "bitnet", prefix: architecture };
  const known = GGUF_ARCHITECTURES.find((name) => name === architecture);
  if (known === undefined) {
    throw new InputError(
      file.name,
      `unsupported architecture '${architecture}' (the oracle runs 'llama', which TriLMs use, 'bitnet' and bitnet.cpp's '${BITNET_CPP_ARCHITECTURE}')`,
    );
  }
  return { arch: known, prefix: known };
}

/**
 * The FFN activation of a file of `architecture`: a bitnet file's is the caller's choice (default "silu", what
 * llama.cpp computes, kernel-bugs B8); a llama file's is SiLU. Spec §17.3.
 */
function ffnActivationOf(file: GgufFile, architecture: DecoderArchitecture, options: GgufModelOptions): FfnActivation {
  const chosen = options.ffnActivation ?? "silu";
  if (architecture === "llama" && chosen !== "silu")
    throw new InputError(
      file.name,
      `is a llama model, whose FFN activation is SiLU: --ffn-activation ${chosen} applies to bitnet models`,
    );
  return chosen;
}

/** Read the hyper-parameters from the `llama.*` or `bitnet.*` keys (spec §10.1, §17.5). */
function ggufConfig(file: GgufFile, options: GgufModelOptions): TrilmConfig {
  const { arch, prefix } = ggufArchitecture(file);
  const required = (key: string): number => {
    const value = file.getUint32(`${prefix}.${key}`);
    if (value === undefined) throw new InputError(file.name, `missing key '${prefix}.${key}'`);
    return value;
  };
  const embedding = file.tensor("token_embd.weight");
  if (embedding === undefined) throw new InputError(file.name, "missing tensor 'token_embd.weight'");
  const dim = required("embedding_length");
  const nHeads = required("attention.head_count");
  const headDim = nHeads > 0 ? dim / nHeads : 0;
  const ffnActivation = ffnActivationOf(file, arch, options);
  const config: TrilmConfig = {
    dim,
    hiddenDim: required("feed_forward_length"),
    nLayers: required("block_count"),
    nHeads,
    nKvHeads: file.getUint32(`${prefix}.attention.head_count_kv`) ?? nHeads,
    headDim,
    vocabSize: file.getUint32(`${prefix}.vocab_size`) ?? embedding.ne[1] ?? 0,
    contextLength: required("context_length"),
    normEps: file.getFloat32(`${prefix}.attention.layer_norm_rms_epsilon`) ?? Math.fround(1e-5),
    ropeTheta: file.getFloat32(`${prefix}.rope.freq_base`) ?? 10000,
    ropeDim: file.getUint32(`${prefix}.rope.dimension_count`) ?? headDim,
    // llama_model_rope_type: LLAMA_ROPE_TYPE_NORM for llama, LLAMA_ROPE_TYPE_NEOX for bitnet (spec §17.5)
    ropeStyle: arch === "bitnet" ? "rotate-half" : "adjacent",
    ...(arch === "bitnet" ? { architecture: arch, ffnActivation } : {}),
  };
  const problems = configProblems(config);
  if (problems.length > 0) throw new InputError(file.name, `inconsistent ${prefix} hyper-parameters: ${problems[0]}`);
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
  const tensor = requireGgmlType(file.name, requireTensor(file, name, [cols, rows]), "a linear layer");
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

/** The GGUF tensor name of each linear layer (blk.N.<name>.weight, blk.N.<name>.scale). */
const LINEAR_TENSOR_NAMES: Readonly<Record<LinearName, string>> = {
  wq: "attn_q",
  wk: "attn_k",
  wv: "attn_v",
  wo: "attn_output",
  wGate: "ffn_gate",
  wUp: "ffn_up",
  wDown: "ffn_down",
};

/** A bitnet `.scale` tensor: F32 [1], multiplying the linear layer's output (spec §17.2). */
function requireScale(file: GgufFile, name: string): LinearOutputScale {
  const tensor = requireTensor(file, name, [1]);
  if (tensor.type !== GgmlType.F32)
    throw new InputError(file.name, `tensor '${name}' has type ${GgmlType[tensor.type]}, expected F32`);
  return { value: tensorToFloat32(tensor)[0], op: "multiply" };
}

/** The shape [cols, rows] (ne) of each linear layer's weight in a model of `config`. */
function linearShape(config: TrilmConfig, linear: LinearName): [number, number] {
  const { dim, hiddenDim } = config;
  const qDim = config.nHeads * config.headDim;
  const kvDim = config.nKvHeads * config.headDim;
  const shapes: Record<LinearName, [number, number]> = {
    wq: [dim, qDim],
    wk: [dim, kvDim],
    wv: [dim, kvDim],
    wo: [qDim, dim],
    wGate: [dim, hiddenDim],
    wUp: [dim, hiddenDim],
    wDown: [hiddenDim, dim],
  };
  return shapes[linear];
}

/** The bitnet additions to layer `l`, and its I2_S weights decoded (spec §17.7). */
interface BitnetLayerExtras {
  readonly extras: Pick<LayerWeights, "attnSubNorm" | "ffnSubNorm" | "outputScales">;
  /** The linear layers stored as I2_S, as TQ2_0 matrices with block scale 1 (their scales are in outputScales). */
  readonly i2s: Partial<Record<LinearName, PackedMatrix>>;
}

/**
 * The bitnet additions to layer `l`: both sub-norms, the `.scale` tensors it has, and the I2_S linear weights with
 * their tail scales (spec §17.1, §17.2, §17.7).
 */
function bitnetLayerExtras(file: GgufFile, config: TrilmConfig, l: number): BitnetLayerExtras {
  const outputScales: Partial<Record<LinearName, LinearOutputScale>> = {};
  const i2s: Partial<Record<LinearName, PackedMatrix>> = {};
  for (const [linear, tensor] of Object.entries(LINEAR_TENSOR_NAMES) as [LinearName, string][]) {
    const name = `blk.${l}.${tensor}.scale`;
    if (file.tensor(name) !== undefined) outputScales[linear] = requireScale(file, name);
    const weightName = `blk.${l}.${tensor}.weight`;
    const weight = file.tensor(weightName);
    if (weight === undefined || !isBitnetCppType(weight.type) || weight.type !== BitnetCppType.I2_S) continue;
    const [cols, rows] = linearShape(config, linear);
    requireTensor(file, weightName, [cols, rows]);
    if (outputScales[linear] !== undefined)
      throw new InputError(file.name, `tensor '${name}' beside the I2_S '${weightName}', whose tail holds its scale`);
    const decoded = i2sLinear(file.name, weightName, weight.data, rows, cols);
    i2s[linear] = decoded.matrix;
    outputScales[linear] = decoded.scale;
  }
  const extras = {
    attnSubNorm: requireVector(file, `blk.${l}.attn_sub_norm.weight`, config.nHeads * config.headDim),
    ffnSubNorm: requireVector(file, `blk.${l}.ffn_sub_norm.weight`, config.hiddenDim),
    ...(Object.keys(outputScales).length > 0 ? { outputScales } : {}),
  };
  return { extras, i2s };
}

/** The tensors of layer `l` (spec §10.1, §17.5, §17.7). */
function ggufLayer(file: GgufFile, config: TrilmConfig, l: number): LayerWeights {
  const name = (tensor: string) => `blk.${l}.${tensor}.weight`;
  const bitnet = config.architecture === "bitnet" ? bitnetLayerExtras(file, config, l) : undefined;
  const matrix = (linear: LinearName): PackedMatrix =>
    bitnet?.i2s[linear] ?? requireMatrix(file, name(LINEAR_TENSOR_NAMES[linear]), ...linearShape(config, linear));
  return {
    attnNorm: requireVector(file, name("attn_norm"), config.dim),
    wq: matrix("wq"),
    wk: matrix("wk"),
    wv: matrix("wv"),
    wo: matrix("wo"),
    ffnNorm: requireVector(file, name("ffn_norm"), config.dim),
    wGate: matrix("wGate"),
    wUp: matrix("wUp"),
    wDown: matrix("wDown"),
    ...bitnet?.extras,
  };
}

/** The tensor names a file of `config`'s architecture may hold (spec §10.1, §17.5). */
function knownTensorNames(config: TrilmConfig): Set<string> {
  const bitnet = config.architecture === "bitnet";
  // llama.cpp's bitnet graph reads token_embd for the head and refuses a file with output.weight
  const known = new Set(["token_embd.weight", "output_norm.weight", ...(bitnet ? [] : ["output.weight"])]);
  for (let l = 0; l < config.nLayers; l++) {
    for (const t of LAYER_TENSORS) known.add(`blk.${l}.${t}.weight`);
    if (!bitnet) continue;
    known.add(`blk.${l}.attn_sub_norm.weight`).add(`blk.${l}.ffn_sub_norm.weight`);
    for (const t of Object.values(LINEAR_TENSOR_NAMES)) known.add(`blk.${l}.${t}.scale`);
  }
  return known;
}

/** Refuse tensors the forward pass would silently ignore (biases, rope_freqs, other layers; a bitnet output.weight). */
function rejectUnknownTensors(file: GgufFile, config: TrilmConfig): void {
  const known = knownTensorNames(config);
  const unknown = file.tensors.find((t) => !known.has(t.name));
  if (unknown?.name === "output.weight") {
    throw new InputError(
      file.name,
      "unsupported tensor 'output.weight' (llama.cpp's bitnet architecture ties the lm head to token_embd.weight and refuses the file)",
    );
  }
  if (unknown !== undefined) {
    throw new InputError(
      file.name,
      `unsupported tensor '${unknown.name}' (the oracle runs plain llama blocks without biases or RoPE scaling)`,
    );
  }
}

/**
 * Config and packed weights of the llama or bitnet model in `file` (bitnet.cpp's bitnet-b1.58 I2_S files included,
 * with llamaCppProblem set); `options.ffnActivation` chooses a bitnet file's FFN activation. Implements
 * spec/forward.md §10.1, §17.5, §17.7.
 */
export function modelFromGguf(file: GgufFile, options: GgufModelOptions = {}): LoadedModel {
  const config = ggufConfig(file, options);
  rejectUnknownTensors(file, config);
  const tokenEmbedding = requireMatrix(file, "token_embd.weight", config.dim, config.vocabSize);
  const output =
    file.tensor("output.weight") === undefined
      ? tokenEmbedding
      : requireMatrix(file, "output.weight", config.dim, config.vocabSize);
  const layers = Array.from({ length: config.nLayers }, (_, l) => ggufLayer(file, config, l));
  const outputNorm = requireVector(file, "output_norm.weight", config.dim);
  const i2s = file.tensors.some((t) => isBitnetCppType(t.type) && t.type === BitnetCppType.I2_S);
  return {
    config,
    weights: { tokenEmbedding, layers, outputNorm, output },
    ...(i2s ? { llamaCppProblem: I2S_LLAMA_CPP_PROBLEM } : {}),
  };
}

/**
 * The metadata a llama GGUF file starts with: architecture, name, and the `llama.*` keys this module
 * reads back (written by `trilm convert`). Implements spec/forward.md §10.1.
 */
export function llamaHyperparameterMetadata(config: TrilmConfig, name: string): GgufKeyValue[] {
  return ggufHyperparameterMetadata({ ...config, architecture: "llama" }, name);
}

/**
 * The metadata a GGUF file of `config.architecture` (absent: llama) starts with: architecture, name, and the
 * `llama.*` or `bitnet.*` keys this module reads back (written by `trilm make-model`). The file cannot record
 * the RoPE style (llama: adjacent, bitnet: rotate-half) or a bitnet FFN activation: the reader infers the first from
 * the architecture and takes the second from its caller. Implements spec/forward.md §10.1, §17.5.
 */
export function ggufHyperparameterMetadata(config: TrilmConfig, name: string): GgufKeyValue[] {
  const arch = config.architecture ?? "llama";
  return [
    stringEntry("general.architecture", arch),
    stringEntry("general.name", name),
    u32Entry(`${arch}.context_length`, config.contextLength),
    u32Entry(`${arch}.embedding_length`, config.dim),
    u32Entry(`${arch}.block_count`, config.nLayers),
    u32Entry(`${arch}.feed_forward_length`, config.hiddenDim),
    u32Entry(`${arch}.attention.head_count`, config.nHeads),
    u32Entry(`${arch}.attention.head_count_kv`, config.nKvHeads),
    f32Entry(`${arch}.attention.layer_norm_rms_epsilon`, config.normEps),
    f32Entry(`${arch}.rope.freq_base`, config.ropeTheta),
    u32Entry(`${arch}.rope.dimension_count`, config.ropeDim),
    u32Entry(`${arch}.vocab_size`, config.vocabSize),
  ];
}
