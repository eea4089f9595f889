/**
 * A BitNet model (from a Hugging Face BitNet folder, a llama.cpp `bitnet` GGUF or a bitnet.cpp I2_S GGUF) to a GGUF
 * file, losslessly or refused (browser-safe; src/cli/commands/convert.ts does the file I/O). Implements
 * spec/forward.md §17.8.
 *
 *   tq2_0, tq1_0  llama.cpp's bitnet architecture: `bitnet.*` keys, general.file_type 37 / 36, quantization version 2;
 *                 each linear layer its codes with block scale 1 (0 for an all-zero block) and, unless its scale is
 *                 exactly 1 "multiply", the F32 [1] tensor `blk.N.<linear>.scale` right after it
 *   i2_s          bitnet.cpp's converter (utils/convert-hf-to-gguf-bitnet.py, microsoft/BitNet 16da220a): architecture
 *                 "bitnet-b1.58" with its keys in the converter's order, general.file_type 40, no quantization version;
 *                 each linear layer I2_S, x86 layout, its scale in the tail; token_embd F16 (where float16 holds every
 *                 value; else its own float type)
 * Both: names as llama.cpp's, in the order of the Hugging Face names (sorted), norms and sub-norms F32, token_embd as
 * stored (i2_s: above), no output.weight (both runtimes tie the head), no tokenizer. Every scale is stored as a
 * multiplier: a "divide" scale converts only where its reciprocal is exact (bitnet-linears.ts).
 */

import {
  BitnetCppFileType,
  BitnetCppType,
  GgmlType,
  I2S_CODE_VALUES,
  dequantizeRow,
  f16BitsToF32,
  f32ToF16Bits,
  packI2s,
  quantizeRow,
} from "../../reference/codec/index.js";
import type { TrilmConfig } from "../../reference/model/config.js";
import { decodeMatrixRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LinearName } from "../../reference/model/weights.js";
import {
  GgufFile,
  QUANTIZATION_VERSION,
  f32Entry,
  stringEntry,
  u32Entry,
  type GgufKeyValue,
  type GgufTensor,
} from "../gguf/index.js";
import { CONVERT_FILE_TYPE } from "./convert.js";
import { bitnetLinears, BitnetConversionRefusal, scaleValueFor, type TernaryLinear } from "./bitnet-linears.js";
import { ggufHyperparameterMetadata, type LoadedModel } from "./gguf-model.js";
import { GGUF_LAYER_TENSORS, HF_LAYER_TENSORS } from "./hf-model.js";
import { BITNET_CPP_ARCHITECTURE, I2S_GGUF_LAYOUT } from "./i2s-linear.js";

/** The GGUF types a BitNet model converts to. */
export type BitnetGgufType = "tq2_0" | "tq1_0" | "i2_s";

/** All BitnetGgufTypes, in the order the CLI lists them. */
export const BITNET_GGUF_TYPES: readonly BitnetGgufType[] = ["tq2_0", "tq1_0", "i2_s"];

/** A tensor with the Hugging Face name that orders it. */
interface NamedTensor {
  readonly hfName: string;
  readonly tensor: GgufTensor;
}

/** "blk.0.attn_q": a linear layer as llama.cpp names it, for messages. */
export function ggufLinearLabel(layer: number, linear: LinearName): string {
  return `blk.${layer}.${GGUF_LAYER_TENSORS[linear]}.weight`;
}

/** Refuse what no BitNet GGUF holds: a llama model, an untied head. */
function requireBitnetModel(model: LoadedModel): void {
  if (model.config.architecture !== "bitnet")
    throw new BitnetConversionRefusal(
      "is a llama model, not BitNet (convert a TriLM folder with --type tq2_0|tq1_0|f16)",
    );
  if (model.weights.output !== model.weights.tokenEmbedding)
    throw new BitnetConversionRefusal(
      "has an lm head apart from the token embedding; llama.cpp's and bitnet.cpp's bitnet architectures tie them",
    );
}

/** Ternary codes as rows of `type` (TQ2_0 or TQ1_0), block scale 1: Uint8Array[rows · row bytes]. */
function tqData(linear: TernaryLinear, type: GgmlType): Uint8Array {
  return quantizeRow(type, Float32Array.from(linear.ternary));
}

/** Ternary codes as I2_S (x86 layout) with `scale` in its tail, or a refusal naming `label`: cols % 128 ≠ 0. */
function i2sData(linear: TernaryLinear, scale: number, label: string): Uint8Array {
  if (linear.cols % 128 !== 0)
    throw new BitnetConversionRefusal(
      `tensor '${label}' has ${linear.cols} columns; I2_S needs a multiple of 128 (its block)`,
    );
  const codes = Uint8Array.from(linear.ternary, (t) => I2S_CODE_VALUES.indexOf(t));
  return packI2s(I2S_GGUF_LAYOUT, linear, codes, scale);
}

/** The tensors of one linear layer in the target type. */
function linearTensors(hfName: string, name: string, linear: TernaryLinear, type: BitnetGgufType): NamedTensor[] {
  const scale = scaleValueFor(linear.scale, "multiply", name);
  const ne = [linear.cols, linear.rows];
  if (type === "i2_s")
    return [{ hfName, tensor: { name, type: BitnetCppType.I2_S, ne, data: i2sData(linear, scale, name) } }];
  const ggmlType = type === "tq2_0" ? GgmlType.TQ2_0 : GgmlType.TQ1_0;
  if (linear.cols % 256 !== 0)
    throw new BitnetConversionRefusal(
      `tensor '${name}' has ${linear.cols} columns; ${type.toUpperCase()} needs a multiple of 256 (its block)`,
    );
  const weight = { hfName, tensor: { name, type: ggmlType, ne, data: tqData(linear, ggmlType) } };
  if (scale === 1) return [weight];
  const scaleTensor = {
    name: name.replace(/\.weight$/, ".scale"),
    type: GgmlType.F32,
    ne: [1],
    data: quantizeRow(GgmlType.F32, Float32Array.of(scale)),
  };
  return [weight, { hfName: `${hfName}_scale`, tensor: scaleTensor }];
}

/** A norm weight as F32 [n]. */
function vectorTensor(hfName: string, name: string, values: Float32Array): NamedTensor {
  return { hfName, tensor: { name, type: GgmlType.F32, ne: [values.length], data: quantizeRow(GgmlType.F32, values) } };
}

/** Does float16 hold every value of `matrix`? */
function fitsF16(matrix: PackedMatrix): boolean {
  for (let r = 0; r < matrix.rows; r++)
    for (const v of decodeMatrixRow(matrix, r))
      if (f16BitsToF32(f32ToF16Bits(v)) !== v && !Number.isNaN(v)) return false;
  return true;
}

/** token_embd.weight: as stored, or (i2_s, like bitnet.cpp's converter) F16 where float16 holds every value. */
function embeddingTensor(matrix: PackedMatrix, type: BitnetGgufType): NamedTensor {
  const ne = [matrix.cols, matrix.rows];
  let tensor: GgufTensor = { name: "token_embd.weight", type: matrix.type, ne, data: matrix.data };
  if (type === "i2_s" && matrix.type !== GgmlType.F16 && fitsF16(matrix)) {
    const values = dequantizeRow(matrix.type, matrix.data, matrix.rows * matrix.cols);
    tensor = { ...tensor, type: GgmlType.F16, data: quantizeRow(GgmlType.F16, values) };
  }
  return { hfName: "model.embed_tokens.weight", tensor };
}

/** bitnet.cpp's converter's keys, in its order (Model.set_gguf_parameters, then BitnetModel's). */
function bitnetCppMetadata(config: TrilmConfig, name: string): GgufKeyValue[] {
  const key = (k: string) => `${BITNET_CPP_ARCHITECTURE}.${k}`;
  return [
    stringEntry("general.architecture", BITNET_CPP_ARCHITECTURE),
    stringEntry("general.name", name),
    u32Entry(key("block_count"), config.nLayers),
    u32Entry(key("context_length"), config.contextLength),
    u32Entry(key("embedding_length"), config.dim),
    u32Entry(key("feed_forward_length"), config.hiddenDim),
    u32Entry(key("attention.head_count"), config.nHeads),
    u32Entry(key("attention.head_count_kv"), config.nKvHeads),
    f32Entry(key("rope.freq_base"), config.ropeTheta),
    f32Entry(key("attention.layer_norm_rms_epsilon"), config.normEps),
    u32Entry("general.file_type", BitnetCppFileType.MOSTLY_I2_S),
    u32Entry(key("vocab_size"), config.vocabSize),
    u32Entry(key("rope.dimension_count"), config.ropeDim),
  ];
}

/** The keys of the target file. */
function metadataFor(config: TrilmConfig, type: BitnetGgufType, name: string): GgufKeyValue[] {
  if (type === "i2_s") return bitnetCppMetadata(config, name);
  return [
    ...ggufHyperparameterMetadata(config, name),
    u32Entry("general.file_type", CONVERT_FILE_TYPE[type]),
    u32Entry("general.quantization_version", QUANTIZATION_VERSION),
  ];
}

/**
 * `model` (BitNet) as a GGUF file of `type` named `outputName` with general.name `name` (see the module comment).
 * Throws BitnetConversionRefusal, one line naming the tensor, where the target cannot hold the model exactly.
 */
export function convertBitnetToGguf(
  model: LoadedModel,
  type: BitnetGgufType,
  outputName: string,
  name: string,
): GgufFile {
  requireBitnetModel(model);
  const { weights } = model;
  const linears = bitnetLinears(model, ggufLinearLabel);
  const tensors: NamedTensor[] = [
    embeddingTensor(weights.tokenEmbedding, type),
    vectorTensor("model.norm.weight", "output_norm.weight", weights.outputNorm),
  ];
  weights.layers.forEach((layer, l) => {
    const hf = (suffix: string) => `model.layers.${l}.${suffix}`;
    const gguf = (suffix: string) => `blk.${l}.${suffix}.weight`;
    tensors.push(vectorTensor(hf(`${HF_LAYER_TENSORS.attnNorm}.weight`), gguf("attn_norm"), layer.attnNorm));
    tensors.push(vectorTensor(hf(`${HF_LAYER_TENSORS.ffnNorm}.weight`), gguf("ffn_norm"), layer.ffnNorm));
    if (layer.attnSubNorm === undefined || layer.ffnSubNorm === undefined)
      throw new BitnetConversionRefusal(`layer ${l} has no sub-norms`);
    tensors.push(vectorTensor(hf("self_attn.attn_sub_norm.weight"), gguf("attn_sub_norm"), layer.attnSubNorm));
    tensors.push(vectorTensor(hf("mlp.ffn_sub_norm.weight"), gguf("ffn_sub_norm"), layer.ffnSubNorm));
    for (const [linear, ternary] of Object.entries(linears[l]) as [LinearName, TernaryLinear][]) {
      tensors.push(
        ...linearTensors(hf(`${HF_LAYER_TENSORS[linear]}.weight`), ggufLinearLabel(l, linear), ternary, type),
      );
    }
  });
  tensors.sort((a, b) => (a.hfName < b.hfName ? -1 : a.hfName > b.hfName ? 1 : 0));
  return GgufFile.create(
    outputName,
    metadataFor(model.config, type, name),
    tensors.map((t) => t.tensor),
  );
}
