/** A run's checks: the backend's KV cache type, the prompt's ids and the context. */
import { describe, expect, test } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { checkBackendKvCache, checkPromptFits } from "../../../src/run/run-request.js";
import { tinyConfig } from "../../support/tiny-model.js";

describe("checkBackendKvCache", () => {
  test("only the reference backend has an f16 cache", () => {
    expect(() => checkBackendKvCache("reference", "f16")).not.toThrow();
    expect(() => checkBackendKvCache("gpujs", "f32")).not.toThrow();
    expect(() => checkBackendKvCache("tfjs-cpu", "f16")).toThrow(
      new UsageError(
        "--kv-cache f16: --backend tfjs-cpu runs with an f32 KV cache only (use --backend reference for f16)",
      ),
    );
  });
});

describe("checkPromptFits", () => {
  const config = tinyConfig({ seed: 1, vocabSize: 64, contextLength: 8 });

  test("prompt ids in the vocabulary, prompt + generated within the context", () => {
    expect(() => checkPromptFits({ prompt: [0, 63], promptSource: "--tokens", generate: 6 }, config)).not.toThrow();
  });

  test("an id outside the vocabulary, naming where the prompt came from", () => {
    expect(() => checkPromptFits({ prompt: [1, 64], promptSource: "the default prompt", generate: 0 }, config)).toThrow(
      new UsageError("the default prompt: token id 64 is out of range: the model's vocabulary has 64 tokens (0..63)"),
    );
  });

  test("context overflow", () => {
    expect(() => checkPromptFits({ prompt: [1, 2, 3], promptSource: "--tokens", generate: 6 }, config)).toThrow(
      new UsageError(
        "context overflow: 3 prompt tokens (--tokens) + 6 generated (--generate) = 9 positions, more than the model's context of 8",
      ),
    );
  });
});
