/**
 * All the tensors of a TriLM, by role. Implements spec/forward.md §2.
 */

import type { PackedMatrix } from "./packed-matrix.js";

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
export function layerLinears(layer: LayerWeights): ReadonlyArray<readonly [string, PackedMatrix]> {
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
