/** `trilm tokenize`: ids as llama-tokenize --ids prints them, its two switches, and one-line refusals. */
import { describe, expect, it } from "vitest";
import { writeGgufFile } from "../../../src/gguf/file.js";
import { GgufFile } from "../../../src/gguf/index.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const NEOX = repoFile("golden/external/llama-tokenize/ggml-vocab-gpt-neox.gguf");
const SPM = repoFile("golden/external/llama-tokenize/ggml-vocab-llama-spm.gguf");
const temp = useTempDir();

describe("trilm tokenize", () => {
  it("prints the ids of llama-tokenize --ids (GPT-NeoX: no BOS; <|endoftext|> is one token)", async () => {
    const result = await trilm("tokenize", NEOX, "Hello world <|endoftext|>");
    expect(result).toEqual({ code: 0, stdout: "[12092, 1533, 209, 0]\n", stderr: "" });
  });

  it("SentencePiece: BOS per add_bos_token, --no-bos drops it", async () => {
    expect((await trilm("tokenize", SPM, "\n")).stdout).toBe("[1, 29871, 13]\n");
    expect((await trilm("tokenize", SPM, "\n", "--no-bos")).stdout).toBe("[29871, 13]\n");
  });

  it("--no-parse-special tokenizes a control token's text as text", async () => {
    const result = await trilm("tokenize", NEOX, "<|endoftext|>", "--no-parse-special");
    expect(result.stdout).toBe("[29, 93, 423, 1171, 1156, 49651]\n");
  });

  it("refuses a model without tokenizer keys in one line", async () => {
    const tiny = randomTrilm("tiny", 1, "tq2_0");
    const model = temp("bare.gguf");
    const metadata = tiny.metadata.filter((entry) => !entry.key.startsWith("tokenizer."));
    writeGgufFile(model, GgufFile.create(model, metadata, tiny.tensors));
    expectRefused(await trilm("tokenize", model, "hi"), model, /has no tokenizer \(no tokenizer\.ggml\.\* keys\)/);
  });

  it("refuses a missing file in one line", async () => {
    const path = temp("missing.gguf");
    expectRefused(await trilm("tokenize", path, "hi"), path, /./);
  });
});
