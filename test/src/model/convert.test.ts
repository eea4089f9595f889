/**
 * Hugging Face → GGUF conversion (src/model/convert.ts): the keys, tensor names, types and order
 * convert_hf_to_gguf.py writes; logits of every lossless conversion IDENTICAL, bit for bit, to the
 * checkpoint's; lossy conversions (a 256-block straddling two shard scales) reported.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, f32ToF16Bits } from "../../../reference/codec/index.js";
import { evaluateSequence } from "../../../reference/model/forward.js";
import { InputError } from "../../../src/errors.js";
import { GgufValueType, parseGguf, serializeGguf, type GgufFile } from "../../../src/gguf/index.js";
import { convertHfCheckpoint, type ConvertType } from "../../../src/model/convert.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { readHfCheckpoint } from "../../../src/model/hf-folder.js";
import { modelFromHf, type HfCheckpoint } from "../../../src/model/hf-model.js";
import { LOSSLESS, STRADDLING, makeFixture, writeHfFolder, type FixtureOptions } from "./hf-fixture.js";

const F32_OPTIONS = { activations: "f32", kvCache: "f32" } as const;
const TOKENS = [1, 17, 255, 3, 299];
const SMALL: FixtureOptions = { ...LOSSLESS, dim: 64, hiddenDim: 128, vocabSize: 50 };

let root = "";
let lossless: HfCheckpoint;
let hfLogits: Float32Array[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "trilm-convert-"));
  lossless = readHfCheckpoint(writeHfFolder(join(root, "lossless"), makeFixture(LOSSLESS)));
  const { config, weights } = modelFromHf(lossless, { ropeStyle: "adjacent" });
  hfLogits = evaluateSequence(config, weights, TOKENS, F32_OPTIONS);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Convert, write to bytes, and read back strictly. */
function convertAndReread(checkpoint: HfCheckpoint, type: ConvertType): { file: GgufFile; warnings: string[] } {
  const conversion = convertHfCheckpoint(checkpoint, "out.gguf", { type, name: "TriLM test" });
  const file = parseGguf(serializeGguf(conversion.gguf), "out.gguf");
  return { file, warnings: conversion.warnings.map((w) => `${w.hfName}: ${w.problem}`) };
}

/** Number of logits that are not bit-identical. */
function bitDifferences(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let n = 0;
  a.forEach((row, p) => row.forEach((x, i) => (n += Object.is(x, b[p][i]) ? 0 : 1)));
  return n;
}

describe("convertHfCheckpoint on a lossless TriLM-like checkpoint (dim 512, 2 layers, 4 heads, 2 kv heads, ffn 1024, vocab 300)", () => {
  it.each(["tq2_0", "tq1_0", "f16"] as const)(
    "%s: the GGUF's logits are IDENTICAL (bit for bit) to the checkpoint's",
    (type) => {
      const { file, warnings } = convertAndReread(lossless, type);
      expect(warnings).toEqual([]);
      const { config, weights } = modelFromGguf(file);
      expect(config).toEqual(modelFromHf(lossless, { ropeStyle: "adjacent" }).config);
      const logits = evaluateSequence(config, weights, TOKENS, F32_OPTIONS);
      expect(bitDifferences(logits, hfLogits)).toBe(0);
    },
  );

  it("writes the llama keys convert_hf_to_gguf.py writes, and no tokenizer", () => {
    const { file } = convertAndReread(lossless, "tq2_0");
    const entries = file.metadata.map(({ key, value }) => [
      key,
      value.type,
      "value" in value ? value.value : undefined,
    ]);
    expect(entries).toEqual([
      ["general.architecture", GgufValueType.STRING, "llama"],
      ["general.name", GgufValueType.STRING, "TriLM test"],
      ["llama.context_length", GgufValueType.UINT32, 64],
      ["llama.embedding_length", GgufValueType.UINT32, 512],
      ["llama.block_count", GgufValueType.UINT32, 2],
      ["llama.feed_forward_length", GgufValueType.UINT32, 1024],
      ["llama.attention.head_count", GgufValueType.UINT32, 4],
      ["llama.attention.head_count_kv", GgufValueType.UINT32, 2],
      ["llama.attention.layer_norm_rms_epsilon", GgufValueType.FLOAT32, Math.fround(1e-5)],
      ["llama.rope.freq_base", GgufValueType.FLOAT32, 10000],
      ["llama.rope.dimension_count", GgufValueType.UINT32, 128],
      ["llama.vocab_size", GgufValueType.UINT32, 300],
      ["general.file_type", GgufValueType.UINT32, 37],
      ["general.quantization_version", GgufValueType.UINT32, 2],
    ]);
    expect(convertAndReread(lossless, "tq1_0").file.getUint32("general.file_type")).toBe(36);
    expect(convertAndReread(lossless, "f16").file.getUint32("general.file_type")).toBe(1);
  });

  it("names, types, shapes and order: norms f32, token_embd/output f16, the rest the target type", () => {
    const { file } = convertAndReread(lossless, "tq2_0");
    const layer0 = file.tensors.filter((t) => t.name.startsWith("blk.0.")).map((t) => [t.name, GgmlType[t.type], t.ne]);
    expect(file.tensors.map((t) => t.name).slice(0, 2)).toEqual(["output.weight", "token_embd.weight"]);
    expect(layer0).toEqual([
      ["blk.0.attn_norm.weight", "F32", [512]],
      ["blk.0.ffn_down.weight", "TQ2_0", [1024, 512]],
      ["blk.0.ffn_gate.weight", "TQ2_0", [512, 1024]],
      ["blk.0.ffn_up.weight", "TQ2_0", [512, 1024]],
      ["blk.0.ffn_norm.weight", "F32", [512]],
      ["blk.0.attn_k.weight", "TQ2_0", [512, 256]],
      ["blk.0.attn_output.weight", "TQ2_0", [512, 512]],
      ["blk.0.attn_q.weight", "TQ2_0", [512, 512]],
      ["blk.0.attn_v.weight", "TQ2_0", [512, 256]],
    ]);
    expect(file.tensors.map((t) => t.name).at(-1)).toBe("output_norm.weight");
    expect(GgmlType[file.tensor("output.weight")?.type ?? -1]).toBe("F16");
    expect(GgmlType[file.tensor("token_embd.weight")?.type ?? -1]).toBe("F16");
    expect(file.tensors).toHaveLength(2 * 9 + 3);
    const f16 = convertAndReread(lossless, "f16").file;
    expect(f16.tensors.filter((t) => t.ne.length === 2).every((t) => t.type === GgmlType.F16)).toBe(true);
    expect(f16.tensors.filter((t) => t.ne.length === 1).every((t) => t.type === GgmlType.F32)).toBe(true);
  });

  it("f16: the matrices are the checkpoint's own bytes, q/k rows permuted", () => {
    const { file } = convertAndReread(lossless, "f16");
    const adjacent = modelFromHf(lossless, { ropeStyle: "adjacent" }).weights;
    const same = (a: Uint8Array | undefined, b: Uint8Array | undefined) =>
      a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
    expect(same(file.tensor("blk.1.attn_q.weight")?.data, adjacent.layers[1].wq.data)).toBe(true);
    expect(
      same(
        file.tensor("blk.1.ffn_down.weight")?.data,
        lossless.tensors.get("model.layers.1.mlp.down_proj.weight")?.tensor.data,
      ),
    ).toBe(true);
    expect(
      same(
        file.tensor("blk.1.attn_q.weight")?.data,
        lossless.tensors.get("model.layers.1.self_attn.q_proj.weight")?.tensor.data,
      ),
    ).toBe(false);
  });
});

describe("convertHfCheckpoint: other cases", () => {
  it("falls back to f16 where ne[0] % 256 != 0, and writes no output.weight for tied embeddings", () => {
    const checkpoint = readHfCheckpoint(writeHfFolder(join(root, "small-tied"), makeFixture({ ...SMALL, tied: true })));
    const { file, warnings } = convertAndReread(checkpoint, "tq2_0");
    expect(warnings).toEqual([]);
    expect(file.tensor("output.weight")).toBeUndefined();
    expect(file.tensors.filter((t) => t.ne.length === 2).map((t) => t.type)).toEqual(
      Array(1 + 2 * 7).fill(GgmlType.F16),
    );
    const { config, weights } = modelFromGguf(file);
    const hf = modelFromHf(checkpoint, { ropeStyle: "adjacent" });
    expect(
      bitDifferences(
        evaluateSequence(config, weights, [1, 2, 3], F32_OPTIONS),
        evaluateSequence(hf.config, hf.weights, [1, 2, 3], F32_OPTIONS),
      ),
    ).toBe(0);
  });

  it("a 256-block straddling two shard scales (o_proj of a dim-256 model, shards 128 columns wide) is detected and warned", () => {
    const checkpoint = readHfCheckpoint(writeHfFolder(join(root, "straddling"), makeFixture(STRADDLING)));
    for (const type of ["tq2_0", "tq1_0"] as const) {
      const { warnings } = convertAndReread(checkpoint, type);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(
        new RegExp(
          `^model\\.layers\\.0\\.self_attn\\.o_proj\\.weight: 256 of 256 256-element blocks hold ` +
            `two shard scales \\(0\\.0263671875, 0\\.0322265625; columns \\[0, 128\\) \\[128, ` +
            `256\\)\\); ${type} keeps one scale per block, so \\d+ of 65536 values change: the conversion is lossy$`,
        ),
      );
      expect(warnings[1]).toMatch(/^model\.layers\.1\.self_attn\.o_proj\.weight: 256 of 256 /);
    }
    expect(convertAndReread(checkpoint, "f16").warnings).toEqual([]);
  });

  it("warns when f16 rounds values (an F32 checkpoint's embedding), not for its fp16-exact ternary matrices", () => {
    const fixture = makeFixture({ ...SMALL, dtype: "F32" });
    const checkpoint = readHfCheckpoint(writeHfFolder(join(root, "f32"), fixture));
    const { warnings } = convertAndReread(checkpoint, "tq2_0");
    expect(warnings.map((w) => w.split(":")[0])).toEqual(["lm_head.weight", "model.embed_tokens.weight"]);
    expect(warnings[0]).toMatch(
      /^lm_head\.weight: \d+ of 3200 values change in the conversion to f16; the conversion is lossy$/,
    );
  });

  it("warns that a non-ternary matrix converted to TQ is lossy", () => {
    const fixture = makeFixture(LOSSLESS);
    const dense = Float32Array.from({ length: 256 * 512 }, (_, i) => Math.sin(i) / 8);
    const data = new Uint8Array(dense.length * 2);
    dense.forEach((v, i) => new DataView(data.buffer).setUint16(2 * i, f32ToF16Bits(v), true));
    const checkpoint = readHfCheckpoint(
      writeHfFolder(join(root, "dense"), fixture, {
        tensors: (ts) => ts.map((t) => (t.name === "model.layers.1.self_attn.v_proj.weight" ? { ...t, data } : t)),
      }),
    );
    const { warnings } = convertAndReread(checkpoint, "tq1_0");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        String.raw`^model\.layers\.1\.self_attn\.v_proj\.weight: is not ternary \(more than 6 distinct magnitudes\); ` +
          String.raw`\d+ of 131072 values change in the conversion to tq1_0$`,
      ),
    );
  });

  it("refuses a tensor holding an infinity (ggml's validation), naming its file", () => {
    const fixture = makeFixture(SMALL);
    const checkpoint = readHfCheckpoint(
      writeHfFolder(join(root, "inf"), fixture, {
        tensors: (ts) =>
          ts.map((t) =>
            t.name === "model.norm.weight"
              ? { ...t, data: Uint8Array.from(t.data, (b, i) => (i === 1 ? 0x7c : i === 0 ? 0 : b)) }
              : t,
          ),
      }),
    );
    const run = () => convertHfCheckpoint(checkpoint, "out.gguf", { type: "tq2_0", name: "x" });
    expect(run).toThrow(InputError);
    expect(run).toThrow(
      `${join(root, "inf", "model.safetensors")}: tensor 'model.norm.weight' as f32 fails ggml's validation (element 0 is infinite or NaN)`,
    );
  });
});
