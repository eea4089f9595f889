/**
 * `trilm-oracle/reference`: the reference interpreter of TriLMs (spec/forward.md) — the forward
 * pass token by token (createForwardState, forward) or over a whole prompt (evaluateSequence), its
 * ops (linear layers in each activation mode and how they convert activations, rmsNorm, RoPE,
 * attention, SwiGLU), the KV cache, sampling and perplexity, the model config and the published
 * Spectra presets, the weights and the packed matrices they are made of. Pure TypeScript, no Node APIs (runs in a browser); load
 * a model from disk with `trilm-oracle/model`.
 *
 * @example
 * ```ts
 * import { loadModel, embeddedModelPath } from "trilm-oracle/model";
 * import { argmax, createForwardState, forward } from "trilm-oracle/reference";
 * const { config, weights } = loadModel(embeddedModelPath());
 * const state = createForwardState(config, weights, { activations: "ggml-exact", kvCache: "f32" });
 * const next = argmax(forward(state, 1, 0)); // logits of token 1 at position 0
 * ```
 *
 * @packageDocumentation
 */

export * from "../../reference/ggml-x86/f16-matmul.js";
export type { RepackKernel } from "../../reference/ggml-x86/q4_k-repack.js";
export * from "../../reference/model/activation-conversion.js";
export * from "../../reference/model/attention.js";
export * from "../../reference/model/config.js";
export * from "../../reference/model/forward.js";
export * from "../../reference/model/kv-cache.js";
export * from "../../reference/model/linear.js";
export * from "../../reference/model/modes.js";
export * from "../../reference/model/packed-matrix.js";
export * from "../../reference/model/perplexity.js";
export * from "../../reference/model/presets.js";
export * from "../../reference/model/rmsnorm.js";
export * from "../../reference/model/rope.js";
export * from "../../reference/model/sampling.js";
export * from "../../reference/model/swiglu.js";
export * from "../../reference/model/weights.js";
