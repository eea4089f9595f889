/**
 * `--activations` against the model: llama.cpp's arithmetic (ggml-exact, ggml-matmul) is refused for a model
 * llama.cpp cannot run (a bitnet.cpp I2_S file, spec/forward.md §17.7), with the reason.
 */

import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { I2S_LLAMA_CPP_PROBLEM } from "../../../src/model/i2s-linear.js";
import { checkModelActivations } from "../../../src/run/activation-choice.js";

describe("checkModelActivations", () => {
  const model = modelFromGguf(randomTrilm("tiny", 1, "tq2_0"));
  const i2s = { ...model, llamaCppProblem: I2S_LLAMA_CPP_PROBLEM };

  it("refuses ggml-exact and ggml-matmul for a model with llamaCppProblem, naming the file", () => {
    for (const mode of ["ggml-exact", "ggml-matmul"] as const)
      expect(() => checkModelActivations("m.gguf", i2s, mode)).toThrow(
        new InputError("m.gguf", `--activations ${mode}: ${I2S_LLAMA_CPP_PROBLEM}`),
      );
  });

  it("lets f32 and int8-per-token through, and every mode for other models", () => {
    for (const mode of ["f32", "int8-per-token"] as const) checkModelActivations("m.gguf", i2s, mode);
    for (const mode of ["f32", "ggml-exact", "ggml-matmul", "int8-per-token"] as const)
      checkModelActivations("m.gguf", model, mode);
  });
});
