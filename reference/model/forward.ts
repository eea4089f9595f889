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
 * The bitnet architecture (spec §17) adds, where its weights have them: the attention output normalized by
 * attn_sub_norm before W_o, the FFN hidden state normalized by ffn_sub_norm before W_down, relu² in place of silu
 * (config.ffnActivation), and a per-tensor scale on each linear layer's output (LayerWeights.outputScales).
 * In ggml-exact mode every step follows llama.cpp's x86-64 CPU backend bit for bit (spec §9): the
 * linear layers, RoPE (ggml's cos/sin cache and fused rotation), attention and SwiGLU use the kernels
 * of reference/ggml-x86 ("ggml-x86" arithmetic, modes.ts), computed per output exactly as in a batch
 * of tokens (MatmulBatch): `forward` is llama.cpp decoding one token alone, `evaluateSequence` one llama_decode
 * of the whole prompt. They agree bit for bit except where llama.cpp's kernel depends on the micro-batch:
 * llamafile's tinyBLAS declines a micro-batch of one token (float weights and attention's kqv: spec §9.3), and a
 * repacked Q4_K matrix (spec §15) has a gemm kernel (the first n − n mod 4 tokens of each micro-batch) that sums in
 * another order than its gemv kernel (the other tokens, and a token decoded alone).
 */

import type { F16MatmulInput, RepackKernel } from "../ggml-x86/index.js";
import { attend, attendQuery, type AttentionOptions, type AttentionShape } from "./attention.js";
import type { TrilmConfig } from "./config.js";
import { createKvCache, roundForCache, storeKeyValue, type KvCache, type KvCacheType } from "./kv-cache.js";
import { DECODE_BATCH, linear, type MatmulBatch } from "./linear.js";
import { opArithmeticOf, type ForwardActivationMode, type OpArithmetic } from "./modes.js";
import { decodeMatrixRow } from "./packed-matrix.js";
import { rmsNorm } from "./rmsnorm.js";
import { applyRope, ropeAngles } from "./rope.js";
import { relu2Gate } from "./relu2.js";
import { swiglu } from "./swiglu.js";
import type { LayerWeights, LinearName, TrilmWeights } from "./weights.js";

/** How to run the model. */
export interface ForwardOptions {
  /** Activation mode of every linear layer, and with it the arithmetic of the other ops (spec §3, modes.ts). */
  readonly activations: ForwardActivationMode;
  /** Element type of the KV cache (spec §7). */
  readonly kvCache: KvCacheType;
  /** ggml-exact: whose F16-weight matmul input to reproduce (spec §9.3); absent: LLAMA_F16_MATMUL_INPUT. */
  readonly f16MatmulInput?: F16MatmulInput;
  /**
   * ggml-exact: llama.cpp's n_ubatch, the tokens `evaluateSequence` multiplies through the weights together
   * (spec §9.3, §15); absent: LLAMA_UBATCH_TOKENS. 1 evaluates every token as `forward` decodes it alone.
   */
  readonly ubatchTokens?: number;
  /** Called with every named intermediate tensor as it is computed (spec §8.3); absent: nothing is reported. */
  readonly trace?: ForwardTrace;
}

/**
 * Receives one intermediate tensor of token position `pos` (layer −1 for tensors outside the layers), named as
 * llama.cpp's graph names it (attn_norm, Qcur, …, l_out, result_norm, result_output; spec §8.3). The values are
 * the oracle's own array: copy them to keep them.
 */
export type ForwardTrace = (tensor: string, layer: number, pos: number, values: Float32Array) => void;

/** One token's tracer: name and values; a no-op when the options carry no trace. Spec §8.3. */
type TokenTrace = (tensor: string, values: Float32Array) => Float32Array;

/** The TokenTrace of `layer` at `pos`: reports to options.trace and returns the values unchanged. Spec §8.3. */
function tokenTrace(options: ForwardOptions, layer: number, pos: number): TokenTrace {
  const trace = options.trace;
  if (trace === undefined) return (_tensor, values) => values;
  return (tensor, values) => {
    trace(tensor, layer, pos, values);
    return values;
  };
}

/** The model as trained: float activations, f32 arithmetic, float32 cache (for callers to pass; nothing defaults to it). */
export const F32_FORWARD_OPTIONS: ForwardOptions = { activations: "f32", kvCache: "f32" };

/** A model ready to run token by token. */
export interface ForwardState {
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly options: ForwardOptions;
  readonly cache: KvCache;
}

/** A fresh state with an empty KV cache. Spec §8. */
export function createForwardState(config: TrilmConfig, weights: TrilmWeights, options: ForwardOptions): ForwardState {
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

/** Throw RangeError unless options.ubatchTokens is absent or a positive integer. */
function checkUbatch(options: ForwardOptions): void {
  const ubatch = options.ubatchTokens;
  if (ubatch !== undefined && !(Number.isInteger(ubatch) && ubatch >= 1))
    throw new RangeError(`micro-batch size ${ubatch} is not a positive whole number of tokens`);
}

/**
 * y = W·x for the layer's linear `name`, then its per-tensor output scale if it has one (bitnet, spec §17.2):
 * y = f32(y · s) (llama.cpp's ggml_mul by the `.scale` tensor) or y = f32(y / s). [cols] → [rows]. Spec §3, §17.2.
 */
function layerLinear(
  layer: LayerWeights,
  name: LinearName,
  x: Float32Array,
  mode: ForwardActivationMode,
  f16Input: F16MatmulInput | undefined,
  batch: MatmulBatch,
): Float32Array {
  const y = linear(layer[name], x, mode, f16Input, batch);
  const scale = layer.outputScales?.[name];
  if (scale === undefined) return y;
  const s = scale.value;
  return scale.op === "multiply" ? y.map((v) => v * s) : y.map((v) => v / s);
}

/**
 * The attention block's output added to the residual: x + W_o·a, where a is the attention output, normalized
 * first by attn_sub_norm in the bitnet architecture (spec §17.1). [nHeads·hd] → [dim]. Spec §8, §17.1.
 */
function attentionResidual(
  config: TrilmConfig,
  layer: LayerWeights,
  x: Float32Array,
  attention: Float32Array,
  mode: ForwardActivationMode,
  f16Input: F16MatmulInput | undefined,
  batch: MatmulBatch,
  trace: TokenTrace,
): Float32Array {
  trace("kqv_out", attention);
  const normed =
    layer.attnSubNorm === undefined
      ? attention
      : trace("attn_sub_norm", rmsNorm(attention, layer.attnSubNorm, config.normEps));
  return trace("ffn_inp", addResidual(x, trace("attn_out", layerLinear(layer, "wo", normed, mode, f16Input, batch))));
}

/**
 * The MLP block: x + W_down·(act(W_gate·xn) ⊙ W_up·xn), xn = rmsnorm(x); act = silu (spec §6) or relu²
 * (config.ffnActivation, spec §17.3); in the bitnet architecture the hidden state is normalized by ffn_sub_norm
 * before W_down (spec §17.1). [dim] → [dim]. Spec §6, §17.
 */
function feedForward(
  config: TrilmConfig,
  layer: LayerWeights,
  x: Float32Array,
  mode: ForwardActivationMode,
  f16Input: F16MatmulInput | undefined,
  batch: MatmulBatch,
  trace: TokenTrace,
): Float32Array {
  const xn = trace("ffn_norm", rmsNorm(x, layer.ffnNorm, config.normEps));
  const up = trace("ffn_up", layerLinear(layer, "wUp", xn, mode, f16Input, batch)); // [hiddenDim]
  const gate = trace("ffn_gate", layerLinear(layer, "wGate", xn, mode, f16Input, batch)); // [hiddenDim]
  const hidden = trace(
    "ffn_gate_par",
    config.ffnActivation === "relu2" ? relu2Gate(gate, up) : swiglu(gate, up, opArithmeticOf(mode)),
  ); // [hiddenDim]
  const normed =
    layer.ffnSubNorm === undefined ? hidden : trace("ffn_sub_norm", rmsNorm(hidden, layer.ffnSubNorm, config.normEps));
  return trace("l_out", addResidual(x, trace("ffn_out", layerLinear(layer, "wDown", normed, mode, f16Input, batch))));
}

/**
 * logits = W_out · rmsnorm(x, output_norm): [dim] → [vocabSize]. A tied W_out is repacked like an untied one
 * (llama.cpp loads a second copy of token_embd.weight for the lm head; spec §15). In int8-per-token mode the bitnet
 * architecture's lm head takes float activations: transformers keeps lm_head a plain nn.Linear (spec §10.5). Spec §8.
 */
function lmHead(
  state: { config: TrilmConfig; weights: TrilmWeights },
  x: Float32Array,
  mode: ForwardActivationMode,
  f16Input: F16MatmulInput | undefined,
  batch: MatmulBatch,
  trace: TokenTrace,
): Float32Array {
  const normed = trace("result_norm", rmsNorm(x, state.weights.outputNorm, state.config.normEps));
  const headMode = mode === "int8-per-token" && state.config.architecture === "bitnet" ? "f32" : mode;
  return trace("result_output", linear(state.weights.output, normed, headMode, f16Input, batch));
}

/** llama.cpp's default micro-batch size n_ubatch: a prompt is multiplied through the weights 512 tokens at a time. */
export const LLAMA_UBATCH_TOKENS = 512;

/**
 * The repack kernel llama.cpp runs for token `pos` of a prompt of n tokens evaluated in one llama_decode call
 * with micro-batches of `ubatch` tokens: "gemm" for the first m − m mod 4 tokens of its micro-batch of m tokens,
 * "gemv" for the rest. Spec §15.
 */
export function repackKernelAt(pos: number, n: number, ubatch: number = LLAMA_UBATCH_TOKENS): RepackKernel {
  const start = pos - (pos % ubatch);
  const size = Math.min(ubatch, n - start);
  return pos - start < size - (size % 4) ? "gemm" : "gemv";
}

/**
 * The micro-batch of token `pos` of a prompt of n tokens evaluated in one llama_decode call: its size
 * (n split into micro-batches of `ubatch` tokens; spec §9.3) and repackKernelAt's kernel (spec §15).
 */
export function matmulBatchAt(pos: number, n: number, ubatch: number = LLAMA_UBATCH_TOKENS): MatmulBatch {
  const start = pos - (pos % ubatch);
  return { tokens: Math.min(ubatch, n - start), repack: repackKernelAt(pos, n, ubatch) };
}

/**
 * Run one token at position `pos`, reading positions 0..pos−1 from the cache and writing `pos`.
 * Returns logits: Float32Array[vocabSize]. Implements spec/forward.md §8.
 */
export function forward(state: ForwardState, token: number, pos: number): Float32Array {
  const { config, weights, options, cache } = state;
  checkTokenAndPosition(config, token, pos);
  const mode = options.activations;
  const f16 = options.f16MatmulInput;
  const arithmetic = opArithmeticOf(mode);
  const angles = ropeAngles(pos, config.ropeDim, config.ropeTheta, arithmetic);
  let x = decodeMatrixRow(weights.tokenEmbedding, token); // [dim]
  weights.layers.forEach((layer, l) => {
    const trace = tokenTrace(options, l, pos);
    const xn = trace("attn_norm", rmsNorm(x, layer.attnNorm, config.normEps));
    const q = layerLinear(layer, "wq", xn, mode, f16, DECODE_BATCH); // [nHeads·hd]
    const k = layerLinear(layer, "wk", xn, mode, f16, DECODE_BATCH); // [nKv·hd]
    const v = trace("Vcur", layerLinear(layer, "wv", xn, mode, f16, DECODE_BATCH)); // [nKv·hd]
    trace("Qcur", rotated(q, config, angles, arithmetic));
    trace("Kcur", rotated(k, config, angles, arithmetic));
    storeKeyValue(cache, l, pos, k, v);
    const attention = attend(cache, l, pos, q, attentionShape(config), arithmetic, f16, DECODE_BATCH.tokens);
    x = attentionResidual(config, layer, x, attention, mode, f16, DECODE_BATCH, trace);
    x = feedForward(config, layer, x, mode, f16, DECODE_BATCH, trace);
  });
  return lmHead(state, x, mode, f16, DECODE_BATCH, tokenTrace(options, -1, pos));
}

/**
 * Logits for every position of `tokens`, computed layer by layer over the whole sequence with an
 * explicit causal mask — the way a prompt is processed in one batch — without a KV cache.
 * Returns tokens.length rows of Float32Array[vocabSize]. Equal to calling `forward` for
 * positions 0, 1, … (a property the tests check) except where llama.cpp's kernels depend on the micro-batch
 * (matmulBatchAt: tinyBLAS for float matmuls of ≥ 2 tokens, spec §9.3; the repacked Q4_K gemm kernel, spec §15).
 * Implements spec/forward.md §8.2.
 */
export function evaluateSequence(
  config: TrilmConfig,
  weights: TrilmWeights,
  tokens: readonly number[],
  options: ForwardOptions,
): Float32Array[] {
  tokens.forEach((token, pos) => checkTokenAndPosition(config, token, pos));
  checkUbatch(options);
  const mode = options.activations;
  const f16 = options.f16MatmulInput;
  const arithmetic = opArithmeticOf(mode);
  const angles = tokens.map((_, pos) => ropeAngles(pos, config.ropeDim, config.ropeTheta, arithmetic));
  const batches = tokens.map((_, pos) => matmulBatchAt(pos, tokens.length, options.ubatchTokens));
  let xs = tokens.map((token) => decodeMatrixRow(weights.tokenEmbedding, token)); // n × [dim]
  weights.layers.forEach((layer, l) => {
    const traces = tokens.map((_, pos) => tokenTrace(options, l, pos));
    const xns = xs.map((x, pos) => traces[pos]("attn_norm", rmsNorm(x, layer.attnNorm, config.normEps)));
    const qs = xns.map((xn, pos) =>
      traces[pos](
        "Qcur",
        rotated(layerLinear(layer, "wq", xn, mode, f16, batches[pos]), config, angles[pos], arithmetic),
      ),
    );
    const ks = xns.map((xn, pos) =>
      roundForCache(
        options.kvCache,
        traces[pos](
          "Kcur",
          rotated(layerLinear(layer, "wk", xn, mode, f16, batches[pos]), config, angles[pos], arithmetic),
        ),
      ),
    );
    const vs = xns.map((xn, pos) =>
      roundForCache(options.kvCache, traces[pos]("Vcur", layerLinear(layer, "wv", xn, mode, f16, batches[pos]))),
    );
    const attentions = causalAttention(
      config,
      { arithmetic, cacheType: options.kvCache, f16MatmulInput: f16 },
      batches,
      qs,
      ks,
      vs,
    );
    xs = xs.map((x, pos) => {
      const attended = attentionResidual(config, layer, x, attentions[pos], mode, f16, batches[pos], traces[pos]);
      return feedForward(config, layer, attended, mode, f16, batches[pos], traces[pos]);
    });
  });
  return xs.map((x, pos) => lmHead({ config, weights }, x, mode, f16, batches[pos], tokenTrace(options, -1, pos)));
}

/**
 * One llama_decode call of `tokens` at positions start, start+1, … on `state`: the tokens go through the weights
 * together (micro-batches of options.ubatchTokens, matmulBatchAt), their keys and values are written to the cache,
 * and each attends over positions 0..its own. Returns tokens.length rows of Float32Array[vocabSize]. A prompt then
 * `forward` for each generated token is what llama.cpp computes while generating. Implements spec/forward.md §8.2.
 */
export function decode(state: ForwardState, tokens: readonly number[], start: number): Float32Array[] {
  const { config, weights, options, cache } = state;
  tokens.forEach((token, i) => checkTokenAndPosition(config, token, start + i));
  checkUbatch(options);
  const mode = options.activations;
  const f16 = options.f16MatmulInput;
  const arithmetic = opArithmeticOf(mode);
  const shape = attentionShape(config);
  const angles = tokens.map((_, i) => ropeAngles(start + i, config.ropeDim, config.ropeTheta, arithmetic));
  const batches = tokens.map((_, i) => matmulBatchAt(i, tokens.length, options.ubatchTokens));
  let xs = tokens.map((token) => decodeMatrixRow(weights.tokenEmbedding, token)); // n × [dim]
  weights.layers.forEach((layer, l) => {
    const traces = tokens.map((_, i) => tokenTrace(options, l, start + i));
    const xns = xs.map((x, i) => traces[i]("attn_norm", rmsNorm(x, layer.attnNorm, config.normEps)));
    xns.forEach((xn, i) => {
      const k = rotated(layerLinear(layer, "wk", xn, mode, f16, batches[i]), config, angles[i], arithmetic); // [nKv·hd]
      const v = layerLinear(layer, "wv", xn, mode, f16, batches[i]); // [nKv·hd]
      storeKeyValue(cache, l, start + i, traces[i]("Kcur", k), traces[i]("Vcur", v));
    });
    xs = xs.map((x, i) => {
      const q = traces[i](
        "Qcur",
        rotated(layerLinear(layer, "wq", xns[i], mode, f16, batches[i]), config, angles[i], arithmetic),
      );
      const attention = attendQuery(cache.keys[l], cache.values[l], start + i + 1, q, shape, {
        arithmetic,
        cacheType: cache.type,
        f16MatmulInput: f16,
        tokens: batches[i].tokens,
      });
      const attended = attentionResidual(config, layer, x, attention, mode, f16, batches[i], traces[i]);
      return feedForward(config, layer, attended, mode, f16, batches[i], traces[i]);
    });
  });
  return xs.map((x, i) => lmHead(state, x, mode, f16, batches[i], tokenTrace(options, -1, start + i)));
}

/** The head layout of `config`. */
function attentionShape(config: TrilmConfig): AttentionShape {
  return { nHeads: config.nHeads, nKvHeads: config.nKvHeads, headDim: config.headDim };
}

/** q rotated in place and returned: spec §4.2, or ggml's fused arithmetic (spec §9.1). */
function rotated(
  q: Float32Array,
  config: TrilmConfig,
  angles: { cos: Float32Array; sin: Float32Array },
  arithmetic: OpArithmetic,
): Float32Array {
  applyRope(q, config.headDim, angles, config.ropeStyle, arithmetic);
  return q;
}

/**
 * Causal attention for all n positions at once: query s over positions 0..s through attendQuery,
 * the per-query step `forward` runs over its cache, with query s's micro-batch size (`batches`, spec §9.3).
 * qs, ks, vs: n × [heads·hd] (ks, vs rounded for the cache) → n × [nHeads·hd]. Spec §7 and §8.2.
 */
function causalAttention(
  config: TrilmConfig,
  options: AttentionOptions,
  batches: readonly MatmulBatch[],
  qs: Float32Array[],
  ks: Float32Array[],
  vs: Float32Array[],
): Float32Array[] {
  const shape = attentionShape(config);
  const kvDim = config.nKvHeads * config.headDim;
  const keys = new Float32Array(ks.length * kvDim);
  const values = new Float32Array(vs.length * kvDim);
  ks.forEach((k, t) => keys.set(k, t * kvDim));
  vs.forEach((v, t) => values.set(v, t * kvDim));
  return qs.map((q, s) => attendQuery(keys, values, s + 1, q, shape, { ...options, tokens: batches[s].tokens }));
}
