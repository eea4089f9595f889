/**
 * The forward pass against llama.cpp on the architecture matrix of golden/external/llama-matrix/:
 * random TriLM-shaped GGUFs (MHA and GQA 2 and 4, head dim 64 and 128, tied and untied output, rope
 * base 10000 and 500000, eps 1e-5 and 1e-6, FFN 768 and 1280 = 3 and 5 blocks of 256) quantized by
 * llama-quantize, and llama.cpp de3ff815's logits for every position, one prompt of 520 tokens
 * (llama.cpp micro-batches of 512 and 8 sharing the KV cache), and one run with an F16 KV cache.
 * ggml-exact mode with the default F16 matmul input ("fp16", spec/forward.md §9.3) must reproduce
 * every logit bit for bit; the older build's
 * "f32-tinyblas" input must not, on the files whose lm head is F16 — the divergence of issue M10.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseGguf } from "../../../src/gguf/index.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { evaluateSequence, type ForwardOptions } from "../../../reference/model/forward.js";

const MATRIX = new URL("../../../golden/external/llama-matrix/", import.meta.url);
const VOCAB = 512;
const GGML: ForwardOptions = { activations: "ggml-exact", kvCache: "f32" };

/** One fixture: model file, token file, llama.cpp's logits file, and the variant it covers. */
interface MatrixCase {
  readonly model: string;
  readonly tokens: string;
  readonly logits: string;
  readonly variant: string;
}

const CASES: readonly MatrixCase[] = [
  { model: "issue-tq2_0", variant: "GQA 2, head dim 128, tied, eps 1e-6, rope base 500000, FFN 1280, TQ2_0" },
  { model: "issue-tq1_0", variant: "GQA 2, head dim 128, tied, eps 1e-6, rope base 500000, FFN 1280, TQ1_0" },
  { model: "mha-f16", variant: "MHA, head dim 64, untied, eps 1e-5, rope base 10000, FFN 768, F16" },
  { model: "mha-tq2_0", variant: "MHA, head dim 64, untied, eps 1e-5, rope base 10000, FFN 768, TQ2_0" },
  { model: "mha-tq1_0", variant: "MHA, head dim 64, untied, eps 1e-5, rope base 10000, FFN 768, TQ1_0" },
  { model: "gqa4-tq2_0", variant: "GQA 4, head dim 64, untied, 2 layers, eps 1e-5, rope base 500000, FFN 1280, TQ2_0" },
  { model: "hd128-tq1_0", variant: "MHA, head dim 128, tied, eps 1e-6, rope base 10000, FFN 768, TQ1_0" },
].map((c) => ({ ...c, tokens: "tokens.json", logits: `logits-${c.model}.f32` }));

const LONG: MatrixCase = {
  model: "hd128-tq1_0",
  variant: "520 tokens: llama.cpp micro-batches of 512 and 8",
  tokens: "tokens-long.json",
  logits: "logits-hd128-tq1_0-long.f32",
};

/** mha-tq2_0.gguf with an F16 KV cache: kq on fp16(q), kqv on fp16(probabilities) (spec/forward.md §9.3). */
const KV_F16: MatrixCase = {
  model: "mha-tq2_0",
  variant: "F16 KV cache",
  tokens: "tokens.json",
  logits: "logits-mha-tq2_0-kvf16.f32",
};

/** Read a fixture file of the matrix. */
function read(name: string): Buffer {
  return readFileSync(new URL(name, MATRIX));
}

/** The token ids of a tokens file. */
function tokensOf(name: string): number[] {
  return (JSON.parse(read(name).toString("utf8")) as { tokens: number[] }).tokens;
}

/** Logits of `c` under `options`, and llama.cpp's, as flat float32 arrays [n_tokens·VOCAB]. */
function runCase(c: MatrixCase, options: ForwardOptions): { ours: Float32Array; llama: Float32Array } {
  const name = `${c.model}.gguf`;
  const { config, weights } = modelFromGguf(parseGguf(new Uint8Array(read(name)), name));
  const tokens = tokensOf(c.tokens);
  const bytes = read(c.logits);
  const llama = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  expect(llama.length).toBe(tokens.length * VOCAB);
  const ours = new Float32Array(llama.length);
  evaluateSequence(config, weights, tokens, options).forEach((row, pos) => ours.set(row, pos * VOCAB));
  return { ours, llama };
}

/** Positions whose logits are not all bit-identical. */
function differingPositions(ours: Float32Array, llama: Float32Array): number[] {
  const positions: number[] = [];
  for (let pos = 0; pos * VOCAB < llama.length; pos++) {
    const a = ours.subarray(pos * VOCAB, (pos + 1) * VOCAB);
    const b = llama.subarray(pos * VOCAB, (pos + 1) * VOCAB);
    if (a.some((v, i) => !Object.is(v, b[i]))) positions.push(pos);
  }
  return positions;
}

describe.each([...CASES, LONG])("$model.gguf ($variant) against llama.cpp", (c) => {
  test("ggml-exact mode: every logit at every position is bit-identical to llama.cpp's", () => {
    const { ours, llama } = runCase(c, GGML);
    expect(differingPositions(ours, llama)).toEqual([]);
  });
});

test("mha-tq2_0.gguf with an F16 KV cache: every logit is bit-identical to llama.cpp's", () => {
  const { ours, llama } = runCase(KV_F16, { ...GGML, kvCache: "f16" });
  expect(differingPositions(ours, llama)).toEqual([]);
});

test("the older build's F16 input (f32-tinyblas) differs from llama.cpp de3ff815 at every position of a tied F16 head", () => {
  const { ours, llama } = runCase(CASES[0], { ...GGML, f16MatmulInput: "f32-tinyblas" });
  expect(differingPositions(ours, llama)).toHaveLength(llama.length / VOCAB);
});

test("every file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
  const provenance = read("PROVENANCE.md").toString("utf8");
  const listed = new Map<string, { bytes: number; sha256: string }>();
  for (const [, path, bytes, sha256] of provenance.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm))
    listed.set(path, { bytes: Number(bytes), sha256 });
  const files = readdirSync(MATRIX).filter((name) => name !== "PROVENANCE.md");
  expect([...listed.keys()].sort()).toEqual(files.sort());
  for (const name of files) {
    const bytes = read(name);
    expect({ bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }, name).toEqual(
      listed.get(name),
    );
  }
});
