/**
 * The forward pass on Hugging Face BitNet folders against transformers itself: golden/external/transformers-bitnet/
 * holds two random BitNetForCausalLM checkpoints made and run by transformers 5.18.0 on CPU in float32 (provenance in
 * its PROVENANCE.md) — AutoBitLinear (weight_scale multiplied) and BitLinear (weight_scale divided), both at the
 * b1.58-2B-4T head layout (head_dim 128, GQA 4:1, relu², tied embeddings) — and their logits for 8 tokens.
 *
 * The oracle's int8-per-token mode is transformers' arithmetic up to float32 rounding order: per-token absmax int8
 * activations for every BitLinear, float activations for the lm head (spec/forward.md §10.5). The criterion is
 * spec/tolerances.md §11: NMSE ≤ max(10⁻⁶, NMSE(oracle f32, oracle int8-per-token)) and argmax per §9.1 with it.
 * Measured (float32): AutoBitLinear NMSE 2.4·10⁻⁴ (bound 1.6·10⁻³), max |Δlogit| 0.42, argmax 8/8; BitLinear
 * NMSE 7.6·10⁻¹⁴ (bound 7.2·10⁻³), max |Δlogit| 6.7·10⁻⁶, argmax 8/8.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { evaluateSequence, type ForwardOptions } from "../../../reference/model/forward.js";
import { linear } from "../../../reference/model/linear.js";
import { argmaxAgreement, maxAbsDiff, nmse, nmseCriterion } from "../../../reference/tolerances/index.js";
import { loadHfModel } from "../../../src/model/hf-folder.js";

const GOLDEN = new URL("../../../golden/external/transformers-bitnet/", import.meta.url);
const TOKENS = (JSON.parse(readFileSync(new URL("tokens.json", GOLDEN), "utf8")) as { tokens: number[] }).tokens;
const INT8: ForwardOptions = { activations: "int8-per-token", kvCache: "f32" };
const F32: ForwardOptions = { activations: "f32", kvCache: "f32" };
/** transformers' floor on max|x| before σ = 127/max|x| (ActQuant, BitLinear.activation_quant), as a float32. */
const TRANSFORMERS_ABSMAX_FLOOR = Math.fround(1e-5);
/** The tensors every BitLinear of a layer consumes (q/k/v, o, gate/up, down), as the trace names them. */
const LINEAR_INPUTS = new Set(["attn_norm", "attn_sub_norm", "ffn_norm", "ffn_sub_norm"]);

/** transformers' logits for the folder `name`: [tokens][vocab], float32. */
function transformersLogits(name: string, vocab: number): Float32Array[] {
  const bytes = readFileSync(new URL(`${name}.float32.logits.f32`, GOLDEN));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  expect(all.length).toBe(TOKENS.length * vocab);
  return TOKENS.map((_, p) => all.slice(p * vocab, (p + 1) * vocab));
}

test("the committed files are the ones PROVENANCE.md pins by sha256", () => {
  const table = readFileSync(new URL("PROVENANCE.md", GOLDEN), "utf8");
  const pinned = [...table.matchAll(/^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$/gm)];
  expect(pinned.length).toBe(8);
  for (const [, file, sha256] of pinned)
    expect(
      createHash("sha256")
        .update(readFileSync(new URL(file, GOLDEN)))
        .digest("hex"),
      file,
    ).toBe(sha256);
});

describe.each(["autobitlinear", "bitlinear"])("%s: oracle vs transformers' BitNetForCausalLM", (name) => {
  const { config, weights } = loadHfModel(new URL(name, GOLDEN).pathname, { ropeStyle: "rotate-half" });
  const reference = transformersLogits(name, config.vocabSize);
  let smallestAbsmax = Infinity;
  const headInputs: Float32Array[] = [];
  const headOutputs: Float32Array[] = [];
  const logits = evaluateSequence(config, weights, TOKENS, {
    ...INT8,
    trace: (tensor, _layer, _pos, values) => {
      if (LINEAR_INPUTS.has(tensor)) smallestAbsmax = Math.min(smallestAbsmax, Math.max(...values.map(Math.abs)));
      if (tensor === "result_norm") headInputs.push(values.slice());
      if (tensor === "result_output") headOutputs.push(values.slice());
    },
  });

  test("every BitLinear input has max|x| ≥ 1e-5, where transformers' clamp and the oracle's σ agree", () => {
    expect(smallestAbsmax).toBeGreaterThanOrEqual(TRANSFORMERS_ABSMAX_FLOOR);
  });

  test("the lm head takes float activations (transformers' lm_head is a plain nn.Linear)", () => {
    headInputs.forEach((x, p) => expect(headOutputs[p]).toEqual(linear(weights.output, x, "f32")));
  });

  test("logits within spec/tolerances.md §11, argmax at every position", () => {
    const quantizationEffect = nmse(evaluateSequence(config, weights, TOKENS, F32), logits);
    const criterion = nmseCriterion("int8-per-token", quantizationEffect);
    const error = nmse(logits, reference);
    const verdicts = logits.map((row, p) => argmaxAgreement(row, reference[p], criterion));
    const maxDiff = Math.max(...logits.map((row, p) => maxAbsDiff(row, reference[p])));
    const agree = verdicts.filter((v) => v === "agree").length;
    console.log(
      `${name}: NMSE ${error.toExponential(2)} ≤ ${criterion.toExponential(2)}, max |Δlogit| ${maxDiff.toExponential(2)}, ` +
        `argmax ${agree}/${TOKENS.length} (${verdicts.join(", ")})`,
    );
    expect(error).toBeLessThanOrEqual(criterion);
    expect(verdicts).not.toContain("disagree");
  });
});
