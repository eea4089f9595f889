/**
 * The forward pass against llama.cpp on the matrices its x86 CPU backend repacks (spec/forward.md §15): Q4_0 written
 * by llama-quantize's TQ2_0 fallback for a row length that is no multiple of 256, a Q4_K or Q4_0
 * `--output-tensor-type`, and a tied Q4_K `--token-embedding-type` (llama.cpp repacks the lm head's copy), with row
 * counts that are (repacked) and are not (vec_dot) multiples of 8. The files and llama.cpp de3ff815's logits for
 * 13 tokens in one batch (gemm for tokens 0..11, gemv for token 12) are in golden/external/llama-quantize/
 * (PROVENANCE.md). ggml-exact mode must reproduce every logit bit for bit.
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence, forward, createForwardState } from "../../../reference/model/forward.js";
import type { PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { parseGguf } from "../../../src/gguf/index.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";

const FOLDER = new URL("../../../golden/external/llama-quantize/", import.meta.url);

/** One fixture: the model file's stem, the matrix it is about, and whether llama.cpp repacks that matrix. */
interface RepackCase {
  readonly model: string;
  readonly name: string;
  readonly matrix: (weights: ReturnType<typeof modelFromGguf>["weights"]) => PackedMatrix;
  readonly type: GgmlType;
  readonly repacked: boolean;
}

const CASES: readonly RepackCase[] = [
  {
    model: "ffn352-tq2_0-q4_0-out",
    name: "ffn_down",
    matrix: (w) => w.layers[0].wDown,
    type: GgmlType.Q4_0,
    repacked: true,
  },
  { model: "ffn352-tq2_0-q4_0-out", name: "output", matrix: (w) => w.output, type: GgmlType.Q4_0, repacked: true },
  { model: "dim512-tq1_0-q4_K-out", name: "output", matrix: (w) => w.output, type: GgmlType.Q4_K, repacked: true },
  {
    model: "tied256-tq1_0-q4_K-embd",
    name: "tied output = token_embd",
    matrix: (w) => w.output,
    type: GgmlType.Q4_K,
    repacked: true,
  },
  { model: "v262-tq2_0-q4_0-out", name: "output", matrix: (w) => w.output, type: GgmlType.Q4_0, repacked: false },
  { model: "v262-tq2_0-q4_K-out", name: "output", matrix: (w) => w.output, type: GgmlType.Q4_K, repacked: false },
];

/** A fixture file's bytes. */
function read(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FOLDER)));
}

/** The model of `c`, llama.cpp's tokens, and its logits as a flat float32 array [n_tokens · vocab]. */
function loadCase(c: RepackCase) {
  const name = `repack-${c.model}.gguf`;
  const model = modelFromGguf(parseGguf(read(name), name));
  const tokens = new TextDecoder().decode(read("repack-tokens.txt")).trim().split(/\s+/).map(Number);
  const bytes = read(`logits-repack-${c.model}.f32`);
  const llama = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return { ...model, tokens, llama };
}

describe("repacked Q4_0 / Q4_K matrices: ggml-exact logits are llama.cpp's bit for bit", () => {
  for (const c of CASES) {
    test(`${c.model}: ${c.name} ${GgmlType[c.type]} ${c.repacked ? "repacked (rows % 8 = 0)" : "not repacked"}`, () => {
      const { config, weights, tokens, llama } = loadCase(c);
      const matrix = c.matrix(weights);
      expect(matrix.type).toBe(c.type);
      expect(matrix.rows % 8 === 0).toBe(c.repacked);
      expect(llama.length).toBe(tokens.length * config.vocabSize);
      const rows = evaluateSequence(config, weights, tokens, { activations: "ggml-exact", kvCache: "f32" });
      const differing = rows.flatMap((row, pos) =>
        row.some((v, i) => !Object.is(v, llama[pos * config.vocabSize + i])) ? [pos] : [],
      );
      expect(differing).toEqual([]);
    });
  }

  test("a repacked Q4_K lm head: a token decoded alone takes the gemv kernel, as llama.cpp's token 12 of 13 did", () => {
    const { config, weights, tokens } = loadCase(CASES[2]);
    expect(CASES[2]).toMatchObject({ type: GgmlType.Q4_K, repacked: true });
    const batched = evaluateSequence(config, weights, tokens, { activations: "ggml-exact", kvCache: "f32" });
    const state = createForwardState(config, weights, { activations: "ggml-exact", kvCache: "f32" });
    const alone = tokens.map((token, pos) => forward(state, token, pos));
    const same = alone.map((row, pos) => row.every((v, i) => Object.is(v, batched[pos][i])));
    expect(same[tokens.length - 1]).toBe(true); // gemv in both
    expect(same.slice(0, tokens.length - 1)).toContain(false); // gemm (batch) and gemv (alone) round differently
  });
});
