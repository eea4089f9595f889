/**
 * A whole ternary model (a GGUF file or a Hugging Face folder) to TriRun's weights (browser-safe;
 * src/cli/commands/convert.ts does the file I/O). spec/trirun.md §10. The output folder:
 *
 *   model.safetensors   for every ternary linear layer `<layer>` (its source name without `.weight`):
 *                         <layer>.B   I32 [k/16, n]     packed codes (the buffers TriRun's `Layer` names B and s;
 *                         <layer>.s   F16 [groups, n]   `workspace` is implied by n and not stored)
 *                       every other tensor (token embedding, norms, output head) under its source name, copied
 *                       bit for bit when it is F32, F16 or BF16; a ggml block type (Q8_0, Q8_K) is skipped
 *                       with the reason, since no safetensors dtype holds its blocks
 *   trirun.json         TrirunModelDescription: the layers (k, n, group size, source tensor and type), what was
 *                       copied and skipped, the row order, the source's hyper-parameters
 *
 * Linear layers are the seven matrices of each block (GGUF attn_q/k/v/output, ffn_gate/up/down; Hugging Face
 * *_proj). TQ2_0 / TQ1_0 layers go through tqToTrirun, every other decodable type (F32, F16, BF16, Q8_0) through
 * ternaryValuesToTrirun on its decoded values. Names and order stay the source's: a GGUF file's q/k rows are
 * permuted for llama.cpp's RoPE relative to Hugging Face's, and trirun.json says which ("row_order").
 * All or nothing: when any layer cannot be held by TriRun, the conversion is refused with every such layer and why.
 */

import { GgmlType, dequantizeRow } from "../../reference/codec/index.js";
import {
  TrirunConversionError,
  ternaryValuesToTrirun,
  tqToTrirun,
  type TrirunGroupChoice,
} from "../../reference/codec/trirun-convert.js";
import { TrirunShapeError, packTrirun, type TrirunMatrix } from "../../reference/codec/trirun.js";
import { InputError } from "../errors.js";
import { GgufValueType, ggmlTypeName, requireGgmlType, type GgufFile, type GgufValue } from "../gguf/index.js";
import { ggmlTypeOfDtype, serializeSafetensors, type SafetensorsTensorInput } from "../safetensors/index.js";
import { floatTensorDtype, GGUF_LAYER_TENSORS, HF_LAYER_TENSORS, modelFromHf, type HfCheckpoint } from "./hf-model.js";
import { trirunSafetensorsTensors } from "./trirun-files.js";

/** The weights file of a TriRun model folder. */
export const TRIRUN_MODEL_FILE = "model.safetensors";

/** The description file of a TriRun model folder. */
export const TRIRUN_DESCRIPTION_FILE = "trirun.json";

/** trirun.json's `version`; a change to its keys or meaning increments it. */
export const TRIRUN_DESCRIPTION_VERSION = 1;

/** One TriRun layer of the folder. */
export interface TrirunModelLayer {
  /** Its tensors are `<name>.B` and `<name>.s`. */
  readonly name: string;
  readonly k: number;
  readonly n: number;
  /** -1 (one scale per output column) or 128. */
  readonly groupsize: -1 | 128;
  /** The source tensor's name and ggml type name (tq2_0, f16, …). */
  readonly source_tensor: string;
  readonly source_type: string;
}

/** A tensor copied unchanged. */
export interface TrirunModelCopiedTensor {
  readonly name: string;
  readonly dtype: "F32" | "F16" | "BF16";
  /** Outermost first. */
  readonly shape: readonly number[];
}

/** A tensor not written, and why. */
export interface TrirunModelSkippedTensor {
  readonly name: string;
  readonly source_type: string;
  readonly reason: string;
}

/** trirun.json. */
export interface TrirunModelDescription {
  readonly format: "trirun";
  readonly version: number;
  /** The weights file, beside trirun.json. */
  readonly weights: string;
  /** "gguf": q/k rows permuted for llama.cpp's adjacent-pair RoPE; "hf": as released (rotate-half RoPE). */
  readonly row_order: "gguf" | "hf";
  /** The source's hyper-parameters: a GGUF file's scalar metadata keys, or a Hugging Face config.json. */
  readonly source_config: unknown;
  readonly layers: readonly TrirunModelLayer[];
  readonly copied: readonly TrirunModelCopiedTensor[];
  readonly skipped: readonly TrirunModelSkippedTensor[];
}

/** The converted model: the bytes of model.safetensors, trirun.json's content, carried-over oddities. */
export interface TrirunModelConversion {
  readonly safetensors: Uint8Array;
  readonly description: TrirunModelDescription;
  /** One line each: "<tensor>: <warning>" (code-3 elements carried over). */
  readonly warnings: readonly string[];
}

/** A tensor of the source model: its bytes as stored, shape outermost first ([n, k] for a matrix). */
interface SourceTensor {
  readonly name: string;
  readonly type: GgmlType;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
  readonly linear: boolean;
  /** Why it is not written at all, if it is not. */
  readonly skip?: string;
}

/** Where the model comes from, for names and messages. */
interface SourceModel {
  /** The file or folder errors name. */
  readonly file: string;
  readonly rowOrder: "gguf" | "hf";
  readonly config: unknown;
  readonly tensors: readonly SourceTensor[];
}

const COPIED_DTYPES: ReadonlyMap<GgmlType, TrirunModelCopiedTensor["dtype"]> = new Map([
  [GgmlType.F32, "F32"],
  [GgmlType.F16, "F16"],
  [GgmlType.BF16, "BF16"],
]);

const LINEAR_ROLES = ["wq", "wk", "wv", "wo", "wGate", "wUp", "wDown"] as const;

/** blk.N.{attn_q,…,ffn_down}.weight */
const GGUF_LINEAR = new RegExp(`^blk\\.\\d+\\.(${LINEAR_ROLES.map((r) => GGUF_LAYER_TENSORS[r]).join("|")})\\.weight$`);

/** model.layers.N.{self_attn.q_proj,…,mlp.down_proj}.weight */
const HF_LINEAR = new RegExp(
  `^model\\.layers\\.\\d+\\.(${LINEAR_ROLES.map((r) => HF_LAYER_TENSORS[r].replace(".", "\\.")).join("|")})\\.weight$`,
);

/** Buffers some checkpoints carry that llama recomputes from the config. */
const HF_RECOMPUTED = /^model\.layers\.\d+\.self_attn\.rotary_emb\.inv_freq$/;

/** The layer name of a linear tensor: its name without `.weight`. */
function layerName(tensorName: string): string {
  return tensorName.replace(/\.weight$/, "");
}

/** The TriRun matrix of one linear source tensor, with its warnings; throws TrirunConversionError / TrirunShapeError. */
function linearToTrirun(
  tensor: SourceTensor,
  groupSize: TrirunGroupChoice,
): { matrix: TrirunMatrix; warnings: readonly string[] } {
  const [n, k] = tensor.shape;
  if (tensor.type === GgmlType.TQ2_0 || tensor.type === GgmlType.TQ1_0) {
    const format = tensor.type === GgmlType.TQ2_0 ? "tq2_0" : "tq1_0";
    const { result, warnings } = tqToTrirun({ format, k, n, data: tensor.data }, groupSize);
    return { matrix: result, warnings };
  }
  return {
    matrix: ternaryValuesToTrirun(dequantizeRow(tensor.type, tensor.data, n * k), n, k, groupSize),
    warnings: [],
  };
}

/** Convert `source` (see the module comment); InputError naming its file that lists every layer refused. */
function convertSourceModel(source: SourceModel, groupSize: TrirunGroupChoice): TrirunModelConversion {
  const outputs: SafetensorsTensorInput[] = [];
  const layers: TrirunModelLayer[] = [];
  const copied: TrirunModelCopiedTensor[] = [];
  const skipped: TrirunModelSkippedTensor[] = [];
  const warnings: string[] = [];
  const refusals: string[] = [];
  for (const tensor of source.tensors) {
    const typeName = ggmlTypeName(tensor.type);
    if (tensor.skip !== undefined) {
      skipped.push({ name: tensor.name, source_type: typeName, reason: tensor.skip });
      continue;
    }
    if (tensor.linear) {
      const described = `${tensor.name} (${typeName} [${tensor.shape.join(", ")}])`;
      try {
        const { matrix, warnings: found } = linearToTrirun(tensor, groupSize);
        const name = layerName(tensor.name);
        outputs.push(...trirunSafetensorsTensors(`${name}.`, packTrirun(matrix)));
        layers.push({
          name,
          k: matrix.k,
          n: matrix.n,
          groupsize: matrix.groupSize,
          source_tensor: tensor.name,
          source_type: typeName,
        });
        warnings.push(...found.map((w) => `${tensor.name}: ${w}`));
      } catch (error) {
        if (!(error instanceof TrirunConversionError || error instanceof TrirunShapeError)) throw error;
        refusals.push(`${described}: ${error.message}`);
      }
      continue;
    }
    const dtype = COPIED_DTYPES.get(tensor.type);
    if (dtype === undefined) {
      const reason = `${typeName} is a ggml block type; no safetensors dtype holds its blocks (decode it to f16/f32 first)`;
      skipped.push({ name: tensor.name, source_type: typeName, reason });
      continue;
    }
    outputs.push({ name: tensor.name, dtype, shape: tensor.shape, data: tensor.data });
    copied.push({ name: tensor.name, dtype, shape: tensor.shape });
  }
  const linearCount = source.tensors.filter((t) => t.linear).length;
  if (refusals.length > 0) {
    throw new InputError(
      source.file,
      `cannot convert to TriRun, nothing written: ${refusals.length} of ${linearCount} linear layers do not fit: ${refusals.join("; ")}`,
    );
  }
  if (linearCount === 0) throw new InputError(source.file, "has no linear layer (blk.N.attn_q.weight, …) to convert");
  const description: TrirunModelDescription = {
    format: "trirun",
    version: TRIRUN_DESCRIPTION_VERSION,
    weights: TRIRUN_MODEL_FILE,
    row_order: source.rowOrder,
    source_config: source.config,
    layers,
    copied,
    skipped,
  };
  const safetensors = serializeSafetensors(outputs, { format: "trirun", row_order: source.rowOrder });
  return { safetensors, description, warnings };
}

/** A GGUF scalar as JSON (u64/i64 as a decimal string); undefined for arrays (tokenizer vocabularies). */
function scalarJson(value: GgufValue): number | string | boolean | undefined {
  if (value.type === GgufValueType.ARRAY) return undefined;
  return typeof value.value === "bigint" ? value.value.toString() : value.value;
}

/**
 * The TriRun form of the model in a GGUF file (see the module comment): names and rows as in the file
 * (row_order "gguf"), source_config its scalar metadata keys. InputError naming the file when a layer is refused.
 */
export function convertGgufToTrirun(file: GgufFile, groupSize: TrirunGroupChoice): TrirunModelConversion {
  const config: Record<string, number | string | boolean> = {};
  for (const { key, value } of file.metadata) {
    const json = scalarJson(value);
    if (json !== undefined) config[key] = json;
  }
  const tensors = file.tensors
    .map((tensor) => requireGgmlType(file.name, tensor, "a TriRun conversion"))
    .map((t) => ({
      name: t.name,
      type: t.type,
      shape: [...t.ne].reverse(),
      data: t.data,
      linear: GGUF_LINEAR.test(t.name) && t.ne.length === 2,
    }));
  return convertSourceModel({ file: file.name, rowOrder: "gguf", config, tensors }, groupSize);
}

/**
 * The TriRun form of a Hugging Face checkpoint (see the module comment): names and rows as released
 * (row_order "hf"), source_config its config.json. The checkpoint is first checked as the oracle loads it
 * (modelFromHf), so a folder the oracle cannot run is refused with that reason. InputError naming the folder
 * when a layer is refused.
 */
export function convertHfToTrirun(checkpoint: HfCheckpoint, groupSize: TrirunGroupChoice): TrirunModelConversion {
  if (modelFromHf(checkpoint, { ropeStyle: "rotate-half" }).config.architecture === "bitnet")
    throw new InputError(
      checkpoint.name,
      "is a BitNet checkpoint: its sub-norms and weight_scale have no TriRun tensors",
    );
  const tensors = [...checkpoint.tensors.values()].map(({ file, tensor }) => ({
    name: tensor.name,
    type: ggmlTypeOfDtype(floatTensorDtype({ file, tensor })),
    shape: tensor.shape,
    data: tensor.data,
    linear: HF_LINEAR.test(tensor.name) && tensor.shape.length === 2,
    skip: HF_RECOMPUTED.test(tensor.name)
      ? "a buffer llama recomputes (convert_hf_to_gguf.py skips it too)"
      : undefined,
  }));
  return convertSourceModel({ file: checkpoint.name, rowOrder: "hf", config: checkpoint.config, tensors }, groupSize);
}
