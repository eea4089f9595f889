/**
 * The TriLM forward pass over any Backend, mirroring reference/model/forward.ts (spec/forward.md §8)
 * op for op: embedding → per layer rmsNorm, q/k/v matmuls, rope, attention over a host-side KV cache,
 * the W_o matmul and residual, rmsNorm, gate/up matmuls, swiglu, W_down and residual → final rmsNorm
 * and lm head. The KV cache lives on the host as one Float32Array[contextLength · kvDim] per layer for
 * keys and one for values; residual additions run on the host in float32.
 *
 * Its modes are BackendActivationMode (reference/model/modes.ts): f32, int8-per-token, and ggml-matmul —
 * activations converted as ggml converts them (spec/forward.md §3.2), the sums in the backend's own
 * order, and RoPE, softmax, attention and SwiGLU in f32 arithmetic, because the Backend interface has
 * no arithmetic argument for them. llama.cpp's arithmetic end to end (ggml-exact) is reference/model's
 * forward only. With the reference backend and f32 activations the logits equal reference/model's
 * `evaluateSequence` bit for bit (test/src/backend/backend-forward.test.ts). Only an f32 KV cache is
 * supported. How far an accelerated backend may drift: spec/tolerances.md §9.
 */

import type { TrilmConfig } from "../../reference/model/config.js";
import type { KvCacheType } from "../../reference/model/kv-cache.js";
import type { BackendActivationMode } from "../../reference/model/modes.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { TrilmWeights } from "../../reference/model/weights.js";
import { UsageError } from "../errors.js";
import type { Backend, PreparedMatrix } from "./backend.js";

/** How to run the model over a backend. */
export interface BackendForwardOptions {
  /** Activation mode of every matmul (spec/forward.md §3); every other op runs in f32 arithmetic. */
  readonly activations: BackendActivationMode;
  /** Element type of the KV cache: only "f32" is supported. */
  readonly kvCache: KvCacheType;
}

/** The linear layers of one decoder layer, prepared by the backend. */
interface PreparedLayer {
  readonly wq: PreparedMatrix;
  readonly wk: PreparedMatrix;
  readonly wv: PreparedMatrix;
  readonly wo: PreparedMatrix;
  readonly wGate: PreparedMatrix;
  readonly wUp: PreparedMatrix;
  readonly wDown: PreparedMatrix;
}

/** A model bound to a backend, with its host-side KV cache. */
export interface BackendSession {
  readonly config: TrilmConfig;
  readonly backend: Backend;
  readonly options: BackendForwardOptions;
  /** Logits of one token at `pos` (reads positions 0..pos−1 from the cache, writes pos): Float32Array[vocabSize]. */
  step(token: number, pos: number): Float32Array;
  /**
   * Logits of `tokens` at positions startPos, startPos+1, … processed as ONE batch (every op gets
   * B = tokens.length rows): tokens.length rows of Float32Array[vocabSize].
   */
  run(tokens: readonly number[], startPos: number): Float32Array[];
  /** Free the prepared matrices (the backend itself stays alive). */
  dispose(): void;
}

/** a + b element-wise in float32 (the residual connection, as forward.ts adds it). */
function addResidual(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]);
}

/**
 * Prepare every matrix of `weights` on `backend` once and return a session with an empty cache of
 * config.contextLength positions. Only options.kvCache = "f32" is supported (Error otherwise).
 * Implements spec/forward.md §8 over the Backend interface.
 */
export function createBackendSession(
  config: TrilmConfig,
  weights: TrilmWeights,
  backend: Backend,
  options: BackendForwardOptions,
): BackendSession {
  if (options.kvCache !== "f32")
    throw new Error(`backend forward: only an f32 KV cache is supported, not ${options.kvCache}`);
  if (config.architecture === "bitnet")
    throw new UsageError(
      "the backend forward pass runs llama models only: a bitnet model (sub-norms, output scales, relu²; spec/forward.md §17) " +
        "runs on reference/model's forward (the reference backend in f32 or ggml-exact activations)",
    );
  const prepared: PreparedMatrix[] = [];
  const prepare = (m: PackedMatrix): PreparedMatrix => {
    const p = backend.prepareMatrix(m);
    prepared.push(p);
    return p;
  };
  const layers: PreparedLayer[] = weights.layers.map((layer) => ({
    wq: prepare(layer.wq),
    wk: prepare(layer.wk),
    wv: prepare(layer.wv),
    wo: prepare(layer.wo),
    wGate: prepare(layer.wGate),
    wUp: prepare(layer.wUp),
    wDown: prepare(layer.wDown),
  }));
  const output = prepare(weights.output);
  const { nHeads, nKvHeads, headDim, contextLength, normEps, ropeDim, ropeTheta, ropeStyle, vocabSize } = config;
  const kvDim = nKvHeads * headDim;
  const keys = weights.layers.map(() => new Float32Array(contextLength * kvDim));
  const values = weights.layers.map(() => new Float32Array(contextLength * kvDim));
  const mode = options.activations;

  const run = (tokens: readonly number[], startPos: number): Float32Array[] => {
    const batch = tokens.length;
    tokens.forEach((token, i) => {
      if (!Number.isInteger(token) || token < 0 || token >= vocabSize)
        throw new RangeError(
          `token id ${token} is out of range: the vocabulary has ${vocabSize} tokens (0..${vocabSize - 1})`,
        );
      const pos = startPos + i;
      if (!Number.isInteger(pos) || pos < 0 || pos >= contextLength)
        throw new RangeError(`position ${pos} is beyond the context of ${contextLength} positions`);
    });
    if (batch === 0) return [];
    const positions = tokens.map((_, i) => startPos + i);
    const end = startPos + batch; // positions 0..end−1 are in the cache after this batch
    let x = backend.embedding(weights.tokenEmbedding, tokens); // [B·dim]
    layers.forEach((layer, l) => {
      const w = weights.layers[l];
      const xn = backend.rmsNorm(x, w.attnNorm, normEps, batch);
      const q = backend.matmul(layer.wq, xn, batch, mode); // [B·nHeads·hd]
      const k = backend.matmul(layer.wk, xn, batch, mode); // [B·kvDim]
      const v = backend.matmul(layer.wv, xn, batch, mode);
      backend.rope(q, headDim, ropeDim, ropeTheta, ropeStyle, positions);
      backend.rope(k, headDim, ropeDim, ropeTheta, ropeStyle, positions);
      keys[l].set(k, startPos * kvDim);
      values[l].set(v, startPos * kvDim);
      const attention = backend.attention(
        q,
        keys[l].subarray(0, end * kvDim),
        values[l].subarray(0, end * kvDim),
        positions,
        { nHeads, nKvHeads, headDim },
      );
      x = addResidual(x, backend.matmul(layer.wo, attention, batch, mode));
      const xn2 = backend.rmsNorm(x, w.ffnNorm, normEps, batch);
      const hidden = backend.swiglu(
        backend.matmul(layer.wGate, xn2, batch, mode),
        backend.matmul(layer.wUp, xn2, batch, mode),
      );
      x = addResidual(x, backend.matmul(layer.wDown, hidden, batch, mode));
    });
    const logits = backend.matmul(output, backend.rmsNorm(x, weights.outputNorm, normEps, batch), batch, mode);
    return positions.map((_, i) => logits.slice(i * vocabSize, (i + 1) * vocabSize));
  };

  return {
    config,
    backend,
    options,
    run,
    step: (token, pos) => run([token], pos)[0],
    dispose: () => prepared.forEach((p) => p.dispose()),
  };
}

/**
 * Logits for every position of `tokens`, all positions in one batch (the way reference/model's
 * evaluateSequence processes a prompt): tokens.length rows of Float32Array[vocabSize].
 * Spec/forward.md §8.2.
 */
export function evaluateBackendSequence(
  config: TrilmConfig,
  weights: TrilmWeights,
  backend: Backend,
  tokens: readonly number[],
  options: BackendForwardOptions,
): Float32Array[] {
  if (tokens.length > config.contextLength)
    throw new RangeError(`${tokens.length} tokens are more than the context of ${config.contextLength} positions`);
  const session = createBackendSession(
    { ...config, contextLength: Math.max(tokens.length, 1) },
    weights,
    backend,
    options,
  );
  try {
    return session.run(tokens, 0);
  } finally {
    session.dispose();
  }
}
