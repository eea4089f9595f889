/**
 * The TriLM forward pass. Implements spec/forward.md §8.
 *
 *   x = E[token]                                             x: [dim]
 *   for each layer l:
 *     xn = rmsnorm(x, attn_norm)                              [dim]
 *     q = W_q·xn, k = W_k·xn, v = W_v·xn                      [nHeads·hd], [nKv·hd], [nKv·hd]
 *     rope(q, pos), rope(k, pos); cache[l][pos] = (k, v)
 *     x = x + W_o · attention(q, cache[l][0..pos])            [dim]
 *     xn = rmsnorm(x, ffn_norm)                               [dim]
 *     x = x + W_down · (silu(W_gate·xn) ⊙ (W_up·xn))          [hiddenDim] → [dim]
 *   logits = W_out · rmsnorm(x, output_norm)                  [vocabSize]
 * In ggml mode every step follows llama.cpp's x86-64 CPU backend bit for bit (spec §9): the linear
 * layers, RoPE (ggml's cos/sin cache and fused rotation), attention and SwiGLU use the kernels of
 * reference/ggml-x86, computed per output exactly as in a batch of tokens, so `forward` and
 * `evaluateSequence` still agree bit for bit.
 */

import { attend, attendGgml, softmax } from "./attention.js";
import type { TrilmConfig } from "./config.js";
import { createKvCache, roundForCache, storeKeyValue, type KvCache, type KvCacheType } from "./kv-cache.js";
import { linear, type ActivationMode } from "./linear.js";
import { decodeMatrixRow } from "./packed-matrix.js";
import { rmsNorm } from "./rmsnorm.js";
import { ropeCacheGgml, ropeRotateGgml } from "../ggml-x86/index.js";
import { applyRope, ropeAngles } from "./rope.js";
import { swiglu } from "./swiglu.js";
import type { LayerWeights, TrilmWeights } from "./weights.js";

/** How to run the model. */
export interface ForwardOptions {
  /** Activation mode of every linear layer (spec §3). */
  readonly activations: ActivationMode;
  /** Element type of the KV cache (spec §7). */
  readonly kvCache: KvCacheType;
}

/** Default options: the model as trained, float activations, float32 cache. */
export const DEFAULT_FORWARD_OPTIONS: ForwardOptions = { activations: "f32", kvCache: "f32" };

/** A model ready to run token by token. */
export interface ForwardState {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly options: ForwardOptions;
  readonly cache: KvCache;
}

/** A fresh state with an empty KV cache. Spec §8. */
export function createForwardState(
  config: TrilmConfig,
  weights: TrilmWeights,
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
): ForwardState {
  const cache = createKvCache(config.nLayers, config.nKvHeads * config.headDim, config.contextLength, options.kvCache);
  return { config, weights, options, cache };
}

/** a + b element-wise in float32: [n] + [n] → [n]. */
function addResidual(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]);
}

/** Throw RangeError unless 0 ≤ token < vocabSize and 0 ≤ pos < contextLength. */
function checkTokenAndPosition(config: TrilmConfig, token: number, pos: number): void {
  if (!Number.isInteger(token) || token < 0 || token >= config.vocabSize) {
    throw new RangeError(
      `token id ${token} is out of range: the vocabulary has ${config.vocabSize} tokens (0..${config.vocabSize - 1})`,
    );
  }
  if (!Number.isInteger(pos) || pos < 0 || pos >= config.contextLength) {
    throw new RangeError(`position ${pos} is beyond the context of ${config.contextLength} positions`);
  }
}

/** The MLP block: x + W_down·(silu(W_gate·xn) ⊙ W_up·xn), xn = rmsnorm(x). [dim] → [dim]. Spec §6. */
function feedForward(config: TrilmConfig, layer: LayerWeights, x: Float32Array, mode: ActivationMode): Float32Array {
  const xn = rmsNorm(x, layer.ffnNorm, config.normEps);
  const hidden = swiglu(linear(layer.wGate, xn, mode), linear(layer.wUp, xn, mode), mode); // [hiddenDim]
  return addResidual(x, linear(layer.wDown, hidden, mode));
}

/** logits = W_out · rmsnorm(x, output_norm): [dim] → [vocabSize]. Spec §8. */
function lmHead(
  state: { config: TrilmConfig; weights: TrilmWeights },
  x: Float32Array,
  mode: ActivationMode,
): Float32Array {
  return linear(state.weights.output, rmsNorm(x, state.weights.outputNorm, state.config.normEps), mode);
}

/**
 * Run one token at position `pos`, reading positions 0..pos−1 from the cache and writing `pos`.
 * Returns logits: Float32Array[vocabSize]. Implements spec/forward.md §8.
 */
export function forward(state: ForwardState, token: number, pos: number): Float32Array {
  const { config, weights, options, cache } = state;
  checkTokenAndPosition(config, token, pos);
  const mode = options.activations;
  const angles = ropeAnglesFor(mode, config, pos);
  let x = decodeMatrixRow(weights.tokenEmbedding, token); // [dim]
  weights.layers.forEach((layer, l) => {
    const xn = rmsNorm(x, layer.attnNorm, config.normEps);
    const q = linear(layer.wq, xn, mode); // [nHeads·hd]
    const k = linear(layer.wk, xn, mode); // [nKv·hd]
    const v = linear(layer.wv, xn, mode); // [nKv·hd]
    rotated(q, config, angles, mode);
    rotated(k, config, angles, mode);
    storeKeyValue(cache, l, pos, k, v);
    const attention = attend(cache, l, pos, q, config.nHeads, config.nKvHeads, config.headDim, mode);
    x = addResidual(x, linear(layer.wo, attention, mode));
    x = feedForward(config, layer, x, mode);
  });
  return lmHead(state, x, mode);
}

/**
 * Logits for every position of `tokens`, computed layer by layer over the whole sequence with an
 * explicit causal mask — the way a prompt is processed in one batch — without a KV cache.
 * Returns tokens.length rows of Float32Array[vocabSize]. Equal to calling `forward` for
 * positions 0, 1, … (a property the tests check). Implements spec/forward.md §8.2.
 */
export function evaluateSequence(
  config: TrilmConfig,
  weights: TrilmWeights,
  tokens: readonly number[],
  options: ForwardOptions = DEFAULT_FORWARD_OPTIONS,
): Float32Array[] {
  tokens.forEach((token, pos) => checkTokenAndPosition(config, token, pos));
  const mode = options.activations;
  const n = tokens.length;
  const angles = tokens.map((_, pos) => ropeAnglesFor(mode, config, pos));
  let xs = tokens.map((token) => decodeMatrixRow(weights.tokenEmbedding, token)); // n × [dim]
  for (const layer of weights.layers) {
    const xns = xs.map((x) => rmsNorm(x, layer.attnNorm, config.normEps));
    const qs = xns.map((xn, pos) => rotated(linear(layer.wq, xn, mode), config, angles[pos], mode));
    const ks = xns.map((xn, pos) =>
      roundForCache(options.kvCache, rotated(linear(layer.wk, xn, mode), config, angles[pos], mode)),
    );
    const vs = xns.map((xn) => roundForCache(options.kvCache, linear(layer.wv, xn, mode)));
    const attentions = maskedAttention(config, options, qs, ks, vs, n);
    xs = xs.map((x, pos) => feedForward(config, layer, addResidual(x, linear(layer.wo, attentions[pos], mode)), mode));
  }
  return xs.map((x) => lmHead({ config, weights }, x, mode));
}

/** RoPE angles at `pos`: spec §4.1, or in ggml mode ggml's cache with glibc's cosf/sinf (spec §9). */
function ropeAnglesFor(
  mode: ActivationMode,
  config: TrilmConfig,
  pos: number,
): { cos: Float32Array; sin: Float32Array } {
  return mode === "ggml"
    ? ropeCacheGgml(pos, config.ropeDim, config.ropeTheta)
    : ropeAngles(pos, config.ropeDim, config.ropeTheta);
}

/** q rotated in place and returned: spec §4.2, or in ggml mode with ggml's fused arithmetic (spec §9). */
function rotated(
  q: Float32Array,
  config: TrilmConfig,
  angles: { cos: Float32Array; sin: Float32Array },
  mode: ActivationMode,
): Float32Array {
  if (mode === "ggml") ropeRotateGgml(q, config.headDim, angles, config.ropeStyle);
  else applyRope(q, config.headDim, angles, config.ropeStyle);
  return q;
}

/**
 * Attention for all n positions at once: scores [n, n] per head with −inf above the diagonal.
 * qs, ks, vs: n × [heads·hd] → n × [nHeads·hd]. Spec §7 and §8.2.
 */
function maskedAttention(
  config: TrilmConfig,
  options: ForwardOptions,
  qs: Float32Array[],
  ks: Float32Array[],
  vs: Float32Array[],
  n: number,
): Float32Array[] {
  const { nHeads, nKvHeads, headDim } = config;
  if (options.activations === "ggml") {
    // The same per-query arithmetic as `forward` reading the cache (spec §9): positions 0..s.
    const kvDim = nKvHeads * headDim;
    const keys = new Float32Array(n * kvDim);
    const values = new Float32Array(n * kvDim);
    ks.forEach((k, t) => keys.set(k, t * kvDim));
    vs.forEach((v, t) => values.set(v, t * kvDim));
    return qs.map((q, s) => attendGgml(keys, values, kvDim, options.kvCache, s + 1, q, nHeads, nKvHeads, headDim));
  }
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const outs = qs.map(() => new Float32Array(nHeads * headDim));
  for (let h = 0; h < nHeads; h++) {
    const g = Math.floor(h / (nHeads / nKvHeads));
    for (let s = 0; s < n; s++) {
      const q = roundForCache(options.kvCache, qs[s]).subarray(h * headDim, (h + 1) * headDim);
      const scores = new Float32Array(n).fill(-Infinity); // causal mask: t > s stays −inf
      for (let t = 0; t <= s; t++) {
        const k = ks[t].subarray(g * headDim, (g + 1) * headDim);
        let dot = 0;
        for (let i = 0; i < headDim; i++) dot += q[i] * k[i];
        scores[t] = Math.fround(dot) * scale;
      }
      const p = roundForCache(options.kvCache, softmax(scores)); // p[t > s] = 0
      for (let i = 0; i < headDim; i++) {
        let acc = 0;
        for (let t = 0; t < n; t++) acc += p[t] * vs[t][g * headDim + i];
        outs[s][h * headDim + i] = acc;
      }
    }
  }
  return outs;
}
