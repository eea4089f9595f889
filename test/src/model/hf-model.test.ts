/**
 * Loading Hugging Face llama checkpoints (src/model/hf-model.ts, src/model/hf-folder.ts): the
 * config mapping, weights kept packed in their stored type, q/k rows permuted for "adjacent"
 * RoPE, both RoPE conventions giving the same logits, sharded folders, and every bad input an
 * InputError naming the file at fault.
 */

import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence } from "../../../reference/model/forward.js";
import { decodeMatrixRow } from "../../../reference/model/packed-matrix.js";
import { ropePermutationHfToGguf } from "../../../reference/model/rope.js";
import { InputError } from "../../../src/errors.js";
import { loadHfModel, parseSafetensorsIndex, readHfCheckpoint } from "../../../src/model/hf-folder.js";
import { ggufTensorName, hfCheckpoint, hfLlamaConfig, modelFromHf } from "../../../src/model/hf-model.js";
import { parseSafetensors, serializeSafetensors } from "../../../src/safetensors/index.js";
import { LOSSLESS, fixtureConfig, makeFixture, writeHfFolder, type FixtureOptions } from "./hf-fixture.js";

let root = "";
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "trilm-hf-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const F32_OPTIONS = { activations: "f32", kvCache: "f32" } as const;
const TOKENS = [1, 17, 255, 3, 299];
const SMALL: FixtureOptions = { ...LOSSLESS, dim: 64, hiddenDim: 128, nHeads: 4, nKvHeads: 2, vocabSize: 50 };

/** The InputError `run` throws: its file and problem. */
function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problem).not.toContain("\n");
    return error as InputError;
  }
  throw new Error("no error was thrown");
}

describe("modelFromHf / loadHfModel", () => {
  it("maps config.json to the TrilmConfig and keeps the weights packed in their stored type", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL));
    const { config, weights } = loadHfModel(dir, { ropeStyle: "rotate-half" });
    expect(config).toEqual({
      dim: 64,
      hiddenDim: 128,
      nLayers: 2,
      nHeads: 4,
      nKvHeads: 2,
      headDim: 16,
      vocabSize: 50,
      contextLength: 64,
      normEps: Math.fround(1e-5),
      ropeTheta: 10000,
      ropeDim: 16,
      ropeStyle: "rotate-half",
    });
    const source = makeFixture(SMALL).tensors.find((t) => t.name === "model.layers.1.mlp.down_proj.weight");
    expect(weights.layers[1].wDown).toMatchObject({ type: GgmlType.F16, rows: 64, cols: 128 });
    expect([...weights.layers[1].wDown.data]).toEqual([...(source?.data ?? [])]);
    expect(weights.tokenEmbedding).toMatchObject({ type: GgmlType.F16, rows: 50, cols: 64 });
    expect(weights.output).not.toBe(weights.tokenEmbedding);
    expect(weights.outputNorm).toBeInstanceOf(Float32Array);
    expect(weights.layers).toHaveLength(2);
  });

  it("shares the file's bytes (no copy) for every matrix but the permuted q/k", () => {
    const checkpoint = readHfCheckpoint(writeHfFolder(join(root, "m"), makeFixture(SMALL)));
    const buffer = checkpoint.files[0].tensors.get("model.embed_tokens.weight")?.data.buffer;
    const { weights } = modelFromHf(checkpoint, { ropeStyle: "adjacent" });
    expect(weights.layers[0].wv.data.buffer).toBe(buffer);
    expect(weights.layers[0].wq.data.buffer).not.toBe(buffer);
  });

  it("adjacent: q_proj / k_proj rows permuted by ropePermutationHfToGguf, everything else as released", () => {
    const checkpoint = readHfCheckpoint(writeHfFolder(join(root, "m"), makeFixture(SMALL)));
    const half = modelFromHf(checkpoint, { ropeStyle: "rotate-half" });
    const adjacent = modelFromHf(checkpoint, { ropeStyle: "adjacent" });
    expect(adjacent.config.ropeStyle).toBe("adjacent");
    const qSource = ropePermutationHfToGguf(4, 16);
    const kSource = ropePermutationHfToGguf(2, 16);
    for (let r = 0; r < 64; r++)
      expect(decodeMatrixRow(adjacent.weights.layers[0].wq, r)).toEqual(
        decodeMatrixRow(half.weights.layers[0].wq, qSource[r]),
      );
    for (let r = 0; r < 32; r++)
      expect(decodeMatrixRow(adjacent.weights.layers[1].wk, r)).toEqual(
        decodeMatrixRow(half.weights.layers[1].wk, kSource[r]),
      );
    expect(adjacent.weights.layers[0].wv.data).toEqual(half.weights.layers[0].wv.data);
    expect(kSource[1]).toBe(8); // row 1 of the GGUF layout is row hd/2 of the HF layout
  });

  it("both RoPE conventions give the same logits (rotate-half within 1e-5 relative; bit-identical on this model)", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(LOSSLESS));
    const adjacent = loadHfModel(dir, { ropeStyle: "adjacent" });
    const half = loadHfModel(dir, { ropeStyle: "rotate-half" });
    const a = evaluateSequence(adjacent.config, adjacent.weights, TOKENS, F32_OPTIONS);
    const b = evaluateSequence(half.config, half.weights, TOKENS, F32_OPTIONS);
    let maxRelative = 0;
    let differing = 0;
    a.forEach((row, p) =>
      row.forEach((x, i) => {
        const y = b[p][i];
        if (!Object.is(x, y)) differing++;
        maxRelative = Math.max(maxRelative, Math.abs(x - y) / Math.max(Math.abs(x), Number.MIN_VALUE));
      }),
    );
    expect(maxRelative).toBeLessThanOrEqual(1e-5);
    // The two differ only in the ORDER of the q·k sum over a head's dimensions (pairs (2i, 2i+1)
    // vs (i, i + hd/2)): every projection row, every RoPE rotation and every weighted sum of values
    // is the same arithmetic on the same numbers. The sum is exact products added in float64 and
    // rounded once to float32, so a different order changes the float32 score only when the two
    // float64 sums straddle a float32 rounding boundary — possible, not seen on this model.
    expect(differing).toBe(0);
    expect(a[4].some((x) => x !== 0)).toBe(true);
  });

  it("reads a sharded folder (index + shards) exactly as the single file", () => {
    const fixture = makeFixture(SMALL);
    const single = loadHfModel(writeHfFolder(join(root, "one"), fixture), { ropeStyle: "adjacent" });
    const checkpoint = readHfCheckpoint(writeHfFolder(join(root, "three"), fixture, { files: 3 }));
    expect(checkpoint.files.map((f) => f.name)).toEqual(
      [1, 2, 3].map((i) => join(root, "three", `model-0000${i}-of-00003.safetensors`)),
    );
    const sharded = modelFromHf(checkpoint, { ropeStyle: "adjacent" });
    expect(sharded.config).toEqual(single.config);
    expect(sharded.weights.layers[1].wq.data).toEqual(single.weights.layers[1].wq.data);
    expect(sharded.weights.output.data).toEqual(single.weights.output.data);
  });

  it("ties the lm head to the embedding when the config says so or lm_head.weight is absent", () => {
    const tied = loadHfModel(writeHfFolder(join(root, "t"), makeFixture({ ...SMALL, tied: true })), {
      ropeStyle: "adjacent",
    });
    expect(tied.weights.output).toBe(tied.weights.tokenEmbedding);
    const fixture = makeFixture({ ...SMALL, tied: true });
    const untiedConfig = { ...fixture.config, tie_word_embeddings: false };
    const absent = loadHfModel(writeHfFolder(join(root, "a"), fixture, { config: untiedConfig }), {
      ropeStyle: "adjacent",
    });
    expect(absent.weights.output).toBe(absent.weights.tokenEmbedding);
    const withHead = makeFixture(SMALL);
    const tiedWithHead = loadHfModel(
      writeHfFolder(join(root, "h"), withHead, { config: { ...withHead.config, tie_word_embeddings: true } }),
      { ropeStyle: "adjacent" },
    );
    expect(tiedWithHead.weights.output).toBe(tiedWithHead.weights.tokenEmbedding);
  });

  it("keeps BF16 and F32 checkpoints in their own types", () => {
    for (const [dtype, type] of [
      ["BF16", GgmlType.BF16],
      ["F32", GgmlType.F32],
    ] as const) {
      const { weights } = loadHfModel(writeHfFolder(join(root, dtype), makeFixture({ ...SMALL, dtype })), {
        ropeStyle: "adjacent",
      });
      expect(weights.layers[0].wUp.type).toBe(type);
      expect(weights.tokenEmbedding.type).toBe(type);
    }
  });

  it("uses the config's defaults: kv heads = heads, rope_theta 10000, head_dim = hidden / heads; ignores rotary inv_freq buffers", () => {
    const fixture = makeFixture({ ...SMALL, nKvHeads: 4 });
    const config: Record<string, unknown> = {
      ...fixture.config,
      rope_theta: undefined,
      num_key_value_heads: null,
      head_dim: 16,
    };
    const dir = writeHfFolder(join(root, "d"), fixture, {
      config,
      tensors: (ts) => [
        ...ts,
        { name: "model.layers.0.self_attn.rotary_emb.inv_freq", dtype: "F32", shape: [8], data: new Uint8Array(32) },
      ],
    });
    const model = loadHfModel(dir, { ropeStyle: "adjacent" });
    expect(model.config).toMatchObject({ nKvHeads: 4, ropeTheta: 10000, headDim: 16 });
  });

  it("names the GGUF tensor of every Hugging Face llama tensor", () => {
    expect(ggufTensorName("model.layers.12.self_attn.o_proj.weight")).toBe("blk.12.attn_output.weight");
    expect(ggufTensorName("model.layers.0.post_attention_layernorm.weight")).toBe("blk.0.ffn_norm.weight");
    expect(ggufTensorName("lm_head.weight")).toBe("output.weight");
    expect(ggufTensorName("model.layers.0.self_attn.q_proj.bias")).toBeUndefined();
  });
});

describe("hfLlamaConfig refuses, naming config.json", () => {
  const base = fixtureConfig(SMALL);
  const refuse = (json: unknown) => inputErrorOf(() => hfLlamaConfig("config.json", json, "adjacent"));

  it.each([
    [
      "another architecture",
      { ...base, architectures: ["MistralForCausalLM"] },
      'unsupported architecture "MistralForCausalLM" (the oracle runs LlamaForCausalLM, which TriLMs use, and BitNetForCausalLM)',
    ],
    [
      "another model_type",
      { ...base, model_type: "gpt_neox" },
      "unsupported model_type \"gpt_neox\" (the oracle runs 'llama', which TriLMs use, and 'bitnet')",
    ],
    [
      "no architecture at all",
      { ...base, architectures: undefined, model_type: undefined },
      "names no architecture (neither 'architectures' nor 'model_type'); the oracle runs LlamaForCausalLM",
    ],
    [
      "rope_scaling",
      { ...base, rope_scaling: { type: "linear", factor: 2 } },
      'rope_scaling {"type":"linear","factor":2} is not supported (the oracle runs plain RoPE)',
    ],
    [
      "attention_bias",
      { ...base, attention_bias: true },
      "attention_bias is true; the oracle runs llama blocks without biases",
    ],
    ["mlp_bias", { ...base, mlp_bias: true }, "mlp_bias is true; the oracle runs llama blocks without biases"],
    [
      "another activation",
      { ...base, hidden_act: "gelu" },
      'hidden_act "gelu" is not supported (the oracle runs SwiGLU with silu)',
    ],
    ["a missing key", { ...base, hidden_size: undefined }, "missing key 'hidden_size'"],
    [
      "a mistyped key",
      { ...base, num_hidden_layers: "2" },
      "key 'num_hidden_layers' must be a positive integer, got \"2\"",
    ],
    ["a non-positive epsilon", { ...base, rms_norm_eps: 0 }, "key 'rms_norm_eps' must be a positive number, got 0"],
    [
      "a mistyped boolean",
      { ...base, tie_word_embeddings: "no" },
      "key 'tie_word_embeddings' must be true or false, got \"no\"",
    ],
    [
      "heads that do not divide hidden_size",
      { ...base, num_attention_heads: 5 },
      "hidden_size (64) is not a multiple of num_attention_heads (5)",
    ],
    [
      "kv heads that do not divide heads",
      { ...base, num_key_value_heads: 3 },
      "inconsistent llama hyper-parameters: nHeads (4) must be a multiple of nKvHeads (3)",
    ],
    [
      "a head_dim inconsistent with hidden_size",
      { ...base, head_dim: 32 },
      "inconsistent llama hyper-parameters: nHeads (4) × headDim (32) must equal dim (64)",
    ],
    ["a JSON array", [1, 2], "is not a JSON object"],
  ])("%s", (_, json, problem) => {
    const error = refuse(json);
    expect(error.file).toBe("config.json");
    expect(error.problem).toBe(problem);
  });
});

describe("readHfCheckpoint / modelFromHf refuse bad folders, naming the file at fault", () => {
  const load = (dir: string) => inputErrorOf(() => loadHfModel(dir, { ropeStyle: "adjacent" }));

  it("a path that is not a directory, or is missing", () => {
    writeFileSync(join(root, "file"), "x");
    expect(load(join(root, "file"))).toMatchObject({
      file: join(root, "file"),
      problem: "is not a directory (a Hugging Face checkpoint is a folder with config.json)",
    });
    expect(load(join(root, "missing"))).toMatchObject({
      file: join(root, "missing"),
      problem: "no such file or directory",
    });
  });

  it("a missing config.json", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL));
    unlinkSync(join(dir, "config.json"));
    expect(load(dir)).toMatchObject({ file: join(dir, "config.json"), problem: "no such file or directory" });
  });

  it("a config.json that is not JSON", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), { config: '{"hidden_size": 64,' });
    const error = load(dir);
    expect(error.file).toBe(join(dir, "config.json"));
    expect(error.problem).toMatch(/^is not valid JSON \(/);
  });

  it("an unsupported architecture", () => {
    const fixture = makeFixture(SMALL);
    const dir = writeHfFolder(join(root, "m"), fixture, {
      config: { ...fixture.config, architectures: ["GPTNeoXForCausalLM"], model_type: "gpt_neox" },
    });
    expect(load(dir)).toMatchObject({
      file: join(dir, "config.json"),
      problem: expect.stringContaining('unsupported architecture "GPTNeoXForCausalLM"'),
    });
  });

  it("no weights file", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL));
    unlinkSync(join(dir, "model.safetensors"));
    expect(load(dir)).toMatchObject({
      file: dir,
      problem: "has neither model.safetensors nor model.safetensors.index.json",
    });
  });

  it("a shard the index names but the folder lacks", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), { files: 2 });
    unlinkSync(join(dir, "model-00002-of-00002.safetensors"));
    expect(load(dir)).toMatchObject({
      file: join(dir, "model-00002-of-00002.safetensors"),
      problem: "no such file or directory",
    });
  });

  it("a shard holding a tensor the index does not list, or lacking one it lists", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), { files: 2 });
    const index = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8"));
    delete index.weight_map["model.norm.weight"];
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify(index));
    expect(load(dir)).toMatchObject({
      file: join(dir, "model-00002-of-00002.safetensors"),
      problem: `holds tensor 'model.norm.weight', but the index does not list it (${join(dir, "model.safetensors.index.json")})`,
    });
    index.weight_map["model.norm.weight"] = "model-00002-of-00002.safetensors";
    index.weight_map["model.extra.weight"] = "model-00001-of-00002.safetensors";
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify(index));
    expect(load(dir)).toMatchObject({
      file: join(dir, "model-00001-of-00002.safetensors"),
      problem: expect.stringContaining("has no tensor 'model.extra.weight'"),
    });
  });

  it("an index whose weight_map is not a map of file names", () => {
    expect(inputErrorOf(() => parseSafetensorsIndex({ weight_map: { a: "../x.safetensors" } }, "i.json")).problem).toBe(
      "weight_map puts tensor 'a' in \"../x.safetensors\", which is not a file name in the same folder",
    );
    expect(inputErrorOf(() => parseSafetensorsIndex({ metadata: {} }, "i.json")).problem).toBe(
      "has no 'weight_map' object",
    );
  });

  it("a shard that is not a valid safetensors file", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), { files: 2 });
    writeFileSync(join(dir, "model-00001-of-00002.safetensors"), new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0, 0x5b, 0x5d]));
    expect(load(dir)).toMatchObject({
      file: join(dir, "model-00001-of-00002.safetensors"),
      problem: "header length 8 does not fit: only 2 bytes follow the length",
    });
  });

  it("a missing tensor (naming the folder)", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), {
      tensors: (ts) => ts.filter((t) => t.name !== "model.layers.1.mlp.up_proj.weight"),
    });
    expect(load(dir)).toMatchObject({ file: dir, problem: "missing tensor 'model.layers.1.mlp.up_proj.weight'" });
  });

  it("a tensor of the wrong shape (naming its file)", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), {
      tensors: (ts) =>
        ts.map((t) => (t.name === "model.layers.0.self_attn.k_proj.weight" ? { ...t, shape: [64, 32] } : t)),
    });
    expect(load(dir)).toMatchObject({
      file: join(dir, "model.safetensors"),
      problem: `tensor 'model.layers.0.self_attn.k_proj.weight' has shape [64, 32], expected [32, 64] ([out, in]) from ${join(dir, "config.json")}`,
    });
  });

  it("a vocab_size that does not match the embedding", () => {
    const fixture = makeFixture(SMALL);
    const dir = writeHfFolder(join(root, "m"), fixture, { config: { ...fixture.config, vocab_size: 51 } });
    expect(load(dir).problem).toBe(
      `tensor 'model.embed_tokens.weight' has shape [50, 64], expected [51, 64] ([out, in]) from ${join(dir, "config.json")}`,
    );
  });

  it("a tensor llama does not have (a bias)", () => {
    const dir = writeHfFolder(join(root, "m"), makeFixture(SMALL), {
      tensors: (ts) => [
        ...ts,
        { name: "model.layers.0.self_attn.q_proj.bias", dtype: "F16", shape: [64], data: new Uint8Array(128) },
      ],
    });
    expect(load(dir)).toMatchObject({
      file: join(dir, "model.safetensors"),
      problem: expect.stringContaining("unsupported tensor 'model.layers.0.self_attn.q_proj.bias'"),
    });
  });

  it("a tensor in two files", () => {
    const bytes = serializeSafetensors([{ name: "w", dtype: "F16", shape: [1], data: new Uint8Array(2) }]);
    const error = inputErrorOf(() =>
      hfCheckpoint("d", "d/config.json", {}, [
        parseSafetensors(bytes, "d/a.safetensors"),
        parseSafetensors(bytes, "d/b.safetensors"),
      ]),
    );
    expect(error).toMatchObject({ file: "d/b.safetensors", problem: "tensor 'w' is also in d/a.safetensors" });
  });
});
