/**
 * `trilm perplexity`: llama-perplexity's windows and scored positions on the embedded model, the
 * printed estimate, and one-line exit-2 refusals for bad token files.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createForwardState, F32_FORWARD_OPTIONS, forward } from "../../../reference/model/forward.js";
import {
  llamaNegativeLogLikelihood,
  perplexityEstimate,
  scorePerplexity,
} from "../../../reference/model/perplexity.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { embeddedModelPath } from "../../../src/model/embedded.js";
import { loadModel } from "../../../src/model/load-model.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const MODEL = embeddedModelPath();

/** 40 deterministic ids below 512, written 8 to a line, comma- and space-separated. */
const IDS = Array.from({ length: 40 }, (_, i) => (i * 37 + 11) % 512);
function writeIds(path: string, ids: readonly number[] = IDS): string {
  const lines: string[] = [];
  for (let i = 0; i < ids.length; i += 8) lines.push(ids.slice(i, i + 8).join(i % 16 === 0 ? ", " : " "));
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

/** Σ NLL, Σ NLL² and count over the second half of each window of `ctx`, computed directly (the embedded model's
 * vocabulary adds no BOS, so llama-perplexity keeps each window's first id). */
function expectedTotals(ids: readonly number[], ctx: number): { ppl: number; count: number; plusMinus: number } {
  const model = loadModel(MODEL);
  let sum = 0;
  let squares = 0;
  let count = 0;
  for (let w = 0; w + ctx <= ids.length; w += ctx) {
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    for (let i = 0; i < ctx - 1; i++) {
      const logits = forward(state, ids[w + i], i);
      if (i >= Math.floor(ctx / 2)) {
        const nll = llamaNegativeLogLikelihood(logits, ids[w + i + 1]);
        sum += nll;
        squares += nll * nll;
        count++;
      }
    }
  }
  const mean = sum / count;
  const ppl = Math.exp(mean);
  return { ppl, count, plusMinus: Math.sqrt((squares / count - mean * mean) / (count - 1)) * ppl };
}

describe("trilm perplexity", () => {
  it("scores the second half of each window, as llama-perplexity: finite PPL > 1 with its ±", async () => {
    const result = await trilm("perplexity", MODEL, "--tokens-file", writeIds(temp("ids.txt")), "--ctx", "16");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[2]).toBe(
      `40 token ids from ${temp("ids.txt")}: 2 window(s) of 16, 8 left over; scoring positions 8..14 of each window (predicting tokens 9..15): 7 per window`,
    );
    // the embedded model's GPT-NeoX vocabulary adds no BOS, so no window's first id is replaced (the BOS case:
    // the llama-quantize fixture below)
    expect(lines[3]).toMatch(/^\[1\]\d+\.\d{4},\[2\]\d+\.\d{4},$/);
    const expected = expectedTotals(IDS, 16);
    expect(expected.count).toBe(14);
    expect(expected.ppl).toBeGreaterThan(1);
    expect(Number.isFinite(expected.ppl)).toBe(true);
    expect(lines[4]).toBe(`Final estimate: PPL = ${expected.ppl.toFixed(4)} +/- ${expected.plusMinus.toFixed(5)}`);
    expect(lines[5]).toMatch(/^14 tokens scored; 30 positions evaluated in \d+\.\d\d s \(\d+\.\d\d ms\/token\)$/);
  });

  it("prints llama-perplexity's own numbers on golden/external/llama-quantize (BOS over each window's first id)", async () => {
    const fixture = (name: string): string => repoFile(`golden/external/llama-quantize/${name}`);
    const result = await trilm(
      "perplexity",
      fixture("tied-spm-tq2_0-default.gguf"),
      "--tokens-file",
      fixture("ppl-tokens.txt"),
      "--ctx",
      "32",
      "--activations",
      "ggml-exact",
    );
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    const llamaStdout = readFileSync(fixture("llama-perplexity-stdout.txt"), "utf8").split("\n");
    expect(lines[4]).toBe(llamaStdout[1]);
    expect(lines[5]).toBe(readFileSync(fixture("llama-perplexity-final.txt"), "utf8").trimEnd());
  });

  it("--text-file: the GGUF's tokenizer gives llama.cpp's 179 ids (one final newline dropped, as -f), then its numbers", async () => {
    const fixture = (name: string): string => repoFile(`golden/external/llama-quantize/${name}`);
    writeFileSync(temp("text.txt"), `${readFileSync(fixture("ppl-text.txt"), "utf8")}\n`);
    const model = fixture("tied-spm-tq2_0-default.gguf");
    const args = ["--ctx", "32", "--activations", "ggml-exact"];
    const result = await trilm("perplexity", model, "--text-file", temp("text.txt"), ...args);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[2]).toMatch(/^179 token ids from .*text\.txt: 5 window\(s\) of 32, 19 left over;/);
    expect(lines[4]).toBe(readFileSync(fixture("llama-perplexity-stdout.txt"), "utf8").split("\n")[1]);
    expect(lines[5]).toBe(readFileSync(fixture("llama-perplexity-final.txt"), "utf8").trimEnd());
    expectRefused(
      await trilm("perplexity", model, "--text-file", temp("text.txt"), "--tokens-file", fixture("ppl-tokens.txt")),
      undefined,
      "give the ids either as --tokens-file or as --text-file (exactly one)",
    );
  });

  it("--ctx defaults to 512 capped by the model's context (256 for the tiny model)", async () => {
    const ids = Array.from({ length: 260 }, (_, i) => (i * 7) % 512);
    const result = await trilm(
      "perplexity",
      MODEL,
      "--tokens-file",
      writeIds(temp("long.txt"), ids),
      "--activations",
      "ggml",
      "--kv-cache",
      "f16",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("activations ggml-exact, kv cache f16"); // ggml: an alias of ggml-exact
    expect(result.stdout).toContain(
      "1 window(s) of 256 (--ctx 512 capped by the model's context), 4 left over; scoring positions 128..254",
    );
    const ppl = Number(/PPL = (\S+)/.exec(result.stdout)![1]);
    expect(Number.isFinite(ppl) && ppl > 1).toBe(true);
  });

  it("--activations ggml-matmul: the backend forward pass on the reference backend; f32 KV cache only", async () => {
    const file = writeIds(temp("m.txt"));
    const result = await trilm(
      "perplexity",
      MODEL,
      "--tokens-file",
      file,
      "--ctx",
      "16",
      "--activations",
      "ggml-matmul",
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("activations ggml-matmul, kv cache f32");
    const model = loadModel(MODEL);
    const session = createBackendSession(model.config, model.weights, createReferenceBackend(), {
      activations: "ggml-matmul",
      kvCache: "f32",
    });
    const scored = scorePerplexity(IDS, 16, () => session.step);
    expect(result.stdout).toContain(`Final estimate: PPL = ${perplexityEstimate(scored.totals).ppl.toFixed(4)} +/- `);
    const refused = await trilm(
      "perplexity",
      MODEL,
      "--tokens-file",
      file,
      "--activations",
      "ggml-matmul",
      "--kv-cache",
      "f16",
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "--activations ggml-matmul runs the backend forward pass, with an f32 KV cache only",
    );
  });

  it("--help says which positions are scored, with an example", async () => {
    const result = await trilm("perplexity", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("second half");
    expect(result.stdout).toContain("$ trilm perplexity");
  });
});

describe("trilm perplexity refuses bad input with one line and exit 2", () => {
  it("a token that is not a number, naming the file and the line", async () => {
    writeFileSync(temp("bad.txt"), "1 2 3\n4, five, 6\n");
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("bad.txt")),
      temp("bad.txt"),
      'line 2: "five" is not a token id (a non-negative integer)',
    );
  });

  it("a negative or fractional id", async () => {
    writeFileSync(temp("neg.txt"), "1 -2\n");
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("neg.txt")),
      temp("neg.txt"),
      'line 1: "-2" is not a token id',
    );
    writeFileSync(temp("frac.txt"), "\n\n1.5\n");
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("frac.txt")),
      temp("frac.txt"),
      'line 3: "1.5" is not a token id',
    );
  });

  it("an id outside the vocabulary, naming the line", async () => {
    writeFileSync(temp("big.txt"), "1 2\n3 512\n");
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("big.txt")),
      temp("big.txt"),
      "line 2: token id 512 is out of range: the model's vocabulary has 512 tokens (0..511)",
    );
  });

  it("a file with no ids, binary bytes, or too few ids for one window", async () => {
    writeFileSync(temp("empty.txt"), " \n, \n");
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("empty.txt")),
      temp("empty.txt"),
      "contains no token ids",
    );
    writeFileSync(temp("binary.bin"), Uint8Array.from([0xff, 0xfe, 0x00, 0x31]));
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("binary.bin")),
      temp("binary.bin"),
      "is not UTF-8 text",
    );
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", writeIds(temp("few.txt")), "--ctx", "64"),
      temp("few.txt"),
      "has 40 token ids, fewer than one window of 64",
    );
  });

  it("a missing tokens file or model", async () => {
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", temp("none.txt")),
      temp("none.txt"),
      "no such file or directory",
    );
    expectRefused(
      await trilm("perplexity", temp("none.gguf"), "--tokens-file", writeIds(temp("ids.txt"))),
      temp("none.gguf"),
      "no such file or directory",
    );
  });

  it("a bad --ctx, or no --tokens-file", async () => {
    expectRefused(
      await trilm("perplexity", MODEL, "--tokens-file", writeIds(temp("ids.txt")), "--ctx", "2"),
      undefined,
      "--ctx must be a whole number from 3 to",
    );
    expectRefused(
      await trilm("perplexity", MODEL),
      undefined,
      "give the ids either as --tokens-file or as --text-file (exactly one)",
    );
  });
});
