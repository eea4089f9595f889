/**
 * Every backend's matmul takes its activations through the one rule of
 * reference/model/activation-conversion.ts (spec/forward.md §3.2, §3.3), with one treatment of an
 * all-zero row.
 *
 * Oracle: a signed one-hot weight matrix, W[r, c] = ±1 for c = r and 0 elsewhere (block scales 1;
 * Q8_0 decodes the 1 to q·d). Then y[b, r] = dotOutput(f32(W[r, r] · v[b, r])), v the values the rule
 * says the dot product consumes (convertActivations, dotInputValues: Q8_K's d·q, fp16- or
 * bf16-rounded x, x, int8 codes; dotOutput divides by σ) — a single product, exact in any summation
 * order — so every backend must give those numbers BIT FOR BIT in every mode and for every weight
 * type; a backend that converts differently (another type → conversion table, another all-zero rule)
 * gives other numbers. The reference backend's ggml-matmul sums are llama.cpp's x86 kernels (its own
 * order), which for Q8_K and Q8_0 activations round differently (the TQ kernels apply Q8_K's bsums
 * offset in float32), so there it is checked on the all-zero row only. An all-zero activation row
 * gives ±0 everywhere, in every mode, on every backend.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createGpujsBackend } from "../../accelerated/gpujs/index.js";
import { createTfjsBackend } from "../../accelerated/tfjs/index.js";
import { GgmlType } from "../../reference/codec/index.js";
import { convertActivations, dotInputValues, dotOutput } from "../../reference/model/activation-conversion.js";
import { BACKEND_ACTIVATION_MODES, type BackendActivationMode } from "../../reference/model/modes.js";
import { decodeMatrixRow, packMatrix, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { Backend } from "../../src/backend/backend.js";
import { createReferenceBackend } from "../../src/backend/reference-backend.js";
import { mulberry32 } from "../../src/random/index.js";

const backends: Backend[] = [
  createReferenceBackend(),
  await createGpujsBackend(),
  await createTfjsBackend("cpu"),
  await createTfjsBackend("wasm"),
];
afterAll(() => backends.forEach((backend) => backend.dispose()));

/** W [n, n] with W[r, r] = +1 for even r, −1 for odd r, zeros elsewhere, stored as `type`. */
function signedOneHot(type: GgmlType, n: number) {
  const values = new Float32Array(n * n);
  for (let r = 0; r < n; r++) values[r * n + r] = r % 2 === 0 ? 1 : -1;
  return packMatrix(type, n, n, values);
}

/** Three rows of n activations: mixed magnitudes (not fp16/bf16-representable), all zeros, mixed again. */
function activations(n: number): Float32Array {
  const random = mulberry32(n);
  const x = Float32Array.from({ length: 3 * n }, () => (2 * random() - 1) * 2 ** Math.floor(10 * random() - 5));
  x.fill(0, n, 2 * n);
  return x;
}

/** y [B·n] of the one-hot `matrix` as the rule says: dotOutput(f32(W[r, r] · v[b, r])) per row b of x. */
function expectedOutputs(matrix: PackedMatrix, x: Float32Array, batch: number, mode: BackendActivationMode) {
  const n = matrix.cols;
  const y = new Float32Array(batch * n);
  for (let b = 0; b < batch; b++) {
    const converted = convertActivations(mode, matrix.type, x.subarray(b * n, (b + 1) * n));
    const v = dotInputValues(converted);
    for (let r = 0; r < n; r++) y[b * n + r] = dotOutput(converted, Math.fround(decodeMatrixRow(matrix, r)[r] * v[r]));
  }
  return y;
}

// 256: tinyBLAS takes F16 weights × F32 activations; 250 (not a multiple of the lane count): ggml_vec_dot_f16 on fp16 x.
const CASES: ReadonlyArray<readonly [GgmlType, number]> = [
  [GgmlType.TQ1_0, 256],
  [GgmlType.TQ2_0, 512],
  [GgmlType.F16, 256],
  [GgmlType.F16, 250],
  [GgmlType.BF16, 250],
  [GgmlType.F32, 256],
  [GgmlType.Q8_0, 256],
];

/** Weight types whose activations become Q8_K or Q8_0 blocks in the ggml modes. */
const QUANTIZED: readonly GgmlType[] = [GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.Q8_0];

describe("every backend converts activations by the one rule (activation-conversion.ts)", () => {
  for (const [type, n] of CASES) {
    it(`${GgmlType[type]} ${n}×${n}, batch 3 with an all-zero row: the rule's outputs in every mode`, () => {
      const matrix = signedOneHot(type, n);
      const x = activations(n);
      for (const mode of BACKEND_ACTIVATION_MODES) {
        const want = expectedOutputs(matrix, x, 3, mode);
        for (const backend of backends) {
          const prepared = backend.prepareMatrix(matrix);
          const got = backend.matmul(prepared, x, 3, mode);
          prepared.dispose();
          const x86Order = backend.name === "reference" && mode === "ggml-matmul" && QUANTIZED.includes(type);
          for (let i = 0; i < got.length; i++) {
            const zeroRow = i >= n && i < 2 * n;
            if (zeroRow ? got[i] === 0 : x86Order || got[i] === want[i]) continue;
            expect.fail(`${backend.name} ${mode} y[${Math.floor(i / n)}, ${i % n}] = ${got[i]}, the rule: ${want[i]}`);
          }
        }
      }
    });
  }
});
