/** Reading tokenizer.ggml.* keys: defaults as llama.cpp's, and one-line refusals naming file and key. */
import { describe, expect, test } from "vitest";
import { GgufFile, GgufValueType, stringEntry, type GgufKeyValue } from "../../../src/gguf/index.js";
import { hasTokenizer, readVocab, TokenAttr } from "../../../src/tokenizer/gguf-vocab.js";

const strings = (key: string, values: string[]): GgufKeyValue => ({
  key,
  value: { type: GgufValueType.ARRAY, elementType: GgufValueType.STRING, values },
});

function file(...metadata: GgufKeyValue[]): GgufFile {
  return GgufFile.create("v.gguf", metadata, []);
}

const BPE = [stringEntry("tokenizer.ggml.model", "gpt2"), strings("tokenizer.ggml.tokens", ["a", "b", "ab"])];

describe("readVocab", () => {
  test("BPE defaults: pre 'default', no BOS/EOS, all NORMAL, merges split at the first space after position 0", () => {
    const vocab = readVocab(file(...BPE, strings("tokenizer.ggml.merges", ["a b", "  x"])));
    expect(vocab.preTokenizer).toBe("default");
    expect([vocab.addBos, vocab.addEos, vocab.addSpacePrefix]).toEqual([false, false, false]);
    expect([...vocab.attrs]).toEqual([TokenAttr.NORMAL, TokenAttr.NORMAL, TokenAttr.NORMAL]);
    expect([...vocab.mergeRank]).toEqual([
      ["a b", 0],
      ["  x", 1],
    ]);
  });

  test("SPM defaults: BOS 1 added, EOS 2, space prefix", () => {
    const vocab = readVocab(
      file(stringEntry("tokenizer.ggml.model", "llama"), strings("tokenizer.ggml.tokens", ["u", "s", "e"])),
    );
    expect([vocab.addBos, vocab.bosId, vocab.eosId, vocab.addSpacePrefix]).toEqual([true, 1, 2, true]);
  });

  test.each([
    [[stringEntry("tokenizer.ggml.model", "bert"), ...BPE.slice(1)], "tokenizer.ggml.model 'bert' is not supported"],
    [[...BPE], "tokenizer.ggml.model is gpt2 but tokenizer.ggml.merges is missing"],
    [
      [...BPE, strings("tokenizer.ggml.merges", []), stringEntry("tokenizer.ggml.pre", "llama-bpe")],
      "tokenizer.ggml.pre 'llama-bpe' is not supported",
    ],
    [[stringEntry("tokenizer.ggml.model", "llama")], "tokenizer.ggml.tokens is missing or empty"],
    [[], "has no tokenizer"],
  ])("refuses %#", (metadata, problem) => {
    expect(() => readVocab(file(...metadata))).toThrow(`v.gguf: ${problem}`);
  });

  test("hasTokenizer is the presence of tokenizer.ggml.model", () => {
    expect(hasTokenizer(file(...BPE))).toBe(true);
    expect(hasTokenizer(file())).toBe(false);
  });
});
