/**
 * Unit tests of the tfjs backend (accelerated/tfjs): description, exact small cases, batch edge
 * cases, dispose, and no leaked tensors (tf.memory().numTensors before/after).
 */

import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { createTfjsBackend } from "../../../accelerated/tfjs/index.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { evaluateBackendSequence } from "../../../src/backend/backend-forward.js";
import { tinyModel } from "../../support/tiny-model.js";
import { NMSE_TOLERANCE, nmse } from "../../../reference/tolerances/index.js";

for (const kind of ["cpu", "wasm"] as const) {
  describe(`tfjs-${kind}`, () => {
    it("describes the tfjs version and backend (wasm: SIMD and threads)", async () => {
      const backend = await createTfjsBackend(kind);
      expect(backend.name).toBe(`tfjs-${kind}`);
      expect(backend.describe()).toContain(`tfjs 4.22.0 backend ${kind}`);
      expect(backend.describe()).toContain("decoded once");
      if (kind === "wasm")
        expect(backend.describe()).toMatch(/(simd|no simd), (threaded|single-threaded) build, \d+ threads?/);
      backend.dispose();
    });

    it("matmul of small integers is exact, for batch 1 and 3, in f32 and ggml-matmul mode (F32 weights)", async () => {
      const backend = await createTfjsBackend(kind);
      const w = Float32Array.from({ length: 3 * 8 }, (_, i) => (i % 5) - 2); // [3, 8]
      const x = Float32Array.from({ length: 3 * 8 }, (_, i) => (i % 7) - 3); // [3, 8]
      const p = backend.prepareMatrix(packMatrix(GgmlType.F32, 3, 8, w));
      const expected = new Float32Array(9);
      for (let b = 0; b < 3; b++)
        for (let r = 0; r < 3; r++) for (let c = 0; c < 8; c++) expected[b * 3 + r] += w[r * 8 + c] * x[b * 8 + c];
      expect(Array.from(backend.matmul(p, x, 3, "f32"))).toEqual(Array.from(expected));
      expect(Array.from(backend.matmul(p, x, 3, "ggml-matmul"))).toEqual(Array.from(expected));
      expect(Array.from(backend.matmul(p, x.subarray(0, 8), 1, "f32"))).toEqual(Array.from(expected.subarray(0, 3)));
      expect(backend.matmul(p, new Float32Array(0), 0, "f32")).toHaveLength(0);
      expect(() => backend.matmul(p, new Float32Array(7), 1, "f32")).toThrow(RangeError);
      p.dispose();
      p.dispose(); // idempotent
      expect(() => backend.matmul(p, x, 3, "f32")).toThrow(/after dispose/);
      backend.dispose();
    });

    it("int8-per-token matmul equals the reference's (small integers)", async () => {
      const backend = await createTfjsBackend(kind);
      const reference = createReferenceBackend();
      const matrix = packMatrix(
        GgmlType.TQ2_0,
        4,
        256,
        Float32Array.from({ length: 1024 }, (_, i) => ((i * 7) % 3) - 1),
      );
      const x = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
      x.fill(0, 256); // an all-zero row gives 0
      const got = backend.matmul(backend.prepareMatrix(matrix), x, 2, "int8-per-token");
      const want = reference.matmul(reference.prepareMatrix(matrix), x, 2, "int8-per-token");
      got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[i]))));
      backend.dispose();
    });

    it("leaks no tensors: ops, prepare/dispose and a whole forward pass", async () => {
      const backend = await createTfjsBackend(kind);
      const { config, weights } = tinyModel({ seed: 8, nLayers: 1, nKvHeads: 2 });
      evaluateBackendSequence(config, weights, backend, [1, 2, 3], { activations: "f32", kvCache: "f32" }); // warm up kernels
      const before = tf.memory().numTensors;
      const logits = evaluateBackendSequence(config, weights, backend, [1, 2, 3, 4], {
        activations: "ggml-matmul",
        kvCache: "f32",
      });
      const x = new Float32Array(2 * 64).fill(0.5);
      backend.rope(x, 16, 16, 10000, "rotate-half", [3, 9]);
      backend.rope(x, 16, 12, 10000, "adjacent", [3, 9]);
      backend.rmsNorm(x, new Float32Array(64).fill(1), 1e-5, 2);
      backend.swiglu(x, x);
      backend.attention(x, x, x, [0, 1], { nHeads: 4, nKvHeads: 2, headDim: 16 });
      expect(tf.memory().numTensors).toBe(before);
      const prepared = backend.prepareMatrix(weights.layers[0].wq);
      expect(tf.memory().numTensors).toBe(before + 1);
      backend.dispose(); // frees matrices still prepared
      expect(prepared.rows).toBe(config.dim);
      expect(tf.memory().numTensors).toBe(before);
      const reference = evaluateBackendSequence(config, weights, createReferenceBackend(), [1, 2, 3, 4], {
        activations: "ggml-matmul",
        kvCache: "f32",
      });
      expect(nmse(logits, reference)).toBeLessThan(NMSE_TOLERANCE);
    });

    it("a tfjs-cpu and a tfjs-wasm backend can be used alternately", async () => {
      const a = await createTfjsBackend("cpu");
      const b = await createTfjsBackend(kind);
      const m = packMatrix(GgmlType.F16, 2, 4, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
      const pa = a.prepareMatrix(m);
      const pb = b.prepareMatrix(m);
      const x = Float32Array.from([1, 1, 1, 1]);
      expect(Array.from(a.matmul(pa, x, 1, "f32"))).toEqual([10, 26]);
      expect(Array.from(b.matmul(pb, x, 1, "f32"))).toEqual([10, 26]);
      expect(Array.from(a.matmul(pa, x, 1, "f32"))).toEqual([10, 26]);
      a.dispose();
      b.dispose();
    });
  });
}
