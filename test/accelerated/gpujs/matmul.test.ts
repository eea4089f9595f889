/**
 * gpujs matmul against reference/model/linear.ts on random packed matrices: f32 and int8-per-token
 * against the same mode, ggml-matmul against linear's ggml-exact (the same activation conversion).
 *
 * Tolerances (spec/tolerances.md, being written alongside; the ggml-mode bound is spec/formats.md §8.2):
 *   f32 mode:  |Δy_r| ≤ 2·γ_C·Σ_c |W_rc·x_c| + (C + nb)·2^-149,  γ_n = n·u/(1 − n·u), u = 2^-24, n = C:
 *              the reference rounds once (≤ u·|y| ≤ u·Σ|W x|); the kernel forms exact products
 *              (code−1)·x, ≤ 255 roundings within a block, one for d·sum and nb − 1 across blocks, so
 *              ≤ C + 1 roundings on any path: γ_(C+1) + u ≤ 2·γ_C for C ≥ 256. The absolute term covers underflow.
 *   ggml-matmul: ternaryDotErrorBound (§8.2): the kernel's per-block integer sums are exact (see
 *              accelerated/gpujs/kernels.ts), only the nb + 1 float32 roundings can differ.
 *   int8-per-token: as f32 mode on the int8 activations, plus one rounding for the division.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  dotResultsAgree,
  GgmlType,
  nearestInt,
  quantizeRow,
  quantizeRowQ8K,
  ternaryDotErrorBound,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
} from "../../../reference/codec/index.js";
import { convertActivations, dotInputValues } from "../../../reference/model/activation-conversion.js";
import { linear } from "../../../reference/model/linear.js";
import type { BackendActivationMode } from "../../../reference/model/modes.js";
import { decodeMatrixRow, packedRow, type PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { gammaF32 } from "../../../reference/tolerances/index.js";
import { createGpujsBackend } from "../../../accelerated/gpujs/index.js";
import { mulberry32 } from "../../../src/random/index.js";

const SEED = Number(process.env.GPUJS_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(
  `[gpujs matmul] seed=${SEED} (replay: GPUJS_SEED=${SEED} npx vitest run test/accelerated/gpujs/matmul.test.ts)`,
);
const next = mulberry32(SEED);

const backend = await createGpujsBackend();
afterAll(() => backend.dispose());

/** fp16 scale bits: zero, subnormals, the largest finite (~6e4), 1, and random normal values. */
const EDGE_SCALES = [0x0000, 0x0001, 0x03ff, 0x0200, 0x7bff, 0x7800, 0x3c00, 0xbc00, 0xfbff];

function randomScaleBits(): number {
  return next() < 0.5
    ? EDGE_SCALES[Math.floor(next() * EDGE_SCALES.length)]
    : 0x0400 + Math.floor(next() * (0x7bff - 0x0400)) + (next() < 0.5 ? 0x8000 : 0);
}

/** Random bytes for every block (codes 0..3 incl. the never-encoded 3 for TQ2_0), edge-case scales. */
function randomTernaryMatrix(type: GgmlType.TQ1_0 | GgmlType.TQ2_0, rows: number, cols: number): PackedMatrix {
  const blockBytes = type === GgmlType.TQ2_0 ? TQ2_0_BLOCK_BYTES : TQ1_0_BLOCK_BYTES;
  const scaleOffset = type === GgmlType.TQ2_0 ? TQ2_0_SCALE_OFFSET : TQ1_0_SCALE_OFFSET;
  const data = new Uint8Array(rows * (cols / 256) * blockBytes).map(() => Math.floor(next() * 256));
  for (let k = 0; k < data.length / blockBytes; k++) {
    const bits = randomScaleBits();
    data[k * blockBytes + scaleOffset] = bits & 0xff;
    data[k * blockBytes + scaleOffset + 1] = bits >>> 8;
  }
  return { type, rows, cols, data };
}

/** Roughly normal activations with outliers (×1e3, ×1e-3); batch row `zeroRow` all zero when given. */
function randomActivations(n: number, zeroRow?: { row: number; cols: number }): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = next() + next() + next() - 1.5;
    const u = next();
    x[i] = u < 0.01 ? v * 1e3 : u < 0.02 ? v * 1e-3 : v;
  }
  if (zeroRow !== undefined) x.fill(0, zeroRow.row * zeroRow.cols, (zeroRow.row + 1) * zeroRow.cols);
  return x;
}

/** Σ_c |W_rc · x_c| for every row. */
function absoluteSums(matrix: PackedMatrix, x: Float32Array): Float64Array {
  const sums = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) {
    const w = decodeMatrixRow(matrix, r);
    for (let c = 0; c < matrix.cols; c++) sums[r] += Math.abs(w[c] * x[c]);
  }
  return sums;
}

/** int8-per-token activations and 127/max|x| (as reference/model/linear.ts). */
function int8Row(x: Float32Array): { q: Float32Array; scale: number } {
  let absmax = 0;
  for (const v of x) absmax = Math.max(absmax, Math.abs(v));
  if (absmax === 0) return { q: new Float32Array(x.length), scale: 0 };
  const scale = Math.fround(127 / absmax);
  return { q: x.map((v) => Math.max(-128, Math.min(127, nearestInt(Math.fround(v * scale))))), scale };
}

/** Check gpujs against linear() for every batch row; returns the worst |Δ|/bound. */
function checkAgainstReference(
  matrix: PackedMatrix,
  x: Float32Array,
  batch: number,
  mode: BackendActivationMode,
  hostRound: (v: Float32Array) => Float32Array = (v) => v,
): number {
  const prepared = backend.prepareMatrix(matrix);
  const y = backend.matmul(prepared, x, batch, mode);
  prepared.dispose();
  const { rows, cols } = matrix;
  const nb = Math.ceil(cols / 256);
  let worst = 0;
  for (let b = 0; b < batch; b++) {
    const xb = x.subarray(b * cols, (b + 1) * cols);
    const reference = linear(matrix, xb, mode === "ggml-matmul" ? "ggml-exact" : mode);
    const ternary = matrix.type === GgmlType.TQ1_0 || matrix.type === GgmlType.TQ2_0;
    const q8 = mode === "ggml-matmul" && ternary ? quantizeRowQ8K(xb) : null;
    const int8 = mode === "int8-per-token" ? int8Row(xb) : null;
    const sums = absoluteSums(matrix, int8 !== null ? int8.q : hostRound(xb));
    for (let r = 0; r < rows; r++) {
      const got = y[b * rows + r];
      const want = reference[r];
      let bound: number;
      if (q8 !== null) {
        bound = ternaryDotErrorBound(matrix.type as GgmlType.TQ1_0 | GgmlType.TQ2_0, packedRow(matrix, r), q8);
        if (!dotResultsAgree(got, want, bound))
          expect.fail(`${mode} b=${b} r=${r}: gpujs ${got}, reference ${want}, bound ${bound}`);
      } else {
        bound = 2 * gammaF32(cols + 1) * sums[r] + (cols + nb) * 2 ** -149;
        if (int8 !== null && int8.scale !== 0) bound /= int8.scale;
        if (!(Math.abs(got - want) <= bound))
          expect.fail(
            `${mode} b=${b} r=${r}: gpujs ${got}, reference ${want}, |Δ| ${Math.abs(got - want)} > bound ${bound}`,
          );
      }
      if (bound > 0) worst = Math.max(worst, Math.abs(got - want) / bound);
    }
  }
  return worst;
}

const SHAPES: ReadonlyArray<readonly [rows: number, cols: number, batch: number]> = [
  [1, 256, 1], // one row, one block
  [1, 256, 3],
  [6, 256, 1],
  [9, 1024, 2],
  [3, 4096, 1], // many blocks
  [17, 768, 5], // batch > 1, rows not a multiple of 4
];

describe("gpujs ternary matmul vs reference linear()", () => {
  for (const type of [GgmlType.TQ2_0, GgmlType.TQ1_0] as const) {
    for (const [rows, cols, batch] of SHAPES) {
      it(`${type === GgmlType.TQ2_0 ? "TQ2_0" : "TQ1_0"} ${rows}×${cols}, batch ${batch}: f32, ggml-matmul, int8-per-token`, () => {
        const matrix = randomTernaryMatrix(type, rows, cols);
        const x = randomActivations(batch * cols, batch > 1 ? { row: batch - 1, cols } : undefined);
        const worst = Math.max(
          ...(["f32", "ggml-matmul", "int8-per-token"] as const).map((mode) =>
            checkAgainstReference(matrix, x, batch, mode),
          ),
        );
        console.log(
          `[gpujs matmul] ${type === GgmlType.TQ2_0 ? "TQ2_0" : "TQ1_0"} ${rows}×${cols}×${batch}: worst |Δ|/bound ${worst.toExponential(2)}`,
        );
        expect(worst).toBeLessThanOrEqual(1);
      });
    }
  }

  it("batch-on-x kernel variants (output [B, R], transposed on the host) agree too", () => {
    backend.orientation = "batch";
    try {
      for (const type of [GgmlType.TQ2_0, GgmlType.TQ1_0] as const) {
        const matrix = randomTernaryMatrix(type, 6, 512);
        const x = randomActivations(5 * 512);
        for (const mode of ["f32", "ggml-matmul"] as const)
          expect(checkAgainstReference(matrix, x, 5, mode)).toBeLessThanOrEqual(1);
      }
    } finally {
      backend.orientation = "auto";
    }
  });

  it("gives exact zeros for zero scales and equal results for a repeated call (the kernel cache)", () => {
    const matrix = randomTernaryMatrix(GgmlType.TQ2_0, 4, 512);
    for (let k = 0; k < 8; k++) matrix.data[k * TQ2_0_BLOCK_BYTES + 64] = matrix.data[k * TQ2_0_BLOCK_BYTES + 65] = 0;
    const prepared = backend.prepareMatrix(matrix);
    const x = randomActivations(512 * 2);
    const y = backend.matmul(prepared, x, 2, "f32");
    expect(Array.from(y)).toEqual(new Array(8).fill(0));
    expect(backend.matmul(prepared, x, 2, "f32")).toEqual(y);
    prepared.dispose();
    prepared.dispose();
    expect(() => backend.matmul(prepared, x, 2, "f32")).toThrow(/dispose/);
  });
});

describe("gpujs float-weight matmul vs reference linear()", () => {
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16] as const) {
    for (const [rows, cols, batch] of [
      [5, 64, 1],
      [7, 36, 3],
    ] as const) {
      it(`${GgmlType[type]} ${rows}×${cols}, batch ${batch}: f32, ggml-matmul, int8-per-token`, () => {
        const values = randomActivations(rows * cols);
        const matrix: PackedMatrix = { type, rows, cols, data: new Uint8Array(0) };
        const rowsData: Uint8Array[] = [];
        for (let r = 0; r < rows; r++) rowsData.push(quantizeRow(type, values.subarray(r * cols, (r + 1) * cols)));
        const data = new Uint8Array(rowsData.reduce((n, p) => n + p.length, 0));
        rowsData.forEach((p, r) => data.set(p, r * p.length));
        const packed = { ...matrix, data };
        const x = randomActivations(batch * cols);
        // the bound's Σ|W·x| over x as ggml-matmul converts it (fp16 for F16 off tinyBLAS, bf16 for BF16)
        const ggmlRound = (v: Float32Array) => dotInputValues(convertActivations("ggml-matmul", type, v));
        expect(checkAgainstReference(packed, x, batch, "f32")).toBeLessThanOrEqual(1);
        expect(checkAgainstReference(packed, x, batch, "ggml-matmul", ggmlRound)).toBeLessThanOrEqual(1);
        expect(checkAgainstReference(packed, x, batch, "int8-per-token")).toBeLessThanOrEqual(1);
      });
    }
  }
});
