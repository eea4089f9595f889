/**
 * Small random TriLM-shaped models, built in memory for the tests of reference/model
 * (spec/forward.md §1–§2).
 *
 *   const { config, weights, values } = tinyModel({ seed: 7, nKvHeads: 2, linearType: GgmlType.TQ2_0 });
 *
 * Every model is first drawn as float32 values (`ModelValues`), then packed (`packModel`). The
 * values are chosen so that every storage the tests use is LOSSLESS:
 * - the seven linear matrices of a layer are ternary × scale, t ∈ {−1, 0, +1}, with one
 *   fp16-representable scale per shard (spec §3, §10.3): column-parallel matrices (q, k, v, gate, up)
 *   get one scale per contiguous group of rows, row-parallel ones (o, down) one scale per contiguous
 *   group of columns when the group is a whole number of 256-blocks (else one scale per matrix). Every
 *   256-block of a row therefore has ONE scale and holds it as its absmax (at least one non-zero
 *   trit is forced), so TQ1_0, TQ2_0, F16 and F32 all decode to exactly these values (spec §10.4);
 * - embedding, output and norm weights are fp16-representable, so F16 or F32 storage is exact.
 * The same seed always gives the same model (a private mulberry32 generator).
 */

import { GgmlType, QK_K, roundToF16 } from "../../reference/codec/index.js";
import { mulberry32 } from "../../src/random/mulberry32.js";
import type { RopeStyle, TrilmConfig } from "../../reference/model/config.js";
import { packMatrix } from "../../reference/model/packed-matrix.js";
import { ropePermutationHfToGguf } from "../../reference/model/rope.js";
import type { LayerWeights, TrilmWeights } from "../../reference/model/weights.js";

/** What a test may choose about a tiny model; everything but the seed has a default. */
export interface TinyModelSpec {
  /** Seed of the private generator (any integer). */
  readonly seed: number;
  /** Hidden size (default 256; a multiple of 256 for TQ linear types). */
  readonly dim?: number;
  /** SwiGLU size (default 512; a multiple of 256 for TQ linear types). */
  readonly hiddenDim?: number;
  /** Decoder layers (default 2). */
  readonly nLayers?: number;
  /** Query heads (default 4, so headDim = dim / nHeads). */
  readonly nHeads?: number;
  /** Key/value heads (default nHeads). */
  readonly nKvHeads?: number;
  /** Vocabulary (default 64). */
  readonly vocabSize?: number;
  /** Positions (default 16). */
  readonly contextLength?: number;
  /** RoPE pair convention (default "adjacent"). */
  readonly ropeStyle?: RopeStyle;
  /** RoPE base (default 10000). */
  readonly ropeTheta?: number;
  /** Storage type of the seven linear matrices per layer (default TQ2_0). */
  readonly linearType?: GgmlType;
  /** Storage type of the token embedding and the lm head (default F16). */
  readonly embeddingType?: GgmlType;
  /** Use the token embedding as the lm head (default false: untied, as in TriLMs). */
  readonly tiedOutput?: boolean;
  /** Model-parallel shards, i.e. distinct scales per matrix (default 1). */
  readonly shards?: number;
  /** Probability that a trit is non-zero (default 2/3). */
  readonly density?: number;
}

/** The float32 values of one layer (row-major [rows, cols], the shapes of weights.ts). */
export interface LayerValues {
  readonly attnNorm: Float32Array;
  readonly wq: Float32Array;
  readonly wk: Float32Array;
  readonly wv: Float32Array;
  readonly wo: Float32Array;
  readonly ffnNorm: Float32Array;
  readonly wGate: Float32Array;
  readonly wUp: Float32Array;
  readonly wDown: Float32Array;
}

/** The float32 values of a whole model, before packing. */
export interface ModelValues {
  readonly config: TrilmConfig;
  /** [vocabSize, dim]. */
  readonly tokenEmbedding: Float32Array;
  readonly layers: readonly LayerValues[];
  /** [dim]. */
  readonly outputNorm: Float32Array;
  /** [vocabSize, dim], or null when the lm head is the token embedding. */
  readonly output: Float32Array | null;
}

/** A packed model with the values it was packed from. */
export interface TinyModel {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly values: ModelValues;
}

/** Storage types of a packed model. */
export interface PackTypes {
  readonly linearType: GgmlType;
  readonly embeddingType: GgmlType;
}

/** n fp16-representable values uniform in [lo, hi). */
export function randomF16Values(random: () => number, n: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = roundToF16(lo + (hi - lo) * random());
  return out;
}

/** A random fp16-representable scale in [0.02, 0.08). */
function randomScale(random: () => number): number {
  return roundToF16(0.02 + 0.06 * random());
}

/**
 * A ternary × scale matrix [rows, cols]. `parallel` says along which dimension the `shards`
 * scales split the matrix (spec §10.3). Each 256-block (or each row, when cols < 256) holds at
 * least one non-zero trit, so its absmax is its scale.
 */
export function randomTernaryMatrix(
  random: () => number,
  rows: number,
  cols: number,
  shards: number,
  parallel: "column" | "row",
  density: number,
): Float32Array {
  const scales = Array.from({ length: shards }, () => randomScale(random));
  const rowGroup = Math.ceil(rows / shards);
  const colGroup = cols / shards;
  const splitColumns = parallel === "row" && Number.isInteger(colGroup) && (colGroup % QK_K === 0 || cols < QK_K);
  const out = new Float32Array(rows * cols);
  const span = Math.min(QK_K, cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const shard = parallel === "column" ? Math.floor(r / rowGroup) : splitColumns ? Math.floor(c / colGroup) : 0;
      const u = random();
      const t = u < density ? (random() < 0.5 ? -1 : 1) : 0;
      out[r * cols + c] = t * scales[shard];
    }
    for (let start = 0; start < cols; start += span) {
      const block = out.subarray(r * cols + start, r * cols + Math.min(start + span, cols));
      if (block.every((v) => v === 0)) {
        const c = start + Math.floor(random() * block.length);
        const shard = parallel === "column" ? Math.floor(r / rowGroup) : splitColumns ? Math.floor(c / colGroup) : 0;
        out[r * cols + c] = scales[shard];
      }
    }
  }
  return out;
}

/** The config a spec describes. */
export function tinyConfig(spec: TinyModelSpec): TrilmConfig {
  const dim = spec.dim ?? 256;
  const nHeads = spec.nHeads ?? 4;
  const headDim = dim / nHeads;
  return {
    dim,
    hiddenDim: spec.hiddenDim ?? 512,
    nLayers: spec.nLayers ?? 2,
    nHeads,
    nKvHeads: spec.nKvHeads ?? nHeads,
    headDim,
    vocabSize: spec.vocabSize ?? 64,
    contextLength: spec.contextLength ?? 16,
    normEps: Math.fround(1e-5),
    ropeTheta: spec.ropeTheta ?? 10000,
    ropeDim: headDim,
    ropeStyle: spec.ropeStyle ?? "adjacent",
  };
}

/** Random values for the model a spec describes. */
export function randomModelValues(spec: TinyModelSpec): ModelValues {
  const config = tinyConfig(spec);
  const random = mulberry32(spec.seed);
  const shards = spec.shards ?? 1;
  const density = spec.density ?? 2 / 3;
  const { dim, hiddenDim, headDim } = config;
  const qDim = config.nHeads * headDim;
  const kvDim = config.nKvHeads * headDim;
  const ternary = (rows: number, cols: number, parallel: "column" | "row") =>
    randomTernaryMatrix(random, rows, cols, shards, parallel, density);
  const layers: LayerValues[] = [];
  for (let l = 0; l < config.nLayers; l++) {
    layers.push({
      attnNorm: randomF16Values(random, dim, 0.5, 1.5),
      wq: ternary(qDim, dim, "column"),
      wk: ternary(kvDim, dim, "column"),
      wv: ternary(kvDim, dim, "column"),
      wo: ternary(dim, qDim, "row"),
      ffnNorm: randomF16Values(random, dim, 0.5, 1.5),
      wGate: ternary(hiddenDim, dim, "column"),
      wUp: ternary(hiddenDim, dim, "column"),
      wDown: ternary(dim, hiddenDim, "row"),
    });
  }
  return {
    config,
    tokenEmbedding: randomF16Values(random, config.vocabSize * dim, -1, 1),
    layers,
    outputNorm: randomF16Values(random, dim, 0.5, 1.5),
    output: spec.tiedOutput === true ? null : randomF16Values(random, config.vocabSize * dim, -0.25, 0.25),
  };
}

/** Pack model values into the storage types given (spec §2: weights stay packed). */
export function packModel(values: ModelValues, types: PackTypes): TrilmWeights {
  const { config } = values;
  const { dim, hiddenDim, headDim } = config;
  const qDim = config.nHeads * headDim;
  const kvDim = config.nKvHeads * headDim;
  const linear = (rows: number, cols: number, v: Float32Array) => packMatrix(types.linearType, rows, cols, v);
  const layers: LayerWeights[] = values.layers.map((layer) => ({
    attnNorm: layer.attnNorm,
    wq: linear(qDim, dim, layer.wq),
    wk: linear(kvDim, dim, layer.wk),
    wv: linear(kvDim, dim, layer.wv),
    wo: linear(dim, qDim, layer.wo),
    ffnNorm: layer.ffnNorm,
    wGate: linear(hiddenDim, dim, layer.wGate),
    wUp: linear(hiddenDim, dim, layer.wUp),
    wDown: linear(dim, hiddenDim, layer.wDown),
  }));
  const tokenEmbedding = packMatrix(types.embeddingType, config.vocabSize, dim, values.tokenEmbedding);
  const output =
    values.output === null ? tokenEmbedding : packMatrix(types.embeddingType, config.vocabSize, dim, values.output);
  return { tokenEmbedding, layers, outputNorm: values.outputNorm, output };
}

/** A random model, packed as the spec says (TQ2_0 linear layers and an F16 embedding by default). */
export function tinyModel(spec: TinyModelSpec): TinyModel {
  const values = randomModelValues(spec);
  const weights = packModel(values, {
    linearType: spec.linearType ?? GgmlType.TQ2_0,
    embeddingType: spec.embeddingType ?? GgmlType.F16,
  });
  return { config: values.config, weights, values };
}

/** Rows `source[i]` of a [rows, cols] matrix, in that order: [source.length, cols]. */
export function gatherRows(matrix: Float32Array, cols: number, source: ArrayLike<number>): Float32Array {
  const out = new Float32Array(source.length * cols);
  for (let i = 0; i < source.length; i++) out.set(matrix.subarray(source[i] * cols, (source[i] + 1) * cols), i * cols);
  return out;
}

/**
 * The same model with nKvHeads = nHeads: every kv head's rows of W_k and W_v copied for each query
 * head of its group (query head h reads kv head ⌊h / (nHeads/nKvHeads)⌋, spec §7).
 */
export function duplicateKvHeads(values: ModelValues): ModelValues {
  const { config } = values;
  const group = config.nHeads / config.nKvHeads;
  const source: number[] = [];
  for (let h = 0; h < config.nHeads; h++) {
    const g = Math.floor(h / group);
    for (let i = 0; i < config.headDim; i++) source.push(g * config.headDim + i);
  }
  return {
    ...values,
    config: { ...config, nKvHeads: config.nHeads },
    layers: values.layers.map((layer) => ({
      ...layer,
      wk: gatherRows(layer.wk, config.dim, source),
      wv: gatherRows(layer.wv, config.dim, source),
    })),
  };
}

/**
 * A rotate-half (Hugging Face) model turned into the adjacent-pair (GGUF) layout: the rows of W_q
 * and W_k permuted as convert_hf_to_gguf.py's LlamaModel.permute does (spec §4.3).
 */
export function permuteToAdjacent(values: ModelValues): ModelValues {
  const { config } = values;
  if (config.ropeStyle !== "rotate-half") throw new Error("permuteToAdjacent expects a rotate-half model");
  const q = ropePermutationHfToGguf(config.nHeads, config.headDim);
  const k = ropePermutationHfToGguf(config.nKvHeads, config.headDim);
  return {
    ...values,
    config: { ...config, ropeStyle: "adjacent" },
    layers: values.layers.map((layer) => ({
      ...layer,
      wq: gatherRows(layer.wq, config.dim, q),
      wk: gatherRows(layer.wk, config.dim, k),
    })),
  };
}

/** n random token ids below vocabSize. */
export function randomTokens(random: () => number, n: number, vocabSize: number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * vocabSize));
}

/** Whether two float arrays hold the same float32 values, bit for bit (NaN equal to NaN, +0 ≠ −0). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

/** Index of the first element whose bits differ, or −1. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  const ua = new Uint32Array(a.buffer, a.byteOffset, n);
  const ub = new Uint32Array(b.buffer, b.byteOffset, n);
  for (let i = 0; i < n; i++) if (ua[i] !== ub[i]) return i;
  return a.length === b.length ? -1 : n;
}
