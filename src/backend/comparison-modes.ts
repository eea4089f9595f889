/**
 * The activations of a comparison that runs reference/model's forward pass beside Backends (the
 * page's model runner, the model benchmarks): "f32" for all of them, or "ggml" — llama.cpp's
 * activations, which reference/model computes in ggml-exact mode (its x86 arithmetic end to end) and
 * every Backend in ggml-matmul mode (the same activation conversion, its own sums, f32 elsewhere).
 * The modes themselves: reference/model/modes.ts, spec/forward.md §3.
 */

import type { BackendActivationMode, ForwardActivationMode } from "../../reference/model/modes.js";

/** "f32", or "ggml": ggml-exact for reference/model, ggml-matmul for a Backend. */
export type ComparisonActivations = "f32" | "ggml";

/** Every ComparisonActivations, f32 first. */
export const COMPARISON_ACTIVATIONS: readonly ComparisonActivations[] = ["f32", "ggml"];

/** reference/model's mode for `activations`: ggml-exact for "ggml". */
export function referenceModeOf(activations: ComparisonActivations): ForwardActivationMode {
  return activations === "ggml" ? "ggml-exact" : "f32";
}

/** A Backend's mode for `activations`: ggml-matmul for "ggml". */
export function backendModeOf(activations: ComparisonActivations): BackendActivationMode {
  return activations === "ggml" ? "ggml-matmul" : "f32";
}
