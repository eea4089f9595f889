/**
 * A BitNet model (from a llama.cpp `bitnet` GGUF, a bitnet.cpp I2_S GGUF or a Hugging Face BitNet folder) to a
 * Hugging Face BitNetForCausalLM folder's content, losslessly or refused (browser-safe; src/model/hf-bitnet-folder.ts
 * writes it). Implements spec/forward.md §17.8, spec/bitnet.md §7.
 *
 *   model.safetensors  every linear layer `<name>.weight` U8 [rows/4, cols] (transformers' pack_weights) and
 *                      `<name>.weight_scale` [1] in the chosen convention; embed_tokens, norms, sub-norms; sorted by name
 *   config.json        BitNetForCausalLM, the hyper-parameters, hidden_act (only from the caller: a GGUF records
 *                      none), tie_word_embeddings true, quantization_config {quant_method "bitnet", linear_class
 *                      "autobitlinear" (multiply) or "bitlinear" (divide), quantization_mode "offline"}
 *
 * Every float tensor is written BF16 where bfloat16 holds each of its values exactly, else as stored (F16) or F32, and
 * torch_dtype is "bfloat16" only when every float tensor is BF16 (transformers casts every parameter to it), else
 * "float32" (which holds F16 and BF16 exactly). The token embedding must be F32, F16 or BF16.
 */

import {
  GgmlType,
  bf16BitsToF32,
  dequantizeRow,
  f32ToBf16Bits,
  packHfBitnet,
  quantizeRow,
  type HfBitnetScaleConvention,
} from "../../reference/codec/index.js";
import type { FfnActivation, TrilmConfig } from "../../reference/model/config.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LinearName } from "../../reference/model/weights.js";
import { serializeSafetensors, type SafetensorsTensorInput } from "../safetensors/index.js";
import { bitnetLinears, BitnetConversionRefusal, scaleValueFor, type TernaryLinear } from "./bitnet-linears.js";
import type { LoadedModel } from "./gguf-model.js";
import { HF_LAYER_TENSORS } from "./hf-model.js";

/** What the Hugging Face folder needs that a GGUF file does not say. */
export interface HfBitnetTarget {
  /** How weight_scale is used: "multiply" (AutoBitLinear) or "divide" (BitLinear). Always explicit. */
  readonly weightScale: HfBitnetScaleConvention;
  /** hidden_act; required where the model's activation is not known from its source (a GGUF file). */
  readonly ffnActivation?: FfnActivation;
}

/** The folder's two files' contents. */
export interface HfBitnetFolder {
  /** config.json, to be written as JSON. */
  readonly config: Readonly<Record<string, unknown>>;
  /** model.safetensors. */
  readonly safetensors: Uint8Array;
}

/** "model.layers.0.self_attn.q_proj.weight": a linear layer as transformers names it, for messages. */
export function hfLinearLabel(layer: number, linear: LinearName): string {
  return `model.layers.${layer}.${HF_LAYER_TENSORS[linear]}.weight`;
}

/** Is every value exact in bfloat16? */
function fitsBf16(values: Float32Array): boolean {
  return values.every((v) => Number.isNaN(v) || bf16BitsToF32(f32ToBf16Bits(v)) === v);
}

/** Float values as BF16 where exact, else `fallback` (F32, or the stored F16). */
function floatTensor(
  name: string,
  shape: number[],
  values: Float32Array,
  fallback: "F32" | "F16" = "F32",
): SafetensorsTensorInput {
  if (fitsBf16(values)) return { name, dtype: "BF16", shape, data: quantizeRow(GgmlType.BF16, values) };
  const type = fallback === "F16" ? GgmlType.F16 : GgmlType.F32;
  return { name, dtype: fallback, shape, data: quantizeRow(type, values) };
}

/** model.embed_tokens.weight [vocab, dim], or a refusal for a type no safetensors dtype holds. */
function embeddingTensor(matrix: PackedMatrix): SafetensorsTensorInput {
  const name = "model.embed_tokens.weight";
  if (matrix.type !== GgmlType.F32 && matrix.type !== GgmlType.F16 && matrix.type !== GgmlType.BF16)
    throw new BitnetConversionRefusal(
      `tensor 'token_embd.weight' is ${GgmlType[matrix.type]}, which no safetensors dtype holds (F32, F16, BF16 only)`,
    );
  const values = dequantizeRow(matrix.type, matrix.data, matrix.rows * matrix.cols);
  return floatTensor(name, [matrix.rows, matrix.cols], values, matrix.type === GgmlType.F16 ? "F16" : "F32");
}

/** The packed weight and weight_scale of one linear layer. */
function linearTensors(
  label: string,
  linear: TernaryLinear,
  convention: HfBitnetScaleConvention,
): SafetensorsTensorInput[] {
  if (linear.rows % 4 !== 0)
    throw new BitnetConversionRefusal(
      `tensor '${label}' has ${linear.rows} output rows, not a multiple of 4: transformers' pack_weights cannot hold it`,
    );
  const scale = scaleValueFor(linear.scale, convention, label);
  return [
    {
      name: label,
      dtype: "U8",
      shape: [linear.rows / 4, linear.cols],
      data: packHfBitnet(linear.ternary, linear.rows, linear.cols),
    },
    floatTensor(`${label}_scale`, [1], Float32Array.of(scale)),
  ];
}

/** The shortest decimal that float32 rounds to `value` (a config.json number that reads back to the same float32). */
function shortestF32(value: number): number {
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** config.json of the folder. */
function hfConfig(
  config: TrilmConfig,
  ffnActivation: FfnActivation,
  convention: HfBitnetScaleConvention,
  torchDtype: string,
): Record<string, unknown> {
  return {
    architectures: ["BitNetForCausalLM"],
    model_type: "bitnet",
    hidden_size: config.dim,
    intermediate_size: config.hiddenDim,
    num_hidden_layers: config.nLayers,
    num_attention_heads: config.nHeads,
    num_key_value_heads: config.nKvHeads,
    ...(config.headDim * config.nHeads !== config.dim ? { head_dim: config.headDim } : {}),
    vocab_size: config.vocabSize,
    hidden_act: ffnActivation,
    max_position_embeddings: config.contextLength,
    rms_norm_eps: shortestF32(config.normEps),
    rope_theta: shortestF32(config.ropeTheta),
    tie_word_embeddings: true,
    torch_dtype: torchDtype,
    quantization_config: {
      quant_method: "bitnet",
      linear_class: convention === "multiply" ? "autobitlinear" : "bitlinear",
      quantization_mode: "offline",
    },
  };
}

/**
 * `model` (BitNet, lm head tied) as a Hugging Face BitNet folder (see the module comment). `activationKnown`: whether
 * the model's FFN activation came from its source (a Hugging Face config) rather than a default; where it did not,
 * `target.ffnActivation` is required. Throws BitnetConversionRefusal, one line naming the tensor or option, where
 * the folder cannot hold the model exactly.
 */
export function convertBitnetToHf(
  model: LoadedModel,
  target: HfBitnetTarget,
  activationKnown: boolean,
): HfBitnetFolder {
  const { config, weights } = model;
  if (config.architecture !== "bitnet")
    throw new BitnetConversionRefusal("is a llama model, not BitNet: --type hf-bitnet writes BitNet folders");
  if (weights.output !== weights.tokenEmbedding)
    throw new BitnetConversionRefusal("has an lm head apart from the token embedding; the folder ties them");
  const ffnActivation = target.ffnActivation ?? (activationKnown ? config.ffnActivation : undefined);
  if (ffnActivation === undefined)
    throw new BitnetConversionRefusal(
      "records no FFN activation (GGUF has no key for it): name hidden_act with --ffn-activation relu2|silu",
    );
  const linears = bitnetLinears(model, hfLinearLabel);
  const tensors: SafetensorsTensorInput[] = [
    embeddingTensor(weights.tokenEmbedding),
    floatTensor("model.norm.weight", [config.dim], weights.outputNorm),
  ];
  weights.layers.forEach((layer, l) => {
    const name = (suffix: string) => `model.layers.${l}.${suffix}`;
    tensors.push(floatTensor(name(`${HF_LAYER_TENSORS.attnNorm}.weight`), [config.dim], layer.attnNorm));
    tensors.push(floatTensor(name(`${HF_LAYER_TENSORS.ffnNorm}.weight`), [config.dim], layer.ffnNorm));
    if (layer.attnSubNorm === undefined || layer.ffnSubNorm === undefined)
      throw new BitnetConversionRefusal(`layer ${l} has no sub-norms`);
    tensors.push(floatTensor(name("self_attn.attn_sub_norm.weight"), [layer.attnSubNorm.length], layer.attnSubNorm));
    tensors.push(floatTensor(name("mlp.ffn_sub_norm.weight"), [layer.ffnSubNorm.length], layer.ffnSubNorm));
    for (const [linear, ternary] of Object.entries(linears[l]) as [LinearName, TernaryLinear][])
      tensors.push(...linearTensors(hfLinearLabel(l, linear), ternary, target.weightScale));
  });
  tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const torchDtype = tensors.every((t) => t.dtype === "BF16" || t.dtype === "U8") ? "bfloat16" : "float32";
  return {
    config: hfConfig(config, ffnActivation, target.weightScale, torchDtype),
    safetensors: serializeSafetensors(tensors, { format: "pt" }),
  };
}
