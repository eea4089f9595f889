/**
 * The tokenizer against llama.cpp's own: golden/external/llama-tokenize/ holds llama.cpp's vocab-only
 * GGUFs and, for each of 2,100 seeded strings, the ids `llama-tokenize` printed and the text
 * llama_detokenize makes of them. Every string must give the same ids and the same text back.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { readGgufFile } from "../../../src/gguf/file.js";
import { Tokenizer } from "../../../src/tokenizer/tokenizer.js";
import { readVocab } from "../../../src/tokenizer/gguf-vocab.js";

const GOLDEN = new URL("../../../golden/external/llama-tokenize/", import.meta.url);

/** One line of a .jsonl file: the text, the options llama-tokenize ran with, its ids. */
interface Case {
  readonly text: string;
  readonly ids: readonly number[];
  readonly noBos?: boolean;
  readonly noParseSpecial?: boolean;
  /** llama_detokenize(ids, remove_special = true, unparse_special = false), UTF-8 bytes in hex. */
  readonly detokenized?: string;
  /** llama_detokenize(ids, remove_special = false, unparse_special = true), UTF-8 bytes in hex. */
  readonly detokenizedSpecial?: string;
}

function cases(name: string): Case[] {
  return readFileSync(new URL(name, GOLDEN), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Case);
}

function tokenizer(gguf: string): Tokenizer {
  return new Tokenizer(readVocab(readGgufFile(fileURLToPath(new URL(gguf, GOLDEN)))));
}

/** The cases whose ids differ, at most `limit` of them, with ours. */
function disagreements(tok: Tokenizer, all: readonly Case[], limit = 5): string[] {
  const bad: string[] = [];
  for (const c of all) {
    const ours = tok.tokenize(c.text, { addSpecial: c.noBos !== true, parseSpecial: c.noParseSpecial !== true });
    if (JSON.stringify(ours) !== JSON.stringify(c.ids) && bad.length < limit) {
      bad.push(`${JSON.stringify(c.text)}: llama.cpp ${JSON.stringify(c.ids)}, ours ${JSON.stringify(ours)}`);
    }
  }
  return bad;
}

describe.each([
  ["ggml-vocab-gpt-neox.gguf", "gpt-neox.jsonl"],
  ["ggml-vocab-llama-spm.gguf", "llama-spm.jsonl"],
])("%s", (gguf, jsonl) => {
  const tok = tokenizer(gguf);
  const all = cases(jsonl);

  test(`has at least 2,000 strings`, () => {
    expect(new Set(all.map((c) => c.text)).size).toBeGreaterThanOrEqual(2000);
  });

  test("token ids identical to llama-tokenize on every string", () => {
    expect(disagreements(tok, all)).toEqual([]);
  });

  test("detokenized text identical to llama_detokenize (remove_special; unparse_special)", () => {
    const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
    const bad: string[] = [];
    for (const c of all) {
      if (c.detokenized === undefined || c.detokenizedSpecial === undefined) continue;
      const plain = hex(tok.detokenize(c.ids, { removeSpecial: true }));
      const special = hex(tok.detokenize(c.ids, { unparseSpecial: true }));
      if ((plain !== c.detokenized || special !== c.detokenizedSpecial) && bad.length < 5) {
        bad.push(
          `${JSON.stringify(c.text)}: llama.cpp ${c.detokenized} / ${c.detokenizedSpecial}, ours ${plain} / ${special}`,
        );
      }
    }
    expect(bad).toEqual([]);
  });
});
