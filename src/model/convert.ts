/**
 * A Hugging Face llama checkpoint to a GGUF file, as llama.cpp's `convert_hf_to_gguf.py --outtype
 * f16|tq1_0|tq2_0` lays it out (browser-safe; src/cli/commands/convert.ts does the file I/O):
 *
 *   keys     general.architecture "llama", general.name, llama.context_length, .embedding_length,
 *            .block_count, .feed_forward_length, .attention.head_count, .attention.head_count_kv,
 *            .rope.freq_base (f32), .attention.layer_norm_rms_epsilon (f32), .rope.dimension_count,
 *            .vocab_size, general.file_type (f16 1, tq1_0 36, tq2_0 37), general.quantization_version 2
 *   tensors  the names src/model/gguf-model.ts reads, in the order of the Hugging Face names
 *            (sorted, as safetensors lists them); q/k rows permuted for llama.cpp's adjacent-pair
 *            RoPE; norms F32; token_embd / output F16 (no output.weight when the embedding is tied);
 *            every other matrix the target type, or F16 where ne[0] % 256 != 0 (and for f16)
 *
 * Rows are encoded with the reference codec's quantizeRow (ggml's quantize_row_*_ref and fp16
 * conversion). No tokenizer is written. Every converted matrix is decoded again and compared with
 * its source: where a value changed, the conversion is lossy and a warning says why — for a
 * ternary matrix, usually a 256-block holding two shard scales (see ternary-detect.ts).
 */

import { GgmlType, dequantizeRow, ggmlTypeTraits, quantizeRow } from "../../reference/codec/index.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import { decodeMatrixRow } from "../../reference/model/packed-matrix.js";
import type { LlamaLayerTensor } from "../../reference/model/weights.js";
import { InputError } from "../errors.js";
import { invalidDataProblem } from "../gguf/data-validation.js";
import {
  GgufFile,
  QUANTIZATION_VERSION,
  u32Entry,
  type GgufKeyValue,
  type GgufTensor,
  type WithGgmlType,
} from "../gguf/index.js";
import { GGUF_LAYER_TENSORS, HF_LAYER_TENSORS, hfLayerTensorName, modelFromHf, type HfCheckpoint } from "./hf-model.js";
import { llamaHyperparameterMetadata, type LoadedModel } from "./gguf-model.js";
import { MAX_SHARD_SCALES, TERNARY_BLOCK_SIZE, detectTernary, type TernaryReport } from "./ternary-detect.js";

/** The output types `convert` writes (convert_hf_to_gguf.py's --outtype values the oracle implements). */
export type ConvertType = "f16" | "tq1_0" | "tq2_0";

/** All ConvertTypes, in the order the CLI lists them. */
export const CONVERT_TYPES: readonly ConvertType[] = ["tq2_0", "tq1_0", "f16"];

/** general.file_type (llama_ftype) of each output type: MOSTLY_F16 1, MOSTLY_TQ1_0 36, MOSTLY_TQ2_0 37. */
export const CONVERT_FILE_TYPE: Readonly<Record<ConvertType, number>> = { f16: 1, tq1_0: 36, tq2_0: 37 };

const GGML_TYPE_OF: Readonly<Record<ConvertType, GgmlType>> = {
  f16: GgmlType.F16,
  tq1_0: GgmlType.TQ1_0,
  tq2_0: GgmlType.TQ2_0,
};

/** What to write. */
export interface ConvertOptions {
  readonly type: ConvertType;
  /** general.name (convert_hf_to_gguf.py takes it from the folder's name). */
  readonly name: string;
}

/** One tensor written. */
export interface ConvertedTensor {
  /** Its Hugging Face name. */
  readonly hfName: string;
  /** Its GGUF name. */
  readonly name: string;
  readonly type: GgmlType;
  /** GGUF shape, innermost first. */
  readonly ne: readonly number[];
}

/** A tensor whose values changed in the conversion. */
export interface ConvertWarning {
  /** The safetensors file holding the source tensor. */
  readonly file: string;
  /** The source tensor's Hugging Face name. */
  readonly hfName: string;
  /** Why it is lossy, one line. */
  readonly problem: string;
}

/** The converted file and what happened on the way. */
export interface Conversion {
  readonly gguf: GgufFile;
  /** The tensors, in file order. */
  readonly tensors: readonly ConvertedTensor[];
  /** One per lossy tensor, in file order. */
  readonly warnings: readonly ConvertWarning[];
}

/** A tensor of the model before conversion. */
interface Source {
  readonly hfName: string;
  readonly name: string;
  readonly value: PackedMatrix | Float32Array;
  /** token_embd / output: F16 whatever the target. */
  readonly embedding?: boolean;
}

/** The model's tensors with their names, in Hugging Face name order. */
function sources({ weights }: LoadedModel): Source[] {
  const list: Source[] = [
    { hfName: "model.embed_tokens.weight", name: "token_embd.weight", value: weights.tokenEmbedding, embedding: true },
    { hfName: "model.norm.weight", name: "output_norm.weight", value: weights.outputNorm },
  ];
  if (weights.output !== weights.tokenEmbedding)
    list.push({ hfName: "lm_head.weight", name: "output.weight", value: weights.output, embedding: true });
  weights.layers.forEach((layer, l) => {
    for (const role of Object.keys(HF_LAYER_TENSORS) as LlamaLayerTensor[]) {
      list.push({
        hfName: hfLayerTensorName(l, role),
        name: `blk.${l}.${GGUF_LAYER_TENSORS[role]}.weight`,
        value: layer[role],
      });
    }
  });
  return list.sort((a, b) => (a.hfName < b.hfName ? -1 : a.hfName > b.hfName ? 1 : 0));
}

/** The type a matrix is written in (convert_hf_to_gguf.py's rules). */
function matrixType(source: Source, matrix: PackedMatrix, target: ConvertType): GgmlType {
  if (source.embedding === true || target === "f16") return GgmlType.F16;
  return matrix.cols % TERNARY_BLOCK_SIZE === 0 ? GGML_TYPE_OF[target] : GgmlType.F16;
}

/** All of `matrix` decoded to float32, row after row: Float32Array[rows · cols]. */
function decodeMatrix(matrix: PackedMatrix): Float32Array {
  const values = new Float32Array(matrix.rows * matrix.cols);
  for (let r = 0; r < matrix.rows; r++) values.set(decodeMatrixRow(matrix, r), r * matrix.cols);
  return values;
}

/** How many values differ between `a` and `b` (equal lengths). */
function changedCount(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) n++;
  return n;
}

/** "columns [0, 128) [128, 256)". */
function shardText(report: TernaryReport): string {
  if (report.layout === "rows" || report.layout === "columns") {
    return `${report.layout} ${report.shards.map((s) => `[${s.begin}, ${s.end})`).join(" ")}`;
  }
  return `${report.layout ?? "no"} layout`;
}

/** Why converting `matrix` to `typeName` changed `changed` values, one line. */
function lossReason(matrix: PackedMatrix, typeName: string, changed: number): string {
  const total = matrix.rows * matrix.cols;
  const values = `${changed} of ${total} values change`;
  if (typeName !== "tq1_0" && typeName !== "tq2_0")
    return `${values} in the conversion to ${typeName}; the conversion is lossy`;
  const report = detectTernary(matrix);
  if (!report.ternary)
    return `is not ternary (more than ${MAX_SHARD_SCALES} distinct magnitudes); ${values} in the conversion to ${typeName}`;
  if (report.straddlingBlocks > 0) {
    return (
      `${report.straddlingBlocks} of ${report.blocks} 256-element blocks hold two shard scales (${report.scales.join(", ")}; ${shardText(report)}); ` +
      `${typeName} keeps one scale per block, so ${values}: the conversion is lossy`
    );
  }
  return `${values} in the conversion to ${typeName} (a scale is not an fp16 value); the conversion is lossy`;
}

/** The GGUF tensor of one source, and a warning when its values changed. */
function convertSource(
  source: Source,
  target: ConvertType,
  files: ReadonlyMap<string, string>,
  outputName: string,
): { tensor: WithGgmlType<GgufTensor>; warning?: ConvertWarning } {
  const file = files.get(source.hfName) ?? outputName;
  let tensor: WithGgmlType<GgufTensor>;
  let warning: ConvertWarning | undefined;
  if (source.value instanceof Float32Array) {
    tensor = {
      name: source.name,
      type: GgmlType.F32,
      ne: [source.value.length],
      data: quantizeRow(GgmlType.F32, source.value),
    };
  } else {
    const matrix = source.value;
    const type = matrixType(source, matrix, target);
    const typeName = ggmlTypeTraits(type)?.name ?? String(type);
    let data = matrix.data;
    if (type !== matrix.type) {
      const values = decodeMatrix(matrix);
      data = quantizeRow(type, values);
      const changed = changedCount(values, dequantizeRow(type, data, values.length));
      if (changed > 0) warning = { file, hfName: source.hfName, problem: lossReason(matrix, typeName, changed) };
    }
    tensor = { name: source.name, type, ne: [matrix.cols, matrix.rows], data };
  }
  const problem = invalidDataProblem(tensor.type, tensor.data);
  if (problem !== undefined) {
    throw new InputError(
      file,
      `tensor '${source.hfName}' as ${ggmlTypeTraits(tensor.type)?.name} fails ggml's validation (${problem})`,
    );
  }
  return { tensor, warning };
}

/** The llama keys convert_hf_to_gguf.py writes for a model without a tokenizer. */
function llamaMetadata({ config }: LoadedModel, options: ConvertOptions): GgufKeyValue[] {
  return [
    ...llamaHyperparameterMetadata(config, options.name),
    u32Entry("general.file_type", CONVERT_FILE_TYPE[options.type]),
    u32Entry("general.quantization_version", QUANTIZATION_VERSION),
  ];
}

/**
 * Convert `checkpoint` to a GGUF file named `outputName` (see the module comment). InputError
 * where the checkpoint cannot be loaded (modelFromHf) or a converted tensor fails ggml's
 * validation (an infinity or NaN); lossy tensors are reported in `warnings`, not refused.
 */
export function convertHfCheckpoint(checkpoint: HfCheckpoint, outputName: string, options: ConvertOptions): Conversion {
  const model = modelFromHf(checkpoint, { ropeStyle: "adjacent" });
  if (model.config.architecture === "bitnet")
    throw new InputError(
      checkpoint.name,
      "is a BitNet checkpoint: its sub-norms and weight_scale have no llama GGUF tensors",
    );
  const metadata = llamaMetadata(model, options);
  const files = new Map([...checkpoint.tensors].map(([name, t]) => [name, t.file]));
  const tensors: GgufTensor[] = [];
  const warnings: ConvertWarning[] = [];
  const converted: ConvertedTensor[] = [];
  for (const source of sources(model)) {
    const { tensor, warning } = convertSource(source, options.type, files, outputName);
    tensors.push(tensor);
    converted.push({ hfName: source.hfName, name: tensor.name, type: tensor.type, ne: tensor.ne });
    if (warning !== undefined) warnings.push(warning);
  }
  return { gguf: GgufFile.create(outputName, metadata, tensors), tensors: converted, warnings };
}
