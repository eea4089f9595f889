/**
 * Small TriLM-like Hugging Face checkpoints for tests: a llama whose seven matrices per layer are
 * ternary × one fp16 scale per model-parallel shard (two shards: q, k, v, gate, up split their
 * output rows, o and down their input columns), stored F16 like the released "Unpacked" models,
 * with random fp16 embedding, lm head and norms.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import {
  serializeSafetensors,
  type SafetensorsDtype,
  type SafetensorsTensorInput,
} from "../../../src/safetensors/index.js";

/** Sizes and choices of a fixture. */
export interface FixtureOptions {
  readonly dim: number;
  readonly hiddenDim: number;
  readonly nLayers: number;
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly vocabSize: number;
  readonly contextLength: number;
  /** Model-parallel shards of every ternary matrix. */
  readonly shards: number;
  readonly seed: number;
  readonly tied: boolean;
  /** dtype of every tensor (F16 as released). */
  readonly dtype: SafetensorsDtype;
}

/** dim 512 so that o_proj's two column shards (256 each) are whole 256-blocks: lossless TQ conversion. */
export const LOSSLESS: FixtureOptions = {
  dim: 512,
  hiddenDim: 1024,
  nLayers: 2,
  nHeads: 4,
  nKvHeads: 2,
  vocabSize: 300,
  contextLength: 64,
  shards: 2,
  seed: 1,
  tied: false,
  dtype: "F16",
};

/** dim 256: o_proj's column shards are 128 wide, so every 256-block of its rows straddles two scales. */
export const STRADDLING: FixtureOptions = { ...LOSSLESS, dim: 256, hiddenDim: 512 };

/** A fixture's contents: config.json and the tensors. */
export interface Fixture {
  readonly options: FixtureOptions;
  readonly config: Record<string, unknown>;
  readonly tensors: SafetensorsTensorInput[];
  /** The scales of each ternary matrix by Hugging Face name, shard by shard. */
  readonly scales: ReadonlyMap<string, readonly number[]>;
}

/** A deterministic generator of uniform numbers in [0, 1) (32-bit LCG). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function encode(dtype: SafetensorsDtype, values: Float32Array): Uint8Array {
  const type = dtype === "F16" ? GgmlType.F16 : dtype === "BF16" ? GgmlType.BF16 : GgmlType.F32;
  return quantizeRow(type, values);
}

/** The config.json of a fixture. */
export function fixtureConfig(o: FixtureOptions): Record<string, unknown> {
  return {
    architectures: ["LlamaForCausalLM"],
    model_type: "llama",
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 0,
    eos_token_id: 0,
    hidden_act: "silu",
    hidden_size: o.dim,
    intermediate_size: o.hiddenDim,
    max_position_embeddings: o.contextLength,
    mlp_bias: false,
    num_attention_heads: o.nHeads,
    num_hidden_layers: o.nLayers,
    num_key_value_heads: o.nKvHeads,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 10000.0,
    tie_word_embeddings: o.tied,
    torch_dtype: "float16",
    vocab_size: o.vocabSize,
  };
}

/** Build a fixture (deterministic in its options). */
export function makeFixture(o: FixtureOptions): Fixture {
  const next = random(o.seed);
  const tensors: SafetensorsTensorInput[] = [];
  const scales = new Map<string, number[]>();
  const add = (name: string, shape: number[], values: Float32Array) =>
    tensors.push({ name, dtype: o.dtype, shape, data: encode(o.dtype, values) });
  const uniform = (n: number, spread: number, centre = 0) =>
    Float32Array.from({ length: n }, () => centre + (next() * 2 - 1) * spread);
  let matrixIndex = 0;
  const ternary = (name: string, rows: number, cols: number, splitColumns: boolean) => {
    const m = matrixIndex++;
    // (24 + 6k + m mod 8) / 1024: exact in fp16, distinct per shard and varying per matrix.
    const shardScales = Array.from({ length: o.shards }, (_, k) => (24 + 6 * k + (m % 8)) / 1024);
    scales.set(name, shardScales);
    const values = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const shard = splitColumns ? Math.floor((c * o.shards) / cols) : Math.floor((r * o.shards) / rows);
        const trit = Math.floor(next() * 3) - 1;
        values[r * cols + c] = trit * shardScales[shard];
      }
    }
    add(name, [rows, cols], values);
  };
  const headDim = o.dim / o.nHeads;
  const kvDim = o.nKvHeads * headDim;
  add("model.embed_tokens.weight", [o.vocabSize, o.dim], uniform(o.vocabSize * o.dim, 1));
  for (let l = 0; l < o.nLayers; l++) {
    const p = `model.layers.${l}`;
    add(`${p}.input_layernorm.weight`, [o.dim], uniform(o.dim, 0.25, 1));
    ternary(`${p}.self_attn.q_proj.weight`, o.dim, o.dim, false);
    ternary(`${p}.self_attn.k_proj.weight`, kvDim, o.dim, false);
    ternary(`${p}.self_attn.v_proj.weight`, kvDim, o.dim, false);
    ternary(`${p}.self_attn.o_proj.weight`, o.dim, o.dim, true);
    add(`${p}.post_attention_layernorm.weight`, [o.dim], uniform(o.dim, 0.25, 1));
    ternary(`${p}.mlp.gate_proj.weight`, o.hiddenDim, o.dim, false);
    ternary(`${p}.mlp.up_proj.weight`, o.hiddenDim, o.dim, false);
    ternary(`${p}.mlp.down_proj.weight`, o.dim, o.hiddenDim, true);
  }
  add("model.norm.weight", [o.dim], uniform(o.dim, 0.25, 1));
  if (!o.tied) add("lm_head.weight", [o.vocabSize, o.dim], uniform(o.vocabSize * o.dim, 0.5));
  return { options: o, config: fixtureConfig(o), tensors, scales };
}

/** How to write a fixture's folder. */
export interface WriteOptions {
  /** Split the tensors over this many safetensors files with an index (1: model.safetensors). */
  readonly files?: number;
  /** Replace config.json's contents (written verbatim when a string). */
  readonly config?: Record<string, unknown> | string;
  /** Change the tensor list before writing. */
  readonly tensors?: (tensors: SafetensorsTensorInput[]) => SafetensorsTensorInput[];
}

/** Write `fixture` as a Hugging Face folder `dir` (created); returns `dir`. */
export function writeHfFolder(dir: string, fixture: Fixture, options: WriteOptions = {}): string {
  mkdirSync(dir, { recursive: true });
  const config = options.config ?? fixture.config;
  writeFileSync(join(dir, "config.json"), typeof config === "string" ? config : JSON.stringify(config, null, 2));
  const tensors = options.tensors === undefined ? fixture.tensors : options.tensors([...fixture.tensors]);
  const files = options.files ?? 1;
  if (files === 1) {
    writeFileSync(join(dir, "model.safetensors"), serializeSafetensors(tensors, { format: "pt" }));
    return dir;
  }
  const weightMap: Record<string, string> = {};
  const perFile = Math.ceil(tensors.length / files);
  for (let f = 0; f < files; f++) {
    const shardName = `model-${String(f + 1).padStart(5, "0")}-of-${String(files).padStart(5, "0")}.safetensors`;
    const part = tensors.slice(f * perFile, (f + 1) * perFile);
    for (const t of part) weightMap[t.name] = shardName;
    writeFileSync(join(dir, shardName), serializeSafetensors(part, { format: "pt" }));
  }
  const totalSize = tensors.reduce((n, t) => n + t.data.length, 0);
  writeFileSync(
    join(dir, "model.safetensors.index.json"),
    JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2),
  );
  return dir;
}
