/** The stepper of a run: reference/model's forward pass, or a backend session over the same weights. */
import { describe, expect, test } from "vitest";
import { createForwardState, F32_FORWARD_OPTIONS, forward } from "../../../reference/model/forward.js";
import { createForwardStepper } from "../../../src/run/forward-stepper.js";
import { sameBits, tinyModel } from "../../support/tiny-model.js";

describe("createForwardStepper", () => {
  const { config, weights } = tinyModel({ seed: 3, nLayers: 1 });
  const tokens = [5, 1, 9, 60];

  test("reference: reference/model's forward, bit for bit, with no backend", async () => {
    const stepper = await createForwardStepper("reference", config, weights, F32_FORWARD_OPTIONS, tokens.length);
    const state = createForwardState(config, weights, F32_FORWARD_OPTIONS);
    expect(stepper.backend).toBeUndefined();
    for (const [pos, token] of tokens.entries())
      expect(sameBits(stepper.step(token, pos), forward(state, token, pos))).toBe(true);
    stepper.dispose();
  });

  test("the cache holds the run's positions only", async () => {
    const stepper = await createForwardStepper("reference", config, weights, F32_FORWARD_OPTIONS, 2);
    stepper.step(5, 0);
    stepper.step(1, 1);
    expect(() => stepper.step(9, 2)).toThrow(/beyond the context of 2/);
  });

  test("another backend runs a session on it and names it", async () => {
    const stepper = await createForwardStepper("tfjs-cpu", config, weights, F32_FORWARD_OPTIONS, tokens.length);
    try {
      expect(stepper.backend?.describe()).toMatch(/tfjs/);
      const state = createForwardState(config, weights, F32_FORWARD_OPTIONS);
      for (const [pos, token] of tokens.entries()) {
        const logits = stepper.step(token, pos);
        const reference = forward(state, token, pos);
        expect(logits).toHaveLength(config.vocabSize);
        for (let j = 0; j < logits.length; j++) expect(Math.abs(logits[j] - reference[j])).toBeLessThan(1e-3);
      }
    } finally {
      stepper.dispose();
    }
  });
});
