/** The prefill-and-generate loop over any step function: positions in order, greedy or seeded sampling. */
import { describe, expect, test } from "vitest";
import { argmax, sampleToken } from "../../../reference/model/sampling.js";
import { mulberry32 } from "../../../src/random/index.js";
import { prefillAndGenerate } from "../../../src/run/generate.js";

const VOCAB = 7;

/** Logits that depend on token and position only, so every step is predictable. */
function step(token: number, pos: number): Float32Array {
  return Float32Array.from({ length: VOCAB }, (_, j) => Math.sin(token * 3.1 + pos * 1.7 + j * 0.9));
}

describe("prefillAndGenerate", () => {
  test("the prompt, then greedy tokens: each the argmax of the previous position's logits", () => {
    const seen: [number, number, boolean][] = [];
    const run = prefillAndGenerate(step, { prompt: [2, 5], generate: 3, temperature: 0, seed: 0 }, (pos, token, _, g) =>
      seen.push([pos, token, g]),
    );
    const expected: number[] = [];
    let logits = step(5, 1);
    for (let i = 0; i < 3; i++) {
      expected.push(argmax(logits));
      logits = step(expected[i], 2 + i);
    }
    expect(run.generated).toEqual(expected);
    expect(seen).toEqual([
      [0, 2, false],
      [1, 5, false],
      [2, expected[0], true],
      [3, expected[1], true],
      [4, expected[2], true],
    ]);
    expect(run.prefillMs).toBeGreaterThanOrEqual(0);
    expect(run.decodeMs).toBeGreaterThanOrEqual(0);
  });

  test("temperature > 0 draws with mulberry32(seed), the same tokens for the same seed", () => {
    const request = { prompt: [1], generate: 6, temperature: 0.9, seed: 42 };
    const next = mulberry32(42);
    const expected: number[] = [];
    let logits = step(1, 0);
    for (let i = 0; i < 6; i++) {
      expected.push(sampleToken(logits, 0.9, next()));
      logits = step(expected[i], 1 + i);
    }
    expect(prefillAndGenerate(step, request, () => {}).generated).toEqual(expected);
    expect(prefillAndGenerate(step, { ...request, seed: 43 }, () => {}).generated).not.toEqual(expected);
  });
});
