/**
 * llama-quantize to TQ1_0 or TQ2_0, reproduced: the same tensor types, the same tensor order,
 * the same metadata edits and the same bytes, so the whole output file can be compared with
 * llama.cpp's byte for byte. Implements spec/gguf.md §8.
 */

import { GgmlType, ggmlTypeTraits, quantizeRow, type GgmlTypeTraits } from "../../reference/codec/index.js";
import { InputError, UsageError } from "../errors.js";
import { invalidDataProblem } from "./data-validation.js";
import { GgufFile, type GgufTensor, type GgufTensorInfo } from "./gguf-file.js";
import {
  ggmlDimensionCount,
  ggmlTypeName,
  llamaQuantizeType,
  type TensorTypeContext,
  type TernaryTarget,
} from "./quantize-policy.js";
import { tensorToFloat32 } from "./tensor-data.js";
import { requireGgmlType, type WithGgmlType } from "./tensor-type.js";
import { compareWeightNames } from "./tensor-order.js";
import { GgufValueType, type GgufKeyValue } from "./value.js";

export type { TernaryTarget } from "./quantize-policy.js";

/** Per-tensor type choices llama-quantize takes as --token-embedding-type and --output-tensor-type. */
export interface QuantizeOptions {
  /** Type for `token_embd.weight`; without it llama-quantize's choice: q4_K (q6_K, the output's type, when tied). */
  readonly tokenEmbeddingType?: GgmlType;
  /** Type for `output.weight`; without it llama-quantize's choice: q6_K (q8_0 when ne[0] is not a multiple of 256). */
  readonly outputTensorType?: GgmlType;
}

/** llama_ftype written as `general.file_type`: LLAMA_FTYPE_MOSTLY_TQ1_0 = 36, LLAMA_FTYPE_MOSTLY_TQ2_0 = 37 (llama.h). Spec §8. */
export const LLAMA_FILE_TYPE: Readonly<Record<TernaryTarget, number>> = { [GgmlType.TQ1_0]: 36, [GgmlType.TQ2_0]: 37 };

/** GGML_QNT_VERSION, written as `general.quantization_version`. Spec §8. */
export const QUANTIZATION_VERSION = 2;

/** Keys of a split model that llama-quantize removes from its (single-file) output. */
const SPLIT_KEYS = new Set(["split.no", "split.count", "split.tensors.count"]);

/** Types trilm quantize writes byte for byte as ggml_quantize_chunk does (llama-quantize aborts on q8_K). */
const WRITABLE_TYPES = new Set([
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q8_0,
  GgmlType.Q4_0,
  GgmlType.Q4_K,
  GgmlType.TQ1_0,
  GgmlType.TQ2_0,
]);

/** ggml_is_quantized: block types, which llama-quantize refuses to requantize by default. */
const QUANTIZED_TYPES = new Set([GgmlType.Q8_0, GgmlType.Q8_K, GgmlType.TQ1_0, GgmlType.TQ2_0]);

/** The metadata llama-quantize writes: the input's, then quantization_version and file_type moved to the end, split keys dropped. Spec §8. */
export function llamaQuantizeMetadata(metadata: readonly GgufKeyValue[], target: TernaryTarget): GgufKeyValue[] {
  const set = (entries: GgufKeyValue[], key: string, value: number): GgufKeyValue[] => [
    ...entries.filter((kv) => kv.key !== key),
    { key, value: { type: GgufValueType.UINT32, value } },
  ];
  const withVersion = set([...metadata], "general.quantization_version", QUANTIZATION_VERSION);
  const withFileType = set(withVersion, "general.file_type", LLAMA_FILE_TYPE[target]);
  return withFileType.filter((kv) => !SPLIT_KEYS.has(kv.key));
}

function checkRequest(target: TernaryTarget, options: QuantizeOptions): void {
  if (target !== GgmlType.TQ1_0 && target !== GgmlType.TQ2_0) {
    throw new UsageError(`quantize target must be tq1_0 or tq2_0, not ${ggmlTypeName(target)}`);
  }
  for (const [option, type] of Object.entries(options)) {
    if (type !== undefined && !WRITABLE_TYPES.has(type)) {
      throw new UsageError(
        `${option} ${ggmlTypeName(type)}: trilm quantize can only write f32, f16, bf16, q8_0, q4_0, q4_K, tq1_0 or tq2_0 tensors`,
      );
    }
  }
}

function contextFor(input: GgufFile, target: TernaryTarget, options: QuantizeOptions): TensorTypeContext {
  const architecture = input.getString("general.architecture") ?? "";
  return {
    fileName: input.name,
    target,
    tokenEmbeddingType: options.tokenEmbeddingType,
    outputTensorType: options.outputTensorType,
    architecture,
    expertCount: input.getUint32(`${architecture}.expert_count`) ?? 0,
    tiedEmbeddings: input.tensor("output.weight") === undefined,
  };
}

/** Which option would let the oracle write `name` when llama-quantize would pick a type the oracle lacks. */
function optionHint(name: string): string {
  if (name === "output.weight") return "; choose its type with outputTensorType";
  if (name.endsWith("token_embd.weight"))
    return "; choose its type with tokenEmbeddingType (or outputTensorType when there is no output.weight)";
  return "";
}

/** The traits of the type llama-quantize picks for `tensor`, which must be one the oracle implements. */
function chosenTraits(tensor: WithGgmlType<GgufTensorInfo>, ctx: TensorTypeContext): GgmlTypeTraits {
  const typeId = llamaQuantizeType(tensor.name, tensor.type, tensor.ne, ctx);
  const traits = ggmlTypeTraits(typeId);
  if (traits === undefined) {
    throw new InputError(
      ctx.fileName,
      `llama-quantize would store tensor '${tensor.name}' as ${ggmlTypeName(typeId)}, which the oracle does not implement${optionHint(tensor.name)}`,
    );
  }
  return traits;
}

/** Convert one tensor to `traits` as llama-quantize does: decode to f32, quantize, validate. */
function convertTensor(tensor: WithGgmlType<GgufTensorInfo>, traits: GgmlTypeTraits, fileName: string): Uint8Array {
  const from = ggmlTypeName(tensor.type);
  if (QUANTIZED_TYPES.has(tensor.type)) {
    throw new InputError(
      fileName,
      `tensor '${tensor.name}' is ${from}; llama-quantize does not requantize ${from} to ${traits.name} (without --allow-requantize)`,
    );
  }
  if (tensor.ne[0] % traits.blockSize !== 0) {
    throw new InputError(
      fileName,
      `tensor '${tensor.name}' has ${tensor.ne[0]} columns, not a multiple of the ${traits.name} block size ${traits.blockSize}`,
    );
  }
  const data = quantizeRow(traits.type, tensorToFloat32(tensor));
  const problem = invalidDataProblem(traits.type, data);
  if (problem !== undefined) {
    throw new InputError(
      fileName,
      `tensor '${tensor.name}' quantized to ${traits.name} fails ggml's validation (${problem}); llama-quantize stops here`,
    );
  }
  return data;
}

/** One output tensor: the input's bytes when the type is unchanged, converted bytes otherwise; ne as ggml writes it. */
function quantizeTensor(input: GgufTensorInfo, ctx: TensorTypeContext): GgufTensor {
  const tensor = requireGgmlType(ctx.fileName, input, "llama-quantize");
  const problem = invalidDataProblem(tensor.type, tensor.data);
  if (problem !== undefined) {
    throw new InputError(
      ctx.fileName,
      `tensor '${tensor.name}' has invalid data (${problem}); llama-quantize refuses to load it`,
    );
  }
  const traits = chosenTraits(tensor, ctx);
  const ne = tensor.ne.slice(0, ggmlDimensionCount(tensor.ne));
  const data = traits.type === tensor.type ? tensor.data : convertTensor(tensor, traits, ctx.fileName);
  return { name: tensor.name, type: traits.type, ne, data };
}

/**
 * Quantize a model to TQ1_0 or TQ2_0 as llama-quantize does (spec/gguf.md §8): tensors in llama's
 * weight_name_comparer order; 2-D+ weights to the target (ne[0] must be a multiple of 256, else
 * llama falls back to q4_0 and the oracle refuses); norms and other 1-D tensors unchanged;
 * `token_embd.weight` / `output.weight` to the given option types, else llama-quantize's defaults (q4_K / q6_K,
 * a tied token_embd q6_K; byte-identical, golden/external/llama-quantize); metadata copied with
 * `general.quantization_version` = 2 and `general.file_type` = 36 / 37 moved to the end.
 * Throws InputError (naming `input.name`) where llama-quantize would fail or would pick a type the
 * oracle does not implement, and UsageError for a target or option type llama-quantize cannot write.
 */
export function quantizeModel(input: GgufFile, target: TernaryTarget, options: QuantizeOptions = {}): GgufFile {
  checkRequest(target, options);
  const ctx = contextFor(input, target, options);
  const ordered = [...input.tensors].sort((a, b) => compareWeightNames(a.name, b.name));
  const tensors = ordered.map((tensor) => quantizeTensor(tensor, ctx));
  return GgufFile.create(input.name, llamaQuantizeMetadata(input.metadata, target), tensors);
}
