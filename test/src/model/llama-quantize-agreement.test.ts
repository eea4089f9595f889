/**
 * Files as llama-quantize writes them with its defaults (golden/external/llama-quantize/): TQ2_0 and
 * TQ1_0 with token_embd Q4_K and output Q6_K (untied tiny-f32.gguf), or token_embd Q6_K when there is
 * no output.weight (tied-spm-f16.gguf). Three claims, each against llama.cpp's own output:
 *   - quantizeModel with no options writes llama-quantize's bytes (spec/gguf.md §8);
 *   - the ggml-exact forward pass gives llama.cpp's logits bit for bit on them (spec/forward.md §15),
 *     and on a file whose embedding and output are Q8_0 (llama-quantize --token-embedding-type q8_0
 *     --output-tensor-type q8_0), regenerated here and checked against llama-quantize's sha256;
 *   - perplexity over llama-perplexity's own token ids prints llama-perplexity's numbers (spec §11).
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence, type ForwardOptions } from "../../../reference/model/forward.js";
import { evaluatePerplexity, perplexityEstimate } from "../../../reference/model/perplexity.js";
import { GgufFile } from "../../../src/gguf/gguf-file.js";
import { quantizeModel, type QuantizeOptions, type TernaryTarget } from "../../../src/gguf/quantize.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { serializeGguf } from "../../../src/gguf/writer.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";

const FIXTURES = new URL("../../../golden/external/llama-quantize/", import.meta.url);
const LLAMA = new URL("../../../golden/external/llama/", import.meta.url);
const TOKENS = (JSON.parse(readFileSync(new URL("tokens.json", LLAMA), "utf8")) as { tokens: number[] }).tokens;
const GGML: ForwardOptions = { activations: "ggml-exact", kvCache: "f32" };

const bytesOf = (url: URL): Uint8Array => new Uint8Array(readFileSync(url));
const gguf = (url: URL, name: string): GgufFile => parseGguf(bytesOf(url), name);
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Offset of the first byte where `a` and `b` differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Indices where two logit arrays differ bit for bit (NaN-safe), at most 5, and how many there are. */
function bitDifferences(ours: Float32Array, theirs: Float32Array): { count: number; first: number[] } {
  const a = new Uint32Array(ours.buffer, ours.byteOffset, ours.length);
  const b = new Uint32Array(theirs.buffer, theirs.byteOffset, theirs.length);
  const first: number[] = [];
  let count = a.length === b.length ? 0 : Math.max(a.length, b.length);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      count++;
      if (first.length < 5) first.push(i);
    }
  }
  return { count, first };
}

/** The ggml-exact logits of `file` for TOKENS, all positions in one Float32Array[n · vocab]. */
function ggmlLogits(file: GgufFile): Float32Array {
  const { config, weights } = modelFromGguf(file);
  const rows = evaluateSequence(config, weights, TOKENS, GGML);
  const all = new Float32Array(rows.length * config.vocabSize);
  rows.forEach((row, pos) => all.set(row, pos * config.vocabSize));
  return all;
}

/** llama.cpp's logits file (float32 [16, 512], dump against libllama, 1 thread, one batch). */
function llamaLogits(name: string): Float32Array {
  const bytes = bytesOf(new URL(name, FIXTURES));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

const CASES = [
  {
    input: new URL("tiny-f32.gguf", LLAMA),
    model: "tiny",
    target: GgmlType.TQ2_0,
    types: [GgmlType.Q4_K, GgmlType.Q6_K],
  },
  {
    input: new URL("tiny-f32.gguf", LLAMA),
    model: "tiny",
    target: GgmlType.TQ1_0,
    types: [GgmlType.Q4_K, GgmlType.Q6_K],
  },
  { input: new URL("tied-spm-f16.gguf", FIXTURES), model: "tied-spm", target: GgmlType.TQ2_0, types: [GgmlType.Q6_K] },
  { input: new URL("tied-spm-f16.gguf", FIXTURES), model: "tied-spm", target: GgmlType.TQ1_0, types: [GgmlType.Q6_K] },
] as const;

describe.each(CASES)("llama-quantize $model → $target with its defaults", ({ input, model, target, types }) => {
  const variant = target === GgmlType.TQ2_0 ? "tq2_0" : "tq1_0";
  const expectedName = `${model}-${variant}-default.gguf`;

  test("quantizeModel without options writes llama-quantize's file byte for byte", () => {
    const ours = serializeGguf(quantizeModel(gguf(input, `${model}.gguf`), target as TernaryTarget));
    const theirs = bytesOf(new URL(expectedName, FIXTURES));
    expect(firstDifference(ours, theirs), "first differing offset").toBe(-1);
    const file = parseGguf(theirs, expectedName);
    const embedAndOutput = ["token_embd.weight", "output.weight"].map((name) => file.tensor(name)?.type);
    expect(embedAndOutput.filter((t) => t !== undefined)).toEqual(types);
  });

  test("ggml-exact logits are llama.cpp's, bit for bit, at every position", () => {
    const ours = ggmlLogits(gguf(new URL(expectedName, FIXTURES), expectedName));
    expect(bitDifferences(ours, llamaLogits(`logits-${model}-${variant}-default.f32`))).toEqual({
      count: 0,
      first: [],
    });
  });
});

describe("Q8_0 token embedding and output (llama-quantize --token-embedding-type q8_0 --output-tensor-type q8_0)", () => {
  const options: QuantizeOptions = { tokenEmbeddingType: GgmlType.Q8_0, outputTensorType: GgmlType.Q8_0 };
  const file = quantizeModel(gguf(new URL("tiny-f32.gguf", LLAMA), "tiny-f32.gguf"), GgmlType.TQ2_0, options);

  test("quantizeModel writes llama-quantize's file (its sha256 and size)", () => {
    const bytes = serializeGguf(file);
    expect([bytes.length, sha256(bytes)]).toEqual([
      702400,
      "c24118dd8e20029f6a65079bcbbd70dd02fb0b758dd27a1e80b717abebf181d8",
    ]);
  });

  test("ggml-exact logits are llama.cpp's bit for bit (runtime quantize_row_q8_0 and the AVX2 Q8_0 dot)", () => {
    const ours = ggmlLogits(parseGguf(serializeGguf(file), "tiny-tq2_0-q8_0-heads.gguf"));
    expect(bitDifferences(ours, llamaLogits("logits-tiny-tq2_0-q8_0-heads.f32"))).toEqual({ count: 0, first: [] });
  });
});

test("PROVENANCE.md lists every fixture file with its size and sha256", () => {
  const provenance = readFileSync(new URL("PROVENANCE.md", FIXTURES), "utf8");
  const files = readdirSync(FIXTURES).filter((name) => name !== "PROVENANCE.md");
  expect(files.length).toBeGreaterThanOrEqual(14);
  for (const name of files) {
    const bytes = bytesOf(new URL(name, FIXTURES));
    expect(provenance, name).toContain(`| \`${name}\` | ${bytes.length} | \`${sha256(bytes)}\` |`);
  }
});

describe("llama-perplexity -c 32 -b 32 on tied-spm-tq2_0-default.gguf", () => {
  const name = "tied-spm-tq2_0-default.gguf";
  const { config, weights } = modelFromGguf(gguf(new URL(name, FIXTURES), name));
  const ids = readFileSync(new URL("ppl-tokens.txt", FIXTURES), "utf8").trim().split(/\s+/).map(Number);
  const [, chunkLine] = readFileSync(new URL("llama-perplexity-stdout.txt", FIXTURES), "utf8").split("\n");
  const finalLine = readFileSync(new URL("llama-perplexity-final.txt", FIXTURES), "utf8").trimEnd();
  const printed = (bos?: number): string[] => {
    const result = evaluatePerplexity(config, weights, ids, 32, GGML, undefined, bos);
    const { ppl, plusMinus } = perplexityEstimate(result.totals);
    return [
      result.pplAfterWindow.map((p, w) => `[${w + 1}]${p.toFixed(4)},`).join(""),
      `Final estimate: PPL = ${ppl.toFixed(4)} +/- ${(plusMinus ?? Number.NaN).toFixed(5)}`,
    ];
  };

  test("per-chunk and final numbers are llama-perplexity's, with BOS written over each chunk's first token", () => {
    expect(ids).toHaveLength(179);
    expect(printed(1)).toEqual([chunkLine, finalLine]);
  });

  test("without the BOS replacement chunks 2–5 differ", () => {
    expect(printed()[0]).not.toBe(chunkLine);
  });
});
