/** llama-perplexity's windows, scored positions and estimate (spec/forward.md §11) on a tiny model. */
import { describe, expect, test } from "vitest";
import { createForwardState, F32_FORWARD_OPTIONS, forward } from "../../../reference/model/forward.js";
import {
  evaluatePerplexity,
  llamaNegativeLogLikelihood,
  perplexityEstimate,
  perplexityWindows,
} from "../../../reference/model/perplexity.js";
import { logProbability } from "../../../reference/model/sampling.js";
import { mulberry32 } from "../../../src/random/index.js";
import { randomTokens, tinyModel } from "../../support/tiny-model.js";

describe("perplexityWindows", () => {
  test("⌊n/N⌋ whole windows, the second half of each scored, the rest left over", () => {
    expect(perplexityWindows(40, 16)).toEqual({ ctx: 16, count: 2, first: 8, scoredPerWindow: 7, leftOver: 8 });
    expect(perplexityWindows(1024, 512)).toEqual({ ctx: 512, count: 2, first: 256, scoredPerWindow: 255, leftOver: 0 });
    expect(perplexityWindows(5, 3)).toEqual({ ctx: 3, count: 1, first: 1, scoredPerWindow: 1, leftOver: 2 });
    expect(perplexityWindows(7, 8).count).toBe(0);
  });
});

describe("perplexityEstimate", () => {
  test("exp(mean NLL) ± PPL·sqrt(var/(count − 1))", () => {
    const nlls = [1, 2, 4];
    const totals = { count: 3, sum: 7, sumOfSquares: nlls.reduce((s, x) => s + x * x, 0) };
    const mean = 7 / 3;
    const { ppl, plusMinus } = perplexityEstimate(totals);
    expect(ppl).toBe(Math.exp(mean));
    expect(plusMinus).toBe(Math.sqrt((21 / 3 - mean * mean) / 2) * Math.exp(mean));
  });

  test("no uncertainty from one token or from equal NLLs", () => {
    expect(perplexityEstimate({ count: 1, sum: 2, sumOfSquares: 4 })).toEqual({
      ppl: Math.exp(2),
      plusMinus: undefined,
    });
    expect(perplexityEstimate({ count: 2, sum: 2, sumOfSquares: 2 }).plusMinus).toBeUndefined();
  });
});

describe("llamaNegativeLogLikelihood", () => {
  test("is llama-perplexity's log_softmax: float32 differences and expf, the sum in double", () => {
    const logits = Float32Array.from([0.1, -2.5, 3.75, 1e-3, 3.7499998]);
    let sumExp = 0;
    for (const l of logits) sumExp += Math.fround(Math.exp(Math.fround(l - logits[2])));
    for (let t = 0; t < logits.length; t++) {
      expect(llamaNegativeLogLikelihood(logits, t)).toBe(-(Math.fround(logits[t] - logits[2]) - Math.log(sumExp)));
      expect(llamaNegativeLogLikelihood(logits, t)).toBeCloseTo(-logProbability(logits, t), 6);
    }
    expect(() => llamaNegativeLogLikelihood(logits, 5)).toThrow(RangeError);
    expect(() => llamaNegativeLogLikelihood(Float32Array.from([0, Number.NaN]), 0)).toThrow(RangeError);
  });
});

describe("evaluatePerplexity", () => {
  const { config, weights } = tinyModel({ seed: 11, nLayers: 1, contextLength: 8 });
  const tokens = randomTokens(mulberry32(5), 19, config.vocabSize);

  /** Σ NLL over positions ⌊N/2⌋ … N−2 of each whole window, each from a fresh cache, summed in order. */
  function directSum(ctx: number, bos?: number): { count: number; sum: number; afterWindow: number[] } {
    let sum = 0;
    let count = 0;
    const afterWindow: number[] = [];
    for (let w = 0; (w + 1) * ctx <= tokens.length; w++) {
      const state = createForwardState({ ...config, contextLength: ctx }, weights, F32_FORWARD_OPTIONS);
      for (let i = 0; i < ctx - 1; i++) {
        const logits = forward(state, i === 0 && bos !== undefined ? bos : tokens[w * ctx + i], i);
        if (i >= Math.floor(ctx / 2)) {
          sum += llamaNegativeLogLikelihood(logits, tokens[w * ctx + i + 1]);
          count++;
        }
      }
      afterWindow.push(Math.exp(sum / count));
    }
    return { count, sum, afterWindow };
  }

  test("scores the second half of each window from an empty cache, as llama-perplexity", () => {
    for (const ctx of [3, 6, 8]) {
      const expected = directSum(ctx);
      const result = evaluatePerplexity(config, weights, tokens, ctx, F32_FORWARD_OPTIONS);
      expect(result.windows).toEqual(perplexityWindows(tokens.length, ctx));
      expect(result.totals.count).toBe(expected.count);
      expect(result.totals.count).toBe(result.windows.count * result.windows.scoredPerWindow);
      expect(result.totals.sum).toBe(expected.sum);
      expect(result.pplAfterWindow).toEqual(expected.afterWindow);
    }
  });

  test("with a BOS id, the first id of every window is replaced by it before the window is evaluated", () => {
    const bos = (tokens[0] + 1) % config.vocabSize;
    const expected = directSum(6, bos);
    const result = evaluatePerplexity(config, weights, tokens, 6, F32_FORWARD_OPTIONS, undefined, bos);
    expect(result.totals.sum).toBe(expected.sum);
    expect(result.totals.sum).not.toBe(directSum(6).sum);
  });

  test("reports every evaluated position, window by window", () => {
    const seen: string[] = [];
    evaluatePerplexity(config, weights, tokens.slice(0, 12), 6, F32_FORWARD_OPTIONS, (w, i) => seen.push(`${w}:${i}`));
    expect(seen).toEqual(["0:0", "0:1", "0:2", "0:3", "0:4", "1:0", "1:1", "1:2", "1:3", "1:4"]);
  });

  test("refuses windows that score nothing, exceed the context, or do not fit the ids", () => {
    expect(() => evaluatePerplexity(config, weights, tokens, 2, F32_FORWARD_OPTIONS)).toThrow(/score nothing/);
    expect(() => evaluatePerplexity(config, weights, tokens, 9, F32_FORWARD_OPTIONS)).toThrow(/context of 8/);
    expect(() => evaluatePerplexity(config, weights, tokens.slice(0, 5), 6, F32_FORWARD_OPTIONS)).toThrow(
      /fewer than one window/,
    );
  });
});
