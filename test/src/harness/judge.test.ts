import { describe, expect, it } from "vitest";
import {
  GgmlType,
  dequantizeRow,
  quantizeRow,
  quantizeRowQ8K,
  vecDotTq2_0Q8K,
} from "../../../reference/codec/index.js";
import { packTq1Block, packTq2Block } from "../../../reference/codec/index.js";
import { vecDotTq1_0Q8KAvx2, vecDotTq2_0Q8KAvx2 } from "../../../reference/ggml-x86/tq-dot.js";
import { elementsInByte, judgeCase, judgeDequantize, judgeMatmul, judgeQuantize } from "../../../src/harness/judge.js";
import type { KernelCase } from "../../../src/harness/protocol.js";
import { serializeNpy } from "../../../src/io/npy.js";

const rows = 3;
const cols = 512;
const w = Float32Array.from({ length: rows * cols }, (_, i) => (((i * 7 + (i >> 3)) % 3) - 1) * (1 + (i >> 9)));
const x = Float32Array.from({ length: 2 * cols }, (_, i) => Math.fround(Math.sin(i * 0.37) * 2));
const weight2 = quantizeRow(GgmlType.TQ2_0, w);
const matmulCase = (activations: "f32" | "ggml"): KernelCase => ({
  op: "matmul",
  format: "tq2_0",
  rows,
  cols,
  batch: 2,
  activations,
  weight: weight2,
  x,
});

/** y = x·Wᵀ in float32 order (what a plain kernel does). */
function plainMatmul(): Float32Array {
  const W = dequantizeRow(GgmlType.TQ2_0, weight2, rows * cols);
  const y = new Float32Array(2 * rows);
  for (let b = 0; b < 2; b++)
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s = Math.fround(s + Math.fround(W[r * cols + c] * x[b * cols + c]));
      y[b * rows + r] = s;
    }
  return y;
}

/** ggml's generic dot per output. */
function ggmlMatmul(): Float32Array {
  const y = new Float32Array(2 * rows);
  for (let b = 0; b < 2; b++) {
    const xq = quantizeRowQ8K(x.subarray(b * cols, (b + 1) * cols));
    for (let r = 0; r < rows; r++) y[b * rows + r] = vecDotTq2_0Q8K(weight2.subarray(r * 132, (r + 1) * 132), xq);
  }
  return y;
}

describe("judgeMatmul", () => {
  it("passes a float32 kernel in f32 mode and ggml's dot in ggml mode", () => {
    const f = judgeMatmul(matmulCase("f32"), plainMatmul());
    expect(f.passed).toBe(true);
    expect(f.maxAbsError).toBeLessThan(1e-4);
    expect(judgeMatmul(matmulCase("ggml"), ggmlMatmul())).toMatchObject({ passed: true, maxAbsError: 0, nmse: 0 });
  });

  it("fails f32 activations fed to a ggml-mode case (Q8_K rounding is not noise)", () => {
    expect(judgeMatmul(matmulCase("ggml"), plainMatmul()).passed).toBe(false);
  });

  it("points at the weight that explains a one-weight error", () => {
    const y = plainMatmul();
    // weight [1, 300] flipped by one step: y[b, 1] changes by ±d·x[b, 300]
    const d = 2; // row 1 elements 300.. are in block 1 of row 1, scale from i >> 9 = 1 → 2
    y[0 * rows + 1] += d * x[300];
    const v = judgeMatmul(matmulCase("f32"), y);
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(/1 of 6 outputs out of tolerance; y\[0,1\]/);
    expect(v.worst).toMatchObject({ batch: 0, row: 1, col: 300, block: 1, byte: 12, bit: 2 });
  });

  it("fails NaN where the reference is finite", () => {
    const y = plainMatmul();
    y[5] = NaN;
    const v = judgeMatmul(matmulCase("f32"), y);
    expect(v.passed).toBe(false);
    expect(v.reason).toContain("y[1,2] = NaN");
  });

  it("counts non-finite mismatches, which max abs err and nmse leave out", () => {
    const ref = plainMatmul();
    expect(judgeMatmul(matmulCase("f32"), ref)).toMatchObject({ passed: true, nonFinite: 0 });
    const y = ref.slice();
    y[1] = NaN;
    y[4] = -Infinity;
    const v = judgeMatmul(matmulCase("f32"), y);
    expect(v).toMatchObject({ passed: false, nonFinite: 2 });
    expect(v.maxAbsError).toBeLessThan(1e-5); // the float32 rounding of the finite outputs only
  });
});

describe("judgeMatmul at the float32 edge (spec/formats.md §8.2, kernel-protocol §5.1)", () => {
  it("ggml: zero weights at scale 65504, one activation 1e35 — ggml's AVX2 NaN and the generic 0 both pass, 1e34 fails", () => {
    const x1 = new Float32Array(256);
    x1[5] = 1e35;
    const zeros = new Uint8Array(256).fill(1);
    for (const [format, weight, avx2] of [
      ["tq2_0", packTq2Block(zeros, 0x7bff), vecDotTq2_0Q8KAvx2],
      ["tq1_0", packTq1Block(zeros, 0x7bff), vecDotTq1_0Q8KAvx2],
    ] as const) {
      const c: KernelCase = { op: "matmul", format, rows: 1, cols: 256, batch: 1, activations: "ggml", weight, x: x1 };
      const nan = avx2(weight, quantizeRowQ8K(x1));
      expect(nan).toBeNaN();
      expect(judgeMatmul(c, Float32Array.of(nan)).passed).toBe(true);
      expect(judgeMatmul(c, Float32Array.of(0)).passed).toBe(true);
      expect(judgeMatmul(c, Float32Array.of(1e34)).passed).toBe(false); // finite values keep the bound (7.8e33)
    }
  });

  it("f32: weights +1, +1 at scale 65504, x = 3e38, −3e38 — NaN passes; NaN where no order can overflow still fails", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[0] = 2;
    codes[1] = 2;
    const weight = Uint8Array.of(...packTq2Block(codes, 0x7bff), ...packTq2Block(codes, 0x3c00));
    const x1 = new Float32Array(256);
    x1[0] = 3e38;
    x1[1] = -3e38;
    const c: KernelCase = {
      op: "matmul",
      format: "tq2_0",
      rows: 2,
      cols: 256,
      batch: 1,
      activations: "f32",
      weight,
      x: x1,
    };
    expect(judgeMatmul(c, Float32Array.of(NaN, 0)).passed).toBe(true); // row 0: every float32 order overflows
    expect(judgeMatmul(c, Float32Array.of(0, 0)).passed).toBe(true); // the exact answer
    expect(judgeMatmul(c, Float32Array.of(0, NaN)).passed).toBe(false); // row 1: 1·3e38 − 1·3e38 cannot overflow
  });
});

describe("judgeDequantize", () => {
  const c: KernelCase = {
    op: "dequantize",
    format: "tq1_0",
    rows,
    cols,
    batch: 1,
    activations: "f32",
    weight: quantizeRow(GgmlType.TQ1_0, w),
  };
  it("is bit-exact", () => {
    const ref = dequantizeRow(GgmlType.TQ1_0, c.weight!, rows * cols);
    expect(judgeDequantize(c, ref).passed).toBe(true);
    const bad = ref.slice();
    bad[cols + 170] = -bad[cols + 170] || 1;
    const v = judgeDequantize(c, bad);
    expect(v.passed).toBe(false);
    expect(v.worst).toMatchObject({ row: 1, col: 170, block: 0, byte: 42, trit: 0 });
    const zero = ref.slice();
    const iz = ref.findIndex((v2) => v2 === 0);
    zero[iz] = -0;
    expect(judgeDequantize(c, zero).passed).toBe(false);
    const nan = ref.slice();
    nan[7] = NaN;
    expect(judgeDequantize(c, nan)).toMatchObject({ passed: false, maxAbsError: 0, nonFinite: 1 });
  });
});

describe("judgeQuantize", () => {
  const c: KernelCase = { op: "quantize", format: "tq2_0", rows, cols, batch: 1, activations: "f32", w };
  it("is bit-exact and locates the first differing byte", () => {
    expect(judgeQuantize(c, weight2).passed).toBe(true);
    const bad = weight2.slice();
    bad[132 + 66 + 3] ^= 0x30; // row 1, block 1, byte 3, bits 4..5
    const v = judgeQuantize(c, bad);
    expect(v.passed).toBe(false);
    expect(v.worst).toMatchObject({ row: 1, block: 1, byte: 3, bit: 4, col: 256 + 67, elements: [3, 35, 67, 99] });
    expect(v.reason).toContain("row 1 block 1 byte 3 (elements 3, 35, 67, 99)");
    const scale = weight2.slice();
    scale[65] ^= 1;
    expect(judgeQuantize(c, scale).worst).toMatchObject({ block: 0, byte: 65, elements: [] });
  });
  it("knows which elements a TQ1_0 byte holds", () => {
    expect(elementsInByte("tq1_0", 0)).toEqual([0, 32, 64, 96, 128]);
    expect(elementsInByte("tq1_0", 48)).toEqual([240, 244, 248, 252]);
    expect(elementsInByte("tq1_0", 52)).toEqual([]);
  });
});

describe("judgeCase", () => {
  const c = matmulCase("f32");
  const y = plainMatmul();
  it("parses the output .npy", () => {
    expect(judgeCase(c, new Map([["y.npy", serializeNpy({ dtype: "<f4", shape: [2, rows], data: y })]])).passed).toBe(
      true,
    );
    expect(judgeCase(c, new Map([["y", serializeNpy({ dtype: "<f4", shape: [2, rows], data: y })]])).passed).toBe(true);
  });
  it.each([
    ["no output", new Map<string, Uint8Array>(), /wrote no y.npy/],
    [
      "a wrong shape",
      new Map([["y.npy", serializeNpy({ dtype: "<f4", shape: [rows, 2], data: y })]]),
      /shape \(3, 2\), expected \(2, 3\)/,
    ],
    [
      "a wrong dtype",
      new Map([["y.npy", serializeNpy({ dtype: "|u1", shape: [2, rows], data: new Uint8Array(6) })]]),
      /dtype '\|u1', expected float32/,
    ],
    ["garbage", new Map([["y.npy", new Uint8Array([1, 2, 3])]]), /not a readable .npy/],
  ])("fails %s with a reason", (_name, outputs, reason) => {
    const v = judgeCase(c, outputs);
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(reason);
  });
  it("fails a quantize output of the wrong size", () => {
    const v = judgeCase(
      { op: "quantize", format: "tq2_0", rows, cols, batch: 1, activations: "f32", w },
      new Map([["weight.bin", new Uint8Array(5)]]),
    );
    expect(v.reason).toMatch(/weight.bin is 5 bytes, expected 396/);
  });
});
