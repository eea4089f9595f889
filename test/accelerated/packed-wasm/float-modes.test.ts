/**
 * The packed-wasm engine's matmul in the f32 and int8-per-token modes (spec/performance.md §2.2): within
 * spec/tolerances.md §2's bound of the reference backend on drawn shapes, weights and magnitudes (subnormal to
 * overflowing) for TQ2_0, TQ1_0 and F16; and in int8-per-token mode with ternary weights bit for bit the reference's
 * on realistic scales, where its float64 sum is exact.
 */

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Backend } from "../../../accelerated/backend.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { createNodeEngine } from "../../../accelerated/packed-wasm/node-engine.js";
import { GgmlType } from "../../../reference/codec/index.js";
import type { BackendActivationMode } from "../../../reference/model/modes.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { checkTolerance } from "../../../reference/tolerances/element-check.js";
import { matmulTolerance } from "../../../reference/tolerances/matmul.js";
import { differingBits, drawMatmul, type DrawnMatmul } from "./bits.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { checkProperty } from "../../support/property.js";

/** A drawn matmul in a float mode. */
interface FloatModeCase extends DrawnMatmul {
  readonly type: GgmlType.TQ2_0 | GgmlType.TQ1_0 | GgmlType.F16;
  readonly mode: "f32" | "int8-per-token";
}

const caseArb: fc.Arbitrary<FloatModeCase> = fc.record({
  type: fc.constantFrom(GgmlType.TQ2_0 as const, GgmlType.TQ1_0 as const, GgmlType.F16 as const),
  mode: fc.constantFrom("f32" as const, "int8-per-token" as const),
  rows: fc.integer({ min: 1, max: 24 }),
  cols: fc.integer({ min: 1, max: 6 }).map((blocks) => blocks * 256),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  magnitude: fc.constantFrom(1, 1e-3, 1e-35, 1e-41, 1e30, 3e33, 0),
});

describe("packed-wasm matmul, f32 and int8-per-token modes", () => {
  let engineBackend: Backend;
  const reference = createReferenceBackend();
  beforeAll(async () => {
    engineBackend = createPackedWasmBackend(await createNodeEngine(), createReferenceBackend());
  });
  afterAll(() => engineBackend.dispose());

  /** The engine's and the reference's y for W, x in `mode`. */
  function both(
    type: GgmlType,
    rows: number,
    cols: number,
    w: Float32Array,
    x: Float32Array,
    batch: number,
    mode: BackendActivationMode,
  ) {
    const matrix = packMatrix(type, rows, cols, w);
    const expected = reference.matmul(reference.prepareMatrix(matrix), x, batch, mode);
    const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, batch, mode);
    return { matrix, expected, actual };
  }

  test("within spec/tolerances.md §2 of the reference (property over types, modes, shapes, magnitudes)", () => {
    checkProperty(
      "packed-wasm float modes within the matmul bound",
      fc.property(caseArb, (c) => {
        const { w, x } = drawMatmul(c);
        const { matrix, expected, actual } = both(c.type, c.rows, c.cols, w, x, c.batch, c.mode);
        const tolerance = matmulTolerance(matrix, x, c.batch, c.mode, expected);
        const report = checkTolerance(actual, expected, tolerance.bounds, tolerance.nonFiniteAllowed);
        expect(report.ok, report.summary).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  test("F16 with cols not a multiple of 16 or 256 (the float64 leftovers), both modes, within the bound", () => {
    for (const cols of [77, 200, 512, 1000]) {
      for (const mode of ["f32", "int8-per-token"] as const) {
        const random = mulberry32(cols);
        const w = new Float32Array(5 * cols).map(() => random() - 0.5);
        const x = new Float32Array(2 * cols).map(() => (random() - 0.5) * 20);
        const { matrix, expected, actual } = both(GgmlType.F16, 5, cols, w, x, 2, mode);
        const tolerance = matmulTolerance(matrix, x, 2, mode, expected);
        const report = checkTolerance(actual, expected, tolerance.bounds, tolerance.nonFiniteAllowed);
        expect(report.ok, `${cols} ${mode}: ${report.summary}`).toBe(true);
      }
    }
  });

  test("int8-per-token, ternary weights at realistic scales: the reference's bits (its float64 sum is exact)", () => {
    for (const type of [GgmlType.TQ2_0, GgmlType.TQ1_0]) {
      const random = mulberry32(type);
      const rows = 48;
      const cols = 2048;
      const w = new Float32Array(rows * cols).map(
        (_, i) => (Math.floor(random() * 3) - 1) * (0.01 + 0.05 * ((i >> 8) % 7)),
      );
      const x = new Float32Array(3 * cols).map(() => (random() - 0.5) * 4);
      x.fill(0, 2 * cols); // the third token: an all-zero row, y = +0
      const { expected, actual } = both(type, rows, cols, w, x, 3, "int8-per-token");
      expect(differingBits(actual, expected)).toEqual([]);
      expect(Array.from(actual.subarray(2 * rows), (v) => Object.is(v, 0))).toEqual(new Array(rows).fill(true));
    }
  });
});
