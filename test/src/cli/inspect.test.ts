import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { bitnetCppSeedFile } from "../../../src/fuzz/bitnet-cpp-seed.js";
import { GgufFile, GgufValueType, serializeGguf, type GgufKeyValue } from "../../../src/gguf/index.js";
import { LOSSLESS, STRADDLING, makeFixture, writeHfFolder } from "../model/hf-fixture.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const TINY_TQ2 = repoFile("golden/external/llama/tiny-tq2_0.gguf");

/** A small GGUF file with one value of each awkward kind and two tensors. */
function writeAwkwardGguf(path: string): string {
  const metadata: GgufKeyValue[] = [
    { key: "test.u64", value: { type: GgufValueType.UINT64, value: 18446744073709551615n } },
    { key: "test.i64", value: { type: GgufValueType.INT64, value: -5n } },
    { key: "test.f32", value: { type: GgufValueType.FLOAT32, value: Math.fround(0.1) } },
    { key: "test.nan", value: { type: GgufValueType.FLOAT32, value: NaN } },
    { key: "test.bool", value: { type: GgufValueType.BOOL, value: true } },
    { key: "test.text", value: { type: GgufValueType.STRING, value: `line one\nline two ${"x".repeat(100)}` } },
    {
      key: "test.nested",
      value: {
        type: GgufValueType.ARRAY,
        elementType: GgufValueType.ARRAY,
        values: [
          { type: GgufValueType.ARRAY, elementType: GgufValueType.UINT64, values: new BigUint64Array([1n, 2n]) },
        ],
      },
    },
    {
      key: "test.ints",
      value: {
        type: GgufValueType.ARRAY,
        elementType: GgufValueType.INT32,
        values: Int32Array.from({ length: 9 }, (_, i) => i - 4),
      },
    },
  ];
  const tensors = [
    { name: "a", type: GgmlType.F32, ne: [4, 2], data: new Uint8Array(32) },
    { name: "b", type: GgmlType.TQ2_0, ne: [256], data: new Uint8Array(66) },
  ];
  writeFileSync(path, serializeGguf(GgufFile.create(path, metadata, tensors)));
  return path;
}

describe("trilm inspect", () => {
  it("shows the layout, the metadata (long arrays summarized) and the tensor table", async () => {
    const result = await trilm("inspect", TINY_TQ2);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(
      `${TINY_TQ2}: GGUF v3, 948160 bytes, alignment 32, 20 metadata keys, 21 tensors, data section at byte 13248`,
    );
    expect(lines).toContain(
      '  tokenizer.ggml.tokens                   arr[str]  [512] "<unk>", "<s>", "</s>", "<0x00>", "<0x01>", …',
    );
    expect(lines).toContain("  llama.attention.layer_norm_rms_epsilon  f32       0.00001");
    expect(lines).toContain("  general.file_type                       u32       37");
    expect(lines).toContain("  name                      type   shape        bytes  offset");
    expect(lines).toContain("  blk.0.attn_k.weight       tq2_0  [256, 128]    8448  525312");
  });

  it("shows awkward values on one line each", async () => {
    const result = await trilm("inspect", writeAwkwardGguf(temp("x.gguf")));
    const lines = result.stdout.split("\n");
    expect(lines).toContain("  test.u64     u64       18446744073709551615");
    expect(lines).toContain("  test.nan     f32       NaN");
    expect(lines).toContain("  test.f32     f32       0.1");
    expect(lines).toContain(`  test.text    str       "line one\\nline two ${"x".repeat(42)}"… (118 characters)`);
    expect(lines).toContain("  test.nested  arr[arr]  [1] [2] 1, 2");
    expect(lines).toContain("  test.ints    arr[i32]  [9] -4, -3, -2, -1, 0, …");
  });

  it("--json prints one JSON document, complete, 64-bit integers as strings", async () => {
    const result = await trilm("inspect", writeAwkwardGguf(temp("x.gguf")), "--json");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ file: temp("x.gguf"), version: 3, alignment: 32 });
    const values = Object.fromEntries(doc.metadata.map((kv: { key: string; value: unknown }) => [kv.key, kv.value]));
    expect(values).toEqual({
      "test.u64": "18446744073709551615",
      "test.i64": "-5",
      "test.f32": 0.1,
      "test.nan": "NaN",
      "test.bool": true,
      "test.text": `line one\nline two ${"x".repeat(100)}`,
      "test.nested": [["1", "2"]],
      "test.ints": [-4, -3, -2, -1, 0, 1, 2, 3, 4],
    });
    expect(doc.metadata[0]).toEqual({ key: "test.u64", type: "u64", value: "18446744073709551615" });
    expect(doc.tensors).toEqual([
      { name: "a", type: "f32", ne: [4, 2], bytes: 32, offset: 0 },
      { name: "b", type: "tq2_0", ne: [256], bytes: 66, offset: 32 },
    ]);
  });

  it("--json keeps long arrays whole", async () => {
    const doc = JSON.parse((await trilm("inspect", TINY_TQ2, "--json")).stdout);
    const tokens = doc.metadata.find((kv: { key: string }) => kv.key === "tokenizer.ggml.tokens");
    expect(tokens.value).toHaveLength(512);
    expect(doc.tensors).toHaveLength(21);
  });

  it("refuses a truncated file with one line", async () => {
    writeFileSync(temp("t.gguf"), readFileSync(TINY_TQ2).subarray(0, 100));
    expectRefused(await trilm("inspect", temp("t.gguf")), temp("t.gguf"), "cannot fit");
  });
});

describe("trilm inspect: ternary matrices", () => {
  const SMALL = { ...STRADDLING, nLayers: 1, vocabSize: 40 };

  it("a GGUF file: a section listing every 2-D tensor, TQ ones with their block scales", async () => {
    const result = await trilm("inspect", TINY_TQ2);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    const start = lines.findIndex((l) => l.startsWith("ternary matrices ("));
    expect(lines[start]).toMatch(
      /^ternary matrices \(14 of 16 2-D tensors; shape ne, innermost first; .*; 0 lossy\):$/,
    );
    expect(lines[start + 1]).toMatch(/^ {2}name +shape +type +ternary +scales +shards +zeros +straddling$/);
    expect(lines).toContain(
      "  token_embd.weight         [256, 512]  f16    no       -          -        0.0%           -",
    );
    expect(lines).toContain(
      "  blk.0.attn_k.weight       [256, 128]  tq2_0  yes      0.0898438  single  34.4%           -",
    );
    expect(lines).toHaveLength(start + 2 + 16);
  });

  it("--json: ternaryMatrices with scales, layout, shards, zeros and straddling blocks", async () => {
    const doc = JSON.parse((await trilm("inspect", TINY_TQ2, "--json")).stdout);
    expect(doc.ternaryMatrices).toHaveLength(16);
    const k = doc.ternaryMatrices.find((m: { name: string }) => m.name === "blk.0.attn_k.weight");
    expect(k).toMatchObject({
      shape: [256, 128],
      type: "tq2_0",
      ternary: true,
      scaleSource: "block-scales",
      distinctScales: 1,
      layout: "single",
      blocks: 128,
      straddlingBlocks: 0,
    });
    expect(k.shards).toEqual([{ scale: k.scales[0], axis: "rows", begin: 0, end: 128 }]);
  });

  it("--no-ternary leaves the section out", async () => {
    const result = await trilm("inspect", TINY_TQ2, "--no-ternary");
    expect(result.stdout).not.toContain("ternary matrices");
    expect(
      JSON.parse((await trilm("inspect", TINY_TQ2, "--json", "--no-ternary")).stdout).ternaryMatrices,
    ).toBeUndefined();
  });

  it("a Hugging Face folder: config, tensors with their files, shard scales and layouts, straddling blocks", async () => {
    const dir = writeHfFolder(temp("TriLM"), makeFixture(SMALL), { files: 2 });
    const result = await trilm("inspect", dir);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `${dir}: Hugging Face checkpoint, 2 safetensors files, 12 tensors, 1222144 bytes of tensor data`,
    );
    expect(lines).toContain(`config (${join(dir, "config.json")}):`);
    expect(lines).toContain("  hidden_size              256");
    expect(lines).toContain(
      `  model.layers.0.self_attn.k_proj.weight          F16    [128, 256]   65536  ${join(dir, "model-00001-of-00002.safetensors")}`,
    );
    expect(lines).toContain(
      "ternary matrices (7 of 9 2-D tensors; shape [out, in]; scales: distinct |w| ≠ 0, or TQ block scales; " +
        "straddling: 256-blocks holding two scales, which TQ conversion loses; 1 lossy):",
    );
    expect(lines).toContain(
      "  model.layers.0.self_attn.o_proj.weight  [256, 256]  F16   yes      0.0263672, 0.0322266  columns [0, 128) [128, 256)  33.0%     256/256",
    );
    expect(lines).toContain(
      "  model.layers.0.self_attn.q_proj.weight  [256, 256]  F16   yes      0.0234375, 0.0292969  rows [0, 128) [128, 256)     33.2%       0/256",
    );
    expect(lines).toContain(
      "  model.layers.0.mlp.down_proj.weight     [256, 512]  F16   yes      0.0292969, 0.0351563  columns [0, 256) [256, 512)  33.4%       0/512",
    );
    expect(lines.some((l) => /^ {2}model\.embed_tokens\.weight +\[40, 256\] +F16 +no +- +- +0\.0% +-$/.test(l))).toBe(
      true,
    );
  });

  it("a Hugging Face folder --json: config, files, tensors and ternaryMatrices", async () => {
    const fixture = makeFixture({ ...LOSSLESS, nLayers: 1, vocabSize: 40 });
    const dir = writeHfFolder(temp("m"), fixture);
    const doc = JSON.parse((await trilm("inspect", dir, "--json")).stdout);
    expect(doc).toMatchObject({
      folder: dir,
      format: "huggingface",
      config: { hidden_size: 512, model_type: "llama" },
    });
    expect(doc.files).toEqual([
      {
        file: join(dir, "model.safetensors"),
        headerLength: expect.any(Number),
        tensors: 12,
        metadata: { format: "pt" },
      },
    ]);
    expect(doc.tensors[0]).toEqual({
      name: "model.embed_tokens.weight",
      dtype: "F16",
      shape: [40, 512],
      bytes: 40960,
      file: join(dir, "model.safetensors"),
      dataOffsets: [0, 40960],
    });
    const o = doc.ternaryMatrices.find((m: { name: string }) => m.name === "model.layers.0.self_attn.o_proj.weight");
    const scales = fixture.scales.get("model.layers.0.self_attn.o_proj.weight");
    expect(o).toMatchObject({
      ternary: true,
      scaleSource: "values",
      scales,
      layout: "columns",
      blocks: 1024,
      straddlingBlocks: 0,
    });
    expect(o.shards).toEqual([
      { scale: scales?.[0], axis: "columns", begin: 0, end: 256 },
      { scale: scales?.[1], axis: "columns", begin: 256, end: 512 },
    ]);
    expect(o.zeroFraction).toBeGreaterThan(0.3);
  });

  it("refuses a bad Hugging Face folder with one line", async () => {
    const dir = writeHfFolder(temp("m"), makeFixture(SMALL), { files: 2 });
    unlinkSync(join(dir, "model-00002-of-00002.safetensors"));
    expectRefused(
      await trilm("inspect", dir),
      join(dir, "model-00002-of-00002.safetensors"),
      "no such file or directory",
    );
  });
});

describe("trilm inspect: GGUF dialects (spec/bitnet.md §1)", () => {
  it("a bitnet.cpp file: the dialect with its evidence, and bitnet.cpp's type names in the tensor table", async () => {
    writeFileSync(temp("b.gguf"), serializeGguf(bitnetCppSeedFile()));
    const result = await trilm("inspect", temp("b.gguf"));
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[1]).toBe(
      "type ids: bitnet.cpp dialect (general.architecture is 'bitnet-b1.58', which only bitnet.cpp writes; " +
        "tensor 'blk.0.attn_q.weight' is I2_S (type id 36; IQ4_NL_4_4 in mainline ggml); " +
        "tensor 'blk.0.ffn_up.weight' is TL1 (type id 38; IQ4_NL_8_8 in mainline ggml); " +
        "tensor 'blk.0.ffn_down.weight' is TL2 (type id 39; MXFP4 in mainline ggml))",
    );
    expect(lines.some((l) => /^ {2}blk\.0\.attn_q\.weight +i2_s +\[128, 4\] +160 +0$/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}blk\.0\.ffn_down\.weight +tl2 +\[352, 32\] +2720 +320$/.test(l))).toBe(true);
    const doc = JSON.parse((await trilm("inspect", temp("b.gguf"), "--json")).stdout);
    expect(doc.dialect).toBe("bitnet.cpp");
    expect(doc.tensors.map((t: { type: string }) => t.type)).toEqual(["i2_s", "tl1", "tl2", "f32"]);
  });

  it("a mainline file: 'type ids: ggml dialect'", async () => {
    expect((await trilm("inspect", TINY_TQ2)).stdout.split("\n")[1]).toBe("type ids: ggml dialect");
  });

  it("refuses a file whose id 39 nothing decides with one line naming the tensor and both readings", async () => {
    const file = bitnetCppSeedFile({ architecture: "bitnet", onlyTl2: true });
    const bytes = serializeGguf(file);
    // the TL2 slot holds 2720 bytes; relabel the tensor [256, 20]: TL2 1312, MXFP4 8·17·20 = 2720 — it fits MXFP4 only
    const at = Buffer.from(bytes).indexOf(Buffer.from("blk.0.ffn_down.weight")) + 21 + 4;
    new DataView(bytes.buffer).setBigUint64(at, 256n, true);
    new DataView(bytes.buffer).setBigUint64(at + 8, 20n, true);
    writeFileSync(temp("m.gguf"), bytes);
    expectRefused(
      await trilm("inspect", temp("m.gguf")),
      temp("m.gguf"),
      "has ggml type id 39 (MXFP4 in mainline ggml)",
    );
  });
});
