/**
 * The packed-wasm engine's other ops give the reference backend's bits (spec/performance.md §7): rmsNorm, rope (both
 * pair styles, ropeDim < headDim), swiglu (exp of V8), attention (GQA, odd head dims, long contexts) and the
 * embedding on drawn shapes and magnitudes; and the whole tiny model through createBackendSession, logits bit for bit.
 */

import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Backend } from "../../../accelerated/backend.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { createNodeEngine } from "../../../accelerated/packed-wasm/node-engine.js";
import { GgmlType } from "../../../reference/codec/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { parseGguf } from "../../../src/gguf/index.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { checkProperty } from "../../support/property.js";
import { differingBits } from "./bits.js";

/** n values from `seed`: uniform in ±magnitude, one in ten 100 times larger, some exact zeros. */
function drawValues(seed: number, n: number, magnitude: number): Float32Array {
  const random = mulberry32(seed);
  return new Float32Array(n).map(() => {
    const u = random();
    return u < 0.02 ? 0 : (random() - 0.5) * magnitude * (u < 0.12 ? 100 : 1);
  });
}

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });
const magnitudeArb = fc.constantFrom(1, 1e-3, 30, 1e-20, 1e-41, 1e18, 3e37);

describe("packed-wasm ops other than matmul = the reference backend", () => {
  let engineBackend: Backend;
  const reference = createReferenceBackend();
  beforeAll(async () => {
    engineBackend = createPackedWasmBackend(await createNodeEngine(), createReferenceBackend());
  });
  afterAll(() => engineBackend.dispose());

  test("rmsNorm (property over lengths, batches, eps, magnitudes)", () => {
    checkProperty(
      "packed-wasm rmsNorm = reference",
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(1e-5, 1e-6, Math.fround(1e-5), 0),
        seedArb,
        magnitudeArb,
        (n, batch, eps, seed, magnitude) => {
          const x = drawValues(seed, batch * n, magnitude);
          const weight = drawValues(seed + 1, n, 2);
          expect(
            differingBits(engineBackend.rmsNorm(x, weight, eps, batch), reference.rmsNorm(x, weight, eps, batch)),
          ).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("rope (property over heads, both styles, ropeDim ≤ headDim, positions, θ)", () => {
    checkProperty(
      "packed-wasm rope = reference",
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }).chain((half) =>
          fc.tuple(
            fc.constant(2 * half),
            fc.integer({ min: 0, max: half }).map((r) => 2 * r),
          ),
        ),
        fc.constantFrom("adjacent" as const, "rotate-half" as const),
        fc.array(fc.integer({ min: 0, max: 40000 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(10000, 500000, 1e6),
        seedArb,
        magnitudeArb,
        (nHeads, [headDim, ropeDim], style, positions, theta, seed, magnitude) => {
          const x = drawValues(seed, positions.length * nHeads * headDim, magnitude);
          const expected = x.slice();
          reference.rope(expected, headDim, ropeDim, theta, style, positions);
          engineBackend.rope(x, headDim, ropeDim, theta, style, positions);
          expect(differingBits(x, expected)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("swiglu (property over lengths and magnitudes, exp overflowing and underflowing)", () => {
    checkProperty(
      "packed-wasm swiglu = reference",
      fc.property(fc.integer({ min: 1, max: 600 }), seedArb, magnitudeArb, (n, seed, magnitude) => {
        const gate = drawValues(seed, n, magnitude);
        const up = drawValues(seed + 1, n, magnitude);
        expect(differingBits(engineBackend.swiglu(gate, up), reference.swiglu(gate, up))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  test("attention (property over GQA shapes, odd head dims, batches, contexts up to 700 positions)", () => {
    checkProperty(
      "packed-wasm attention = reference",
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        seedArb,
        fc.constantFrom(1, 0.3, 10, 1e-20, 1e18),
        (nKvHeads, group, headDim, count, draws, seed, magnitude) => {
          const shape = { nHeads: nKvHeads * group, nKvHeads, headDim };
          const positions = draws.map((d, b) => (b === 0 ? count - 1 : d % count));
          const kvDim = nKvHeads * headDim;
          const q = drawValues(seed, positions.length * shape.nHeads * headDim, magnitude);
          const keys = drawValues(seed + 1, count * kvDim, magnitude);
          const values = drawValues(seed + 2, count * kvDim, 1);
          expect(
            differingBits(
              engineBackend.attention(q, keys, values, positions, shape),
              reference.attention(q, keys, values, positions, shape),
            ),
          ).toEqual([]);
        },
      ),
      { numRuns: 120 },
    );
  });

  test("attention reads keys and values already in engine memory where they are (head dim 128, GQA 2:1)", async () => {
    const engine = await createNodeEngine();
    const backend = createPackedWasmBackend(engine, createReferenceBackend());
    const shape = { nHeads: 4, nKvHeads: 2, headDim: 128 };
    const count = 301;
    const inEngine = (values: Float32Array): Float32Array => {
      const view = engine.heap.floats(engine.heap.allocate(4 * values.length), values.length);
      view.set(values);
      return view;
    };
    const keys = drawValues(1, count * 256, 1);
    const values = drawValues(2, count * 256, 1);
    const [engineKeys, engineValues] = [inEngine(keys), inEngine(values)];
    const q = drawValues(3, 2 * 512, 1);
    const used = engine.heap.used;
    const actual = backend.attention(q, engineKeys, engineValues, [count - 1, 17], shape);
    expect(engine.heap.used - used).toBeLessThan(4 * count * 256); // no copy of the cache
    expect(differingBits(actual, reference.attention(q, keys, values, [count - 1, 17], shape))).toEqual([]);
    backend.dispose();
  });

  test("embedding (TQ2_0, F16, F32 tables)", () => {
    for (const type of [GgmlType.TQ2_0, GgmlType.F16, GgmlType.F32]) {
      const table = packMatrix(type, 9, 512, drawValues(type, 9 * 512, 3));
      const tokens = [0, 8, 3, 3];
      expect(differingBits(engineBackend.embedding(table, tokens), reference.embedding(table, tokens))).toEqual([]);
    }
  });

  test("bad shapes are one-line RangeErrors", () => {
    expect(() => engineBackend.rope(new Float32Array(10), 4, 4, 10000, "adjacent", [0])).toThrow(/whole heads/);
    expect(() => engineBackend.rope(new Float32Array(8), 4, 6, 10000, "adjacent", [0])).toThrow(/ropeDim/);
    expect(() => engineBackend.swiglu(new Float32Array(3), new Float32Array(4))).toThrow(/differ/);
    const shape = { nHeads: 3, nKvHeads: 2, headDim: 2 };
    expect(() =>
      engineBackend.attention(new Float32Array(6), new Float32Array(4), new Float32Array(4), [0], shape),
    ).toThrow(/multiple/);
  });
});

describe("packed-wasm: the whole tiny model through createBackendSession", () => {
  const { config, weights } = modelFromGguf(
    parseGguf(
      readFileSync(new URL("../../../golden/models/trilm-tiny-tq2_0.gguf", import.meta.url)),
      "trilm-tiny-tq2_0.gguf",
    ),
  );
  // ggml-matmul mode: the whole packed-wasm backend. f32 mode: the engine's other ops under the reference's matmuls
  // (the engine's f32-mode matmul, mode-matmul.ts, is not held to the reference's bits by this file).
  for (const [activations, matmul] of [
    ["f32", "reference"],
    ["ggml-matmul", "engine"],
  ] as const) {
    test(`logits bit for bit with the reference backend (${activations} mode, ${matmul} matmul; a batch, then token by token)`, async () => {
      const engineBackend = createPackedWasmBackend(await createNodeEngine(), createReferenceBackend());
      const matmulReference = createReferenceBackend();
      const backend: Backend =
        matmul === "engine"
          ? engineBackend
          : { ...engineBackend, prepareMatrix: matmulReference.prepareMatrix, matmul: matmulReference.matmul };
      const options = { activations, kvCache: "f32" } as const;
      const expected = createBackendSession(config, weights, createReferenceBackend(), options);
      const actual = createBackendSession(config, weights, backend, options);
      const prompt = [1, 17, 300, 42, 511].map((t) => t % config.vocabSize);
      const a = actual.run(prompt, 0);
      expected.run(prompt, 0).forEach((row, i) => expect(differingBits(a[i], row)).toEqual([]));
      for (const [i, token] of [259, 3, 88].entries()) {
        const pos = prompt.length + i;
        expect(
          differingBits(actual.step(token % config.vocabSize, pos), expected.step(token % config.vocabSize, pos)),
        ).toEqual([]);
      }
      engineBackend.dispose();
    });
  }
});
