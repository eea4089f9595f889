/**
 * gpujs's non-matmul ops against the reference backend (src/backend/reference-backend.ts).
 * rmsNorm, rope, swiglu and embedding run the reference's own host code: bit-identical.
 * Attention sums q·k and p·v in float32 in gpu.js kernels (the reference sums in float64), so it is
 * compared with an ad-hoc bound: |Δo| ≤ 1e-5 · max|v| (scores here are O(1); spec/tolerances.md
 * will give the normative attention tolerance).
 */
import { afterAll, describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { createGpujsBackend } from "../../../accelerated/gpujs/index.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { mulberry32 } from "../../../src/random/index.js";

const SEED = Number(process.env.GPUJS_SEED ?? 20261121);
console.log(`[gpujs ops] seed=${SEED}`);
const next = mulberry32(SEED);
const randoms = (n: number): Float32Array => new Float32Array(n).map(() => next() * 2 - 1);

const gpujs = await createGpujsBackend();
const reference = createReferenceBackend();
afterAll(() => gpujs.dispose());

describe("gpujs host ops equal the reference", () => {
  it("describes gpu.js's version and mode", () => {
    console.log(`[gpujs] ${gpujs.describe()}`);
    expect(gpujs.describe()).toMatch(/^gpu\.js \d+\.\d+\.\d+ mode (webasm|webgl2?|cpu|headlessgl)$/);
  });

  it("rmsNorm, swiglu, rope (both styles), embedding", () => {
    const x = randoms(3 * 64);
    const w = randoms(64);
    expect(gpujs.rmsNorm(x, w, 1e-5, 3)).toEqual(reference.rmsNorm(x, w, 1e-5, 3));
    const g = randoms(100);
    const u = randoms(100);
    expect(gpujs.swiglu(g, u)).toEqual(reference.swiglu(g, u));
    for (const style of ["adjacent", "rotate-half"] as const) {
      const a = randoms(2 * 4 * 16);
      const b = a.slice();
      gpujs.rope(a, 16, 16, 10000, style, [0, 7]);
      reference.rope(b, 16, 16, 10000, style, [0, 7]);
      expect(a).toEqual(b);
    }
    for (const type of [GgmlType.F16, GgmlType.TQ2_0, GgmlType.TQ1_0]) {
      const table = packMatrix(type, 5, 256, randoms(5 * 256));
      expect(gpujs.embedding(table, [4, 0, 4])).toEqual(reference.embedding(table, [4, 0, 4]));
    }
    expect(() => gpujs.embedding(packMatrix(GgmlType.F32, 2, 4, randoms(8)), [2])).toThrow(RangeError);
  });

  for (const [nHeads, nKvHeads, headDim, count, positions] of [
    [4, 4, 16, 1, [0]],
    [4, 2, 16, 9, [8, 3, 5]],
    [2, 1, 32, 40, [39, 0]],
  ] as const) {
    it(`attention ${nHeads}/${nKvHeads} heads × ${headDim}, T = ${count}, positions ${positions.join(",")}`, () => {
      const shape = { nHeads, nKvHeads, headDim };
      const q = randoms(positions.length * nHeads * headDim);
      const keys = randoms(count * nKvHeads * headDim);
      const values = randoms(count * nKvHeads * headDim);
      const got = gpujs.attention(q, keys, values, positions, shape);
      const want = reference.attention(q, keys, values, positions, shape);
      let maxV = 0;
      for (const v of values) maxV = Math.max(maxV, Math.abs(v));
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-5 * maxV);
    });
  }
});
