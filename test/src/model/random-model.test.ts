/**
 * Random TriLMs (src/model/random-model.ts): the preset's shapes and llama keys, ternary values ×
 * one fp16 scale per model-parallel shard, lossless in every storage type, deterministic in the seed,
 * and the streamed file identical to the in-memory one.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { dequantizeRow, GgmlType, roundToF16 } from "../../../reference/codec/index.js";
import { decodeMatrixRow, type PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { findPreset, TRILM_PRESETS } from "../../../reference/model/presets.js";
import { layerLinears } from "../../../reference/model/weights.js";
import { UsageError } from "../../../src/errors.js";
import { GgufFile, GgufValueType, serializeGguf } from "../../../src/gguf/index.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import {
  materializeTensor,
  planRandomTrilm,
  randomTrilm,
  shardBoundaries,
  type PlannedTensor,
} from "../../../src/model/random-model.js";
import { planLayout, writePlannedGguf } from "../../../src/model/stream-gguf.js";

const dir = mkdtempSync(join(tmpdir(), "trilm-random-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tiny = randomTrilm("tiny", 1, "tq2_0");

/** The distinct |w| of a matrix, sorted. */
function magnitudes(matrix: PackedMatrix): number[] {
  const seen = new Set<number>();
  for (let r = 0; r < matrix.rows; r++) for (const v of decodeMatrixRow(matrix, r)) seen.add(Math.abs(v));
  return [...seen].sort((a, b) => a - b);
}

/** All of a matrix's values as float32 bytes. */
function decodeAll(matrix: PackedMatrix): Buffer {
  const values = dequantizeRow(matrix.type, matrix.data, matrix.rows * matrix.cols);
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/** A planned tensor's values as float32 rows (generating all its rows). */
function decodePlanned(tensor: PlannedTensor): Float32Array[] {
  return [...tensor.rows()].map((bytes) => dequantizeRow(tensor.type, bytes, tensor.ne[0]));
}

describe("randomTrilm: the tiny preset", () => {
  test("has the llama keys gguf-model.ts reads, with the preset's values", () => {
    expect(tiny.getString("general.architecture")).toBe("llama");
    expect(tiny.getString("general.name")).toBe("TriLM-tiny-random-seed1");
    expect(tiny.getUint32("general.file_type")).toBe(37);
    expect(tiny.getUint32("llama.vocab_size")).toBe(512);
    expect(tiny.getArray("tokenizer.ggml.tokens", GgufValueType.STRING)).toHaveLength(512);
    expect(modelFromGguf(tiny).config).toEqual(findPreset("tiny")!.config);
  });

  test("has llama-quantize's tensor order and types: F16 embedding and output, F32 norms, TQ2_0 matrices", () => {
    expect(tiny.tensors.map((t) => t.name).slice(0, 5)).toEqual([
      "output.weight",
      "output_norm.weight",
      "token_embd.weight",
      "blk.0.attn_k.weight",
      "blk.0.attn_norm.weight",
    ]);
    expect(tiny.tensors).toHaveLength(3 + 2 * 9);
    for (const t of tiny.tensors) {
      const expected = t.name.endsWith("norm.weight")
        ? GgmlType.F32
        : t.name.startsWith("blk.")
          ? GgmlType.TQ2_0
          : GgmlType.F16;
      expect(t.type, t.name).toBe(expected);
    }
  });

  test("every matrix is ternary × one fp16 scale, P(0) ≈ 0.4, scale ≈ 1.25/√fan_in", () => {
    const { weights } = modelFromGguf(tiny);
    for (const layer of weights.layers) {
      for (const [name, matrix] of layerLinears(layer)) {
        const [zero, scale, ...rest] = magnitudes(matrix);
        expect(zero, name).toBe(0);
        expect(rest, name).toEqual([]);
        expect(roundToF16(scale)).toBe(scale);
        expect(scale * Math.sqrt(matrix.cols)).toBeGreaterThanOrEqual(1.25 * 0.75 - 0.01);
        expect(scale * Math.sqrt(matrix.cols)).toBeLessThanOrEqual(1.25 * 1.25 + 0.01);
        let zeros = 0;
        for (let r = 0; r < matrix.rows; r++) for (const v of decodeMatrixRow(matrix, r)) if (v === 0) zeros++;
        expect(zeros / (matrix.rows * matrix.cols), name).toBeCloseTo(0.4, 1);
      }
    }
  });

  test("norm weights are near 1, embedding and output normal-ish with the chosen spreads", () => {
    const { weights } = modelFromGguf(tiny);
    for (const v of weights.outputNorm) expect(Math.abs(v - 1)).toBeLessThan(0.35);
    const rms = (m: PackedMatrix) => {
      let sum = 0;
      for (let r = 0; r < m.rows; r++) for (const v of decodeMatrixRow(m, r)) sum += v * v;
      return Math.sqrt(sum / (m.rows * m.cols));
    };
    expect(rms(weights.tokenEmbedding)).toBeCloseTo(1, 1);
    expect(rms(weights.output) * Math.sqrt(256)).toBeCloseTo(2, 1);
    expect(weights.output).not.toBe(weights.tokenEmbedding);
  });

  test("tq1_0, tq2_0 and f16 storage hold exactly the same weights", () => {
    const models = (["tq2_0", "tq1_0", "f16"] as const).map((type) => modelFromGguf(randomTrilm("tiny", 5, type)));
    const [tq2, tq1, f16] = models;
    expect(randomTrilm("tiny", 5, "tq1_0").getUint32("general.file_type")).toBe(36);
    expect(randomTrilm("tiny", 5, "f16").getUint32("general.file_type")).toBe(1);
    tq2.weights.layers.forEach((layer, l) => {
      const others = [tq1.weights.layers[l], f16.weights.layers[l]];
      layerLinears(layer).forEach(([name, matrix], i) => {
        const values = decodeAll(matrix);
        for (const other of others) {
          const [, otherMatrix] = layerLinears(other)[i];
          expect(Buffer.compare(decodeAll(otherMatrix), values), `${name} of layer ${l}`).toBe(0);
        }
      });
    });
    expect(tq1.weights.layers[0].wq.type).toBe(GgmlType.TQ1_0);
    expect(f16.weights.layers[0].wq.type).toBe(GgmlType.F16);
  });
});

describe("determinism", () => {
  test("the same preset, seed and type give the same bytes; another seed other bytes", () => {
    const again = serializeGguf(randomTrilm("tiny", 1, "tq2_0"));
    expect(Buffer.compare(Buffer.from(again), Buffer.from(serializeGguf(tiny)))).toBe(0);
    const other = randomTrilm("tiny", 2, "tq2_0");
    expect(other.getString("general.name")).toBe("TriLM-tiny-random-seed2");
    for (const name of ["token_embd.weight", "blk.0.attn_q.weight", "blk.1.ffn_norm.weight"]) {
      expect(
        Buffer.compare(Buffer.from(other.tensor(name)!.data), Buffer.from(tiny.tensor(name)!.data)),
        name,
      ).not.toBe(0);
    }
  });

  test("a tensor's values do not depend on the other tensors (one stream per tensor name)", () => {
    const plan = planRandomTrilm("tiny", 1, "tq2_0");
    const down = plan.tensors.find((t) => t.name === "blk.1.ffn_down.weight")!;
    expect(materializeTensor(down).data).toEqual(tiny.tensor("blk.1.ffn_down.weight")!.data);
  });

  test("streaming to disk writes exactly serializeGguf's bytes", () => {
    for (const type of ["tq2_0", "tq1_0", "f16"] as const) {
      const path = join(dir, `tiny-${type}.gguf`);
      const written = writePlannedGguf(path, planRandomTrilm("tiny", 3, type));
      const expected = serializeGguf(randomTrilm("tiny", 3, type));
      expect(written).toBe(expected.length);
      expect(Buffer.compare(readFileSync(path), Buffer.from(expected)), type).toBe(0);
    }
  });

  test("bad presets, seeds and types are usage errors", () => {
    expect(() => planRandomTrilm("7b", 1, "tq2_0")).toThrow(UsageError);
    expect(() => planRandomTrilm("tiny", -1, "tq2_0")).toThrow(UsageError);
    expect(() => planRandomTrilm("tiny", 2 ** 32, "tq2_0")).toThrow(UsageError);
    expect(() => planRandomTrilm("tiny", 1.5, "tq2_0")).toThrow(UsageError);
    // @ts-expect-error: not a RandomModelType
    expect(() => planRandomTrilm("tiny", 1, "q8_0")).toThrow(UsageError);
  });
});

describe("model-parallel shards", () => {
  test("boundaries: even splits of rows; whole 256-blocks of columns", () => {
    expect(shardBoundaries(1792, 2, false)).toEqual([0, 896, 1792]);
    expect(shardBoundaries(1792, 2, true)).toEqual([0, 1024, 1792]);
    expect(shardBoundaries(2304, 3, true)).toEqual([0, 768, 1536, 2304]);
    expect(shardBoundaries(9216, 6, true)).toEqual([0, 1536, 3072, 4608, 6144, 7680, 9216]);
    expect(() => shardBoundaries(512, 3, true)).toThrow(RangeError);
  });

  test("1.1b attn_q (column-parallel): one scale per half of the output rows", () => {
    const q = planRandomTrilm("1.1b", 1, "tq2_0").tensors.find((t) => t.name === "blk.0.attn_q.weight")!;
    const rows = decodePlanned(q);
    const scaleOf = (row: Float32Array) => Math.max(...row.map(Math.abs));
    const first = new Set(rows.slice(0, 896).map(scaleOf));
    const second = new Set(rows.slice(896).map(scaleOf));
    expect(first.size).toBe(1);
    expect(second.size).toBe(1);
    expect([...first][0]).not.toBe([...second][0]);
  });

  test("2.4b attn_output (row-parallel): three column shards on block boundaries, stored exactly in TQ1_0", () => {
    const plan = planRandomTrilm("2.4b", 1, "tq1_0");
    const o = plan.tensors.find((t) => t.name === "blk.3.attn_output.weight")!;
    expect(o.ne).toEqual([2304, 2304]);
    const rows = decodePlanned(o).slice(0, 64);
    const shardScales = [0, 768, 1536].map(
      (start) =>
        new Set(rows.flatMap((row) => [...row.subarray(start, start + 768)].map(Math.abs).filter((v) => v !== 0))),
    );
    for (const scales of shardScales) expect(scales.size).toBe(1);
    expect(new Set(shardScales.map((s) => [...s][0])).size).toBe(3);
  });
});

describe("every preset", () => {
  test.each(TRILM_PRESETS.map((p) => [p.name, p] as const))(
    "%s: tensors and keys match the preset (no data generated)",
    (_name, preset) => {
      const plan = planRandomTrilm(preset, 9, "tq2_0");
      const { config } = preset;
      expect(plan.modelName).toBe(`TriLM-${preset.name}-random-seed9`);
      expect(plan.tensors).toHaveLength(3 + 9 * config.nLayers);
      const meta = new Map(plan.metadata.map((kv) => [kv.key, kv.value]));
      const u32 = (key: string) => {
        const value = meta.get(key);
        return value?.type === GgufValueType.UINT32 ? value.value : undefined;
      };
      expect([
        u32("llama.embedding_length"),
        u32("llama.feed_forward_length"),
        u32("llama.block_count"),
        u32("llama.attention.head_count"),
        u32("llama.attention.head_count_kv"),
        u32("llama.vocab_size"),
        u32("llama.context_length"),
        u32("llama.rope.dimension_count"),
      ]).toEqual([
        config.dim,
        config.hiddenDim,
        config.nLayers,
        config.nHeads,
        config.nKvHeads,
        config.vocabSize,
        config.contextLength,
        config.headDim,
      ]);
      const byName = new Map(plan.tensors.map((t) => [t.name, t]));
      expect(byName.get("token_embd.weight")?.ne).toEqual([config.dim, config.vocabSize]);
      expect(byName.get("output.weight")?.ne).toEqual([config.dim, config.vocabSize]);
      const last = config.nLayers - 1;
      expect(byName.get(`blk.${last}.attn_q.weight`)?.ne).toEqual([config.dim, config.nHeads * config.headDim]);
      expect(byName.get(`blk.${last}.attn_k.weight`)?.ne).toEqual([config.dim, config.nKvHeads * config.headDim]);
      expect(byName.get(`blk.${last}.ffn_down.weight`)?.ne).toEqual([config.hiddenDim, config.dim]);
      expect(byName.get(`blk.${last}.ffn_down.weight`)?.byteSize).toBe((config.hiddenDim / 256) * 66 * config.dim);
      expect(planLayout(plan, preset.name).byteLength).toBeGreaterThan(
        plan.tensors.reduce((sum, t) => sum + t.byteSize, 0),
      );
    },
  );

  test("the header of a planned file is the one GgufFile lays out", () => {
    const plan = planRandomTrilm("tiny", 4, "f16");
    const file = GgufFile.create("x", plan.metadata, plan.tensors.map(materializeTensor));
    const layout = planLayout(plan, "x");
    expect(layout.dataOffset).toBe(file.dataOffset);
    expect(layout.byteLength).toBe(file.byteLength);
    expect(layout.tensorInfos.map((t) => t.offset)).toEqual(file.tensors.map((t) => t.offset));
  });
});
