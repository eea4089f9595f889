/**
 * Random TriLMs of the published shapes, deterministic in a seed: GGUF files of the llama
 * architecture that llama.cpp and the oracle load alike, for tests, benchmarks and the embedded
 * default model.
 *
 * Per decoder layer, each of the seven matrices W: [rows = out, cols = in] is ternary × one scale
 * per model-parallel shard, as the released TriLM weights are (spec/forward.md §3, §10.3):
 *
 *   trit   0 with probability 0.4, −1 and +1 with 0.3 each
 *   shards column-parallel q, k, v, gate, up: `modelParallel` contiguous ranges of output rows;
 *          row-parallel o, down: contiguous ranges of input columns whose boundaries are multiples
 *          of 256, so no TQ1_0/TQ2_0 block straddles two scales and TQ conversion is lossless
 *   scale  s_k = fp16(GAIN / √cols · (0.75 + 0.5·u)), u uniform — the size of a trained absmean
 *          scale. With P(±1) = 0.6, W·x has per-element variance 0.6·GAIN²·(0.75..1.25)²·mean(x²):
 *          GAIN = 1.25 keeps a unit-RMS input (what RMSNorm hands every matrix) at RMS ≈ 1.
 *
 * token_embd and output are F16 (untied): normal-ish values with standard deviations EMBEDDING_STD
 * and OUTPUT_GAIN/√dim (logits of standard deviation ≈ OUTPUT_GAIN). Norm weights are F32,
 * 1 + 0.1·normal-ish. Every tensor draws from its own mulberry32 stream, seeded by the model seed
 * and the tensor's name, so a tensor's values do not depend on the order tensors are built in.
 * Normal-ish numbers are Irwin–Hall sums of four uniforms (only + and ×: the same bits in every
 * engine), so a (preset, seed, type) gives the same bytes everywhere.
 *
 * A preset of the bitnet architecture (BITNET_PRESETS, spec/forward.md §17) gives llama.cpp's bitnet file instead:
 * `bitnet.*` keys, attn_sub_norm [nHeads·headDim] and ffn_sub_norm [hiddenDim] (F32, like the norms), no
 * output.weight (llama.cpp ties the head to token_embd), and with `scaleTensors` each matrix stored as its trits
 * (scale 1) beside the F32 [1] tensor `blk.N.<linear>.scale` holding its scale s — the same draws, so the same
 * trits and scales as the file without them.
 *
 * Files are described tensor by tensor with lazily generated rows (`planRandomTrilm`), so the
 * largest preset can be streamed to disk (src/model/stream-gguf.ts) without holding it in memory;
 * `randomTrilm` builds the whole GgufFile for the small ones.
 */

import {
  dequantizeRow,
  f32ToF16Bits,
  GgmlType,
  ggmlTypeTraits,
  isF16Subnormal,
  quantizeRow,
  roundToF16,
  rowByteSize,
} from "../../reference/codec/index.js";
import type { TrilmConfig } from "../../reference/model/config.js";
import { findPreset, TRILM_PRESET_NAMES, type TrilmPreset } from "../../reference/model/presets.js";
import { UsageError } from "../errors.js";
import {
  compareWeightNames,
  GgufFile,
  GgufValueType,
  stringEntry,
  u32Entry,
  type GgufKeyValue,
  type GgufTensor,
} from "../gguf/index.js";
import { ggufHyperparameterMetadata } from "./gguf-model.js";
import { deriveSeed, mulberry32, normalish } from "../random/index.js";

/** The weight types a random model's ternary matrices can be stored as. */
export type RandomModelType = "tq2_0" | "tq1_0" | "f16";

/** All random-model types, default first. */
export const RANDOM_MODEL_TYPES: readonly RandomModelType[] = ["tq2_0", "tq1_0", "f16"];

/** ggml type of the ternary matrices for each random-model type. */
const MATRIX_TYPE: Readonly<Record<RandomModelType, GgmlType>> = {
  tq2_0: GgmlType.TQ2_0,
  tq1_0: GgmlType.TQ1_0,
  f16: GgmlType.F16,
};

/** `general.file_type` (llama_ftype): LLAMA_FTYPE_MOSTLY_F16 = 1, TQ1_0 = 36, TQ2_0 = 37 (llama.h). */
const LLAMA_FILE_TYPE: Readonly<Record<RandomModelType, number>> = { f16: 1, tq1_0: 36, tq2_0: 37 };

/** GGML_QNT_VERSION, written as `general.quantization_version` (convert_hf_to_gguf.py always writes it). */
const QUANTIZATION_VERSION = 2;

/** P(trit = 0). */
const ZERO_PROBABILITY = 0.4;
/** Scale of a ternary matrix: GAIN/√fan_in times a factor in [0.75, 1.25). See the module comment. */
const GAIN = 1.25;
/** Standard deviation of the token embedding's entries. */
const EMBEDDING_STD = 1;
/** The lm head's entries have standard deviation OUTPUT_GAIN/√dim: logits of standard deviation ≈ OUTPUT_GAIN. */
const OUTPUT_GAIN = 2;
/** Norm weights are 1 + NORM_SPREAD·normal-ish. */
const NORM_SPREAD = 0.1;

/** One tensor of a planned file: its GGUF description and a generator of its rows' bytes. */
export interface PlannedTensor {
  readonly name: string;
  readonly type: GgmlType;
  /** GGUF shape, innermost first: a matrix is [cols, rows]. */
  readonly ne: readonly number[];
  /** Bytes of the whole tensor. */
  readonly byteSize: number;
  /** The tensor's bytes row by row (ne[1] rows of ne[0] elements; one row for a vector), generated on demand. */
  rows(): Iterable<Uint8Array>;
}

/** A GGUF file described but not yet built: metadata in file order and tensors in file order. */
export interface PlannedGguf {
  /** `general.name`: `TriLM-<preset>-random-seed<S>`. */
  readonly modelName: string;
  readonly metadata: readonly GgufKeyValue[];
  readonly tensors: readonly PlannedTensor[];
}

/** Whether a matrix's scale shards split its output rows (column-parallel) or its input columns (row-parallel). */
type ShardAxis = "rows" | "cols";

/** Options of a random model beyond preset, seed, type and vocabulary. */
export interface RandomModelOptions {
  /** bitnet presets only: store each matrix's scale in its own `.scale` tensor (spec/forward.md §17.2). */
  readonly scaleTensors?: boolean;
}

/** Validate and look up a preset given by name or object. */
function resolvePreset(preset: TrilmPreset | string): TrilmPreset {
  if (typeof preset !== "string") return preset;
  const found = findPreset(preset);
  if (found === undefined)
    throw new UsageError(`unknown preset '${preset}' (expected ${TRILM_PRESET_NAMES.join(", ")})`);
  return found;
}

/** Throw UsageError unless `seed` is an integer in 0..2^32−1. */
function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new UsageError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
}

/**
 * The start of each shard along an axis of `length` elements, plus `length` at the end. With
 * `blockAligned`, boundaries are multiples of 256 (whole TQ blocks); otherwise as even as possible.
 */
export function shardBoundaries(length: number, shards: number, blockAligned: boolean): number[] {
  const unit = blockAligned ? 256 : 1;
  const units = Math.floor(length / unit);
  if (units < shards)
    throw new RangeError(`cannot split ${length} into ${shards} shards of whole ${unit}-element units`);
  const bounds = Array.from({ length: shards }, (_, k) => Math.round((k * units) / shards) * unit);
  return [...bounds, length];
}

/** mp fp16-representable, normal (not subnormal) scales sized like trained absmean scales for fan-in `cols`. */
function drawScales(next: () => number, shards: number, cols: number): number[] {
  return Array.from({ length: shards }, () => {
    const scale = roundToF16((GAIN / Math.sqrt(cols)) * (0.75 + 0.5 * next()));
    if (!(scale > 0) || isF16Subnormal(f32ToF16Bits(scale)))
      throw new RangeError(`scale ${scale} is not a normal fp16 number`);
    return scale;
  });
}

/** A uniform u → trit: 0 with probability 0.4, −1 and +1 with 0.3 each. */
function trit(u: number): number {
  if (u < ZERO_PROBABILITY) return 0;
  return u < ZERO_PROBABILITY + (1 - ZERO_PROBABILITY) / 2 ? -1 : 1;
}

/** Throw unless `bytes` of `type` decode to exactly `values` (a ternary row × fp16 scales must convert losslessly). */
function assertLossless(
  type: GgmlType,
  bytes: Uint8Array,
  values: Float32Array,
  tensorName: string,
  row: number,
): void {
  const decoded = dequantizeRow(type, bytes, values.length);
  for (let c = 0; c < values.length; c++) {
    if (decoded[c] !== values[c]) {
      throw new Error(
        `random model: ${tensorName} row ${row} column ${c} is ${values[c]} but ${ggmlTypeTraits(type)?.name} stores ${decoded[c]}`,
      );
    }
  }
}

/**
 * A ternary matrix W: [rows, cols] × one scale per shard along `axis`, stored as `type`; with `unitScale` the
 * trits alone (the scales drawn but not applied: scaleTensor holds them). See the module comment.
 */
function plannedTernaryTensor(
  name: string,
  rows: number,
  cols: number,
  axis: ShardAxis,
  shards: number,
  type: GgmlType,
  seed: number,
  unitScale = false,
): PlannedTensor {
  const traits = ggmlTypeTraits(type);
  if (traits === undefined) throw new RangeError(`unknown ggml type ${type}`);
  const rowBytes = rowByteSize(traits, cols);
  return {
    name,
    type,
    ne: [cols, rows],
    byteSize: rows * rowBytes,
    *rows() {
      const next = mulberry32(deriveSeed(seed, name));
      const drawn = drawScales(next, shards, cols);
      const scales = unitScale ? drawn.map(() => 1) : drawn;
      const bounds = shardBoundaries(axis === "rows" ? rows : cols, shards, axis === "cols");
      const columnScale = new Float32Array(cols); // the scale of each column for row-parallel shards
      if (axis === "cols") for (let k = 0; k < shards; k++) columnScale.fill(scales[k], bounds[k], bounds[k + 1]);
      const values = new Float32Array(cols);
      let shard = 0;
      for (let r = 0; r < rows; r++) {
        if (axis === "rows") {
          while (r >= bounds[shard + 1]) shard++;
          const scale = scales[shard];
          for (let c = 0; c < cols; c++) values[c] = trit(next()) * scale;
        } else {
          for (let c = 0; c < cols; c++) values[c] = trit(next()) * columnScale[c];
        }
        const bytes = quantizeRow(type, values);
        assertLossless(type, bytes, values, name, r);
        yield bytes;
      }
    },
  };
}

/**
 * `blk.N.<linear>.scale`: F32 [1] holding the scale plannedTernaryTensor draws first from `weightName`'s stream
 * (one shard). Spec/forward.md §17.2.
 */
function scaleTensor(weightName: string, cols: number, seed: number): PlannedTensor {
  return {
    name: weightName.replace(/\.weight$/, ".scale"),
    type: GgmlType.F32,
    ne: [1],
    byteSize: 4,
    *rows() {
      yield quantizeRow(
        GgmlType.F32,
        Float32Array.of(drawScales(mulberry32(deriveSeed(seed, weightName)), 1, cols)[0]),
      );
    },
  };
}

/** A float matrix [rows, cols] of normal-ish values with standard deviation `std`, stored as F16 (rounded). */
function normalMatrix(name: string, rows: number, cols: number, std: number, seed: number): PlannedTensor {
  return {
    name,
    type: GgmlType.F16,
    ne: [cols, rows],
    byteSize: rows * cols * 2,
    *rows() {
      const next = mulberry32(deriveSeed(seed, name));
      const values = new Float32Array(cols);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) values[c] = normalish(next) * std;
        yield quantizeRow(GgmlType.F16, values);
      }
    },
  };
}

/** A norm weight: Float32 [n] of 1 + NORM_SPREAD·normal-ish. */
function normVector(name: string, n: number, seed: number): PlannedTensor {
  return {
    name,
    type: GgmlType.F32,
    ne: [n],
    byteSize: 4 * n,
    *rows() {
      const next = mulberry32(deriveSeed(seed, name));
      yield quantizeRow(
        GgmlType.F32,
        Float32Array.from({ length: n }, () => 1 + NORM_SPREAD * normalish(next)),
      );
    },
  };
}

/** The tensors of decoder layer `l` (bitnet: with the sub-norms and, with `scaleTensors`, the `.scale` tensors). */
function layerTensors(
  config: TrilmConfig,
  shards: number,
  type: GgmlType,
  seed: number,
  l: number,
  scaleTensors: boolean,
): PlannedTensor[] {
  const { dim, hiddenDim } = config;
  const qDim = config.nHeads * config.headDim;
  const kvDim = config.nKvHeads * config.headDim;
  const name = (tensor: string) => `blk.${l}.${tensor}.weight`;
  const matrix = (tensor: string, rows: number, cols: number, axis: ShardAxis): PlannedTensor[] => [
    plannedTernaryTensor(name(tensor), rows, cols, axis, shards, type, seed, scaleTensors),
    ...(scaleTensors ? [scaleTensor(name(tensor), cols, seed)] : []),
  ];
  const bitnet = config.architecture === "bitnet";
  return [
    normVector(name("attn_norm"), dim, seed),
    ...matrix("attn_q", qDim, dim, "rows"),
    ...matrix("attn_k", kvDim, dim, "rows"),
    ...matrix("attn_v", kvDim, dim, "rows"),
    ...(bitnet ? [normVector(name("attn_sub_norm"), qDim, seed)] : []),
    ...matrix("attn_output", dim, qDim, "cols"),
    normVector(name("ffn_norm"), dim, seed),
    ...matrix("ffn_gate", hiddenDim, dim, "rows"),
    ...matrix("ffn_up", hiddenDim, dim, "rows"),
    ...(bitnet ? [normVector(name("ffn_sub_norm"), hiddenDim, seed)] : []),
    ...matrix("ffn_down", dim, hiddenDim, "cols"),
  ];
}

/**
 * A placeholder SentencePiece-style vocabulary (as golden/external/llama/tiny-f32.gguf has), so
 * llama.cpp can load the file: <unk>, <s>, </s>, the 256 byte tokens <0x00>…<0xFF>, then tok0, tok1, ….
 */
function tokenizerMetadata(vocabSize: number): GgufKeyValue[] {
  const cached = TOKENIZER_CACHE.get(vocabSize);
  if (cached !== undefined) return cached;
  const metadata = buildTokenizerMetadata(vocabSize);
  TOKENIZER_CACHE.set(vocabSize, metadata);
  return metadata;
}

/** Placeholder vocabularies already built, by size (they are immutable; the 3.9b one has 50688 strings). */
const TOKENIZER_CACHE = new Map<number, GgufKeyValue[]>();

/** See tokenizerMetadata. */
function buildTokenizerMetadata(vocabSize: number): GgufKeyValue[] {
  const special = ["<unk>", "<s>", "</s>"];
  const tokens = Array.from({ length: vocabSize }, (_, i) => {
    if (i < special.length) return special[i];
    if (i < special.length + 256) return `<0x${(i - special.length).toString(16).toUpperCase().padStart(2, "0")}>`;
    return `tok${i - special.length - 256}`;
  });
  // llama_token_type: 1 normal, 2 unknown, 3 control, 6 byte
  const tokenTypes = Int32Array.from({ length: vocabSize }, (_, i) =>
    i === 0 ? 2 : i < special.length ? 3 : i < special.length + 256 ? 6 : 1,
  );
  return [
    stringEntry("tokenizer.ggml.model", "llama"),
    {
      key: "tokenizer.ggml.tokens",
      value: { type: GgufValueType.ARRAY, elementType: GgufValueType.STRING, values: tokens },
    },
    {
      key: "tokenizer.ggml.scores",
      value: { type: GgufValueType.ARRAY, elementType: GgufValueType.FLOAT32, values: new Float32Array(vocabSize) },
    },
    {
      key: "tokenizer.ggml.token_type",
      value: { type: GgufValueType.ARRAY, elementType: GgufValueType.INT32, values: tokenTypes },
    },
    u32Entry("tokenizer.ggml.bos_token_id", 1),
    u32Entry("tokenizer.ggml.eos_token_id", 2),
    u32Entry("tokenizer.ggml.unknown_token_id", 0),
  ];
}

/**
 * The metadata of a random model: the llama.* keys src/model/gguf-model.ts reads, file type, and
 * `vocabulary` (tokenizer.ggml.* keys for config.vocabSize tokens) or else the placeholder one.
 */
function modelMetadata(
  config: TrilmConfig,
  modelName: string,
  type: RandomModelType,
  vocabulary: readonly GgufKeyValue[] | undefined,
): GgufKeyValue[] {
  return [
    ...ggufHyperparameterMetadata(config, modelName),
    u32Entry("general.file_type", LLAMA_FILE_TYPE[type]),
    ...(vocabulary ?? tokenizerMetadata(config.vocabSize)),
    u32Entry("general.quantization_version", QUANTIZATION_VERSION),
  ];
}

/** `TriLM-<preset>-random-seed<S>` (bitnet presets: `BitNet-<preset>-random-seed<S>`): the model's `general.name`. */
export function randomModelName(preset: TrilmPreset, seed: number): string {
  return `${preset.config.architecture === "bitnet" ? "BitNet" : "TriLM"}-${preset.name}-random-seed${seed}`;
}

/**
 * A random TriLM of `preset`'s shape, described tensor by tensor (tensors in llama.cpp's
 * weight_name_comparer order, as llama-quantize writes them), with rows generated only when asked
 * for. `vocabulary`: the tokenizer.ggml.* keys to write (for the preset's vocabulary size, e.g.
 * src/tokenizer/cut-vocab.ts cutBpeVocabulary); without it, a placeholder SentencePiece vocabulary.
 * The weights do not depend on it. `options.scaleTensors`: a bitnet preset's `.scale` tensors.
 * Throws UsageError for an unknown preset name, a seed outside 0..2^32−1, or `.scale` tensors on a llama preset.
 */
export function planRandomTrilm(
  preset: TrilmPreset | string,
  seed: number,
  type: RandomModelType,
  vocabulary?: readonly GgufKeyValue[],
  options: RandomModelOptions = {},
): PlannedGguf {
  const resolved = resolvePreset(preset);
  checkSeed(seed);
  if (!RANDOM_MODEL_TYPES.includes(type))
    throw new UsageError(`type must be one of ${RANDOM_MODEL_TYPES.join(", ")}, got '${type}'`);
  const { config, modelParallel } = resolved;
  const bitnet = config.architecture === "bitnet";
  const scaleTensors = options.scaleTensors ?? false;
  if (scaleTensors && !bitnet)
    throw new UsageError(`.scale tensors are a bitnet feature; preset '${resolved.name}' is a llama model`);
  const matrixType = MATRIX_TYPE[type];
  const tensors: PlannedTensor[] = [
    normalMatrix("token_embd.weight", config.vocabSize, config.dim, EMBEDDING_STD, seed),
    normVector("output_norm.weight", config.dim, seed),
    // llama.cpp's bitnet graph ties the lm head to token_embd and refuses output.weight (spec/forward.md §17.5)
    ...(bitnet
      ? []
      : [normalMatrix("output.weight", config.vocabSize, config.dim, OUTPUT_GAIN / Math.sqrt(config.dim), seed)]),
  ];
  for (let l = 0; l < config.nLayers; l++)
    tensors.push(...layerTensors(config, modelParallel, matrixType, seed, l, scaleTensors));
  tensors.sort((a, b) => compareWeightNames(a.name, b.name));
  const modelName = randomModelName(resolved, seed);
  return { modelName, metadata: modelMetadata(config, modelName, type, vocabulary), tensors };
}

/** All of a planned tensor's rows in one buffer. */
export function materializeTensor(tensor: PlannedTensor): GgufTensor {
  const data = new Uint8Array(tensor.byteSize);
  let offset = 0;
  for (const row of tensor.rows()) {
    data.set(row, offset);
    offset += row.length;
  }
  if (offset !== tensor.byteSize)
    throw new Error(`tensor '${tensor.name}' produced ${offset} bytes, expected ${tensor.byteSize}`);
  return { name: tensor.name, type: tensor.type, ne: tensor.ne, data };
}

/**
 * A random TriLM of `preset`'s shape (a preset or its name: `tiny`, `99m`, … `3.9b`) as an
 * in-memory GGUF file, deterministic in `seed`: ternary matrices stored as `type` (tq2_0, tq1_0 or
 * f16), token embedding and output F16, norms F32, `general.name` = `TriLM-<preset>-random-seed<S>`; a bitnet
 * preset (`bitnet-tiny`) gives llama.cpp's bitnet file, with `.scale` tensors when `options.scaleTensors`.
 * Fine up to a few hundred MB; stream the large presets with writeRandomTrilm (stream-gguf.ts) instead.
 */
export function randomTrilm(
  preset: TrilmPreset | string,
  seed: number,
  type: RandomModelType,
  options: RandomModelOptions = {},
): GgufFile {
  const plan = planRandomTrilm(preset, seed, type, undefined, options);
  return GgufFile.create(plan.modelName, plan.metadata, plan.tensors.map(materializeTensor));
}
