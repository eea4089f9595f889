/**
 * A TriLM from a Hugging Face checkpoint of the llama architecture (LlamaForCausalLM), browser-safe:
 * the files are given already parsed (src/model/hf-folder.ts reads a folder from disk).
 *
 *   config.json                                   hyper-parameters (hfLlamaConfig)
 *   model.embed_tokens.weight   [vocab, dim]      lm_head.weight [vocab, dim] (absent or tied: the embedding)
 *   model.layers.N.input_layernorm.weight [dim]   model.layers.N.post_attention_layernorm.weight [dim]
 *   model.layers.N.self_attn.{q,k,v,o}_proj.weight, model.layers.N.mlp.{gate,up,down}_proj.weight
 *   model.norm.weight           [dim]
 *
 * A Hugging Face weight is [out, in] row-major: exactly a PackedMatrix with rows = out, cols = in,
 * kept in its stored type (F32, F16 or BF16; the bytes are not copied or widened). Norm weights are
 * decoded to float32 (exact). Two ways to load, which give the same logits:
 *   ropeStyle "rotate-half"  q_proj / k_proj as released, RoPE rotating (x[i], x[i + d/2]) as HF does;
 *   ropeStyle "adjacent"     q_proj / k_proj rows permuted by ropePermutationHfToGguf, RoPE rotating
 *                            (x[2i], x[2i+1]) as llama.cpp does on the converted GGUF file.
 * A BitNetForCausalLM folder (model_type "bitnet") loads as the bitnet architecture (spec/forward.md §10.5, §17):
 * its packed uint8 weights, weight_scale and sub-norms by src/model/hf-bitnet.ts.
 */

import { dequantizeRow } from "../../reference/codec/index.js";
import type { HfBitnetScaleConvention } from "../../reference/codec/index.js";
import {
  configProblems,
  type DecoderArchitecture,
  type RopeStyle,
  type TrilmConfig,
} from "../../reference/model/config.js";
import { packedRowBytes, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import { ropePermutationHfToGguf } from "../../reference/model/rope.js";
import type {
  LayerWeights,
  LinearName,
  LinearOutputScale,
  LlamaLayerTensor,
  TrilmWeights,
} from "../../reference/model/weights.js";
import { InputError } from "../errors.js";
import {
  ggmlTypeOfDtype,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type SafetensorsFile,
  type SafetensorsStoredDtype,
  type SafetensorsTensor,
} from "../safetensors/index.js";
import { hfBitnetActivation, hfBitnetLinear, hfBitnetScaleConvention } from "./hf-bitnet.js";
import type { LoadedModel } from "./gguf-model.js";

/** A tensor of a checkpoint and the file it is in. */
export interface HfTensor {
  /** The safetensors file holding it (its path, as errors name it). */
  readonly file: string;
  /** Float, or U8 (BitNet's packed weights). */
  readonly tensor: SafetensorsTensor<SafetensorsStoredDtype>;
}

/** A Hugging Face checkpoint: its parsed config.json and its safetensors files. */
export interface HfCheckpoint {
  /** The checkpoint's name for errors about it as a whole (the folder's path). */
  readonly name: string;
  /** config.json's path, as errors about the config name it. */
  readonly configFile: string;
  /** config.json, parsed (any JSON value; checked by hfLlamaConfig). */
  readonly config: unknown;
  /** The safetensors files, in the order they were read. */
  readonly files: readonly SafetensorsFile<SafetensorsStoredDtype>[];
  /** Every tensor of every file, by name. */
  readonly tensors: ReadonlyMap<string, HfTensor>;
}

/** How to load a checkpoint. */
export interface HfLoadOptions {
  /** "rotate-half": q/k as released; "adjacent": q/k rows permuted as llama.cpp's converter does. */
  readonly ropeStyle: RopeStyle;
}

/** The hyper-parameters of a llama config.json, with what the TrilmConfig does not hold. */
export interface HfLlamaConfig {
  readonly config: TrilmConfig;
  /** `tie_word_embeddings`: the lm head is the token embedding. */
  readonly tiedEmbeddings: boolean;
  /** BitNet: how the linear layers apply `weight_scale` (from quantization_config; spec §10.5). */
  readonly scaleConvention?: HfBitnetScaleConvention;
}

/** The nine tensors of decoder layer `layer`, by role, with their Hugging Face names. */
export const HF_LAYER_TENSORS = {
  attnNorm: "input_layernorm",
  wq: "self_attn.q_proj",
  wk: "self_attn.k_proj",
  wv: "self_attn.v_proj",
  wo: "self_attn.o_proj",
  ffnNorm: "post_attention_layernorm",
  wGate: "mlp.gate_proj",
  wUp: "mlp.up_proj",
  wDown: "mlp.down_proj",
} as const satisfies Record<LlamaLayerTensor, string>;

/** The GGUF (llama.cpp) name of each layer role, as src/model/gguf-model.ts reads them. */
export const GGUF_LAYER_TENSORS = {
  attnNorm: "attn_norm",
  wq: "attn_q",
  wk: "attn_k",
  wv: "attn_v",
  wo: "attn_output",
  ffnNorm: "ffn_norm",
  wGate: "ffn_gate",
  wUp: "ffn_up",
  wDown: "ffn_down",
} as const satisfies Record<LlamaLayerTensor, string>;

/** The tensors outside the layers: Hugging Face name → GGUF name. */
export const HF_GLOBAL_TENSORS: ReadonlyMap<string, string> = new Map([
  ["model.embed_tokens.weight", "token_embd.weight"],
  ["model.norm.weight", "output_norm.weight"],
  ["lm_head.weight", "output.weight"],
]);

/** Buffers some checkpoints carry that llama recomputes (convert_hf_to_gguf.py skips them too). */
const IGNORED_TENSOR = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/** The Hugging Face name of layer `layer`'s tensor `role`. */
export function hfLayerTensorName(layer: number, role: LlamaLayerTensor): string {
  return `model.layers.${layer}.${HF_LAYER_TENSORS[role]}.weight`;
}

/** The GGUF name of a Hugging Face llama tensor name, or undefined for a name llama does not have. */
export function ggufTensorName(hfName: string): string | undefined {
  const global = HF_GLOBAL_TENSORS.get(hfName);
  if (global !== undefined) return global;
  const match = /^model\.layers\.(\d+)\.(.+)\.weight$/.exec(hfName);
  if (match === null) return undefined;
  const role = (Object.keys(HF_LAYER_TENSORS) as LlamaLayerTensor[]).find((r) => HF_LAYER_TENSORS[r] === match[2]);
  return role === undefined ? undefined : `blk.${Number(match[1])}.${GGUF_LAYER_TENSORS[role]}.weight`;
}

/** A plain JSON object? */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value for a message, shortened. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** Typed access to config.json's keys, each problem an InputError naming the file. */
class ConfigReader {
  constructor(
    private readonly file: string,
    private readonly json: Record<string, unknown>,
  ) {}

  /** The value of `key`, treating JSON null as absent. */
  value(key: string): unknown {
    const value = this.json[key];
    return value === null ? undefined : value;
  }

  positiveInteger(key: string, fallback?: number): number {
    const value = this.value(key);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      throw new InputError(this.file, `missing key '${key}'`);
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new InputError(this.file, `key '${key}' must be a positive integer, got ${shown(value)}`);
    }
    return value;
  }

  positiveNumber(key: string, fallback?: number): number {
    const value = this.value(key);
    if (value === undefined) {
      if (fallback !== undefined) return fallback;
      throw new InputError(this.file, `missing key '${key}'`);
    }
    if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
      throw new InputError(this.file, `key '${key}' must be a positive number, got ${shown(value)}`);
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.value(key);
    if (value === undefined) return fallback;
    if (typeof value !== "boolean")
      throw new InputError(this.file, `key '${key}' must be true or false, got ${shown(value)}`);
    return value;
  }

  refuse(problem: string): never {
    throw new InputError(this.file, problem);
  }
}

/** The Hugging Face class and model_type of each decoder family the oracle runs. */
const HF_ARCHITECTURES: Readonly<Record<DecoderArchitecture, { className: string; modelType: string }>> = {
  llama: { className: "LlamaForCausalLM", modelType: "llama" },
  bitnet: { className: "BitNetForCausalLM", modelType: "bitnet" },
};

/**
 * The decoder family a config names (LlamaForCausalLM / "llama" or BitNetForCausalLM / "bitnet"); refuse anything
 * else, RoPE scaling, biases, and a llama activation other than silu (BitNet's is read by hfBitnetActivation).
 */
function checkLlamaArchitecture(reader: ConfigReader): DecoderArchitecture {
  const architectures = reader.value("architectures");
  const modelType = reader.value("model_type");
  if (architectures === undefined && modelType === undefined) {
    reader.refuse("names no architecture (neither 'architectures' nor 'model_type'); the oracle runs LlamaForCausalLM");
  }
  let family: DecoderArchitecture | undefined;
  if (architectures !== undefined) {
    if (!Array.isArray(architectures) || architectures.length === 0)
      reader.refuse(`key 'architectures' must be a list of names, got ${shown(architectures)}`);
    const named = (a: unknown) => (["llama", "bitnet"] as const).find((f) => HF_ARCHITECTURES[f].className === a);
    const other = architectures.find((a) => named(a) === undefined || named(a) !== named(architectures[0]));
    if (other !== undefined)
      reader.refuse(
        `unsupported architecture ${shown(other)} (the oracle runs LlamaForCausalLM, which TriLMs use, and BitNetForCausalLM)`,
      );
    family = named(architectures[0]);
  }
  if (modelType !== undefined) {
    const typed = (["llama", "bitnet"] as const).find((f) => HF_ARCHITECTURES[f].modelType === modelType);
    if (typed === undefined || (family !== undefined && typed !== family))
      reader.refuse(
        `unsupported model_type ${shown(modelType)} (the oracle runs 'llama', which TriLMs use, and 'bitnet')`,
      );
    family = typed;
  }
  const architecture = family ?? "llama";
  if (reader.value("rope_scaling") !== undefined)
    reader.refuse(`rope_scaling ${shown(reader.value("rope_scaling"))} is not supported (the oracle runs plain RoPE)`);
  for (const key of ["attention_bias", "mlp_bias"]) {
    if (reader.boolean(key, false)) reader.refuse(`${key} is true; the oracle runs llama blocks without biases`);
  }
  const act = reader.value("hidden_act");
  if (architecture === "llama" && act !== undefined && act !== "silu")
    reader.refuse(`hidden_act ${shown(act)} is not supported (the oracle runs SwiGLU with silu)`);
  return architecture;
}

/**
 * The hyper-parameters of a llama config.json: hidden_size, intermediate_size, num_hidden_layers,
 * num_attention_heads, num_key_value_heads (default: the heads), vocab_size,
 * max_position_embeddings, rms_norm_eps, rope_theta (default 10000), head_dim (default
 * hidden_size / heads), tie_word_embeddings (default false). rms_norm_eps and rope_theta are
 * rounded to float32, as a GGUF file stores them. InputError(configFile, …) for another
 * architecture, rope_scaling, biases, a missing or mistyped key, or inconsistent sizes.
 */
export function hfLlamaConfig(configFile: string, json: unknown, ropeStyle: RopeStyle): HfLlamaConfig {
  if (!isObject(json)) throw new InputError(configFile, "is not a JSON object");
  const reader = new ConfigReader(configFile, json);
  const architecture = checkLlamaArchitecture(reader);
  const dim = reader.positiveInteger("hidden_size");
  const nHeads = reader.positiveInteger("num_attention_heads");
  if (reader.value("head_dim") === undefined && dim % nHeads !== 0) {
    reader.refuse(`hidden_size (${dim}) is not a multiple of num_attention_heads (${nHeads})`);
  }
  const headDim = reader.positiveInteger("head_dim", dim / nHeads);
  const config: TrilmConfig = {
    dim,
    hiddenDim: reader.positiveInteger("intermediate_size"),
    nLayers: reader.positiveInteger("num_hidden_layers"),
    nHeads,
    nKvHeads: reader.positiveInteger("num_key_value_heads", nHeads),
    headDim,
    vocabSize: reader.positiveInteger("vocab_size"),
    contextLength: reader.positiveInteger("max_position_embeddings"),
    normEps: Math.fround(reader.positiveNumber("rms_norm_eps")),
    ropeTheta: Math.fround(reader.positiveNumber("rope_theta", 10000)),
    ropeDim: headDim,
    ropeStyle,
    ...(architecture === "bitnet"
      ? { architecture, ffnActivation: hfBitnetActivation(configFile, reader.value("hidden_act")) }
      : {}),
  };
  const problems = configProblems(config);
  if (problems.length > 0) throw new InputError(configFile, `inconsistent llama hyper-parameters: ${problems[0]}`);
  const tiedEmbeddings = reader.boolean("tie_word_embeddings", false);
  if (architecture === "llama") return { config, tiedEmbeddings };
  return { config, tiedEmbeddings, scaleConvention: hfBitnetScaleConvention(configFile, json.quantization_config) };
}

/**
 * A checkpoint from its parsed config and safetensors files: every tensor by name.
 * InputError when a tensor name is in two files.
 */
export function hfCheckpoint(
  name: string,
  configFile: string,
  config: unknown,
  files: readonly SafetensorsFile<SafetensorsStoredDtype>[],
): HfCheckpoint {
  const tensors = new Map<string, HfTensor>();
  for (const file of files) {
    for (const tensor of file.tensors.values()) {
      const earlier = tensors.get(tensor.name);
      if (earlier !== undefined) throw new InputError(file.name, `tensor '${tensor.name}' is also in ${earlier.file}`);
      tensors.set(tensor.name, { file: file.name, tensor });
    }
  }
  return { name, configFile, config, files, tensors };
}

/** A 2-D float checkpoint tensor as a PackedMatrix (rows = shape[0] = out, cols = shape[1] = in), its bytes shared. */
export function packedMatrixOf(tensor: SafetensorsTensor<SafetensorsStoredDtype>): PackedMatrix {
  if (tensor.shape.length !== 2)
    throw new RangeError(`tensor '${tensor.name}' has ${tensor.shape.length} dimensions, not 2`);
  if (!isSafetensorsDtype(tensor.dtype))
    throw new RangeError(`tensor '${tensor.name}' has dtype ${tensor.dtype}, not a float type`);
  return { type: ggmlTypeOfDtype(tensor.dtype), rows: tensor.shape[0], cols: tensor.shape[1], data: tensor.data };
}

/** The float dtype of a checkpoint tensor; InputError naming its file for another (a BitNet checkpoint's U8). */
export function floatTensorDtype({ file, tensor }: HfTensor): SafetensorsDtype {
  if (!isSafetensorsDtype(tensor.dtype))
    throw new InputError(file, `tensor '${tensor.name}' has dtype ${tensor.dtype}, expected F32, F16 or BF16`);
  return tensor.dtype;
}

/** `matrix` with its rows reordered: row r of the result is row source[r] of `matrix`. */
export function permuteRows(matrix: PackedMatrix, source: Int32Array): PackedMatrix {
  const rowBytes = packedRowBytes(matrix);
  const data = new Uint8Array(matrix.data.length);
  source.forEach((from, to) => data.set(matrix.data.subarray(from * rowBytes, (from + 1) * rowBytes), to * rowBytes));
  return { ...matrix, data };
}

/** Reads the llama tensors of one checkpoint, each problem an InputError. */
class TensorReader {
  constructor(private readonly checkpoint: HfCheckpoint) {}

  /** The tensor `name` with shape `shape`. */
  require(name: string, shape: readonly number[], meaning: string): SafetensorsTensor<SafetensorsStoredDtype> {
    const found = this.checkpoint.tensors.get(name);
    if (found === undefined) throw new InputError(this.checkpoint.name, `missing tensor '${name}'`);
    const { tensor } = found;
    const same = tensor.shape.length === shape.length && tensor.shape.every((n, i) => n === shape[i]);
    if (!same) {
      throw new InputError(
        found.file,
        `tensor '${name}' has shape [${tensor.shape.join(", ")}], expected [${shape.join(", ")}] (${meaning}) from ${this.checkpoint.configFile}`,
      );
    }
    return tensor;
  }

  /** A weight matrix [out, in], kept packed. */
  matrix(name: string, rows: number, cols: number): PackedMatrix {
    const tensor = this.require(name, [rows, cols], "[out, in]");
    if (!isSafetensorsDtype(tensor.dtype))
      throw new InputError(
        this.entry(name).file,
        `tensor '${name}' has dtype ${tensor.dtype}, expected F32, F16 or BF16`,
      );
    return packedMatrixOf(tensor);
  }

  /** A norm weight, decoded to float32. */
  vector(name: string, n: number, meaning = "[hidden_size]"): Float32Array {
    const tensor = this.require(name, [n], meaning);
    if (!isSafetensorsDtype(tensor.dtype))
      throw new InputError(
        this.entry(name).file,
        `tensor '${name}' has dtype ${tensor.dtype}, expected F32, F16 or BF16`,
      );
    return dequantizeRow(ggmlTypeOfDtype(tensor.dtype), tensor.data, n);
  }

  /** The tensor `name` and its file, for readers that check it themselves. */
  entry(name: string): HfTensor {
    const found = this.checkpoint.tensors.get(name);
    if (found === undefined) throw new InputError(this.checkpoint.name, `missing tensor '${name}'`);
    return found;
  }
}

/** Refuse tensors the llama forward pass would silently ignore (biases, extra norms, layers beyond num_hidden_layers). */
function rejectUnknownTensors(checkpoint: HfCheckpoint, config: TrilmConfig): void {
  const known = new Set(HF_GLOBAL_TENSORS.keys());
  for (let l = 0; l < config.nLayers; l++) {
    for (const role of Object.keys(HF_LAYER_TENSORS) as LlamaLayerTensor[]) known.add(hfLayerTensorName(l, role));
    if (config.architecture !== "bitnet") continue;
    for (const role of HF_BITNET_LINEARS) known.add(hfBitnetScaleName(l, role));
    known.add(hfBitnetSubNormName(l, "attn")).add(hfBitnetSubNormName(l, "ffn"));
  }
  for (const [name, { file }] of checkpoint.tensors) {
    if (!known.has(name) && !IGNORED_TENSOR.test(name)) {
      throw new InputError(
        file,
        `unsupported tensor '${name}' (the oracle runs plain llama blocks: no biases, no extra norms, ${config.nLayers} layers)`,
      );
    }
  }
}

/** The seven linear layers, each with a packed weight and a `weight_scale` in a BitNet checkpoint. */
const HF_BITNET_LINEARS: readonly LinearName[] = ["wq", "wk", "wv", "wo", "wGate", "wUp", "wDown"];

/** The Hugging Face name of BitNet layer `layer`'s `weight_scale` of linear `role`. */
function hfBitnetScaleName(layer: number, role: LinearName): string {
  return `model.layers.${layer}.${HF_LAYER_TENSORS[role]}.weight_scale`;
}

/** The Hugging Face name of BitNet layer `layer`'s sub-norm (BitNetAttention.attn_sub_norm, BitNetMLP.ffn_sub_norm). */
function hfBitnetSubNormName(layer: number, which: "attn" | "ffn"): string {
  return which === "attn"
    ? `model.layers.${layer}.self_attn.attn_sub_norm.weight`
    : `model.layers.${layer}.mlp.ffn_sub_norm.weight`;
}

/**
 * Reads layer `l`'s linear `role` as [rows, cols]: a float matrix (llama), or, with a BitNet scale convention, the
 * packed weight as TQ2_0 with its output scale (src/model/hf-bitnet.ts).
 */
function linearReader(reader: TensorReader, l: number, convention: HfBitnetScaleConvention | undefined) {
  const scales: Partial<Record<LinearName, LinearOutputScale>> = {};
  const read = (role: LinearName, rows: number, cols: number): PackedMatrix => {
    const name = hfLayerTensorName(l, role);
    if (convention === undefined) return reader.matrix(name, rows, cols);
    const linear = hfBitnetLinear(reader.entry(name), reader.entry(hfBitnetScaleName(l, role)), rows, cols, convention);
    scales[role] = linear.scale;
    return linear.matrix;
  };
  return { read, scales };
}

/** The tensors of layer `l`, q/k permuted for "adjacent" RoPE; BitNet's sub-norms and output scales too. */
function hfLayer(
  reader: TensorReader,
  config: TrilmConfig,
  l: number,
  convention: HfBitnetScaleConvention | undefined,
): LayerWeights {
  const { dim, hiddenDim, headDim } = config;
  const qDim = config.nHeads * headDim;
  const kvDim = config.nKvHeads * headDim;
  const name = (role: LlamaLayerTensor) => hfLayerTensorName(l, role);
  const { read, scales } = linearReader(reader, l, convention);
  let wq = read("wq", qDim, dim);
  let wk = read("wk", kvDim, dim);
  if (config.ropeStyle === "adjacent") {
    wq = permuteRows(wq, ropePermutationHfToGguf(config.nHeads, headDim));
    wk = permuteRows(wk, ropePermutationHfToGguf(config.nKvHeads, headDim));
  }
  const layer: LayerWeights = {
    attnNorm: reader.vector(name("attnNorm"), dim),
    wq,
    wk,
    wv: read("wv", kvDim, dim),
    wo: read("wo", dim, qDim),
    ffnNorm: reader.vector(name("ffnNorm"), dim),
    wGate: read("wGate", hiddenDim, dim),
    wUp: read("wUp", hiddenDim, dim),
    wDown: read("wDown", dim, hiddenDim),
  };
  if (convention === undefined) return layer;
  return {
    ...layer,
    attnSubNorm: reader.vector(hfBitnetSubNormName(l, "attn"), qDim, "[num_attention_heads·head_dim]"),
    ffnSubNorm: reader.vector(hfBitnetSubNormName(l, "ffn"), hiddenDim, "[intermediate_size]"),
    outputScales: scales,
  };
}

/**
 * Config and packed weights of the llama or BitNet checkpoint, in either RoPE convention (see the module
 * comment); a BitNet checkpoint's linear weights as TQ2_0 with their weight_scale as output scales
 * (spec §10.5). The lm head is `lm_head.weight` unless the config ties it or the checkpoint has none;
 * then it is the token embedding (the same object). InputError for a bad config (naming
 * config.json), a missing tensor (naming the checkpoint), a tensor of the wrong shape or one llama
 * does not have (naming its file).
 */
export function modelFromHf(checkpoint: HfCheckpoint, options: HfLoadOptions): LoadedModel {
  const hf = hfLlamaConfig(checkpoint.configFile, checkpoint.config, options.ropeStyle);
  const { config, tiedEmbeddings, scaleConvention } = hf;
  rejectUnknownTensors(checkpoint, config);
  const reader = new TensorReader(checkpoint);
  const tokenEmbedding = reader.matrix("model.embed_tokens.weight", config.vocabSize, config.dim);
  const output =
    tiedEmbeddings || !checkpoint.tensors.has("lm_head.weight")
      ? tokenEmbedding
      : reader.matrix("lm_head.weight", config.vocabSize, config.dim);
  const layers = Array.from({ length: config.nLayers }, (_, l) => hfLayer(reader, config, l, scaleConvention));
  const outputNorm = reader.vector("model.norm.weight", config.dim);
  const weights: TrilmWeights = { tokenEmbedding, layers, outputNorm, output };
  return { config, weights };
}
