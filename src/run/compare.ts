/**
 * Layer-by-layer comparison of two forward passes (spec/forward.md §8.3): two models — or one model
 * under two modes or FFN activations — evaluate the same tokens with ForwardOptions.trace, and every
 * named intermediate tensor (llama.cpp's graph names) is compared position by position. The result
 * lists each tensor's max |Δ| and relative error in graph order and names the FIRST tensor that
 * diverges: the cause of a model-level bug sits at or just before it. Model A's tensors are kept
 * (copied) while B runs and is compared on the fly, so memory is one model's trace.
 */

import type { TrilmConfig } from "../../reference/model/config.js";
import { evaluateSequence, type ForwardOptions } from "../../reference/model/forward.js";
import type { TrilmWeights } from "../../reference/model/weights.js";
import { UsageError } from "../errors.js";

/** One side of a comparison: a model and how to run it (its options' trace is replaced). */
export interface CompareSide {
  /** "A" or "B" with what it is, for messages: `A (model.gguf, ggml-exact)`. */
  readonly label: string;
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly options: ForwardOptions;
}

/**
 * When a tensor diverges: "bit-exact" (default) when any element's float32 bits differ; `relative` when at some
 * position max|Δ| > tolerance · max|a| (a: model A's values at that position).
 */
export type DivergenceCriterion =
  { readonly kind: "bit-exact" } | { readonly kind: "relative"; readonly tolerance: number };

/** How one traced tensor of both passes compares, over every position. */
export interface TensorComparison {
  /** Layer index; −1 for the tensors after the layers (result_norm, result_output). */
  readonly layer: number;
  /** llama.cpp's name: attn_norm, Qcur, …, l_out, result_norm, result_output. */
  readonly tensor: string;
  /** Elements per position. */
  readonly length: number;
  /** max |a − b| over every position and element (Infinity where exactly one is NaN or they are unequal infinities). */
  readonly maxAbsDiff: number;
  /** maxAbsDiff relative to max |a| (0 when both are 0; Infinity when a is all zero and b is not). */
  readonly relError: number;
  /** Elements (over all positions) whose float32 bits differ. */
  readonly differing: number;
  /** The first position at which the tensor diverges under the criterion, else undefined. */
  readonly firstPos: number | undefined;
  /** max |a − b| at firstPos. */
  readonly maxAbsDiffAtFirstPos: number;
}

/** What compareForwardPasses found. */
export interface CompareResult {
  /** Every tensor both passes traced, in graph order (layer 0's, layer 1's, …, then the output's). */
  readonly tensors: readonly TensorComparison[];
  /** "blk.N name" of tensors only A's pass traced (e.g. the bitnet sub-norms against a llama model). */
  readonly onlyInA: readonly string[];
  /** Likewise for B. */
  readonly onlyInB: readonly string[];
  /** The first tensor in graph order that diverges, else undefined. */
  readonly firstDivergence: TensorComparison | undefined;
}

/** "blk.3 ffn_gate_par" or "output result_output": where a traced tensor sits, as llama.cpp names it. */
export function tensorLabel(layer: number, tensor: string): string {
  return `${layer < 0 ? "output" : `blk.${layer}`} ${tensor}`;
}

/** The key of a traced tensor: layer and name. */
function keyOf(layer: number, tensor: string): string {
  return `${layer}\u0000${tensor}`;
}

/** Running totals of one tensor while B is compared with A. */
interface Accumulator {
  layer: number;
  tensor: string;
  length: number;
  maxAbsDiff: number;
  maxAbsA: number;
  differing: number;
  firstPos: number | undefined;
  maxAbsDiffAtFirstPos: number;
}

/** |a − b| for float32 values: 0 when the bits are equal, Infinity where the difference is not a number. */
function absDiff(a: number, b: number): number {
  const d = Math.abs(a - b);
  return Number.isNaN(d) ? Infinity : d;
}

/** Does one position diverge: its max |Δ| (with `differing` bit mismatches) against max |a| under the criterion? */
function positionDiverges(criterion: DivergenceCriterion, differing: number, maxAbs: number, maxAbsA: number): boolean {
  if (criterion.kind === "bit-exact") return differing > 0;
  return maxAbs > criterion.tolerance * maxAbsA;
}

/** Compare B's values of one tensor at one position with A's, adding to `acc`. */
function accumulate(
  acc: Accumulator,
  pos: number,
  a: Float32Array,
  b: Float32Array,
  criterion: DivergenceCriterion,
): void {
  const aBits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const bBits = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let differing = 0;
  let maxAbs = 0;
  let maxAbsA = 0;
  for (let i = 0; i < a.length; i++) {
    maxAbsA = Math.max(maxAbsA, Math.abs(a[i]));
    if (aBits[i] === bBits[i]) continue;
    differing++;
    maxAbs = Math.max(maxAbs, absDiff(a[i], b[i]));
  }
  acc.differing += differing;
  acc.maxAbsDiff = Math.max(acc.maxAbsDiff, maxAbs);
  acc.maxAbsA = Math.max(acc.maxAbsA, maxAbsA);
  if (acc.firstPos === undefined && positionDiverges(criterion, differing, maxAbs, maxAbsA)) {
    acc.firstPos = pos;
    acc.maxAbsDiffAtFirstPos = maxAbs;
  }
}

/** UsageError unless every token fits both models' vocabularies and contexts, and the vocabularies agree. */
function checkSides(a: CompareSide, b: CompareSide, tokens: readonly number[]): void {
  if (a.config.vocabSize !== b.config.vocabSize) {
    throw new UsageError(
      `the models' vocabularies differ: ${a.label} has ${a.config.vocabSize} tokens, ${b.label} ${b.config.vocabSize}; compare needs the same`,
    );
  }
  if (tokens.length === 0) throw new UsageError("compare needs at least one token");
  for (const side of [a, b]) {
    const outside = tokens.find((t) => !Number.isInteger(t) || t < 0 || t >= side.config.vocabSize);
    if (outside !== undefined) {
      throw new UsageError(
        `token id ${outside} is out of range for ${side.label}: its vocabulary has ${side.config.vocabSize} tokens`,
      );
    }
    if (tokens.length > side.config.contextLength) {
      throw new UsageError(
        `${tokens.length} tokens are more than ${side.label}'s context of ${side.config.contextLength}`,
      );
    }
  }
}

/** The finished comparison of one tensor. */
function finished(acc: Accumulator): TensorComparison {
  const relError = acc.maxAbsDiff === 0 ? 0 : acc.maxAbsA === 0 ? Infinity : acc.maxAbsDiff / acc.maxAbsA;
  return {
    layer: acc.layer,
    tensor: acc.tensor,
    length: acc.length,
    maxAbsDiff: acc.maxAbsDiff,
    relError,
    differing: acc.differing,
    firstPos: acc.firstPos,
    maxAbsDiffAtFirstPos: acc.maxAbsDiffAtFirstPos,
  };
}

/**
 * Run A and B over `tokens` (evaluateSequence: the prompt as one batch, as llama.cpp processes it) and compare
 * every traced tensor. UsageError when the vocabularies differ, a token does not fit, or a tensor both trace has
 * different lengths (naming it and both lengths). Spec: spec/forward.md §8.3.
 */
export function compareForwardPasses(
  a: CompareSide,
  b: CompareSide,
  tokens: readonly number[],
  criterion: DivergenceCriterion = { kind: "bit-exact" },
): CompareResult {
  checkSides(a, b, tokens);
  const kept = new Map<string, Float32Array[]>(); // A's values: key → per position
  const order: string[] = [];
  const names = new Map<string, { layer: number; tensor: string }>();
  evaluateSequence(a.config, a.weights, tokens, {
    ...a.options,
    trace: (tensor, layer, pos, values) => {
      const key = keyOf(layer, tensor);
      let positions = kept.get(key);
      if (positions === undefined) {
        positions = [];
        kept.set(key, positions);
        order.push(key);
        names.set(key, { layer, tensor });
      }
      positions[pos] = Float32Array.from(values);
    },
  });
  const accumulators = new Map<string, Accumulator>();
  const onlyInB: string[] = [];
  evaluateSequence(b.config, b.weights, tokens, {
    ...b.options,
    trace: (tensor, layer, pos, values) => {
      const key = keyOf(layer, tensor);
      const positionsOfA = kept.get(key);
      const ofA = positionsOfA?.[pos];
      if (positionsOfA === undefined || ofA === undefined) {
        if (!onlyInB.includes(tensorLabel(layer, tensor))) onlyInB.push(tensorLabel(layer, tensor));
        return;
      }
      if (ofA.length !== values.length) {
        throw new UsageError(
          `${tensorLabel(layer, tensor)} has ${ofA.length} values per position in ${a.label} but ${values.length} in ${b.label}: the models' shapes differ`,
        );
      }
      let acc = accumulators.get(key);
      if (acc === undefined) {
        acc = {
          layer,
          tensor,
          length: values.length,
          maxAbsDiff: 0,
          maxAbsA: 0,
          differing: 0,
          firstPos: undefined,
          maxAbsDiffAtFirstPos: 0,
        };
        accumulators.set(key, acc);
      }
      accumulate(acc, pos, ofA, values, criterion);
      positionsOfA[pos] = new Float32Array(0); // compared: let it go
    },
  });
  const tensors = order.flatMap((key) => {
    const acc = accumulators.get(key);
    return acc === undefined ? [] : [finished(acc)];
  });
  const onlyInA = order.flatMap((key) => {
    const name = names.get(key);
    return accumulators.has(key) || name === undefined ? [] : [tensorLabel(name.layer, name.tensor)];
  });
  const graphOrder = [...tensors].sort((x, y) => layerRank(x.layer) - layerRank(y.layer));
  return { tensors: graphOrder, onlyInA, onlyInB, firstDivergence: graphOrder.find((t) => t.firstPos !== undefined) };
}

/** Layers in order, the output (−1) after them. */
function layerRank(layer: number): number {
  return layer < 0 ? Number.MAX_SAFE_INTEGER : layer;
}
