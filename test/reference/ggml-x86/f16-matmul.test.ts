/**
 * reference/ggml-x86/f16-matmul.ts — how an F16-weight matmul takes its F32 activations in the two
 * llama.cpp builds (spec/forward.md §9.3), seen through reference/model/linear.ts. End to end:
 * test/src/model/llama-matrix-agreement.test.ts (de3ff815, "fp16") and llama-agreement.test.ts (the older build).
 */
import { expect, test } from "vitest";
import { GgmlType, roundToF16 } from "../../../reference/codec/index.js";
import { LLAMA_F16_MATMUL_INPUT, LLAMA_REFERENCE_ISA, tinyBlasDot } from "../../../reference/ggml-x86/index.js";
import { linear } from "../../../reference/model/linear.js";
import { decodeMatrixRow, packMatrix } from "../../../reference/model/packed-matrix.js";

const ROWS = 4;
const COLS = 64; // a multiple of 16: tinyBLAS takes it in both builds
const W = packMatrix(
  GgmlType.F16,
  ROWS,
  COLS,
  Float32Array.from({ length: ROWS * COLS }, (_, i) => roundToF16(Math.sin(i * 0.37) * 0.5)),
);
const X = Float32Array.from({ length: COLS }, (_, i) => Math.fround(Math.cos(i * 1.3) * 1.7 + 1e-3 * i));

/** tinyBLAS over W's rows and `x`: [ROWS]. */
function tinyBlas(x: Float32Array): number[] {
  return Array.from({ length: ROWS }, (_, r) => tinyBlasDot(decodeMatrixRow(W, r), x, LLAMA_REFERENCE_ISA));
}

test("the default is llama.cpp de3ff815's rule: activations rounded to fp16", () => {
  expect(LLAMA_F16_MATMUL_INPUT).toBe("fp16");
  expect(Array.from(linear(W, X, "ggml-exact"))).toEqual(tinyBlas(X.map(roundToF16)));
});

test("fp16: y = tinyBLAS(W, fp16(x)); f32-tinyblas: y = tinyBLAS(W, x); the two differ", () => {
  const fp16 = Array.from(linear(W, X, "ggml-exact", "fp16"));
  const f32 = Array.from(linear(W, X, "ggml-exact", "f32-tinyblas"));
  expect(fp16).toEqual(tinyBlas(X.map(roundToF16)));
  expect(f32).toEqual(tinyBlas(X));
  expect(fp16).not.toEqual(f32);
});
