/**
 * The runner's loop on the embedded model: the reference backend's logits equal reference/model's
 * forward() bit for bit, tfjs-cpu stays within the NMSE criterion (spec/tolerances.md §9.1), a
 * throwing backend is recorded and the loop goes on; a factory's own stepper (the page's engine worker) is awaited.
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createTfjsBackend } from "../../../../accelerated/tfjs/index.js";
import { createForwardState, evaluateSequence, forward } from "../../../../reference/model/forward.js";
import { NMSE_TOLERANCE, nmse } from "../../../../reference/tolerances/index.js";
import { createReferenceBackend } from "../../../../src/backend/reference-backend.js";
import { evaluateBackendSequence } from "../../../../src/backend/backend-forward.js";
import { parseGguf } from "../../../../src/gguf/reader.js";
import { embeddedModelPath } from "../../../../src/model/embedded.js";
import { modelFromGguf } from "../../../../src/model/gguf-model.js";
import { backendStepper, runBackends, type RunProgress } from "../../../../src/web/runner/run-loop.js";

const path = embeddedModelPath();
const model = modelFromGguf(parseGguf(new Uint8Array(readFileSync(path)), path));
const TOKENS = [1, 17, 300];

describe("runBackends on the embedded model", () => {
  test("reference = forward() bit for bit, tfjs-cpu NMSE ≤ 1e-6, a failing backend is recorded", async () => {
    const events: RunProgress[] = [];
    const runs = await runBackends({
      config: model.config,
      weights: model.weights,
      tokens: TOKENS,
      activations: "f32",
      factories: [
        { name: "reference", referenceModel: true },
        {
          name: "broken",
          create: () => {
            throw new Error("no such device");
          },
        },
        { name: "tfjs-cpu", create: () => createTfjsBackend("cpu") },
      ],
      onProgress: (_, progress) => events.push(progress),
    });
    expect(runs.map((r) => r.name)).toEqual(["reference", "broken", "tfjs-cpu"]);

    const state = createForwardState(model.config, model.weights, { activations: "f32", kvCache: "f32" });
    const expected = TOKENS.map((token, pos) => forward(state, token, pos));
    const [reference, broken, tfjsCpu] = runs;
    expect(reference.error).toBeNull();
    expect(reference.logits).toHaveLength(3);
    reference.logits.forEach((row, p) => expect(Array.from(row)).toEqual(Array.from(expected[p])));
    expect(reference.msPerToken).toHaveLength(3);
    expect(reference.prepareMs).toBeGreaterThanOrEqual(0);
    expect(reference.description).not.toBe("");

    expect(broken.error).toBe("no such device");
    expect(broken.logits).toEqual([]);
    expect(Number.isFinite(broken.prepareMs)).toBe(true);

    expect(tfjsCpu.error).toBeNull();
    expect(tfjsCpu.logits).toHaveLength(3);
    expect(nmse(tfjsCpu.logits, expected)).toBeLessThanOrEqual(NMSE_TOLERANCE);
    expect(tfjsCpu.logits.some((row, p) => row.some((v, j) => v !== expected[p][j]))).toBe(true); // really another implementation

    expect(events.filter((e) => e.kind === "token").map((e) => e.backend)).toEqual([
      "reference",
      "reference",
      "reference",
      "tfjs-cpu",
      "tfjs-cpu",
      "tfjs-cpu",
    ]);
    expect(events.filter((e) => e.kind === "backend-done")).toHaveLength(3);
  }, 30_000);
  test("ggml: the reference is reference/model's ggml-exact prompt batch bit for bit, a Backend runs ggml-matmul", async () => {
    const runs = await runBackends({
      config: model.config,
      weights: model.weights,
      tokens: TOKENS,
      activations: "ggml",
      factories: [
        { name: "reference", referenceModel: true },
        { name: "reference-backend", create: () => createReferenceBackend() },
      ],
    });
    // the prompt as one batch, as llama_decode (and `trilm run`) evaluate it — not one-token decodes (spec/forward.md §9.3)
    const expected = evaluateSequence(model.config, model.weights, TOKENS, {
      activations: "ggml-exact",
      kvCache: "f32",
    });
    expect(runs[0].logits).toHaveLength(TOKENS.length);
    runs[0].logits.forEach((row, p) => expect(Array.from(row)).toEqual(Array.from(expected[p])));
    const matmulOnly = evaluateBackendSequence(model.config, model.weights, createReferenceBackend(), TOKENS, {
      activations: "ggml-matmul",
      kvCache: "f32",
    });
    runs[1].logits.forEach((row, p) => expect(Array.from(row)).toEqual(Array.from(matmulOnly[p])));
    expect(nmse(runs[1].logits, expected)).toBeLessThanOrEqual(NMSE_TOLERANCE);
  }, 30_000);
  test("a backend whose creation never settles times out and the loop goes on", async () => {
    const runs = await runBackends({
      config: model.config,
      weights: model.weights,
      tokens: [1],
      activations: "f32",
      createTimeoutMs: 50,
      factories: [
        { name: "hanging", create: () => new Promise<never>(() => {}) },
        { name: "reference-backend", create: () => createReferenceBackend() },
      ],
    });
    expect(runs[0].error).toBe("creating the backend did not finish within 0.05 s");
    expect(runs[1].error).toBeNull();
    expect(runs[1].logits).toHaveLength(1);
  });
  test("a factory's own stepper: its asynchronous steps are awaited; a failed start is recorded", async () => {
    const started: number[] = [];
    const runs = await runBackends({
      config: model.config,
      weights: model.weights,
      tokens: TOKENS,
      activations: "f32",
      factories: [
        {
          name: "elsewhere",
          startStepper: async (run) => {
            started.push(run.config.contextLength);
            const inner = backendStepper(createReferenceBackend(), run);
            return {
              description: "another thread",
              step: (token, pos) => new Promise((resolve) => setTimeout(() => resolve(inner.step(token, pos)), 1)),
              dispose: () => inner.dispose(),
            };
          },
        },
        { name: "no-worker", startStepper: () => Promise.reject(new Error("Worker is not defined")) },
      ],
    });
    expect(started).toEqual([TOKENS.length]);
    const expected = evaluateBackendSequence(model.config, model.weights, createReferenceBackend(), TOKENS, {
      activations: "f32",
      kvCache: "f32",
    });
    expect(runs[0].error).toBeNull();
    expect(runs[0].description).toBe("another thread");
    expect(runs[0].logits).toHaveLength(TOKENS.length);
    runs[0].logits.forEach((row, p) => expect(Array.from(row)).toEqual(Array.from(expected[p])));
    expect(runs[1].error).toBe("Worker is not defined");
  });
});
