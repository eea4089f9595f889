/** Greedy choice, top-k, temperature sampling by inverse CDF and log-probabilities: pure functions of their inputs. */
import { describe, expect, test } from "vitest";
import {
  argmax,
  logProbability,
  sampleToken,
  softmaxWithTemperature,
  topK,
} from "../../../reference/model/sampling.js";

const logits = Float32Array.from([0.5, 2, -1, 2, 1.5]);

describe("argmax and topK", () => {
  test("argmax is the first index of the largest logit", () => {
    expect(argmax(logits)).toBe(1);
    expect(argmax(Float32Array.from([-3]))).toBe(0);
    expect(argmax(Float32Array.from([-3e38, -1e30]))).toBe(1);
  });

  test("non-finite or empty logits are refused", () => {
    expect(() => argmax(new Float32Array(0))).toThrow(RangeError);
    expect(() => argmax(Float32Array.from([1, NaN]))).toThrow(/logit 1 is NaN/);
    expect(() => argmax(Float32Array.from([Infinity]))).toThrow(RangeError);
  });

  test("topK: largest first, lower index first on ties, at most the row", () => {
    expect(topK(logits, 3)).toEqual([
      { token: 1, logit: 2 },
      { token: 3, logit: 2 },
      { token: 4, logit: 1.5 },
    ]);
    expect(topK(logits, 10).map((t) => t.token)).toEqual([1, 3, 4, 0, 2]);
    expect(topK(logits, 0)).toEqual([]);
  });
});

describe("softmax with temperature", () => {
  test("sums to 1 and follows exp(l/T)", () => {
    const p = softmaxWithTemperature(logits, 0.5);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(p[1] / p[4]).toBeCloseTo(Math.exp((2 - 1.5) / 0.5), 12);
    expect(p[1]).toBe(p[3]);
  });

  test("a high temperature flattens, a low one sharpens", () => {
    const hot = softmaxWithTemperature(logits, 1000);
    for (const v of hot) expect(v).toBeCloseTo(0.2, 2);
    const cold = softmaxWithTemperature(logits, 0.01);
    expect(cold[1] + cold[3]).toBeCloseTo(1, 12);
  });

  test("temperature must be finite and positive", () => {
    expect(() => softmaxWithTemperature(logits, 0)).toThrow(RangeError);
    expect(() => softmaxWithTemperature(logits, -1)).toThrow(RangeError);
    expect(() => softmaxWithTemperature(logits, Infinity)).toThrow(RangeError);
  });
});

describe("sampleToken", () => {
  test("temperature 0 is argmax, whatever u", () => {
    for (const u of [0, 0.3, 0.999]) expect(sampleToken(logits, 0, u)).toBe(argmax(logits));
  });

  test("inverse CDF: u picks the first token whose cumulative probability exceeds it", () => {
    const p = softmaxWithTemperature(logits, 1);
    expect(sampleToken(logits, 1, 0)).toBe(0);
    expect(sampleToken(logits, 1, p[0] * 0.999)).toBe(0);
    expect(sampleToken(logits, 1, p[0] * 1.001)).toBe(1);
    expect(sampleToken(logits, 1, 1 - 1e-12)).toBe(4);
  });

  test("a uniform grid of u reproduces the distribution", () => {
    const n = 100000;
    const counts = new Array<number>(logits.length).fill(0);
    for (let i = 0; i < n; i++) counts[sampleToken(logits, 0.8, (i + 0.5) / n)]++;
    const p = softmaxWithTemperature(logits, 0.8);
    counts.forEach((count, j) => expect(Math.abs(count / n - p[j])).toBeLessThanOrEqual(1 / n));
  });

  test("u outside [0, 1) is refused", () => {
    expect(() => sampleToken(logits, 1, 1)).toThrow(RangeError);
    expect(() => sampleToken(logits, 1, -0.1)).toThrow(RangeError);
  });
});

describe("logProbability", () => {
  test("is log softmax: the probabilities sum to 1", () => {
    const total = [...logits.keys()].reduce((sum, j) => sum + Math.exp(logProbability(logits, j)), 0);
    expect(total).toBeCloseTo(1, 14);
    expect(logProbability(logits, 1)).toBeCloseTo(Math.log(softmaxWithTemperature(logits, 1)[1]), 14);
  });

  test("is stable for large logits", () => {
    const big = Float32Array.from([1e30, 0]);
    expect(logProbability(big, 0)).toBe(0);
    expect(logProbability(big, 1)).toBe(-big[0]);
  });

  test("a token outside the row is refused", () => {
    expect(() => logProbability(logits, 5)).toThrow(RangeError);
    expect(() => logProbability(logits, -1)).toThrow(RangeError);
  });
});
