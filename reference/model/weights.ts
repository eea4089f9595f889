/**
 * All the tensors of a TriLM, by role. Implements spec/forward.md §2.
 */

import type { PackedMatrix } from "./packed-matrix.js";

/** The names of a decoder layer's seven linear layers (LayerWeights' keys). */
export type LinearName = "wq" | "wk" | "wv" | "wo" | "wGate" | "wUp" | "wDown";

/** The nine tensors every decoder layer has (the llama architecture's; LayerWeights' required keys). */
export type LlamaLayerTensor = "attnNorm" | "ffnNorm" | LinearName;

/**
 * A per-tensor scale applied to a linear layer's output (BitNet, spec/forward.md §17): y = f32(y · value) for
 * "multiply" (llama.cpp's `.scale` tensors, transformers' AutoBitLinear), y = f32(y / value) for "divide"
 * (transformers' BitLinear, whose `weight_scale` is an inverse scale).
 */
export interface LinearOutputScale {
  readonly value: number;
  readonly op: "multiply" | "divide";
}

/** The tensors of one decoder layer (shapes [rows, cols] = [out, in]). */
export interface LayerWeights {
  /** RMSNorm weight before attention: Float32Array[dim]. */
  readonly attnNorm: Float32Array;
  /** W_q: [nHeads·headDim, dim]. */
  readonly wq: PackedMatrix;
  /** W_k: [nKvHeads·headDim, dim]. */
  readonly wk: PackedMatrix;
  /** W_v: [nKvHeads·headDim, dim]. */
  readonly wv: PackedMatrix;
  /** W_o: [dim, nHeads·headDim]. */
  readonly wo: PackedMatrix;
  /** RMSNorm weight before the MLP: Float32Array[dim]. */
  readonly ffnNorm: Float32Array;
  /** W_gate: [hiddenDim, dim]. */
  readonly wGate: PackedMatrix;
  /** W_up: [hiddenDim, dim]. */
  readonly wUp: PackedMatrix;
  /** W_down: [dim, hiddenDim]. */
  readonly wDown: PackedMatrix;
  /** BitNet: RMSNorm weight over the attention output before W_o: Float32Array[nHeads·headDim] (spec §17). */
  readonly attnSubNorm?: Float32Array;
  /** BitNet: RMSNorm weight over the FFN hidden state before W_down: Float32Array[hiddenDim] (spec §17). */
  readonly ffnSubNorm?: Float32Array;
  /** BitNet: per-tensor output scales of the linear layers that have one (spec §17). */
  readonly outputScales?: Partial<Record<LinearName, LinearOutputScale>>;
}

/** Every tensor of the model. */
export interface TrilmWeights {
  /** Token embedding E: [vocabSize, dim]; row t is token t's vector. */
  readonly tokenEmbedding: PackedMatrix;
  /** The decoder layers, first to last. */
  readonly layers: readonly LayerWeights[];
  /** Final RMSNorm weight: Float32Array[dim]. */
  readonly outputNorm: Float32Array;
  /** LM head: [vocabSize, dim] (the same object as tokenEmbedding when tied). */
  readonly output: PackedMatrix;
}

/** The seven linear layers of a decoder layer, in order, with their names. Spec §2. */
export function layerLinears(layer: LayerWeights): ReadonlyArray<readonly [LinearName, PackedMatrix]> {
  return [
    ["wq", layer.wq],
    ["wk", layer.wk],
    ["wv", layer.wv],
    ["wo", layer.wo],
    ["wGate", layer.wGate],
    ["wUp", layer.wUp],
    ["wDown", layer.wDown],
  ];
}
