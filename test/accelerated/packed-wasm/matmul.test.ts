/**
 * The packed-wasm engine's matmul in ggml-matmul mode gives the reference backend's bits (spec/performance.md §1):
 * TQ2_0 and TQ1_0 · Q8_K in the AVX2 kernel's order (integer lanes, the float64x2 fma tail with its hazard fallback) and F16 in
 * tinyBLAS's and ggml_vec_dot_f16's orders, on drawn shapes, weights and activation magnitudes from subnormal to
 * overflowing scales (which exercise the tail's fallback to fmaF32).
 */

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Backend } from "../../../accelerated/backend.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { createNodeEngine } from "../../../accelerated/packed-wasm/node-engine.js";
import { GgmlType, quantizeRowQ8K } from "../../../reference/codec/index.js";
import { vecDotQ6KQ8KAvx2, vecDotTq1_0Q8KAvx2, vecDotTq2_0Q8KAvx2 } from "../../../reference/ggml-x86/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { loadModel } from "../../../src/model/load-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { repoFile } from "../../src/cli/harness.js";
import { checkProperty } from "../../support/property.js";
import { differingBits, drawMatmul, type DrawnMatmul } from "./bits.js";

/** A drawn matmul: weight type, shape, batch, a seed for the values and the activations' magnitude. */
interface MatmulCase extends DrawnMatmul {
  readonly type: GgmlType.TQ2_0 | GgmlType.TQ1_0 | GgmlType.F16;
}

const caseArb: fc.Arbitrary<MatmulCase> = fc.record({
  type: fc.constantFrom(GgmlType.TQ2_0 as const, GgmlType.TQ1_0 as const, GgmlType.F16 as const),
  rows: fc.integer({ min: 1, max: 40 }),
  cols: fc.integer({ min: 1, max: 6 }).map((blocks) => blocks * 256),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
  magnitude: fc.constantFrom(1, 1e-3, 1e-35, 1e-41, 1e30, 3e33),
});

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
        const { w, x } = drawMatmul(c);
        const matrix = packMatrix(c.type, c.rows, c.cols, w);
        const expected = reference.matmul(reference.prepareMatrix(matrix), x, c.batch, "ggml-matmul");
        const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, c.batch, "ggml-matmul");
        expect(differingBits(actual, expected)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  test("Q6_K equals the reference backend bit for bit (property over shapes, batches, weight and activation magnitudes)", () => {
    checkProperty(
      "packed-wasm Q6_K matmul = reference",
      fc.property(
        fc.record({
          rows: fc.integer({ min: 1, max: 40 }),
          blocks: fc.integer({ min: 1, max: 6 }),
          batch: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 0, max: 0x7fffffff }),
          weightMagnitude: fc.constantFrom(1, 1e-3, 1e-6, 1e3),
          magnitude: fc.constantFrom(1, 1e-3, 1e-35, 1e-41, 1e30, 3e33),
        }),
        (c) => {
          const random = mulberry32(c.seed);
          const cols = 256 * c.blocks;
          // uniform per 256-element block, block scales 2^-6 … 2^5 times the case's magnitude
          const w = new Float32Array(c.rows * cols).map(
            (_, i) => (random() - 0.5) * c.weightMagnitude * 2 ** (-6 + ((i >> 8) % 12)),
          );
          const x = new Float32Array(c.batch * cols).map(
            () => (random() - 0.5) * c.magnitude * (random() < 0.1 ? 100 : 1),
          );
          const matrix = packMatrix(GgmlType.Q6_K, c.rows, cols, w);
          const expected = reference.matmul(reference.prepareMatrix(matrix), x, c.batch, "ggml-matmul");
          const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, c.batch, "ggml-matmul");
          expect(differingBits(actual, expected)).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });

  test("Q6_K on arbitrary bytes: every byte value in ql, qh and scales, arbitrary Q8_K blocks = vecDotQ6KQ8KAvx2", async () => {
    const engine = await createNodeEngine();
    const random = mulberry32(4321);
    const rows = 48;
    const blocks = 4;
    const data = new Uint8Array(rows * blocks * 210).map(() => Math.floor(random() * 256));
    for (let block = 0; block < rows * blocks; block++) {
      data[block * 210 + 208] = Math.floor(random() * 256); // a finite fp16 d in ±[2^-8, 2^-4)
      data[block * 210 + 209] = (random() < 0.5 ? 0x80 : 0) | (0x1c + Math.floor(random() * 16));
    }
    for (let byte = 0; byte < 256; byte++) {
      data[byte * 210 + (byte % 128)] = byte; // ql
      data[(byte + 1) * 210 + 128 + (byte % 64)] = byte; // qh
      data[(byte + 2) * 210 + 192 + (byte % 16)] = byte; // scales
    }
    // Q8_K blocks of any qs and bsums (not their sums: the kernel takes them as given), d finite
    const batch = 2;
    const activationBytes = blocks * 292;
    const activations = new Uint8Array(batch * activationBytes).map(() => Math.floor(random() * 256));
    const view = new DataView(activations.buffer);
    for (let block = 0; block < batch * blocks; block++) view.setFloat32(block * 292, (random() - 0.5) * 2e-3, true);
    const w = engine.heap.allocate(data.length);
    engine.heap.bytes(w, data.length).set(data);
    const a = engine.heap.allocate(activations.length);
    engine.heap.bytes(a, activations.length).set(activations);
    const out = engine.heap.allocate(4 * batch * rows);
    engine.runner.run("matmulQ8K", rows, [2, w, blocks * 210, rows, a, activationBytes, batch, out]); // Q6_K
    const actual = engine.heap.floats(out, batch * rows).slice();
    const expected = new Float32Array(batch * rows).map((_, i) => {
      const [b, r] = [Math.floor(i / rows), i % rows];
      return vecDotQ6KQ8KAvx2(
        data.subarray(r * blocks * 210, (r + 1) * blocks * 210),
        activations.subarray(b * activationBytes, (b + 1) * activationBytes),
      );
    });
    expect(differingBits(actual, expected)).toEqual([]);
    engine.runner.dispose();
  });

  test.each(["tiny-tq2_0-default.gguf", "tied-spm-tq1_0-default.gguf"])(
    "llama-quantize's default Q6_K head (%s): a session's logits = the reference backend's, bit for bit",
    (file) => {
      const model = loadModel(repoFile(`golden/external/llama-quantize/${file}`));
      expect(model.weights.output.type).toBe(GgmlType.Q6_K);
      const tokens = [1, 17, 300, 42, 7];
      const config = { ...model.config, contextLength: 2 * tokens.length };
      const [expected, actual] = [reference, engineBackend].map((backend) => {
        const session = createBackendSession(config, model.weights, backend, {
          activations: "ggml-matmul",
          kvCache: "f32",
        });
        const logits = [
          ...session.run(tokens.slice(0, 3), 0),
          ...tokens.slice(3).map((t, i) => session.step(t, 3 + i)),
        ];
        session.dispose();
        return logits;
      });
      actual.forEach((row, position) =>
        expect(differingBits(row, expected[position]), `position ${position}`).toEqual([]),
      );
    },
  );

  test("TQ1_0 on arbitrary bytes: every byte value's trits as the AVX2 kernel extracts them, code by code", () => {
    const random = mulberry32(1234);
    const rows = 64;
    const cols = 1024;
    const data = new Uint8Array((rows * cols * 54) / 256).map(() => Math.floor(random() * 256));
    for (let block = 0; block < data.length / 54; block++) {
      data[block * 54 + 52] = Math.floor(random() * 256); // a finite fp16 scale in [2^-8, 2^-6)
      data[block * 54 + 53] = 0x1c + Math.floor(random() * 8);
    }
    for (let byte = 0; byte < 256; byte++) data[byte * 54 + (byte % 52)] = byte; // every value, in qs and qh positions
    const matrix = { type: GgmlType.TQ1_0, rows, cols, data } as const;
    const x = new Float32Array(2 * cols).map(() => random() - 0.5);
    const expected = reference.matmul(reference.prepareMatrix(matrix), x, 2, "ggml-matmul");
    const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, 2, "ggml-matmul");
    expect(differingBits(actual, expected)).toEqual([]);
  });

  test("Q8_K quantization in the engine = quantizeRowQ8K byte for byte (property); rows with ±∞/NaN go to the host", async () => {
    const engine = await createNodeEngine();
    const quantize = engine.exports.quantizeRowsQ8K as (...args: number[]) => number;
    checkProperty(
      "engine quantizeRowsQ8K = quantizeRowQ8K",
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.constantFrom(1, 1e-3, 1e-38, 1e-44, 3e38, 0),
        (blocks, seed, magnitude) => {
          const random = mulberry32(seed);
          const n = 256 * blocks;
          // halves and ties: integers and half-integers scaled so that iscale·x lands on .5 often
          const x = new Float32Array(n).map(() =>
            random() < 0.3 ? (Math.round(random() * 254) - 127) / 2 : (random() - 0.5) * magnitude,
          );
          const floats = engine.heap.scratchRegion("test-x", 4 * n);
          engine.heap.floats(floats, n).set(x);
          const out = engine.heap.scratchRegion("test-q", 292 * blocks + 2 * n);
          expect(quantize(floats, n, 1, out, 292 * blocks + 2 * n, 1)).toBe(1);
          const expected = quantizeRowQ8K(x);
          expect(Array.from(engine.heap.bytes(out, 292 * blocks))).toEqual(Array.from(expected));
          const widened = Array.from(engine.heap.shorts(out + 292 * blocks, n));
          const qs = Array.from(
            { length: n },
            (_, e) => new Int8Array(expected.buffer)[292 * (e >> 8) + 4 + (e & 255)],
          );
          expect(widened).toEqual(qs);
        },
      ),
      { numRuns: 200 },
    );
    for (const special of [Number.NaN, Infinity, -Infinity]) {
      const floats = engine.heap.scratchRegion("test-x", 4 * 512);
      const x = new Float32Array(512).fill(0.5);
      x[300] = special;
      engine.heap.floats(floats, 512).set(x);
      expect(quantize(floats, 256, 2, engine.heap.scratchRegion("test-q", 2 * 292), 292, 0)).toBe(1); // row 1 refused
    }
    engine.runner.dispose();
  });

  test("a batch with a NaN or ∞ activation row: that row converted on the host, every output the reference's", () => {
    const random = mulberry32(99);
    const matrix = packMatrix(
      GgmlType.TQ2_0,
      6,
      512,
      new Float32Array(6 * 512).map(() => Math.floor(random() * 3) - 1),
    );
    const x = new Float32Array(4 * 512).map(() => random() - 0.5);
    x[512 + 7] = Number.NaN;
    x[3 * 512 + 100] = Infinity;
    const expected = reference.matmul(reference.prepareMatrix(matrix), x, 4, "ggml-matmul");
    const actual = engineBackend.matmul(engineBackend.prepareMatrix(matrix), x, 4, "ggml-matmul");
    expect(differingBits(actual, expected)).toEqual([]);
  });

  test("the FMA tail's fallback: a block whose float64 sum rounds onto a float32 midpoint (TQ2_0 and TQ1_0)", async () => {
    // acc = 1 after block 0 (lane 1 · d 1); block 1 adds L·d = 641 · 6700417·2^-56 = (2^32 + 1)·2^-56 = 2^-24 + 2^-56.
    // fl64(1 + 2^-24 + 2^-56) = 1 + 2^-24, a float32 midpoint, which f32() rounds to 1 (ties to even); fma_f32 gives
    // 1 + 2^-23 (641 = 2^32 + 1's factor, 6700417 its 23-bit cofactor). The lanes come from the bsums (all q = 0).
    const engine = await createNodeEngine();
    const dBlock1 = Math.fround(6700417 * 2 ** -56);
    const activations = new Uint8Array(2 * 292 + 2 * 512); // two Q8_K blocks, then 512 int16 q's (all 0)
    const view = new DataView(activations.buffer);
    view.setFloat32(0, 1, true);
    view.setInt16(260, -1, true); // lane16[0] = 0 − (−1) → lane32[0] = 1
    view.setFloat32(292, dBlock1, true);
    view.setInt16(292 + 260, -641, true); // lane32[0] = 641
    const expected = 1 + 2 ** -23;
    for (const [type, blockBytes, scaleOffset] of [
      [GgmlType.TQ2_0, 66, 64],
      [GgmlType.TQ1_0, 54, 52],
    ] as const) {
      const weights = new Uint8Array(2 * blockBytes);
      for (const block of [0, 1]) weights[block * blockBytes + scaleOffset + 1] = 0x3c; // fp16 1.0
      const reference =
        type === GgmlType.TQ2_0
          ? vecDotTq2_0Q8KAvx2(weights, activations.subarray(0, 584))
          : vecDotTq1_0Q8KAvx2(weights, activations.subarray(0, 584));
      expect(reference).toBe(expected);
      const w = engine.heap.allocate(weights.length);
      engine.heap.bytes(w, weights.length).set(weights);
      const a = engine.heap.allocate(activations.length);
      engine.heap.bytes(a, activations.length).set(activations);
      const out = engine.heap.allocate(4);
      const dot = type === GgmlType.TQ2_0 ? 0 : 1; // matmulQ8K's dot
      engine.runner.run("matmulQ8K", 1, [dot, w, weights.length, 1, a, activations.length, 1, out]);
      expect(engine.heap.floats(out, 1)[0]).toBe(expected);
    }
    engine.runner.dispose();
  });

  test("the FMA tail's fallback for Q6_K: the same midpoint reached through the bsums correction", async () => {
    // as above with sumi[0] = −32·bsums[0]·sc[0] (all q8 = 0): block 0 sumi 32, d 2^-5 → acc 1; block 1 sumi
    // 641·32, d 6700417·2^-61 → fl64 sum 1 + 2^-24, a midpoint; fma_f32 gives 1 + 2^-23.
    const engine = await createNodeEngine();
    const activations = new Uint8Array(2 * 292);
    const view = new DataView(activations.buffer);
    view.setFloat32(0, 2 ** -5, true);
    view.setInt16(260, -1, true);
    view.setFloat32(292, Math.fround(6700417 * 2 ** -61), true);
    view.setInt16(292 + 260, -641, true);
    const weights = new Uint8Array(2 * 210);
    for (const block of [0, 1]) {
      weights[block * 210 + 192] = 1; // sc[0] = 1
      weights[block * 210 + 209] = 0x3c; // d = fp16 1.0
    }
    const expected = 1 + 2 ** -23;
    expect(vecDotQ6KQ8KAvx2(weights, activations)).toBe(expected);
    const w = engine.heap.allocate(weights.length);
    engine.heap.bytes(w, weights.length).set(weights);
    const a = engine.heap.allocate(activations.length);
    engine.heap.bytes(a, activations.length).set(activations);
    const out = engine.heap.allocate(4);
    engine.runner.run("matmulQ8K", 1, [2, w, weights.length, 1, a, activations.length, 1, out]); // Q6_K
    expect(engine.heap.floats(out, 1)[0]).toBe(expected);
    engine.runner.dispose();
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

  test("F16 weights: subnormal, zero and negative values through the fast widening; ±∞/NaN matrices to the fallback", () => {
    const rows = 8;
    const cols = 256;
    const random = mulberry32(77);
    const data = new Uint8Array(rows * cols * 2);
    const halves = new Uint16Array(data.buffer);
    for (let i = 0; i < halves.length; i++) {
      const kind = i % 4;
      halves[i] =
        kind === 0
          ? Math.floor(random() * 0x400) // subnormal or zero
          : kind === 1
            ? 0x8000 | Math.floor(random() * 0x400) // negative subnormal or −0
            : Math.floor(random() * 0x7c00) | (kind === 3 ? 0x8000 : 0); // any finite value
    }
    const x = new Float32Array(2 * cols).map(() => (random() - 0.5) * 1e4);
    for (const special of [undefined, 0x7c00, 0xfc00, 0x7e01]) {
      const bytes = data.slice();
      if (special !== undefined) new Uint16Array(bytes.buffer)[cols + 3] = special; // row 1: ±∞ or NaN
      const matrix = { type: GgmlType.F16, rows, cols, data: bytes } as const;
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
