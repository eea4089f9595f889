/**
 * reference/model/linear.ts — y = W·x under the three activation modes (spec/forward.md §3).
 *
 * Oracles:
 * - §3.1 f32: Σ_c W[r,c]·x[c] summed in float64 in column order and rounded ONCE to float32 —
 *   recomputed here from the codec's dequantizeRow; equal bit for bit.
 * - §3.2 ggml-exact: for TQ1_0/TQ2_0 the activations are quantized to Q8_K first, so y_r agrees with the
 *   codec's generic TQ·Q8_K dot product of (row r, quantizeRowQ8K(x)) within the bound of
 *   spec/formats.md §8.2 (the AVX2 kernel only reorders float32 additions); for F32, F16 and BF16
 *   weights y_r is some float32 summation of the products, within γ_(C+1)·Σ|W x| of the exact sum,
 *   plus (F16/BF16) the rounding of x to the 16-bit type where the kernel converts it
 *   (2^-11, resp. 2^-8, relative per element). Each y_r depends only on row r.
 * - §3.3 int8-per-token: scaling x by 2^k scales y by 2^k exactly (the absmax scale absorbs it);
 *   a zero x gives a zero y.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  dequantizeRow,
  GgmlType,
  quantizeRowQ8K,
  ternaryDotErrorBound,
  vecDotTq1_0Q8K,
  vecDotTq2_0Q8K,
} from "../../../reference/codec/index.js";
import { linear } from "../../../reference/model/linear.js";
import { FORWARD_ACTIVATION_MODES } from "../../../reference/model/modes.js";
import { packedRow, packMatrix, type PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { checkProperty } from "../../support/property.js";
import { randomTernaryMatrix, sameBits } from "../../support/tiny-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";

const U = 2 ** -24;

/** A random matrix [rows, cols] of `type`: ternary × fp16 scales (TQ, and the lossless float types) or plain floats. */
function randomMatrix(type: GgmlType, rows: number, cols: number, seed: number, ternary: boolean): PackedMatrix {
  const random = mulberry32(seed);
  const values = ternary
    ? randomTernaryMatrix(random, rows, cols, 1 + (seed & 1), "column", 0.6)
    : Float32Array.from({ length: rows * cols }, () => 2 * random() - 1);
  return packMatrix(type, rows, cols, values);
}

/** Activations: float32 values of mixed magnitude. */
function randomActivations(n: number, seed: number): Float32Array {
  const random = mulberry32(seed ^ 0x5bd1e995);
  return Float32Array.from({ length: n }, () => (2 * random() - 1) * 2 ** Math.floor(6 * random() - 3));
}

/** Row r decoded independently of packed-matrix.ts. */
function rowValues(matrix: PackedMatrix, r: number): Float32Array {
  const rowBytes = matrix.data.length / matrix.rows;
  return dequantizeRow(matrix.type, matrix.data.subarray(r * rowBytes, (r + 1) * rowBytes), matrix.cols);
}

const FLOAT_MODE_TYPES = [
  GgmlType.F32,
  GgmlType.F16,
  GgmlType.BF16,
  GgmlType.Q8_0,
  GgmlType.TQ1_0,
  GgmlType.TQ2_0,
] as const;
const blockOf = (type: GgmlType) =>
  type === GgmlType.TQ1_0 || type === GgmlType.TQ2_0 ? 256 : type === GgmlType.Q8_0 ? 32 : 8;

const matrixCase = (types: readonly GgmlType[]) =>
  fc.record({
    type: fc.constantFrom(...types),
    rows: fc.integer({ min: 1, max: 9 }),
    blocks: fc.integer({ min: 1, max: 2 }),
    seed: fc.integer(),
    ternary: fc.boolean(),
  });

describe("linear, f32 mode (spec §3.1)", () => {
  test("property: y_r = f32(float64 Σ_c W[r,c]·x[c]) bit for bit, every weight type", () => {
    checkProperty(
      "linear: f32 = float64 sum rounded once",
      fc.property(matrixCase(FLOAT_MODE_TYPES), ({ type, rows, blocks, seed, ternary }) => {
        const cols = blocks * blockOf(type);
        const matrix = randomMatrix(type, rows, cols, seed, ternary);
        const x = randomActivations(cols, seed);
        const y = linear(matrix, x, "f32");
        expect(y).toBeInstanceOf(Float32Array);
        expect(y.length).toBe(rows);
        for (let r = 0; r < rows; r++) {
          const w = rowValues(matrix, r);
          let sum = 0;
          for (let c = 0; c < cols; c++) sum += w[c] * x[c];
          expect(Object.is(y[r], Math.fround(sum))).toBe(true);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("linear, ggml-exact mode (spec §3.2)", () => {
  test("property: TQ weights see Q8_K activations — y_r agrees with the generic TQ·Q8_K dot (formats §8.2 bound)", () => {
    const arbitrary = matrixCase([GgmlType.TQ1_0, GgmlType.TQ2_0]).map((c) => ({ ...c, ternary: true }));
    checkProperty(
      "linear: ggml TQ = dot with Q8_K(x)",
      fc.property(arbitrary, ({ type, rows, blocks, seed }) => {
        const cols = blocks * 256;
        const matrix = randomMatrix(type, rows, cols, seed, true);
        const x = randomActivations(cols, seed);
        const y = linear(matrix, x, "ggml-exact");
        const xq = quantizeRowQ8K(x);
        const generic = type === GgmlType.TQ1_0 ? vecDotTq1_0Q8K : vecDotTq2_0Q8K;
        for (let r = 0; r < rows; r++) {
          const row = packedRow(matrix, r);
          const bound = ternaryDotErrorBound(type as GgmlType.TQ1_0 | GgmlType.TQ2_0, row, xq);
          expect(Math.abs(y[r] - generic(row, xq))).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 60 },
    );
  });

  test("property: TQ weights — each output depends on its own row only (any subset of rows gives the same bits)", () => {
    const arbitrary = matrixCase([GgmlType.TQ1_0, GgmlType.TQ2_0]).chain((c) =>
      fc.tuple(fc.constant(c), fc.nat({ max: c.rows - 1 })),
    );
    checkProperty(
      "linear: ggml TQ row independence",
      fc.property(arbitrary, ([{ type, rows, blocks, seed }, r]) => {
        const cols = blocks * 256;
        const matrix = randomMatrix(type, rows, cols, seed, true);
        const x = randomActivations(cols, seed);
        const single: PackedMatrix = { ...matrix, rows: 1, data: packedRow(matrix, r) };
        expect(sameBits(linear(single, x, "ggml-exact"), linear(matrix, x, "ggml-exact").subarray(r, r + 1))).toBe(
          true,
        );
      }),
      { numRuns: 40 },
    );
  });

  test("property: F32, F16 and BF16 weights — y_r is a float32 summation of the products (γ_(C+1) bound)", () => {
    checkProperty(
      "linear: ggml float weights",
      fc.property(matrixCase([GgmlType.F32, GgmlType.F16, GgmlType.BF16]), ({ type, rows, blocks, seed, ternary }) => {
        const cols = blocks * (seed & 2 ? 8 : 12) + (seed & 4 ? 3 : 0); // tinyBLAS shapes and vec_dot shapes
        const matrix = randomMatrix(type, rows, cols, seed, ternary);
        const x = randomActivations(cols, seed);
        const y = linear(matrix, x, "ggml-exact");
        const conversion = type === GgmlType.F32 ? 0 : type === GgmlType.F16 ? 2 ** -11 : 2 ** -8; // x rounded to the weight type, if the kernel does
        const gamma = ((cols + 1) * U) / (1 - (cols + 1) * U);
        for (let r = 0; r < rows; r++) {
          const w = rowValues(matrix, r);
          let exact = 0;
          let magnitude = 0;
          for (let c = 0; c < cols; c++) {
            exact += w[c] * x[c];
            magnitude += Math.abs(w[c] * x[c]);
          }
          expect(Math.abs(y[r] - exact)).toBeLessThanOrEqual(
            (gamma + conversion * (1 + gamma)) * magnitude + 2 ** -140,
          );
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("linear, int8-per-token mode (spec §3.3)", () => {
  test("property: scaling x by 2^k scales y by 2^k exactly", () => {
    const arbitrary = fc.tuple(matrixCase([GgmlType.F32, GgmlType.TQ2_0]), fc.integer({ min: -30, max: 30 }));
    checkProperty(
      "linear: int8 scale equivariance",
      fc.property(arbitrary, ([{ type, rows, blocks, seed, ternary }, k]) => {
        const cols = blocks * blockOf(type);
        const matrix = randomMatrix(type, rows, cols, seed, ternary || type === GgmlType.TQ2_0);
        const x = randomActivations(cols, seed);
        const y = linear(matrix, x, "int8-per-token");
        const yScaled = linear(
          matrix,
          x.map((v) => v * 2 ** k),
          "int8-per-token",
        );
        for (let r = 0; r < rows; r++) expect(Object.is(yScaled[r], y[r] * 2 ** k)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  test("the BitNet absmax rule on a worked example: x = (1, −0.5, 0.25, 0.126, 0, 0, 0, 0)", () => {
    // scale = 127/1; x_q = (127, −64 (−63.5 ties to even), 32 (31.75), 16 (16.002)); y = W·x_q / 127
    const matrix = packMatrix(GgmlType.F32, 2, 8, Float32Array.of(1, 1, 1, 1, 0, 0, 0, 0, 1, -1, 2, 0, 0, 0, 0, 0));
    const y = linear(matrix, Float32Array.of(1, -0.5, 0.25, 0.126, 0, 0, 0, 0), "int8-per-token");
    expect(Array.from(y)).toEqual([Math.fround((127 - 64 + 32 + 16) / 127), Math.fround((127 + 64 + 64) / 127)]);
  });

  test("a zero input gives a zero output (no division by a zero absmax)", () => {
    const matrix = randomMatrix(GgmlType.TQ2_0, 3, 256, 5, true);
    expect(Array.from(linear(matrix, new Float32Array(256), "int8-per-token"))).toEqual([0, 0, 0]);
  });
});

describe("linear, all modes", () => {
  test("an input of the wrong length is refused with both numbers", () => {
    const matrix = randomMatrix(GgmlType.TQ2_0, 2, 256, 1, true);
    for (const mode of FORWARD_ACTIVATION_MODES) {
      expect(() => linear(matrix, new Float32Array(255), mode)).toThrow(RangeError);
      expect(() => linear(matrix, new Float32Array(255), mode)).toThrow(/255.*256/);
    }
  });
});
