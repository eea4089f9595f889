/**
 * The runner's text prompt: the embedded model's own tokenizer read from the parsed file (no Node
 * reader), text → ids as `trilm run` gets them, one-line refusals, and greedy generation equal to
 * `trilm run --generate`'s loop (src/run/generate.ts).
 */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { createForwardState, forward } from "../../../../reference/model/forward.js";
import { GgufFile } from "../../../../src/gguf/gguf-file.js";
import { parseGguf } from "../../../../src/gguf/reader.js";
import { DEFAULT_PROMPT_TEXT } from "../../../../src/model/default-prompt.js";
import { embeddedModelPath } from "../../../../src/model/embedded.js";
import { modelFromGguf } from "../../../../src/model/gguf-model.js";
import { prefillAndGenerate } from "../../../../src/run/generate.js";
import { fileTokenizer, generateGreedy, tokenizeText } from "../../../../src/web/runner/prompt-text.js";

const FILE = parseGguf(readFileSync(embeddedModelPath()), "trilm-tiny-tq2_0.gguf");
const PROMPT = [48, 79, 336, 209, 484, 251, 247, 246, 303, 70];

describe("fileTokenizer and tokenizeText", () => {
  const found = fileTokenizer(FILE);
  if (!("tokenizer" in found)) throw new Error(found.error);
  const tokenizer = found.tokenizer;

  test("the default prompt text gives the ids llama-tokenize gives with the embedded model", () => {
    expect(tokenizeText(tokenizer, DEFAULT_PROMPT_TEXT, 256)).toEqual({ ok: true, tokens: PROMPT });
  });

  test("refuses empty text and text longer than the context, in one line", () => {
    expect(tokenizeText(tokenizer, "", 256)).toEqual({ ok: false, error: "text: gives no tokens (type some text)" });
    expect(tokenizeText(tokenizer, DEFAULT_PROMPT_TEXT, 4)).toEqual({
      ok: false,
      error: "text: 10 tokens are more than the context of 4 positions",
    });
  });

  test("a file without tokenizer keys has none, with a reason naming it", () => {
    const bare = GgufFile.create(
      "bare.gguf",
      FILE.metadata.filter((kv) => !kv.key.startsWith("tokenizer.")),
      [],
    );
    expect(fileTokenizer(bare)).toEqual({
      error: "bare.gguf has no tokenizer (no tokenizer.ggml.* keys): give token ids",
    });
  });
});

describe("generateGreedy", () => {
  test("yields the tokens trilm run --generate picks at temperature 0 (f32)", async () => {
    const { config, weights } = modelFromGguf(FILE);
    const streamed: number[] = [];
    for await (const token of generateGreedy(config, weights, PROMPT, 6)) streamed.push(token);
    const state = createForwardState(config, weights, { activations: "f32", kvCache: "f32" });
    const request = { prompt: PROMPT, generate: 6, temperature: 0, seed: 0 };
    const { generated } = prefillAndGenerate(
      (t, p) => forward(state, t, p),
      request,
      () => {},
    );
    expect(streamed).toEqual(generated);
  });

  test("stops at the context length", async () => {
    const { config, weights } = modelFromGguf(FILE);
    const streamed: number[] = [];
    for await (const token of generateGreedy({ ...config, contextLength: 12 }, weights, PROMPT, 6))
      streamed.push(token);
    expect(streamed).toHaveLength(2);
  });
});
