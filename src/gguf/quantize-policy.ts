/**
 * Which type llama-quantize gives each tensor when the target is TQ1_0 or TQ2_0 (no imatrix, no
 * --pure, no --tensor-type overrides): llama_tensor_get_type, tensor_allows_quantization,
 * llama_tensor_get_type_impl and tensor_type_fallback of llama.cpp's src/llama-quant.cpp, reduced to
 * the branches a TQ target can reach. Implements spec/gguf.md §8.
 */

import { GgmlType, ggmlTypeTraits } from "../../reference/codec/index.js";
import { InputError } from "../errors.js";

/** The two ternary targets. */
export type TernaryTarget = GgmlType.TQ1_0 | GgmlType.TQ2_0;

/** ggml types llama-quantize can pick for a TQ model that the oracle does not implement (id → name, block size). */
const OTHER_GGML_TYPES: ReadonlyMap<number, { readonly name: string; readonly blockSize: number }> = new Map([
  [2, { name: "q4_0", blockSize: 32 }],
  [6, { name: "q5_0", blockSize: 32 }],
  [12, { name: "q4_K", blockSize: 256 }],
  [14, { name: "q6_K", blockSize: 256 }],
]);
const Q4_0 = 2;
const Q5_0 = 6;
const Q4_K = 12;
const Q6_K = 14;

/** Name of a ggml type id llama-quantize may choose (`tq2_0`, `q6_K`). Spec §8. */
export function ggmlTypeName(typeId: number): string {
  return ggmlTypeTraits(typeId)?.name ?? OTHER_GGML_TYPES.get(typeId)?.name ?? `type ${typeId}`;
}

function blockSizeOf(typeId: number): number {
  return ggmlTypeTraits(typeId)?.blockSize ?? OTHER_GGML_TYPES.get(typeId)?.blockSize ?? 1;
}

/** Everything about the model and the request that the choice depends on. */
export interface TensorTypeContext {
  /** File named in errors. */
  readonly fileName: string;
  readonly target: TernaryTarget;
  readonly tokenEmbeddingType?: GgmlType;
  readonly outputTensorType?: GgmlType;
  /** `general.architecture`. */
  readonly architecture: string;
  /** `<arch>.expert_count`, 0 when absent. */
  readonly expertCount: number;
  /** No tensor is called `output.weight`: the token embedding doubles as the output matrix. */
  readonly tiedEmbeddings: boolean;
}

/** ggml_n_dims: the number of dimensions once trailing dimensions of size 1 are dropped (at least 1). Spec §8. */
export function ggmlDimensionCount(ne: readonly number[]): number {
  for (let i = ne.length - 1; i >= 1; i--) if (ne[i] > 1) return i + 1;
  return 1;
}

/** Substrings that keep a tensor out of quantization (tensor_allows_quantization). */
const NEVER_QUANTIZED_PARTS = [
  "_norm.weight",
  "ffn_gate_inp.weight",
  "ffn_gate_tid2eid.weight",
  "altup",
  "laurel",
  "per_layer_model_proj",
  "ssm_conv1d",
  "shortconv.conv.weight",
  "indexer.k_proj.weight",
  "indexer.q_proj.weight",
  "time_mix_first.weight",
  "time_mix_w0.weight",
  "time_mix_w1.weight",
  "time_mix_w2.weight",
  "time_mix_v0.weight",
  "time_mix_v1.weight",
  "time_mix_v2.weight",
  "time_mix_a0.weight",
  "time_mix_a1.weight",
  "time_mix_a2.weight",
  "time_mix_g1.weight",
  "time_mix_g2.weight",
  "time_mix_decay_w1.weight",
  "time_mix_decay_w2.weight",
  "time_mix_lerp_fused.weight",
  "attn_rel_b.weight",
  ".position_embd",
  "sam.pos_embd",
  "sam.neck.",
  "sam.net_",
  ".rel_pos",
  ".patch_embd",
  ".patch_merger",
  "a.rvq.codebook",
  "mm.a.code_embd",
];

/** Whole names never quantized: positional embeddings and token types (LLM_TN(arch) POS_EMBD, TOKEN_TYPES). */
const NEVER_QUANTIZED_NAMES = new Set(["position_embd.weight", "token_types.weight"]);

/**
 * `name.rfind("weight") == name.size() - 6` in C++: true when the name ends in "weight", and also
 * for any 5-byte name (size - 6 wraps to npos, which is what rfind returns when nothing is found).
 */
function endsWithWeightAsLlamaTests(name: string): boolean {
  return name.endsWith("weight") || new TextEncoder().encode(name).length === 5;
}

/** tensor_allows_quantization: at least 2 dimensions, a weight, and not on llama's exclusion lists. Spec §8. */
export function allowsQuantization(name: string, ne: readonly number[]): boolean {
  if (ggmlDimensionCount(ne) < 2) return false;
  if (!endsWithWeightAsLlamaTests(name)) return false;
  if (NEVER_QUANTIZED_NAMES.has(name)) return false;
  return !NEVER_QUANTIZED_PARTS.some((part) => name.includes(part));
}

/** The categories (tensor_get_category) whose type a TQ target can change. */
type TensorCategory = "output" | "token_embd" | "attn_v" | "attn_k" | "other";

function categoryOf(name: string): TensorCategory {
  if (name === "output.weight") return "output";
  if (name === "token_embd.weight" || name === "per_layer_token_embd.weight") return "token_embd";
  if (["attn_qkv.weight", "attn_kv_b.weight", "attn_v.weight"].some((part) => name.includes(part))) return "attn_v";
  if (name.includes("attn_k.weight")) return "attn_k";
  return "other";
}

/** llama_tensor_get_type_impl for a TQ1_0/TQ2_0 file type. */
function typeForCategory(category: TensorCategory, ne0: number, ctx: TensorTypeContext): number {
  if (category === "output" || (ctx.tiedEmbeddings && category === "token_embd")) {
    if (ctx.outputTensorType !== undefined) return ctx.outputTensorType;
    if (ctx.architecture === "falcon" || ne0 % blockSizeOf(ctx.target) !== 0) return GgmlType.Q8_0;
    return Q6_K;
  }
  if (category === "token_embd") return Q4_K;
  if ((category === "attn_v" || category === "attn_k") && ctx.expertCount === 8) return GgmlType.Q8_0;
  return ctx.target;
}

/** tensor_type_fallback: a type whose block does not divide ne[0] falls back, and to f16 if still no good. */
function fallbackType(typeId: number, name: string, ne0: number, ctx: TensorTypeContext): number {
  if (ne0 % blockSizeOf(typeId) === 0) return typeId;
  const fallbacks: ReadonlyMap<number, number> = new Map([
    [GgmlType.TQ1_0, Q4_0],
    [GgmlType.TQ2_0, Q4_0],
    [Q4_K, Q5_0],
    [Q6_K, GgmlType.Q8_0],
  ]);
  const fallback = fallbacks.get(typeId);
  if (fallback === undefined) {
    throw new InputError(
      ctx.fileName,
      `tensor '${name}' has ${ne0} columns, not a multiple of the ${ggmlTypeName(typeId)} block, ` +
        `and llama-quantize defines no fallback for ${ggmlTypeName(typeId)}`,
    );
  }
  return ne0 % blockSizeOf(fallback) === 0 ? fallback : GgmlType.F16;
}

/**
 * The ggml type id llama-quantize stores tensor `name` as (which may be a type the oracle does
 * not implement: q4_0, q5_0, q4_K, q6_K). Spec §8.
 */
export function llamaQuantizeType(name: string, type: GgmlType, ne: readonly number[], ctx: TensorTypeContext): number {
  if (!allowsQuantization(name, ne)) return type;
  const category = categoryOf(name);
  if (ctx.tokenEmbeddingType !== undefined && category === "token_embd") return ctx.tokenEmbeddingType;
  if (ctx.outputTensorType !== undefined && category === "output") return ctx.outputTensorType;
  return fallbackType(typeForCategory(category, ne[0], ctx), name, ne[0], ctx);
}
