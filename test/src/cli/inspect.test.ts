import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { GgufFile, GgufValueType, serializeGguf, type GgufKeyValue } from "../../../src/gguf/index.js";
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
    { key: "test.nested", value: { type: GgufValueType.ARRAY, elementType: GgufValueType.ARRAY, values: [{ type: GgufValueType.ARRAY, elementType: GgufValueType.UINT64, values: new BigUint64Array([1n, 2n]) }] } },
    { key: "test.ints", value: { type: GgufValueType.ARRAY, elementType: GgufValueType.INT32, values: Int32Array.from({ length: 9 }, (_, i) => i - 4) } },
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
    expect(lines[0]).toBe(`${TINY_TQ2}: GGUF v3, 948160 bytes, alignment 32, 20 metadata keys, 21 tensors, data section at byte 13248`);
    expect(lines).toContain('  tokenizer.ggml.tokens                   arr[str]  [512] "<unk>", "<s>", "</s>", "<0x00>", "<0x01>", …');
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
