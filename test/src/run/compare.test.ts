/**
 * compareForwardPasses (spec/forward.md §8.3): identical passes agree everywhere; one changed weight, or
 * ReLU² instead of SiLU, is named as the first diverging tensor in graph order; mismatched models are
 * refused naming what differs.
 */

import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence } from "../../../reference/model/forward.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { compareForwardPasses, tensorLabel, type CompareSide } from "../../../src/run/compare.js";
import { UsageError } from "../../../src/errors.js";
import { tinyModel } from "../../support/tiny-model.js";

const TOKENS = [1, 17, 30, 42];
const GRAPH = [
  "attn_norm",
  "Qcur",
  "Kcur",
  "Vcur",
  "kqv_out",
  "attn_out",
  "ffn_inp",
  "ffn_norm",
  "ffn_up",
  "ffn_gate",
  "ffn_gate_par",
  "ffn_out",
  "l_out",
];

function side(
  label: string,
  model: ReturnType<typeof tinyModel>,
  activations: "f32" | "ggml-exact" = "ggml-exact",
): CompareSide {
  return { label, config: model.config, weights: model.weights, options: { activations, kvCache: "f32" } };
}

describe("compareForwardPasses", () => {
  const model = tinyModel({ seed: 5, nLayers: 2, linearType: GgmlType.F32 });

  test("identical passes: every tensor in graph order, no divergence", () => {
    const result = compareForwardPasses(side("A", model), side("B", model), TOKENS);
    expect(result.tensors.map((t) => tensorLabel(t.layer, t.tensor))).toEqual([
      ...GRAPH.map((n) => `blk.0 ${n}`),
      ...GRAPH.map((n) => `blk.1 ${n}`),
      "output result_norm",
      "output result_output",
    ]);
    expect(result.firstDivergence).toBeUndefined();
    expect(result.tensors.every((t) => t.maxAbsDiff === 0 && t.differing === 0)).toBe(true);
    expect([result.onlyInA, result.onlyInB]).toEqual([[], []]);
  });

  test("one weight changed in blk.1 ffn_down: the first divergence is blk.1 ffn_out, at position 0", () => {
    const down = Float32Array.from(model.values.layers[1].wDown);
    down[3] = down[3] + 0.5;
    const changed = {
      ...model,
      weights: {
        ...model.weights,
        layers: model.weights.layers.map((l, i) =>
          i === 1 ? { ...l, wDown: packMatrix(GgmlType.F32, l.wDown.rows, l.wDown.cols, down) } : l,
        ),
      },
    };
    const result = compareForwardPasses(side("A", model), side("B", changed), TOKENS);
    const first = result.firstDivergence;
    expect(first && [tensorLabel(first.layer, first.tensor), first.firstPos]).toEqual(["blk.1 ffn_out", 0]);
    expect(first?.maxAbsDiff).toBeGreaterThan(0);
    let maxAbsA = 0; // rel = max |Δ| / max |A|, A's blk.1 ffn_out over every position
    evaluateSequence(model.config, model.weights, TOKENS, {
      activations: "ggml-exact",
      kvCache: "f32",
      trace: (tensor, layer, _pos, values) => {
        if (layer === 1 && tensor === "ffn_out") for (const v of values) maxAbsA = Math.max(maxAbsA, Math.abs(v));
      },
    });
    expect(first?.relError).toBe((first?.maxAbsDiff ?? 0) / maxAbsA);
    const before = result.tensors.slice(0, first === undefined ? 0 : result.tensors.indexOf(first));
    expect(before.every((t) => t.differing === 0)).toBe(true);
  });

  test("the same model with ReLU² instead of SiLU: the first divergence is blk.0 ffn_gate_par", () => {
    const relu2 = { ...model, config: { ...model.config, ffnActivation: "relu2" as const } };
    const result = compareForwardPasses(side("A", model), side("B", relu2), TOKENS);
    expect(result.firstDivergence && tensorLabel(result.firstDivergence.layer, result.firstDivergence.tensor)).toBe(
      "blk.0 ffn_gate_par",
    );
  });

  test("ggml-exact against f32: bit-exact finds a divergence; a loose relative tolerance finds none", () => {
    expect(compareForwardPasses(side("A", model), side("B", model, "f32"), TOKENS).firstDivergence).toBeDefined();
    const loose = compareForwardPasses(side("A", model), side("B", model, "f32"), TOKENS, {
      kind: "relative",
      tolerance: 0.5,
    });
    expect(loose.firstDivergence).toBeUndefined();
    expect(loose.tensors.some((t) => t.differing > 0)).toBe(true);
  });

  test("refuses different vocabularies, tokens out of range and tensors of different lengths, naming them", () => {
    const other = tinyModel({ seed: 5, nLayers: 2, linearType: GgmlType.F32, vocabSize: 80 });
    expect(() => compareForwardPasses(side("A", model), side("B", other), TOKENS)).toThrow(
      "the models' vocabularies differ: A has 64 tokens, B 80; compare needs the same",
    );
    expect(() => compareForwardPasses(side("A", model), side("B", model), [1, 64])).toThrow(
      "token id 64 is out of range for A: its vocabulary has 64 tokens",
    );
    const wider = tinyModel({ seed: 5, nLayers: 2, linearType: GgmlType.F32, hiddenDim: 768 });
    expect(() => compareForwardPasses(side("A", model), side("B", wider), TOKENS)).toThrow(UsageError);
    expect(() => compareForwardPasses(side("A", model), side("B", wider), TOKENS)).toThrow(
      "blk.0 ffn_up has 512 values per position in A but 768 in B: the models' shapes differ",
    );
  });
});
