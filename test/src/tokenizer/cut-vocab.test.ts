/**
 * The GPT-NeoX vocabulary cut to 512 tokens, as the embedded model carries it: llama.cpp tokenizes
 * 201 strings with the embedded model file exactly as the oracle does
 * (golden/external/llama-tokenize/trilm-tiny-gpt-neox-512.jsonl), the cut keeps exactly the merges
 * among its tokens, every text comes back from its pieces, and a vocabulary that cannot be cut is refused.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { GgufFile } from "../../../src/gguf/gguf-file.js";
import { readGgufFile } from "../../../src/gguf/file.js";
import { GgufValueType } from "../../../src/gguf/value.js";
import { embeddedModelPath } from "../../../src/model/embedded.js";
import { cutBpeVocabulary } from "../../../src/tokenizer/cut-vocab.js";
import { readTokenizerFile } from "../../../src/tokenizer/file.js";

const GOLDEN = new URL("../../../golden/external/llama-tokenize/", import.meta.url);
const NEOX = readGgufFile(fileURLToPath(new URL("ggml-vocab-gpt-neox.gguf", GOLDEN)));

/** One line of trilm-tiny-gpt-neox-512.jsonl: a text and the ids llama-tokenize printed for it with the embedded model. */
interface Case {
  readonly text: string;
  readonly ids: readonly number[];
}

const CASES: readonly Case[] = readFileSync(new URL("trilm-tiny-gpt-neox-512.jsonl", GOLDEN), "utf8")
  .trim()
  .split("\n")
  .map((line) => JSON.parse(line) as Case);

/** The cut metadata as a file of its own (no tensors). */
function cutFile(size: number): GgufFile {
  return GgufFile.create("cut.gguf", cutBpeVocabulary(NEOX, size), []);
}

describe("the embedded model's vocabulary (GPT-NeoX cut to 512)", () => {
  const tok = readTokenizerFile(embeddedModelPath());

  test("tokenizes 201 strings exactly as llama-tokenize does with the embedded model file", () => {
    expect(CASES).toHaveLength(201);
    const bad = CASES.filter((c) => JSON.stringify(tok.tokenize(c.text)) !== JSON.stringify(c.ids)).map(
      (c) =>
        `${JSON.stringify(c.text)}: llama.cpp ${JSON.stringify(c.ids)}, ours ${JSON.stringify(tok.tokenize(c.text))}`,
    );
    expect(bad).toEqual([]);
  });

  test("is the first 512 tokens of GPT-NeoX's, <|endoftext|> as BOS and EOS, no BOS added", () => {
    const neox = NEOX.getArray("tokenizer.ggml.tokens", GgufValueType.STRING)!;
    expect(tok.vocab.tokens).toEqual(neox.slice(0, 512));
    expect(tok.vocab.tokens[0]).toBe("<|endoftext|>");
    expect([tok.vocab.bosId, tok.vocab.eosId, tok.vocab.addBos]).toEqual([0, 0, false]);
  });

  test("every text without special tokens comes back from its pieces", () => {
    const plain = CASES.filter((c) => !c.text.includes("<|"));
    const utf8 = new TextEncoder();
    for (const c of plain)
      expect(Buffer.from(tok.pieces(tok.tokenize(c.text)))).toEqual(Buffer.from(utf8.encode(c.text)));
  });
});

describe("cutBpeVocabulary", () => {
  test("keeps exactly the merges whose parts and result are among the first tokens, in their order", () => {
    const all = NEOX.getArray("tokenizer.ggml.merges", GgufValueType.STRING)!;
    const kept = cutFile(512).getArray("tokenizer.ggml.merges", GgufValueType.STRING)!;
    const first = new Set(NEOX.getArray("tokenizer.ggml.tokens", GgufValueType.STRING)!.slice(0, 512));
    const among = all.filter((m) => {
      const [left, right] = m.split(" ");
      return first.has(left) && first.has(right) && first.has(left + right);
    });
    expect(kept).toEqual(among);
    expect(kept.length).toBeGreaterThan(200);
    expect(cutFile(600).getArray("tokenizer.ggml.merges", GgufValueType.STRING)!.length).toBeGreaterThan(kept.length);
  });

  test("refuses a cut that loses a byte token, a vocabulary too small, and a SentencePiece one", () => {
    expect(() => cutBpeVocabulary(NEOX, 200)).toThrow(/the byte token .* is not among the first 200 tokens/);
    expect(() => cutBpeVocabulary(NEOX, 60000)).toThrow(/has 50432 tokens, fewer than the model's 60000/);
    const spm = readGgufFile(fileURLToPath(new URL("ggml-vocab-llama-spm.gguf", GOLDEN)));
    expect(() => cutBpeVocabulary(spm, 512)).toThrow(/tokenizer.ggml.model is not gpt2/);
  });
});
