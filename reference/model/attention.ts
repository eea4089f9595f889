/**
 * Causal multi-head attention with grouped key/value heads, over the KV cache.
 * Implements spec/forward.md §7.
 *
 * For query head h at position p, with kv head g = floor(h / (nHeads / nKvHeads)):
 *   s_t = f32(f32(q_h · k_g,t) · 1/√headDim)           for t = 0..p   (later positions are masked: −inf)
 *   a_t = f32(exp(s_t − max_t s_t)) · f32(1 / Σ_t exp(…))  (softmax; the sum in float64)
 *   o_h = Σ_t a_t · v_g,t
 * in "f32" arithmetic; in "ggml-x86" arithmetic (spec §9.1) the same steps run as the x86-64
 * llama.cpp build that produced the reference logits computes them (reference/ggml-x86,
 * LLAMA_REFERENCE_ISA), see attendQuery.
 */

import { roundToF16 } from "../codec/index.js";
import {
  f32Lanes,
  LLAMA_F16_MATMUL_INPUT,
  LLAMA_REFERENCE_ISA,
  softMaxRow,
  tinyBlasDot,
  vecDotF16,
  vecDotF32,
  type F16MatmulInput,
} from "../ggml-x86/index.js";
import { takenByTinyBlas } from "./activation-conversion.js";
import type { KvCache, KvCacheType } from "./kv-cache.js";
import { roundForCache } from "./kv-cache.js";
import type { OpArithmetic } from "./modes.js";

/** The head layout of attention (and of Backend.attention): query heads, key/value heads (GQA: nHeads a multiple), head dimension. */
export interface AttentionShape {
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly headDim: number;
}

/** How attendQuery computes: the arithmetic (spec §7 or §9.1) and the element type of the cache it reads (§7.1). */
export interface AttentionOptions {
  readonly arithmetic: OpArithmetic;
  readonly cacheType: KvCacheType;
  /** "ggml-x86" with an f16 cache: whose F16 matmul input `kqv` reproduces (spec §9.3); absent: LLAMA_F16_MATMUL_INPUT. */
  readonly f16MatmulInput?: F16MatmulInput;
  /**
   * "ggml-x86": n, the query tokens of the micro-batch this query is evaluated in; tinyBLAS takes `kqv` only for
   * n ≥ 2, a token decoded alone runs ggml_vec_dot_f32/f16 (spec §9.3). Absent: 2, a batch.
   */
  readonly tokens?: number;
}

/**
 * softmax of scores: Float32Array[n] → probabilities Float32Array[n] (ggml_compute_forward_soft_max_f32
 * with no mask and scale 1). "f32": exp as Math.exp rounded to float32, the sum in float64 (spec §7.2);
 * "ggml-x86": ggml_vec_soft_max_f32 of LLAMA_REFERENCE_ISA (spec §9.1). Masked entries (−inf) give 0.
 */
export function softmax(scores: Float32Array, arithmetic: OpArithmetic): Float32Array {
  if (arithmetic === "ggml-x86") return softMaxRow(scores, undefined, 1, LLAMA_REFERENCE_ISA);
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  const p = new Float32Array(scores.length);
  let sum = 0; // ggml_float
  for (let t = 0; t < scores.length; t++) {
    p[t] = Math.exp(scores[t] - max);
    sum += p[t];
  }
  const inverse = Math.fround(1 / sum);
  for (let t = 0; t < p.length; t++) p[t] = p[t] * inverse;
  return p;
}

/**
 * n rounded up to a multiple of 256, as llama.cpp's KV window n_kv is (llama-kv-cache.cpp get_n_kv: n_pad of at
 * least 256; capped there by the cache size, which gives the same bits when that is a multiple of 64).
 */
function paddedLength(n: number): number {
  return Math.max(1, Math.ceil(n / 256)) * 256;
}

/** One query head h and its kv head g over positions 0..count−1 (attendQuery's layout). */
interface HeadInputs {
  /** q_h: Float32Array[headDim] (rounded for an f16 cache). */
  readonly qh: Float32Array;
  readonly keys: Float32Array;
  readonly values: Float32Array;
  readonly count: number;
  readonly headDim: number;
  readonly kvDim: number;
  /** Where kv head g starts within a position: g · headDim. */
  readonly offset: number;
}

/** k_g,t of `head`: a view Float32Array[headDim]. */
function keyOf(head: HeadInputs, t: number): Float32Array {
  const start = t * head.kvDim + head.offset;
  return head.keys.subarray(start, start + head.headDim);
}

/**
 * o_h in f32 arithmetic (spec §7): scores summed in float64 and rounded once, then scaled in float32;
 * the probabilities rounded to fp16 for an f16 cache; each output summed in float64. → Float32Array[headDim].
 */
function headF32(head: HeadInputs, cacheType: KvCacheType): Float32Array {
  const { qh, values, count, headDim, kvDim, offset } = head;
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const scores = new Float32Array(count);
  for (let t = 0; t < count; t++) {
    const k = keyOf(head, t);
    let dot = 0;
    for (let i = 0; i < headDim; i++) dot += qh[i] * k[i];
    scores[t] = Math.fround(dot) * scale;
  }
  const probabilities = roundForCache(cacheType, softmax(scores, "f32"));
  const o = new Float32Array(headDim);
  for (let i = 0; i < headDim; i++) {
    let acc = 0;
    for (let t = 0; t < count; t++) acc += probabilities[t] * values[t * kvDim + offset + i];
    o[i] = acc;
  }
  return o;
}

/**
 * o_h the way llama.cpp's x86-64 CPU backend computes it without flash attention (build_attn_mha),
 * in the arithmetic of LLAMA_REFERENCE_ISA (spec §7, §9.1):
 *   kq_t  = ggml_vec_dot_f32(k_t, q_h)              f32 cache: q is a permuted view, so no tinyBLAS
 *         = ggml_vec_dot_f16(k_t, f16(q_h))         f16 cache: q converted to fp16 (tinyBLAS refuses F16×F16)
 *   w_t   = f32(kq_t · 1/√headDim) + mask_t         soft_max_ext's scale and causal mask: 0, or −inf on the
 *                                                   row padded to n_kv (a multiple of 256)
 *   p     = softmax(w, "ggml-x86")
 *   o_h,i = tinyBLAS(v_·,i, p)                      kqv = mul_mat(v, kq), k = n_kv, padding contributes 0
 *                                                   (F32 V times F32 probabilities; F16 V times fp16(p) in
 *                                                   llama.cpp de3ff815, times F32 p in the older build: §9.3)
 *         = ggml_vec_dot_f32(v_·,i, p)              a query decoded alone (n = 1 token: tinyBLAS declines, §9.3)
 *         = ggml_vec_dot_f16(v_·,i, fp16(p))        the same with an f16 cache, in both builds
 * Padded positions contribute exact zeros everywhere (exp(−inf) = 0, 0·0 = 0), so tinyBLAS gives the bits of
 * llama.cpp's n_kv for any multiple of 16, ggml_vec_dot_f32/f16 for any multiple of 64 (lanes × 4 accumulators:
 * a shorter window would sum its last elements in the scalar tail). → Float32Array[headDim].
 */
function headGgmlX86(head: HeadInputs, cacheType: KvCacheType, f16Input: F16MatmulInput, tokens: number): Float32Array {
  const { qh, values, count, headDim, kvDim, offset } = head;
  const isa = LLAMA_REFERENCE_ISA;
  const scale = Math.fround(1 / Math.fround(Math.sqrt(headDim))); // 1.0f/sqrtf(float(n_embd_head))
  const kqDot = cacheType === "f32" ? vecDotF32 : vecDotF16;
  const n = paddedLength(count); // a multiple of every lane count: k never stops tinyBLAS taking kqv
  if (n % f32Lanes(isa) !== 0) throw new RangeError(`KV window ${n} is not a multiple of the lane count`);
  const tinyBlas = takenByTinyBlas({ rows: headDim, cols: n, tokens });
  const visible = 0; // the mask of a position the query sees; adding it turns −0 into +0, as ggml does
  const w = new Float32Array(n).fill(-Infinity);
  for (let t = 0; t < count; t++) w[t] = Math.fround(kqDot(keyOf(head, t), qh, isa) * scale) + visible;
  const probabilities = softmax(w, "ggml-x86");
  const p = cacheType === "f16" && (f16Input === "fp16" || !tinyBlas) ? probabilities.map(roundToF16) : probabilities;
  const kqvDot = tinyBlas ? tinyBlasDot : kqDot; // vec_dot_f32 for an f32 cache, vec_dot_f16 for an f16 one
  const column = new Float32Array(n); // v_·,i over positions, zero past `count` (the cache's cleared cells)
  const o = new Float32Array(headDim);
  for (let i = 0; i < headDim; i++) {
    for (let t = 0; t < count; t++) column[t] = values[t * kvDim + offset + i];
    o[i] = kqvDot(column, p, isa);
  }
  return o;
}

/**
 * Attention of one query position over the cached positions 0..count−1, for all query heads: the
 * per-query step of both `attend` (token by token) and forward.ts's evaluateSequence (a whole
 * sequence). keys, values: Float32Array[≥ count · kvDim], kvDim = nKvHeads · headDim, position t at
 * [t·kvDim, (t+1)·kvDim) (already rounded for an f16 cache); q: Float32Array[nHeads · headDim]
 * (rotated) → o: Float32Array[nHeads · headDim]. Reads only positions 0..count−1.
 * With an f16 cache q is rounded to fp16 before its products, as llama.cpp's F16 matmuls convert
 * their second operand (spec §7.1). Implements spec/forward.md §7 (§9.1 in "ggml-x86" arithmetic).
 */
export function attendQuery(
  keys: Float32Array,
  values: Float32Array,
  count: number,
  q: Float32Array,
  shape: AttentionShape,
  options: AttentionOptions,
): Float32Array {
  const { nHeads, nKvHeads, headDim } = shape;
  const kvDim = nKvHeads * headDim;
  const headsPerKv = nHeads / nKvHeads;
  const qRounded = roundForCache(options.cacheType, q);
  const out = new Float32Array(nHeads * headDim);
  for (let h = 0; h < nHeads; h++) {
    const head: HeadInputs = {
      qh: qRounded.subarray(h * headDim, (h + 1) * headDim),
      keys,
      values,
      count,
      headDim,
      kvDim,
      offset: Math.floor(h / headsPerKv) * headDim,
    };
    out.set(
      options.arithmetic === "f32"
        ? headF32(head, options.cacheType)
        : headGgmlX86(head, options.cacheType, options.f16MatmulInput ?? LLAMA_F16_MATMUL_INPUT, options.tokens ?? 2),
      h * headDim,
    );
  }
  return out;
}

/**
 * Attention output for all query heads at position `pos` of `layer`, reading positions 0..pos
 * from the cache (attendQuery over the cache), the query one of a micro-batch of `tokens` (AttentionOptions;
 * absent: 2). q: Float32Array[nHeads · headDim] (already rotated) → o: Float32Array[nHeads · headDim].
 * Implements spec/forward.md §7 (§9.1 in "ggml-x86" arithmetic).
 */
export function attend(
  cache: KvCache,
  layer: number,
  pos: number,
  q: Float32Array,
  shape: AttentionShape,
  arithmetic: OpArithmetic,
  f16Input?: F16MatmulInput,
  tokens?: number,
): Float32Array {
  if (cache.kvDim !== shape.nKvHeads * shape.headDim)
    throw new RangeError(`attend: the cache holds ${cache.kvDim} values per position, not nKvHeads·headDim`);
  return attendQuery(cache.keys[layer], cache.values[layer], pos + 1, q, shape, {
    arithmetic,
    cacheType: cache.type,
    f16MatmulInput: f16Input,
    tokens,
  });
}
