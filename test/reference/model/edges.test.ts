/**
 * Numerics at the edges of the forward pass (spec/forward.md §14): all-zero rows, the last position
 * of the context, and non-finite values in scales and embeddings, which the reference propagates as
 * ggml does (it never refuses a model for them).
 */
import { describe, expect, test } from "vitest";
import { GgmlType, dequantizeRow, f32ToF16Bits } from "../../../reference/codec/index.js";
import { createForwardState, F32_FORWARD_OPTIONS, forward } from "../../../reference/model/forward.js";
import type { PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { rmsNorm } from "../../../reference/model/rmsnorm.js";
import type { TrilmWeights } from "../../../reference/model/weights.js";
import { tinyModel } from "../../support/tiny-model.js";

/** `matrix` with the fp16 scale of its first TQ2_0 block (bytes 64..65) replaced by `scaleBits`. */
function withFirstBlockScale(matrix: PackedMatrix, scaleBits: number): PackedMatrix {
  const data = new Uint8Array(matrix.data);
  data[64] = scaleBits & 0xff;
  data[65] = scaleBits >>> 8;
  return { ...matrix, data };
}

/** `matrix` (F16) with element 0 of row `row` set to the fp16 bits `bits`. */
function withF16Element(matrix: PackedMatrix, row: number, bits: number): PackedMatrix {
  const data = new Uint8Array(matrix.data);
  data[row * matrix.cols * 2] = bits & 0xff;
  data[row * matrix.cols * 2 + 1] = bits >>> 8;
  return { ...matrix, data };
}

const model = tinyModel({ seed: 14, contextLength: 8 });

describe("RMSNorm of an all-zero row", () => {
  test("is exactly zero: mean 0, scale = 1/sqrt(eps) (finite), 0 · scale · w = 0", () => {
    const y = rmsNorm(new Float32Array(256), new Float32Array(256).fill(1.5), Math.fround(1e-5));
    expect(Array.from(y).every((v) => v === 0)).toBe(true);
  });
});

describe("the context limit", () => {
  test("the last position, contextLength − 1, runs and gives finite logits", () => {
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    let logits: Float32Array = new Float32Array(0);
    for (let pos = 0; pos < model.config.contextLength; pos++) logits = forward(state, 1 + pos, pos);
    expect(logits.length).toBe(model.config.vocabSize);
    expect(logits.every(Number.isFinite)).toBe(true);
  });

  test("position contextLength is refused with the numbers in the message", () => {
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    expect(() => forward(state, 1, model.config.contextLength)).toThrow(
      /position 8 is beyond the context of 8 positions/,
    );
  });
});

describe("non-finite scales propagate, as in ggml", () => {
  const cases: Array<[string, number]> = [
    ["+inf (absmax ≥ 65520)", 0x7c00],
    ["NaN", 0x7e00],
  ];
  test.each(cases)(
    "a TQ2_0 block of W_q with scale %s: the decoded row holds non-finite values and, in f32 mode, every logit is NaN",
    (_label, bits) => {
      const wq = withFirstBlockScale(model.weights.layers[0].wq, bits);
      const row0 = dequantizeRow(GgmlType.TQ2_0, wq.data.subarray(0, (wq.cols / 256) * 66), wq.cols);
      expect(row0.subarray(0, 256).some((v) => !Number.isFinite(v))).toBe(true);
      const weights: TrilmWeights = {
        ...model.weights,
        layers: [{ ...model.weights.layers[0], wq }, ...model.weights.layers.slice(1)],
      };
      const logits = forward(createForwardState(model.config, weights, { activations: "f32", kvCache: "f32" }), 1, 0);
      expect(logits.every(Number.isNaN)).toBe(true);
    },
  );

  test.each(cases)(
    "in ggml-exact mode the NaN stops at the next Q8_K quantization (nearest_int(NaN) = 0), so logits stay finite — as in llama.cpp (scale %s)",
    (_label, bits) => {
      const wq = withFirstBlockScale(model.weights.layers[0].wq, bits);
      const weights: TrilmWeights = {
        ...model.weights,
        layers: [{ ...model.weights.layers[0], wq }, ...model.weights.layers.slice(1)],
      };
      const ggml = forward(
        createForwardState(model.config, weights, { activations: "ggml-exact", kvCache: "f32" }),
        1,
        0,
      );
      expect(ggml.every(Number.isFinite)).toBe(true);
      const clean = forward(
        createForwardState(model.config, model.weights, { activations: "ggml-exact", kvCache: "f32" }),
        1,
        0,
      );
      expect(Array.from(ggml)).not.toEqual(Array.from(clean)); // head 0's output became zeros in W_o's input
    },
  );
});

describe("an F16 embedding row holding ±inf (fp16 overflow of a value ≥ 65520)", () => {
  const inf = f32ToF16Bits(70000); // 0x7c00: what converting 70000 to fp16 stores
  const weights: TrilmWeights = {
    ...model.weights,
    tokenEmbedding: withF16Element(model.weights.tokenEmbedding, 3, inf),
  };

  test("fp16(70000) is +inf", () => {
    expect(inf).toBe(0x7c00);
  });

  test("that token's logits are all NaN (RMSNorm: Σx² = inf, scale = 0, inf·0 = NaN); other tokens are unaffected", () => {
    expect(forward(createForwardState(model.config, weights, F32_FORWARD_OPTIONS), 3, 0).every(Number.isNaN)).toBe(
      true,
    );
    const clean = forward(createForwardState(model.config, weights, F32_FORWARD_OPTIONS), 4, 0);
    expect(clean.every(Number.isFinite)).toBe(true);
    expect(Array.from(clean)).toEqual(
      Array.from(forward(createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS), 4, 0)),
    );
  });

  test("a NaN position poisons the later positions through attention, as it does in ggml", () => {
    const state = createForwardState(model.config, weights, F32_FORWARD_OPTIONS);
    forward(state, 3, 0);
    expect(forward(state, 4, 1).every(Number.isNaN)).toBe(true);
  });
});
