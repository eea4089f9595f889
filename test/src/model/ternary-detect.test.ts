/**
 * Ternary matrices and their shard scales (src/model/ternary-detect.ts): row- and column-parallel
 * layouts, blocks straddling two scales, what is not ternary, TQ block scales, and the matrices
 * of a TriLM-like checkpoint.
 */

import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { packedMatrixOf } from "../../../src/model/hf-model.js";
import { MAX_LISTED_SCALES, detectTernary } from "../../../src/model/ternary-detect.js";
import { parseSafetensors, serializeSafetensors } from "../../../src/safetensors/index.js";
import { LOSSLESS, STRADDLING, makeFixture } from "./hf-fixture.js";

/** trit(r, c) ∈ {−1, 0, 1}, deterministic, never 0 in column 0 (so every row and block has a non-zero). */
function trit(r: number, c: number): number {
  return c === 0 ? 1 : ((r * 31 + c * 17 + ((r * c) % 7)) % 3) - 1;
}

/** A rows × cols F16 matrix with values trit · scale(r, c). */
function matrix(rows: number, cols: number, scale: (r: number, c: number) => number, type = GgmlType.F16) {
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = trit(r, c) * scale(r, c);
  return { values, packed: packMatrix(type, rows, cols, values) };
}

const S = [0.0234375, 0.03125, 0.0390625, 0.046875, 0.0546875, 0.0625, 0.0703125];

describe("detectTernary", () => {
  it("column-parallel (q, k, v, gate, up): output rows split into contiguous shards", () => {
    const { values, packed } = matrix(64, 512, (r) => (r < 32 ? S[1] : S[0]));
    const report = detectTernary(packed);
    expect(report).toMatchObject({
      ternary: true,
      scaleSource: "values",
      scales: [S[0], S[1]],
      distinctScales: 2,
      layout: "rows",
      shards: [
        { scale: S[1], axis: "rows", begin: 0, end: 32 },
        { scale: S[0], axis: "rows", begin: 32, end: 64 },
      ],
      blocks: 128,
      straddlingBlocks: 0,
    });
    expect(report.zeroFraction).toBe(values.filter((v) => v === 0).length / values.length);
  });

  it("row-parallel (o, down): input columns split, shard boundary on a 256-block boundary → nothing straddles", () => {
    const report = detectTernary(matrix(16, 512, (_, c) => (c < 256 ? S[2] : S[3])).packed);
    expect(report).toMatchObject({ layout: "columns", scales: [S[2], S[3]], straddlingBlocks: 0, blocks: 32 });
    expect(report.shards).toEqual([
      { scale: S[2], axis: "columns", begin: 0, end: 256 },
      { scale: S[3], axis: "columns", begin: 256, end: 512 },
    ]);
  });

  it("row-parallel with a shard boundary inside a 256-block: every row's block straddles (TQ conversion lossy)", () => {
    const report = detectTernary(matrix(16, 512, (_, c) => (c < 384 ? S[2] : S[3])).packed);
    expect(report).toMatchObject({ layout: "columns", straddlingBlocks: 16, blocks: 32 });
    expect(report.shards.map((s) => [s.begin, s.end])).toEqual([
      [0, 384],
      [384, 512],
    ]);
  });

  it("six shards (TriLM 3.9B's model-parallel degree) are still ternary; seven magnitudes are not", () => {
    const six = detectTernary(matrix(60, 256, (r) => S[Math.floor(r / 10)]).packed);
    expect(six).toMatchObject({ ternary: true, distinctScales: 6, layout: "rows" });
    expect(six.shards.map((s) => s.begin)).toEqual([0, 10, 20, 30, 40, 50]);
    const seven = detectTernary(matrix(70, 256, (r) => S[Math.floor(r / 10)]).packed);
    expect(seven).toMatchObject({ ternary: false, scales: [], layout: undefined, shards: [], straddlingBlocks: 0 });
  });

  it("one scale, all zeros, and a non-contiguous pattern", () => {
    expect(detectTernary(matrix(8, 256, () => S[4]).packed)).toMatchObject({
      layout: "single",
      shards: [{ scale: S[4], axis: "rows", begin: 0, end: 8 }],
    });
    expect(detectTernary(packMatrix(GgmlType.F16, 4, 256, new Float32Array(1024)))).toMatchObject({
      ternary: true,
      layout: "none",
      scales: [],
      zeroFraction: 1,
    });
    const checker = detectTernary(matrix(8, 256, (r, c) => ((r + c) % 2 === 0 ? S[0] : S[1])).packed);
    expect(checker).toMatchObject({ ternary: true, layout: "irregular", shards: [], straddlingBlocks: 8 });
    const alternating = detectTernary(matrix(6, 256, (r) => (r % 3 === 1 ? S[0] : S[1])).packed);
    expect(alternating.layout).toBe("irregular");
  });

  it("all-zero rows at a shard boundary join the shard before them", () => {
    const report = detectTernary(matrix(8, 256, (r) => (r < 3 ? S[0] : r < 5 ? 0 : S[1])).packed);
    expect(report.shards.map((s) => [s.scale, s.begin, s.end])).toEqual([
      [S[0], 0, 5],
      [S[1], 5, 8],
    ]);
  });

  it("a float matrix (an embedding) or one holding a NaN is not ternary", () => {
    const dense = Float32Array.from({ length: 4 * 256 }, (_, i) => Math.sin(i));
    expect(detectTernary(packMatrix(GgmlType.F32, 4, 256, dense)).ternary).toBe(false);
    const { values } = matrix(2, 256, () => S[0]);
    values[5] = Number.NaN;
    expect(detectTernary(packMatrix(GgmlType.F32, 2, 256, values)).ternary).toBe(false);
  });

  it("TQ2_0 / TQ1_0: the distinct block scales, and the layout they make", () => {
    for (const type of [GgmlType.TQ2_0, GgmlType.TQ1_0]) {
      const report = detectTernary(matrix(8, 512, (r) => (r < 4 ? S[5] : S[6]), type).packed);
      expect(report).toMatchObject({
        ternary: true,
        scaleSource: "block-scales",
        scales: [S[5], S[6]],
        distinctScales: 2,
        layout: "rows",
        straddlingBlocks: 0,
      });
    }
    const dense = Float32Array.from({ length: 100 * 256 }, (_, i) => (((i % 3) - 1) * (1 + Math.floor(i / 256))) / 64); // row r: scale (r + 1) / 64
    const many = detectTernary(packMatrix(GgmlType.TQ2_0, 100, 256, dense));
    expect(many).toMatchObject({ ternary: true, scaleSource: "block-scales", layout: undefined });
    expect(many.distinctScales).toBe(100);
    expect(many.scales).toHaveLength(MAX_LISTED_SCALES);
  });

  it("finds the two shard scales and the right layout of every matrix of a TriLM-like checkpoint", () => {
    for (const options of [LOSSLESS, STRADDLING]) {
      const fixture = makeFixture(options);
      const file = parseSafetensors(serializeSafetensors(fixture.tensors), "m.safetensors");
      for (const [name, scales] of fixture.scales) {
        const tensor = file.tensors.get(name);
        if (tensor === undefined) throw new Error(name);
        const report = detectTernary(packedMatrixOf(tensor));
        const byColumns = /o_proj|down_proj/.test(name);
        expect(report.scales, name).toEqual([...scales].sort((a, b) => a - b));
        expect(report.layout, name).toBe(byColumns ? "columns" : "rows");
        const n = byColumns ? tensor.shape[1] : tensor.shape[0];
        expect(report.shards, name).toEqual(
          scales.map((scale, k) => ({
            scale,
            axis: byColumns ? "columns" : "rows",
            begin: (k * n) / 2,
            end: ((k + 1) * n) / 2,
          })),
        );
        const straddles = byColumns && (n / 2) % 256 !== 0;
        expect(report.straddlingBlocks, name).toBe(straddles ? report.blocks : 0);
        expect(report.zeroFraction).toBeGreaterThan(0.25);
        expect(report.zeroFraction).toBeLessThan(0.42);
      }
      expect(detectTernary(packedMatrixOf(file.tensors.get("model.embed_tokens.weight")!)).ternary).toBe(false);
    }
  });
});
