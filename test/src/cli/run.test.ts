/**
 * `trilm run`: the embedded default model, the logits file, greedy and seeded generation, and a
 * one-line exit-2 refusal for each kind of bad input.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import {
  createForwardState,
  evaluateSequence,
  F32_FORWARD_OPTIONS,
  forward,
} from "../../../reference/model/forward.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { argmax, sampleToken } from "../../../reference/model/sampling.js";
import { DEFAULT_GENERATE, DEFAULT_PROMPT, DEFAULT_PROMPT_TEXT } from "../../../src/model/default-prompt.js";
import { writeGgufFile } from "../../../src/gguf/file.js";
import {
  GgufFile,
  GgufValueType,
  tensorToFloat32,
  type GgufKeyValue,
  type GgufTensor,
} from "../../../src/gguf/index.js";
import { parseNpy } from "../../../src/io/npy.js";
import { embeddedModelPath } from "../../../src/model/embedded.js";
import { BYTE_TO_UNICODE } from "../../../src/tokenizer/byte-unicode.js";
import { loadModel } from "../../../src/model/load-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { mulberry32 } from "../../../src/random/index.js";
import { LOSSLESS, makeFixture, writeHfFolder } from "../model/hf-fixture.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const VOCAB = 512;

/** The logits file as [rows of Float32Array[vocab]], checking its shape. */
function readLogits(path: string, positions: number): Float32Array[] {
  const array = parseNpy(readFileSync(path), path);
  expect(array.dtype).toBe("<f4");
  expect(array.shape).toEqual([positions, VOCAB]);
  const data = array.data as Float32Array;
  return Array.from({ length: positions }, (_, p) => data.subarray(p * VOCAB, (p + 1) * VOCAB));
}

/** The ids printed after "generated (…):". */
function generatedIds(stdout: string): number[] {
  const line = stdout.split("\n").find((l) => l.startsWith("generated"));
  expect(line).toBeDefined();
  return line!.split(": ")[1].split(" ").map(Number);
}

/** The tiny random model written with some change to its metadata or tensors. */
function writeAlteredTiny(
  path: string,
  alter: (metadata: GgufKeyValue[], tensors: GgufTensor[]) => { metadata: GgufKeyValue[]; tensors: GgufTensor[] },
): string {
  const tiny = randomTrilm("tiny", 1, "tq2_0");
  const { metadata, tensors } = alter([...tiny.metadata], [...tiny.tensors]);
  writeGgufFile(path, GgufFile.create(path, metadata, tensors));
  return path;
}

describe("trilm run on the embedded model", () => {
  it("tokenizes the default prompt text, generates text, one line per position with its piece, and the timing", async () => {
    const result = await trilm("run");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^model: embedded .*trilm-tiny-tq2_0\.gguf \(TriLM-tiny-random-seed1; gguf; dim 256, 2 layers, 4 heads, 2 kv heads, ffn 768, vocab 512, context 256\)$/,
    );
    expect(lines[1]).toBe("backend reference, activations f32, kv cache f32");
    const row = /^\s+\d+\s+(\d+)\s+\d+\s+-?\d+\.\d{4}\s+(prompt|generated)\s+(".*")$/;
    const rows = lines.flatMap((l) => {
      const m = row.exec(l);
      return m === null ? [] : [{ token: Number(m[1]), source: m[2], piece: JSON.parse(m[3]) as string }];
    });
    // "Once upon a time" with GPT-NeoX's vocabulary cut to 512 tokens (llama-tokenize gives the same ids)
    const prompt = rows.filter((r) => r.source === "prompt");
    expect(prompt.map((r) => r.token)).toEqual([48, 79, 336, 209, 484, 251, 247, 246, 303, 70]);
    expect(prompt.map((r) => r.piece).join("")).toBe(DEFAULT_PROMPT_TEXT);
    expect(rows.filter((r) => r.source === "generated")).toHaveLength(DEFAULT_GENERATE);
    expect(result.stdout).toMatch(/^generated text: ".+"$/m);
    expect(lines.at(-1)).toMatch(/^decode: 16 tokens in \d+\.\d\d ms \(\d+\.\d\d ms\/token\)$/);
  });

  it("--generate overrides the default prompt's 16 generated tokens; --tokens runs ids alone", async () => {
    const none = await trilm("run", "--generate", "0");
    expect(none.stdout).toMatch(/^prefill: 10 tokens in /m);
    expect(none.stdout).not.toContain("generated");
    const ids = await trilm("run", "--tokens", DEFAULT_PROMPT.join(","));
    expect(ids.stdout.split("\n").filter((l) => l.endsWith("prompt"))).toHaveLength(DEFAULT_PROMPT.length);
    expect(ids.stdout).not.toContain("generated");
  });

  it("--logits writes float32 [n, 512]: finite, the reference forward pass, argmax as printed", async () => {
    const result = await trilm("run", "--tokens", "1,2,3,4,5", "--logits", temp("logits.npy"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote ${temp("logits.npy")}: float32 [5, 512], one row of logits per position`);
    const rows = readLogits(temp("logits.npy"), 5);
    const model = loadModel(embeddedModelPath());
    const state = createForwardState(model.config, model.weights, F32_FORWARD_OPTIONS);
    rows.forEach((row, pos) => {
      expect(row.every(Number.isFinite)).toBe(true);
      expect(row).toEqual(forward(state, pos + 1, pos));
    });
    const printed = result.stdout
      .split("\n")
      .filter((l) => l.endsWith("prompt"))
      .map((l) => Number(l.trim().split(/\s+/)[2]));
    expect(printed).toEqual(rows.map(argmax));
  });

  it("tokens may be separated by commas and spaces", async () => {
    const result = await trilm("run", "--tokens", "7, 8 9");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter((l) => l.endsWith("prompt"))).toHaveLength(3);
  });

  it.each([
    ["ggml", "ggml-exact"],
    ["ggml-exact", "ggml-exact"],
    ["int8-per-token", "int8-per-token"],
  ])("--activations %s runs %s and gives finite logits (also with an f16 KV cache)", async (typed, mode) => {
    const result = await trilm(
      "run",
      "--tokens",
      "1,17,300",
      "--activations",
      typed,
      "--kv-cache",
      "f16",
      "--generate",
      "2",
      "--logits",
      temp("l.npy"),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`activations ${mode}, kv cache f16`);
    for (const row of readLogits(temp("l.npy"), 5)) expect(row.every(Number.isFinite)).toBe(true);
  });

  it("runs a bitnet GGUF file with the FFN activation it is given (default silu), naming the choice", async () => {
    const path = repoFile("golden/external/llama-bitnet/ts-tq2_0.gguf");
    const silu = await trilm("run", path, "--tokens", "1,2", "--logits", temp("silu.npy"));
    expect(silu.code).toBe(0);
    expect(silu.stdout.split("\n")[1]).toMatch(
      /^ffn activation: silu \(bitnet; llama\.cpp de3ff815 computes silu .* B8/,
    );
    const relu2 = await trilm(
      "run",
      path,
      "--tokens",
      "1,2",
      "--ffn-activation",
      "relu2",
      "--logits",
      temp("relu2.npy"),
    );
    expect(relu2.stdout.split("\n")[1]).toMatch(/^ffn activation: relu2 /);
    const { config, weights } = loadModel(path, { ffnActivation: "relu2" });
    const expected = evaluateSequence(config, weights, [1, 2], F32_FORWARD_OPTIONS);
    expect(readLogits(temp("relu2.npy"), 2)).toEqual(expected);
    expect(readLogits(temp("silu.npy"), 2)).not.toEqual(expected);
  });

  it("refuses --ffn-activation relu2 for a llama file and for a Hugging Face folder, and bitnet on a backend", async () => {
    expectRefused(
      await trilm("run", embeddedModelPath(), "--tokens", "1", "--ffn-activation", "relu2"),
      embeddedModelPath(),
      "is a llama model, whose FFN activation is SiLU",
    );
    const folder = writeHfFolder(temp("hf-act"), makeFixture(LOSSLESS));
    expectRefused(
      await trilm("run", folder, "--tokens", "1", "--ffn-activation", "silu"),
      undefined,
      "--ffn-activation applies to GGUF files",
    );
    const bitnet = repoFile("golden/external/llama-bitnet/ts-tq2_0.gguf");
    expectRefused(
      await trilm("run", bitnet, "--tokens", "1", "--activations", "ggml-matmul"),
      undefined,
      "the backend forward pass runs llama models only",
    );
  });

  it("runs a Hugging Face checkpoint folder too", async () => {
    const folder = writeHfFolder(temp("hf"), makeFixture(LOSSLESS));
    const result = await trilm("run", folder, "--tokens", "1,2", "--logits", temp("hf.npy"));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`model: ${folder} (hf; dim ${LOSSLESS.dim},`);
    const array = parseNpy(readFileSync(temp("hf.npy")), "hf.npy");
    expect(array.shape).toEqual([2, LOSSLESS.vocabSize]);
    expect((array.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it("--verbose adds each position's top 5", async () => {
    const result = await trilm("run", "--tokens", "1", "--verbose");
    expect(result.stdout).toMatch(/prompt {2}top5 (\d+:-?\d+\.\d{4} ){4}\d+:-?\d+\.\d{4}\n/);
  });
});

describe("trilm run --generate", () => {
  it("greedy (temperature 0): each generated token is the argmax of the previous position's logits", async () => {
    const result = await trilm("run", "--tokens", "1,17,300", "--generate", "5", "--logits", temp("g.npy"));
    expect(result.code).toBe(0);
    const rows = readLogits(temp("g.npy"), 8);
    const generated = generatedIds(result.stdout);
    expect(generated).toHaveLength(5);
    generated.forEach((token, i) => expect(token).toBe(argmax(rows[2 + i])));
    expect(result.stdout).toContain("generated (greedy (temperature 0)): ");
    expect(result.stdout).toMatch(/^decode: 5 tokens in \d+\.\d\d ms \(\d+\.\d\d ms\/token\)$/m);
  });

  it("sampling is deterministic in the seed and draws from softmax(logits / T) with mulberry32(seed)", async () => {
    const args = ["run", "--tokens", "1,17,300", "--generate", "6", "--temperature", "1.5", "--logits", temp("s.npy")];
    const first = await trilm(...args, "--seed", "42");
    const again = await trilm(...args, "--seed", "42");
    expect(generatedIds(again.stdout)).toEqual(generatedIds(first.stdout));
    const rows = readLogits(temp("s.npy"), 9);
    const next = mulberry32(42);
    generatedIds(first.stdout).forEach((token, i) => expect(token).toBe(sampleToken(rows[2 + i], 1.5, next())));
    const other = await trilm(...args, "--seed", "43");
    expect(generatedIds(other.stdout)).not.toEqual(generatedIds(first.stdout));
  });
});

describe("trilm run refuses bad input with one line and exit 2", () => {
  it("a token id outside the vocabulary, naming the id and the vocabulary size", async () => {
    expectRefused(
      await trilm("run", "--tokens", "1,512"),
      undefined,
      "--tokens: token id 512 is out of range: the model's vocabulary has 512 tokens (0..511)",
    );
  });

  it.each([["1,x"], ["1,-2"], ["1.5"], [","], ["99999999999999999999"]])(
    "a bad number in --tokens: %s",
    async (tokens) => {
      expectRefused(await trilm("run", "--tokens", tokens), undefined, /^trilm: --tokens: /);
    },
  );

  it("more positions than the context (context overflow)", async () => {
    const prompt = Array.from({ length: 250 }, (_, i) => i).join(",");
    expectRefused(
      await trilm("run", "--tokens", prompt, "--generate", "7"),
      undefined,
      "context overflow: 250 prompt tokens (--tokens) + 7 generated (--generate) = 257 positions, more than the model's context of 256",
    );
  });

  it("--activations ggml-exact (and its alias ggml) is reference/model's forward: refused on an accelerated backend", async () => {
    const tokens = [1, 17, 300];
    const model = loadModel(embeddedModelPath());
    // the prompt is one batch, as llama.cpp's llama_decode evaluates it — not three one-token decodes, whose F16 head
    // llama.cpp computes with ggml_vec_dot_f16 instead of tinyBLAS (spec/forward.md §9.3)
    const expected = evaluateSequence(model.config, model.weights, tokens, {
      activations: "ggml-exact",
      kvCache: "f32",
    });
    const state = createForwardState(model.config, model.weights, { activations: "ggml-exact", kvCache: "f32" });
    const oneByOne = tokens.map((token, pos) => forward(state, token, pos));
    expect(oneByOne).not.toEqual(expected);
    for (const typed of ["ggml", "ggml-exact"]) {
      const result = await trilm("run", "--tokens", "1,17,300", "--activations", typed, "--logits", temp("e.npy"));
      expect(result.code).toBe(0);
      expect(readLogits(temp("e.npy"), 3)).toEqual(expected);
      expectRefused(
        await trilm("run", "--backend", "tfjs-cpu", "--activations", typed),
        undefined,
        `--activations ${typed}: llama.cpp's arithmetic end to end (ggml-exact) runs on --backend ` +
          `reference only; --backend tfjs-cpu takes --activations ggml-matmul`,
      );
    }
  });

  it("--activations ggml-matmul runs the backend forward pass, on the reference backend too (f32 KV cache only)", async () => {
    const result = await trilm(
      "run",
      "--tokens",
      "1,17,300",
      "--activations",
      "ggml-matmul",
      "--logits",
      temp("m.npy"),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("backend reference, activations ggml-matmul, kv cache f32");
    const model = loadModel(embeddedModelPath());
    const session = createBackendSession(model.config, model.weights, createReferenceBackend(), {
      activations: "ggml-matmul",
      kvCache: "f32",
    });
    expect(readLogits(temp("m.npy"), 3)).toEqual([1, 17, 300].map((token, pos) => session.step(token, pos)));
    const exact = createForwardState(model.config, model.weights, { activations: "ggml-exact", kvCache: "f32" });
    expect(readLogits(temp("m.npy"), 3)[2]).not.toEqual(forward(exact, 300, 2)); // not llama.cpp's arithmetic
    expectRefused(
      await trilm("run", "--activations", "ggml-matmul", "--kv-cache", "f16"),
      undefined,
      "--kv-cache f16: --activations ggml-matmul runs the backend forward pass, with an f32 KV cache only",
    );
  });

  it("a backend that does not exist", async () => {
    expectRefused(
      await trilm("run", "--backend", "wasm"),
      undefined,
      "--backend wasm: backend 'wasm' is not available (available: reference, packed-wasm, gpujs, tfjs-cpu, tfjs-wasm)",
    );
  });

  it.each([
    ["--generate", "-1"],
    ["--generate", "two"],
    ["--temperature", "-0.5"],
    ["--temperature", "hot"],
    ["--seed", "4294967296"],
  ])("a bad %s value: %s", async (option, value) => {
    expectRefused(await trilm("run", option, value), undefined, new RegExp(`^trilm: ${option} must be`));
  });

  it("an unknown activation mode or cache type", async () => {
    expectRefused(
      await trilm("run", "--activations", "q4"),
      undefined,
      "Allowed choices are f32, ggml-exact, ggml-matmul, int8-per-token, ggml.",
    );
    expectRefused(await trilm("run", "--kv-cache", "q8_0"), undefined, "Allowed choices are f32, f16.");
  });

  it("a missing model file", async () => {
    expectRefused(await trilm("run", temp("missing.gguf")), temp("missing.gguf"), "no such file or directory");
  });

  it("an unsupported architecture", async () => {
    const path = writeAlteredTiny(temp("gpt2.gguf"), (metadata, tensors) => ({
      metadata: metadata.map((kv) =>
        kv.key === "general.architecture" ? { key: kv.key, value: { type: GgufValueType.STRING, value: "gpt2" } } : kv,
      ),
      tensors,
    }));
    expectRefused(await trilm("run", path), path, "unsupported architecture 'gpt2'");
  });

  it("a tensor type a linear layer cannot use", async () => {
    const path = writeAlteredTiny(temp("q8k.gguf"), (metadata, tensors) => ({
      metadata,
      tensors: tensors.map((t) =>
        t.name === "blk.0.attn_q.weight"
          ? { ...t, type: GgmlType.Q8_K, data: quantizeRow(GgmlType.Q8_K, tensorToFloat32(t)) }
          : t,
      ),
    }));
    expectRefused(
      await trilm("run", path),
      path,
      "tensor 'blk.0.attn_q.weight' has type Q8_K, which a linear layer cannot use",
    );
  });

  it("a missing tensor", async () => {
    const path = writeAlteredTiny(temp("missing-tensor.gguf"), (metadata, tensors) => ({
      metadata,
      tensors: tensors.filter((t) => t.name !== "blk.1.ffn_up.weight"),
    }));
    expectRefused(await trilm("run", path), path, "missing tensor 'blk.1.ffn_up.weight'");
  });

  it("a tensor of the wrong shape", async () => {
    const path = writeAlteredTiny(temp("shape.gguf"), (metadata, tensors) => ({
      metadata,
      tensors: tensors.map((t) =>
        t.name === "blk.0.attn_k.weight" ? { ...t, ne: [256, 64], data: t.data.subarray(0, 64 * 66) } : t,
      ),
    }));
    expectRefused(
      await trilm("run", path),
      path,
      "tensor 'blk.0.attn_k.weight' has shape [256, 64], expected [256, 128]",
    );
  });

  it("--logits over the model file, which is left alone", async () => {
    const model = writeAlteredTiny(temp("m.gguf"), (metadata, tensors) => ({ metadata, tensors }));
    const before = readFileSync(model);
    expectRefused(await trilm("run", model, "--logits", model), model, "is also the input file");
    expect(readFileSync(model).equals(before)).toBe(true);
  });
});

/** The tiny random model with a byte-level BPE vocabulary of its 512 tokens: ids 0–255 are the bytes (GPT-2 map), the rest unused. */
function writeTinyWithTokenizer(path: string): string {
  const bytes = Array.from({ length: 256 }, (_, b) => BYTE_TO_UNICODE[b]);
  const tokens = [...bytes, ...Array.from({ length: VOCAB - 256 }, (_, i) => `<unused${i}>`)];
  const entries: GgufKeyValue[] = [
    { key: "tokenizer.ggml.model", value: { type: GgufValueType.STRING, value: "gpt2" } },
    {
      key: "tokenizer.ggml.tokens",
      value: { type: GgufValueType.ARRAY, elementType: GgufValueType.STRING, values: tokens },
    },
    {
      key: "tokenizer.ggml.merges",
      value: { type: GgufValueType.ARRAY, elementType: GgufValueType.STRING, values: ["h i"] },
    },
  ];
  return writeAlteredTiny(path, (metadata, tensors) => ({
    metadata: [...withoutTokenizer(metadata), ...entries],
    tensors,
  }));
}

/** Metadata without the tokenizer.* keys (the random model's placeholder SentencePiece vocabulary). */
function withoutTokenizer(metadata: GgufKeyValue[]): GgufKeyValue[] {
  return metadata.filter((entry) => !entry.key.startsWith("tokenizer."));
}

describe("trilm run --prompt", () => {
  it("tokenizes with the file's tokenizer and shows each token's text, streaming generated text", async () => {
    const model = writeTinyWithTokenizer(temp("vocab.gguf"));
    const byText = await trilm("run", model, "--prompt", "é!", "--generate", "2");
    expect(byText.code).toBe(0);
    // é is two bytes (0xC3 0xA9): the first piece is half a character, shown once the second arrives
    const byIds = await trilm("run", model, "--tokens", "195,169,33", "--generate", "2");
    const rows = (out: string): string[] => out.split("\n").filter((line) => /^\s+\d+\s+\d+/.test(line));
    expect(rows(byText.stdout).map((r) => r.replace(/\s+"[^"]*"$/, ""))).toEqual(rows(byIds.stdout));
    expect(
      rows(byText.stdout)
        .slice(0, 3)
        .map((r) => /"[^"]*"$/.exec(r)?.[0]),
    ).toEqual(['""', '"é"', '"!"']);
    expect(byText.stdout).toMatch(/^generated text: ".*"$/m);
  });

  it("refuses --prompt with --tokens, and --prompt on a model without tokenizer keys, in one line", async () => {
    const model = writeTinyWithTokenizer(temp("vocab.gguf"));
    expectRefused(
      await trilm("run", model, "--prompt", "hi", "--tokens", "1"),
      undefined,
      /either as --tokens or as --prompt/,
    );
    const bare = writeAlteredTiny(temp("bare.gguf"), (metadata, tensors) => ({
      metadata: withoutTokenizer(metadata),
      tensors,
    }));
    expectRefused(await trilm("run", bare, "--prompt", "hi"), bare, /has no tokenizer \(no tokenizer\.ggml\.\* keys\)/);
  });

  it("the embedded model's GPT-NeoX vocabulary (cut to 512) spells text as llama-tokenize does, without BOS", async () => {
    const result = await trilm("run", "--prompt", "é <|endoftext|>");
    expect(result.code).toBe(0);
    // é = C3 A9: byte tokens 127 and 104 (GPT-NeoX's byte tokens, ids 2…244, skip C0, C1 and F5–FF); " " = 209; <|endoftext|> = 0
    const tokens = result.stdout
      .split("\n")
      .filter((l) => /^\s+\d+\s+\d+/.test(l))
      .map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(tokens).toEqual([127, 104, 209, 0]);
  });
});

describe("trilm run --help", () => {
  it("documents the default model and prompt, with examples", async () => {
    const result = await trilm("run", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: trilm run [options] [model]");
    expect(result.stdout).toContain(DEFAULT_PROMPT.join(","));
    expect(result.stdout).toContain(JSON.stringify(DEFAULT_PROMPT_TEXT));
    expect(result.stdout).toContain("$ trilm run");
  });
});
