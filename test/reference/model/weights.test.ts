/**
 * reference/model/weights.ts — the tensors of a TriLM by role (spec/forward.md §2).
 *
 * Oracles: the shapes of spec §2 ([out, in] = [rows, cols]: W_q [nHeads·hd, dim], W_k and W_v
 * [nKvHeads·hd, dim], W_o [dim, nHeads·hd], W_gate and W_up [hiddenDim, dim], W_down [dim, hiddenDim],
 * E and the lm head [vocab, dim]) and the order of the seven linears per layer.
 */
import { describe, expect, test } from "vitest";
import { GgmlType, ggmlTypeTraits, rowByteSize } from "../../../reference/codec/index.js";
import { layerLinears } from "../../../reference/model/weights.js";
import { tinyModel } from "../../support/tiny-model.js";

describe("model weights", () => {
  test("layerLinears lists q, k, v, o, gate, up, down with their names, as the same objects", () => {
    const { weights } = tinyModel({ seed: 1, nLayers: 1 });
    const layer = weights.layers[0];
    const linears = layerLinears(layer);
    expect(linears.map(([name]) => name)).toEqual(["wq", "wk", "wv", "wo", "wGate", "wUp", "wDown"]);
    expect(linears.map(([, m]) => m)).toEqual([
      layer.wq,
      layer.wk,
      layer.wv,
      layer.wo,
      layer.wGate,
      layer.wUp,
      layer.wDown,
    ]);
    linears.forEach(([name, m]) => expect(m).toBe(layer[name as keyof typeof layer]));
  });

  test.each([
    ["TQ2_0, 4 heads, 4 kv heads", GgmlType.TQ2_0, 4, 4],
    ["TQ1_0, 8 heads, 2 kv heads (GQA)", GgmlType.TQ1_0, 8, 2],
    ["F32, 4 heads, 1 kv head (MQA)", GgmlType.F32, 4, 1],
  ])("every tensor has the shape of spec §2 (%s)", (_name, linearType, nHeads, nKvHeads) => {
    const { config, weights } = tinyModel({ seed: 2, linearType, nHeads, nKvHeads, hiddenDim: 768, vocabSize: 40 });
    const { dim, hiddenDim, headDim, vocabSize } = config;
    const shape = (m: { rows: number; cols: number }) => [m.rows, m.cols];
    expect(shape(weights.tokenEmbedding)).toEqual([vocabSize, dim]);
    expect(shape(weights.output)).toEqual([vocabSize, dim]);
    expect(weights.outputNorm.length).toBe(dim);
    expect(weights.layers).toHaveLength(config.nLayers);
    for (const layer of weights.layers) {
      expect(layer.attnNorm.length).toBe(dim);
      expect(layer.ffnNorm.length).toBe(dim);
      expect(shape(layer.wq)).toEqual([nHeads * headDim, dim]);
      expect(shape(layer.wk)).toEqual([nKvHeads * headDim, dim]);
      expect(shape(layer.wv)).toEqual([nKvHeads * headDim, dim]);
      expect(shape(layer.wo)).toEqual([dim, nHeads * headDim]);
      expect(shape(layer.wGate)).toEqual([hiddenDim, dim]);
      expect(shape(layer.wUp)).toEqual([hiddenDim, dim]);
      expect(shape(layer.wDown)).toEqual([dim, hiddenDim]);
      for (const [, m] of layerLinears(layer)) {
        expect(m.type).toBe(linearType);
        expect(m.data.length).toBe(m.rows * rowByteSize(ggmlTypeTraits(m.type)!, m.cols));
      }
    }
  });

  test("a tied model uses the token embedding object as its lm head", () => {
    const tied = tinyModel({ seed: 3, tiedOutput: true });
    expect(tied.weights.output).toBe(tied.weights.tokenEmbedding);
    const untied = tinyModel({ seed: 3 });
    expect(untied.weights.output).not.toBe(untied.weights.tokenEmbedding);
  });
});
