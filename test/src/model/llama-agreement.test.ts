/**
 * The forward pass against llama.cpp itself: golden/external/llama/ holds a tiny TriLM-shaped model
 * (F32, and after llama-quantize TQ2_0 and TQ1_0) and llama.cpp's logits for 16 tokens in one batch
 * (CPU backend, 1 thread, F32 KV cache, flash attention off). Spec/forward.md §9: the `ggml-exact`
 * mode reproduces llama.cpp's x86-64 CPU backend.
 *
 * Thresholds. The goal set for ggml mode (the issue "ggml mode must reproduce llama.cpp's CPU
 * backend") is: argmax agrees at every position and NMSE = mean((ours − llama)²) / mean(llama²)
 * ≤ 1e-6 per file. 1e-6 is loose on purpose: one activation that lands on the other side of a Q8_K
 * rounding boundary moves the logits by ~1e-3 relative (NMSE ~1e-5), while accumulation-order
 * differences alone stay near 1e-13. Measured: NMSE 0 (every logit bit-identical) for all three
 * files — before the reference/ggml-x86 kernels it was 4.9e-14 (F32) and 6.1e-6 (TQ2_0, TQ1_0:
 * positions 14 and 15 had flipped Q8_K roundings). The bit-exact test below pins that down.
 * f32 mode is not meant to match llama.cpp bit for bit; on the F32 file it is within NMSE 4.9e-14.
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseGguf } from "../../../src/gguf/index.js";
import { modelFromGguf, type LoadedModel } from "../../../src/model/gguf-model.js";
import {
  createForwardState,
  evaluateSequence,
  forward,
  type ForwardOptions,
} from "../../../reference/model/forward.js";
import { argmaxOf, maxAbsDiff, NMSE_TOLERANCE, nmse } from "../../../reference/tolerances/index.js";

const GOLDEN = new URL("../../../golden/external/llama/", import.meta.url);
const TOKENS: number[] = (JSON.parse(readFileSync(new URL("tokens.json", GOLDEN), "utf8")) as { tokens: number[] })
  .tokens;
const VOCAB = 512;
/** golden/external/llama/ was made by the older llama.cpp build whose tinyBLAS took F16 × F32 (spec/forward.md §9.3). */
const GGML: ForwardOptions = { activations: "ggml-exact", kvCache: "f32", f16MatmulInput: "f32-tinyblas" };
const VARIANTS = ["f32", "tq2_0", "tq1_0"] as const;

/** The model in tiny-<variant>.gguf. */
function loadModel(variant: string): LoadedModel {
  const name = `tiny-${variant}.gguf`;
  return modelFromGguf(parseGguf(new Uint8Array(readFileSync(new URL(name, GOLDEN))), name));
}

/** llama.cpp's logits for `variant`: 16 rows of Float32Array[512]. */
function llamaLogits(variant: string): Float32Array[] {
  const bytes = readFileSync(new URL(`logits-${variant}.f32`, GOLDEN));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  expect(all.length).toBe(TOKENS.length * VOCAB);
  return TOKENS.map((_, pos) => all.subarray(pos * VOCAB, (pos + 1) * VOCAB));
}

/** Assert the agreement goal for one run (spec/forward.md §9.2) and print its figures. */
function expectAgreement(label: string, ours: Float32Array[], llama: Float32Array[]): void {
  const error = nmse(ours, llama);
  const maxAbs = ours.map((row, pos) => maxAbsDiff(row, llama[pos]));
  console.log(
    `${label}: NMSE ${error.toExponential(2)}; max |Δ| per position ${maxAbs.map((m) => m.toExponential(1)).join(" ")}`,
  );
  expect(ours.map(argmaxOf)).toEqual(llama.map(argmaxOf));
  expect(error).toBeLessThanOrEqual(NMSE_TOLERANCE);
}

/** ggml-exact logits of each variant, computed once. */
const ggmlRuns = new Map<string, Float32Array[]>();
function ggmlLogits(variant: string): Float32Array[] {
  let rows = ggmlRuns.get(variant);
  if (rows === undefined) {
    const { config, weights } = loadModel(variant);
    rows = evaluateSequence(config, weights, TOKENS, GGML);
    ggmlRuns.set(variant, rows);
  }
  return rows;
}

describe.each(VARIANTS)("tiny-%s.gguf against llama.cpp", (variant) => {
  test("ggml-exact mode: argmax agrees at all 16 positions and NMSE ≤ 1e-6", () => {
    expectAgreement(`${variant} ggml`, ggmlLogits(variant), llamaLogits(variant));
  });

  test("ggml-exact mode: every logit is bit-identical to llama.cpp's", () => {
    const llama = llamaLogits(variant);
    ggmlLogits(variant).forEach((row, pos) =>
      expect(Array.from(row), `position ${pos}`).toEqual(Array.from(llama[pos])),
    );
  });
});

test("f32 mode on the F32 file: argmax agrees and NMSE ≤ 1e-6", () => {
  const { config, weights } = loadModel("f32");
  expectAgreement(
    "f32 f32-mode",
    evaluateSequence(config, weights, TOKENS, { activations: "f32", kvCache: "f32" }),
    llamaLogits("f32"),
  );
});

test("ggml-exact mode: token-by-token forward is the prompt in micro-batches of one token, not llama.cpp's one batch", () => {
  const { config, weights } = loadModel("tq2_0");
  const batched = ggmlLogits("tq2_0");
  const alone = evaluateSequence(config, weights, TOKENS, { ...GGML, ubatchTokens: 1 });
  const state = createForwardState(config, weights, GGML);
  TOKENS.forEach((token, pos) =>
    expect(Array.from(forward(state, token, pos)), `position ${pos}`).toEqual(Array.from(alone[pos])),
  );
  // a lone token's attention output (kqv) is ggml_vec_dot_f32's, not tinyBLAS's (spec §9.3): other bits
  expect(alone.some((row, pos) => row.some((v, i) => v !== batched[pos][i]))).toBe(true);
});
