/**
 * src/backend/comparison-modes.ts — what "ggml" means where reference/model runs beside Backends:
 * ggml-exact for the reference forward pass, ggml-matmul for a Backend (spec/forward.md §3).
 */
import { describe, expect, test } from "vitest";
import { backendModeOf, COMPARISON_ACTIVATIONS, referenceModeOf } from "../../../src/backend/comparison-modes.js";

describe("comparison activations", () => {
  test("f32 is f32 everywhere; ggml is ggml-exact on the reference and ggml-matmul on a Backend", () => {
    expect(COMPARISON_ACTIVATIONS).toEqual(["f32", "ggml"]);
    expect(COMPARISON_ACTIVATIONS.map(referenceModeOf)).toEqual(["f32", "ggml-exact"]);
    expect(COMPARISON_ACTIVATIONS.map(backendModeOf)).toEqual(["f32", "ggml-matmul"]);
  });
});
