/**
 * The packed-wasm engine's matmul in ggml-matmul mode gives the reference backend's bits (spec/performance.md §1):
 * TQ2_0 · Q8_K in the AVX2 kernel's order (integer lanes, the float64x2 fma tail with its hazard fallback) and F16 in
 * tinyBLAS's and ggml_vec_dot_f16's orders, on drawn shapes, weights and activation magnitudes from subnormal to
 * overflowing scales (which exercise the tail's fallback to fmaF32).
 */

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Backend } from "../../../accelerated/backend.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { createNodeEngine } from "../../../accelerated/packed-wasm/node-engine.js";
import { GgmlType } from "../../../reference/codec/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { checkProperty } from "../../support/property.js";

/** Indices where a and b differ as bits (NaN = NaN). */
function differingBits(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  return out;
}

/** A drawn matmul: weight type, shape, batch, a seed for the values and the activations' magnitude. */
interface MatmulCase {
  readonly type: GgmlType.TQ2_0 | GgmlType.F16;
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly seed: number;
  readonly magnitude: number;
}

const caseArb: fc.Arbitrary<MatmulCase> = fc.record({
  type: fc.constantFrom(GgmlType.TQ2_0 as const, GgmlType.F16 as const),
  rows: fc.integer({ min: 1, max: 40 }),
  cols: fc.integer({ min: 1, max: 6 }).map((blocks) => blocks * 256),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  magnitude: fc.constantFrom(1, 1e-3, 1e-35, 1e-41, 1e30, 3e33),
});

/** W [rows, cols] and x [batch, cols] of the case: ternary·scale for TQ2_0, uniform for F16. */
function materialize(c: MatmulCase): { w: Float32Array; x: Float32Array } {
  const random = mulberry32(c.seed);
  const w = new Float32Array(c.rows * c.cols).map((_, i) =>
    c.type === GgmlType.TQ2_0
      ? (Math.floor(random() * 3) - 1) * 2 ** (-12 + ((i >> 8) % 20))
      : (random() - 0.5) * 2 ** (((i >> 6) % 9) - 4),
  );
  const x = new Float32Array(c.batch * c.cols).map(() => (random() - 0.5) * c.magnitude * (random() < 0.1 ? 100 : 1));
  return { w, x };
}

describe("packed-wasm matmul, ggml-matmul mode", () => {
  let engineBackend: Backend;
  const reference = createReferenceBackend();
  beforeAll(async () => {
    engineBackend = createPackedWasmBackend(await createNodeEngine(), createReferenceBackend());
  });
  afterAll(() => engineBackend.dispose());

  test("equals the reference backend bit for bit (property over types, shapes, batches, magnitudes)", () => {
    checkProperty(
      "packed-wasm matmul = reference",
      fc.property(caseArb, (c) => {
        const { w, x } = materialize(c);
        const matrix = packMatrix(c.type, c.rows, c.cols, w);
        const expected = reference.matmul(reference.prepareMatrix(matrix), x, c.batch, "ggml-matmul");
        const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, c.batch, "ggml-matmul");
        expect(differingBits(actual, expected)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  test("F16 in both orders: tinyBLAS (rows % 4 = 0, cols % 16 = 0) and vec_dot_f16 (otherwise, with leftovers)", () => {
    for (const [rows, cols] of [
      [8, 512],
      [7, 512],
      [8, 200],
      [3, 77],
    ] as const) {
      const random = mulberry32(rows * 1000 + cols);
      const w = new Float32Array(rows * cols).map(() => random() - 0.5);
      const x = new Float32Array(2 * cols).map(() => (random() - 0.5) * 20);
      const matrix = packMatrix(GgmlType.F16, rows, cols, w);
      const expected = reference.matmul(reference.prepareMatrix(matrix), x, 2, "ggml-matmul");
      const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, 2, "ggml-matmul");
      expect(differingBits(actual, expected)).toEqual([]);
    }
  });

  test("a matrix already in engine memory is used where it is (no copy)", async () => {
    const engine = await createNodeEngine();
    const backend = createPackedWasmBackend(engine, createReferenceBackend());
    const random = mulberry32(5);
    const source = packMatrix(
      GgmlType.TQ2_0,
      4,
      256,
      new Float32Array(1024).map(() => Math.floor(random() * 3) - 1),
    );
    const inEngine = engine.heap.allocateBytes(source.data.length);
    inEngine.set(source.data);
    const used = engine.heap.used;
    const prepared = backend.prepareMatrix({ ...source, data: inEngine });
    expect(engine.heap.used).toBe(used);
    const x = new Float32Array(256).map(() => random() - 0.5);
    expect(
      differingBits(
        backend.matmul(prepared, x, 1, "ggml-matmul"),
        reference.matmul(reference.prepareMatrix(source), x, 1, "ggml-matmul"),
      ),
    ).toEqual([]);
    backend.dispose();
  });
});
