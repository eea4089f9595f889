/**
 * Causal multi-head attention with grouped key/value heads, over the KV cache.
 * Implements spec/forward.md §7.
 *
 * For query head h at position p, with kv head g = floor(h / (nHeads / nKvHeads)):
 *   s_t = f32(f32(q_h · k_g,t) · 1/√headDim)           for t = 0..p   (later positions are masked: −inf)
 *   a_t = f32(exp(s_t − max_t s_t)) · f32(1 / Σ_t exp(…))  (softmax; the sum in float64)
 *   o_h = Σ_t a_t · v_g,t
 * In ggml mode (spec §9) the same steps run in the arithmetic of the x86-64 llama.cpp build that
 * produced the reference logits (reference/ggml-x86, LLAMA_REFERENCE_ISA), see attendGgml.
 */

import { f32Lanes, LLAMA_REFERENCE_ISA, softMaxRow, tinyBlasDot, vecDotF16, vecDotF32 } from "../ggml-x86/index.js";
import type { KvCache, KvCacheType } from "./kv-cache.js";
import { roundForCache } from "./kv-cache.js";
import type { ActivationMode } from "./linear.js";

/** The head layout of attention (and of Backend.attention): query heads, key/value heads (GQA: nHeads a multiple), head dimension. */
export interface AttentionShape {
  readonly nHeads: number;
  readonly nKvHeads: number;
  readonly headDim: number;
}

/** softmax of scores: Float32Array[n] → probabilities Float32Array[n] (ggml_compute_forward_soft_max_f32). Spec §7.2. */
export function softmax(scores: Float32Array): Float32Array {
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
 * Attention output for all query heads at position `pos` of `layer`, reading positions 0..pos
 * from the cache. q: Float32Array[nHeads · headDim] (already rotated) → o: Float32Array[nHeads · headDim].
 * With an f16 cache, q and the probabilities are rounded to fp16 before their products, as
 * llama.cpp's F16 matmuls convert their second operand (ggml mode: see attendGgml).
 * Implements spec/forward.md §7 (§9 in ggml mode).
 */
export function attend(
  cache: KvCache,
  layer: number,
  pos: number,
  q: Float32Array,
  nHeads: number,
  nKvHeads: number,
  headDim: number,
  mode: ActivationMode = "f32",
): Float32Array {
  const keys = cache.keys[layer];
  const values = cache.values[layer];
  const kvDim = cache.kvDim;
  if (mode === "ggml") return attendGgml(keys, values, kvDim, cache.type, pos + 1, q, nHeads, nKvHeads, headDim);
  const headsPerKv = nHeads / nKvHeads;
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const qRounded = roundForCache(cache.type, q);
  const out = new Float32Array(nHeads * headDim);
  for (let h = 0; h < nHeads; h++) {
    const kvHead = Math.floor(h / headsPerKv);
    const qh = qRounded.subarray(h * headDim, (h + 1) * headDim);
    const scores = new Float32Array(pos + 1); // [pos+1]
    for (let t = 0; t <= pos; t++) {
      const k = keys.subarray(t * kvDim + kvHead * headDim, t * kvDim + (kvHead + 1) * headDim);
      let dot = 0;
      for (let i = 0; i < headDim; i++) dot += qh[i] * k[i];
      scores[t] = Math.fround(dot) * scale;
    }
    const probabilities = roundForCache(cache.type, softmax(scores));
    for (let i = 0; i < headDim; i++) {
      let acc = 0;
      for (let t = 0; t <= pos; t++) acc += probabilities[t] * values[t * kvDim + kvHead * headDim + i];
      out[h * headDim + i] = acc;
    }
  }
  return out;
}

/** n rounded up to a multiple of 32, as llama.cpp's KV window n_kv is (without flash attention). */
function paddedLength(n: number): number {
  return Math.ceil(n / 32) * 32;
}

/**
 * Attention of one query position over `count` cached positions, the way llama.cpp's x86-64 CPU
 * backend computes it without flash attention (build_attn_mha), in the arithmetic of the build that
 * produced its reference logits (LLAMA_REFERENCE_ISA). Spec §7 and §9.
 *   kq_t  = ggml_vec_dot_f32(k_t, q_h)              f32 cache: q is a permuted view, so no tinyBLAS
 *         = ggml_vec_dot_f16(k_t, f16(q_h))         f16 cache: q converted to fp16 (tinyBLAS refuses F16×F16)
 *   p     = soft_max_ext(kq, causal mask, 1/√headDim)   over the row padded with −inf to n_kv (multiple of 32)
 *   o_h,i = tinyBLAS(v_·,i, p)                      kqv = mul_mat(v, kq), k = n_kv, padding contributes 0
 *                                                   (F32 or F16 V times F32 probabilities)
 * Padded positions contribute exact zeros everywhere (exp(−inf) = 0, 0·0 = 0), so any multiple of 32
 * gives the bits of llama.cpp's n_kv. keys, values: Float32Array[≥ count · kvDim], position t at
 * [t·kvDim, (t+1)·kvDim) (already rounded for an f16 cache); q: Float32Array[nHeads · headDim]
 * (rotated) → o: Float32Array[nHeads · headDim]. Each output depends only on positions 0..count−1.
 */
export function attendGgml(
  keys: Float32Array,
  values: Float32Array,
  kvDim: number,
  cacheType: KvCacheType,
  count: number,
  q: Float32Array,
  nHeads: number,
  nKvHeads: number,
  headDim: number,
): Float32Array {
  const isa = LLAMA_REFERENCE_ISA;
  const headsPerKv = nHeads / nKvHeads;
  const scale = Math.fround(1 / Math.fround(Math.sqrt(headDim))); // 1.0f/sqrtf(float(n_embd_head))
  const qRounded = roundForCache(cacheType, q);
  const kqDot = cacheType === "f32" ? vecDotF32 : vecDotF16;
  const n = paddedLength(count); // a multiple of every lane count: tinyBLAS always takes kqv
  if (n % f32Lanes(isa) !== 0) throw new RangeError(`KV window ${n} is not a multiple of the lane count`);
  const mask = new Float32Array(n).fill(-Infinity).fill(0, 0, count);
  const column = new Float32Array(n); // v_·,i over positions, zero past `count` (the cache's cleared cells)
  const out = new Float32Array(nHeads * headDim);
  for (let h = 0; h < nHeads; h++) {
    const kvHead = Math.floor(h / headsPerKv);
    const qh = qRounded.subarray(h * headDim, (h + 1) * headDim);
    const kq = new Float32Array(n); // entries past `count` are masked; their value does not matter
    for (let t = 0; t < count; t++) {
      kq[t] = kqDot(keys.subarray(t * kvDim + kvHead * headDim, t * kvDim + (kvHead + 1) * headDim), qh, isa);
    }
    const p = softMaxRow(kq, mask, scale, isa);
    for (let i = 0; i < headDim; i++) {
      for (let t = 0; t < count; t++) column[t] = values[t * kvDim + kvHead * headDim + i];
      out[h * headDim + i] = tinyBlasDot(column, p, isa);
    }
  }
  return out;
}
