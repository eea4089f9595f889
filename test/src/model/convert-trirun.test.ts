/**
 * A whole model to TriRun: every linear layer of a random TQ2_0 / TQ1_0 / F16 GGUF model and of a Hugging Face
 * checkpoint, read back from model.safetensors and unpacked, decodes bit for bit to the source's weights; the
 * other tensors are copied byte for byte; a model with layers TriRun cannot hold is refused naming every one.
 */

import { describe, expect, it } from "vitest";
import { GgmlType, dequantizeRow } from "../../../reference/codec/index.js";
import { f16BitsToF32 } from "../../../reference/codec/float16.js";
import { TRIRUN_GROUP_SIZE, unpackTrirun, type TrirunMatrix } from "../../../reference/codec/trirun.js";
import type { TrirunGroupChoice } from "../../../reference/codec/trirun-convert.js";
import { findPreset, type TrilmPreset } from "../../../reference/model/presets.js";
import { InputError } from "../../../src/errors.js";
import { readGgufFile } from "../../../src/gguf/file.js";
import { requireGgmlType, type GgufFile } from "../../../src/gguf/index.js";
import {
  TRIRUN_MODEL_FILE,
  convertGgufToTrirun,
  convertHfToTrirun,
  type TrirunModelConversion,
} from "../../../src/model/convert-trirun.js";
import { hfCheckpoint } from "../../../src/model/hf-model.js";
import { randomTrilm, type RandomModelType } from "../../../src/model/random-model.js";
import { trirunWeightOf } from "../../../src/model/trirun-files.js";
import { parseSafetensors, serializeSafetensors } from "../../../src/safetensors/index.js";
import { repoFile } from "../cli/harness.js";
import { LOSSLESS, makeFixture } from "./hf-fixture.js";

const TINY = findPreset("tiny");
if (TINY === undefined) throw new Error("no tiny preset");
/** The tiny shape with as many k/v heads as heads, so that every linear layer has n ≥ 256. */
const TINY_FULL_KV: TrilmPreset = { ...TINY, name: "tiny", config: { ...TINY.config, nKvHeads: TINY.config.nHeads } };

/** The weights a TriRun matrix decodes to, in the source's [n, k] order: w[n][k] = (code − 1) · scale(group, n). */
function decodeTrirun(matrix: TrirunMatrix): Float32Array {
  const { k, n, codes, scales, groupSize } = matrix;
  const out = new Float32Array(n * k);
  for (let nIndex = 0; nIndex < n; nIndex++) {
    for (let kIndex = 0; kIndex < k; kIndex++) {
      const group = groupSize === -1 ? 0 : Math.floor(kIndex / TRIRUN_GROUP_SIZE);
      out[nIndex * k + kIndex] = (codes[kIndex * n + nIndex] - 1) * f16BitsToF32(scales[group * n + nIndex]);
    }
  }
  return out;
}

/** The indices where `actual` and `expected` differ in bits (Object.is: +0 ≠ −0), at most the first 5. */
function differences(actual: Float32Array, expected: Float32Array): number[] {
  expect(actual.length).toBe(expected.length);
  const found: number[] = [];
  for (let i = 0; i < actual.length && found.length < 5; i++) if (!Object.is(actual[i], expected[i])) found.push(i);
  return found;
}

/** Each layer of the converted model, unpacked from its model.safetensors bytes. */
function readLayers(conversion: TrirunModelConversion): Map<string, TrirunMatrix> {
  const file = parseSafetensors(conversion.safetensors, TRIRUN_MODEL_FILE, { int32: true });
  return new Map(
    conversion.description.layers.map((layer) => [
      layer.source_tensor,
      unpackTrirun(trirunWeightOf(file, `${layer.name}.`, String(layer.groupsize))),
    ]),
  );
}

/** Every linear layer decodes bit for bit to the GGUF tensor's dequantized values; the rest are copied. */
function expectGgufAgreement(gguf: GgufFile, conversion: TrirunModelConversion): void {
  const layers = readLayers(conversion);
  expect(layers.size).toBe(7 * TINY_FULL_KV.config.nLayers);
  for (const [name, matrix] of layers) {
    const tensor = gguf.tensor(name);
    if (tensor === undefined) throw new Error(name);
    expect([matrix.k, matrix.n]).toEqual(tensor.ne);
    expect(
      differences(
        decodeTrirun(matrix),
        dequantizeRow(requireGgmlType("gguf", tensor, "the test").type, tensor.data, matrix.k * matrix.n),
      ),
      name,
    ).toEqual([]);
  }
  const written = parseSafetensors(conversion.safetensors, TRIRUN_MODEL_FILE, { int32: true }).tensors;
  expect(conversion.description.copied.map((t) => t.name)).toEqual(
    gguf.tensors.filter((t) => !layers.has(t.name)).map((t) => t.name),
  );
  for (const copied of conversion.description.copied) {
    expect(
      Buffer.from(written.get(copied.name)?.data ?? []).equals(gguf.tensor(copied.name)?.data ?? new Uint8Array(1)),
      copied.name,
    ).toBe(true);
  }
}

describe("convertGgufToTrirun", () => {
  const cases: [RandomModelType, TrirunGroupChoice][] = [
    ["tq2_0", 128],
    ["tq2_0", "auto"],
    ["tq1_0", -1],
    ["f16", "auto"],
  ];
  it.each(cases)("a random tiny %s model, group size %s: every layer decodes bit for bit", (type, groupSize) => {
    const gguf = randomTrilm(TINY_FULL_KV, 5, type);
    const conversion = convertGgufToTrirun(gguf, groupSize);
    expectGgufAgreement(gguf, conversion);
    const { description } = conversion;
    expect(description).toMatchObject({ format: "trirun", version: 1, row_order: "gguf", skipped: [] });
    expect(description.layers[0]).toEqual({
      name: "blk.0.attn_k",
      k: 256,
      n: 256,
      groupsize: groupSize === 128 ? 128 : -1,
      source_tensor: "blk.0.attn_k.weight",
      source_type: type,
    });
    expect(description.source_config).toMatchObject({ "llama.attention.head_count_kv": 4 });
  });

  it("refuses the embedded tiny model, naming every layer with n = 128", () => {
    const path = repoFile("golden/models/trilm-tiny-tq2_0.gguf");
    const convert = () => convertGgufToTrirun(readGgufFile(path), "auto");
    expect(convert).toThrow(InputError);
    expect(convert).toThrow(
      `${path}: cannot convert to TriRun, nothing written: 4 of 14 linear layers do not fit: ` +
        "blk.0.attn_k.weight (tq2_0 [128, 256]): TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256; " +
        "blk.0.attn_v.weight (tq2_0 [128, 256]): TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256; " +
        "blk.1.attn_k.weight (tq2_0 [128, 256]): TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256; " +
        "blk.1.attn_v.weight (tq2_0 [128, 256]): TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256",
    );
  });
});

describe("convertHfToTrirun", () => {
  const fixture = makeFixture({ ...LOSSLESS, nLayers: 1 });
  const file = parseSafetensors(serializeSafetensors(fixture.tensors), "m/model.safetensors");
  const checkpoint = hfCheckpoint("m", "m/config.json", fixture.config, [file]);

  it("keeps Hugging Face names and rows; a layer with two shard scales per row gets groups of 128", () => {
    const conversion = convertHfToTrirun(checkpoint, "auto");
    const layers = readLayers(conversion);
    expect(layers.size).toBe(7);
    for (const [name, matrix] of layers) {
      const tensor = file.tensors.get(name);
      if (tensor === undefined) throw new Error(name);
      expect(
        differences(decodeTrirun(matrix), dequantizeRow(GgmlType.F16, tensor.data, matrix.k * matrix.n)),
        name,
      ).toEqual([]);
    }
    const groups = Object.fromEntries(conversion.description.layers.map((l) => [l.name, l.groupsize]));
    expect(groups).toEqual({
      "model.layers.0.self_attn.q_proj": -1,
      "model.layers.0.self_attn.k_proj": -1,
      "model.layers.0.self_attn.v_proj": -1,
      "model.layers.0.self_attn.o_proj": 128,
      "model.layers.0.mlp.gate_proj": -1,
      "model.layers.0.mlp.up_proj": -1,
      "model.layers.0.mlp.down_proj": 128,
    });
    expect(conversion.description.row_order).toBe("hf");
    expect(conversion.description.copied.map((t) => t.name)).toEqual([
      "model.embed_tokens.weight",
      "model.layers.0.input_layernorm.weight",
      "model.layers.0.post_attention_layernorm.weight",
      "model.norm.weight",
      "lm_head.weight",
    ]);
  });

  it("with --group-size -1, refuses naming each layer whose rows hold two scales", () => {
    const refusal = () => convertHfToTrirun(checkpoint, -1);
    expect(refusal).toThrow(/^m: cannot convert to TriRun, nothing written: 2 of 7 linear layers do not fit: /);
    expect(refusal).toThrow(
      "model.layers.0.self_attn.o_proj.weight (f16 [512, 512]): output n=0: group 0 (inputs 0..127) has scale 0x26c0 (0.0263671875) " +
        "but output n=0: group 2 (inputs 256..383) has 0x2820 (0.0322265625): per-column TriRun keeps one scale per output column",
    );
    expect(refusal).toThrow(
      /; model\.layers\.0\.mlp\.down_proj\.weight \(f16 \[512, 1024\]\): output n=0: group 0 .* group 4 /,
    );
  });
});
