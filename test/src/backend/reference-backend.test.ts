/**
 * The reference backend (src/backend/reference-backend.ts) and the forward pass over a Backend
 * (src/backend/backend-forward.ts): bit-for-bit agreement with reference/model in f32 mode, and the
 * differential suite (test/differential) catching a deliberately wrong backend.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { evaluateSequence, forward, createForwardState } from "../../../reference/model/forward.js";
import { linear } from "../../../reference/model/linear.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { NMSE_TOLERANCE, nmse } from "../../../reference/tolerances/index.js";
import type { Backend } from "../../../src/backend/backend.js";
import { createBackendSession, evaluateBackendSequence } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { runDifferentialSuite } from "../../differential/index.js";
import { checkProperty, propertySeed } from "../../support/property.js";
import { tinyModel, type TinyModelSpec } from "../../support/tiny-model.js";

/** Bits of every row, for toEqual (distinguishes −0 and NaN payloads the way Object.is would not). */
function bits(rows: readonly Float32Array[]): Uint32Array[] {
  return rows.map((r) => new Uint32Array(r.buffer.slice(r.byteOffset, r.byteOffset + r.byteLength)));
}

describe("reference backend", () => {
  const backend = createReferenceBackend();

  it("names itself and describes what runs", () => {
    expect(backend.name).toBe("reference");
    expect(backend.describe()).toMatch(/reference/);
  });

  it("matmul is linear() per row of the batch, in every mode (ggml-matmul summed as linear's ggml-exact)", () => {
    checkProperty(
      "reference matmul = linear per row",
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        fc.constantFrom(
          ["f32", "f32"] as const,
          ["ggml-matmul", "ggml-exact"] as const,
          ["int8-per-token", "int8-per-token"] as const,
        ),
        (rows, batch, seed, [mode, linearMode]) => {
          let s = seed >>> 0;
          const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
          const values = Float32Array.from({ length: rows * 256 }, () => Math.round(next()) * 0.5);
          const matrix = packMatrix(GgmlType.TQ2_0, rows, 256, values);
          const x = Float32Array.from({ length: batch * 256 }, next);
          const y = backend.matmul(backend.prepareMatrix(matrix), x, batch, mode);
          for (let b = 0; b < batch; b++) {
            expect(Array.from(y.subarray(b * rows, (b + 1) * rows))).toEqual(
              Array.from(linear(matrix, x.subarray(b * 256, (b + 1) * 256), linearMode)),
            );
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it("rejects a matrix prepared by another backend and out-of-range tokens", () => {
    expect(() => backend.matmul({ rows: 1, cols: 1, dispose() {} }, new Float32Array(1), 1, "f32")).toThrow(TypeError);
    const table = packMatrix(GgmlType.F32, 2, 4, new Float32Array(8));
    expect(() => backend.embedding(table, [2])).toThrow(RangeError);
  });
});

describe("backend forward with the reference backend", () => {
  const specs: TinyModelSpec[] = [
    { seed: 1 },
    { seed: 2, nKvHeads: 2, ropeStyle: "rotate-half", linearType: GgmlType.TQ1_0 },
    { seed: 3, tiedOutput: true, linearType: GgmlType.F16, embeddingType: GgmlType.TQ2_0, nLayers: 1 },
  ];
  const tokens = [1, 17, 30, 42, 5, 63, 3];

  for (const spec of specs) {
    it(`equals reference/model evaluateSequence bit for bit in f32 mode (${JSON.stringify(spec)})`, () => {
      const { config, weights } = tinyModel(spec);
      const options = { activations: "f32", kvCache: "f32" } as const;
      const expected = evaluateSequence(config, weights, tokens, options);
      expect(bits(evaluateBackendSequence(config, weights, createReferenceBackend(), tokens, options))).toEqual(
        bits(expected),
      );
      // token by token through the host KV cache, and a batch after a step
      const session = createBackendSession(config, weights, createReferenceBackend(), options);
      const stepped = tokens.map((t, pos) => session.step(t, pos));
      expect(bits(stepped)).toEqual(bits(expected));
      const mixed = [session.step(tokens[0], 0), ...session.run(tokens.slice(1), 1)];
      expect(bits(mixed)).toEqual(bits(expected));
      session.dispose();
    });
  }

  it("ggml-matmul is close to reference/model's ggml-exact (only the matmuls follow ggml there)", () => {
    const { config, weights } = tinyModel({ seed: 4 });
    const state = createForwardState(config, weights, { activations: "ggml-exact", kvCache: "f32" });
    const expected = tokens.map((t, pos) => forward(state, t, pos));
    const options = { activations: "ggml-matmul", kvCache: "f32" } as const;
    const got = evaluateBackendSequence(config, weights, createReferenceBackend(), tokens, options);
    got.forEach((row, p) => expect(nmse([row], [expected[p]])).toBeLessThan(NMSE_TOLERANCE));
  });

  it("refuses an f16 KV cache, bad tokens and positions beyond the context", () => {
    const { config, weights } = tinyModel({ seed: 5, nLayers: 1 });
    const backend = createReferenceBackend();
    expect(() => createBackendSession(config, weights, backend, { activations: "f32", kvCache: "f16" })).toThrow(
      /f32 KV cache/,
    );
    const session = createBackendSession(config, weights, backend, { activations: "f32", kvCache: "f32" });
    expect(() => session.step(config.vocabSize, 0)).toThrow(RangeError);
    expect(() => session.step(0, config.contextLength)).toThrow(RangeError);
  });
});

describe("the differential suite", () => {
  it("passes the reference against itself", async () => {
    const lines: string[] = [];
    const result = await runDifferentialSuite(createReferenceBackend(), createReferenceBackend(), {
      seed: propertySeed(),
      numRuns: 5,
      layer99m: false,
      log: (l) => lines.push(l),
    });
    expect(result.failures).toEqual([]);
    expect(result.passed).toBe(6);
  });

  it("catches a backend whose swiglu is off by 1e-5 relative, naming the op, the seed and the counterexample", async () => {
    const reference = createReferenceBackend();
    const broken: Backend = {
      ...reference,
      name: "broken",
      swiglu: (g, u) => reference.swiglu(g, u).map((v) => v * (1 + 1e-5)),
    };
    const seed = propertySeed();
    const result = await runDifferentialSuite(broken, createReferenceBackend(), {
      seed,
      numRuns: 10,
      layer99m: false,
      ops: ["swiglu", "matmul"],
      log: () => {},
    });
    expect(result.failed).toBe(1);
    expect(result.passed).toBe(1);
    expect(result.failures[0]).toContain("op swiglu");
    expect(result.failures[0]).toContain(`seed=${seed}`);
    expect(result.failures[0]).toMatch(/Counterexample/);
    expect(result.failures[0]).toMatch(/worst \[\d+\]/);
  });

  it("catches a matmul that sums in float16-like precision", async () => {
    const reference = createReferenceBackend();
    const broken: Backend = {
      ...reference,
      name: "broken-matmul",
      matmul: (w, x, b, m) => reference.matmul(w, x, b, m).map((v) => v + Math.abs(v) * 2 ** -11),
    };
    const result = await runDifferentialSuite(broken, createReferenceBackend(), {
      seed: propertySeed(),
      numRuns: 20,
      layer99m: false,
      ops: ["matmul"],
      log: () => {},
    });
    expect(result.failed).toBe(1);
    expect(result.failures[0]).toContain("op matmul");
  });
});
