/**
 * The key/value cache: for every layer, the keys and values of every position seen so far.
 * Implements spec/forward.md §7.
 */

import { roundToF16 } from "../codec/index.js";

/** Element type of the cache: float32, or fp16 as llama.cpp's default cache stores it. */
export type KvCacheType = "f32" | "f16";

/** Keys and values: per layer, Float32Array[contextLength · kvDim], position p at [p·kvDim, (p+1)·kvDim). */
export interface KvCache {
  readonly type: KvCacheType;
  readonly kvDim: number;
  readonly contextLength: number;
  readonly keys: Float32Array[];
  readonly values: Float32Array[];
}

/** An empty cache for nLayers layers of kvDim = nKvHeads · headDim. Spec §7. */
export function createKvCache(nLayers: number, kvDim: number, contextLength: number, type: KvCacheType): KvCache {
  const make = () => Array.from({ length: nLayers }, () => new Float32Array(contextLength * kvDim));
  return { type, kvDim, contextLength, keys: make(), values: make() };
}

/** Store k, v: Float32Array[kvDim] of `layer` at `pos` (rounded to fp16 for an f16 cache). Spec §7. */
export function storeKeyValue(cache: KvCache, layer: number, pos: number, k: Float32Array, v: Float32Array): void {
  const offset = pos * cache.kvDim;
  cache.keys[layer].set(roundForCache(cache.type, k), offset);
  cache.values[layer].set(roundForCache(cache.type, v), offset);
}

/** x unchanged for f32, or rounded to the nearest fp16 (ties to even) for f16. Spec §7. */
export function roundForCache(type: KvCacheType, x: Float32Array): Float32Array {
  return type === "f32" ? x : x.map(roundToF16);
}
