/**
 * The packed-wasm engine's threads (spec/performance.md §3): 1, 2 and 3 threads give the same bits — matmuls of every
 * engine weight type in every activation mode, on drawn shapes (rows < threads included), and a whole model's logits
 * batched and step by step; the row split is a partition; dispose() ends the workers; a failing worker becomes a
 * one-line Error; --threads is checked by the CLI.
 */

import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Backend } from "../../../accelerated/backend.js";
import { createEngine } from "../../../accelerated/packed-wasm/engine.js";
import { createPackedWasmBackend } from "../../../accelerated/packed-wasm/index.js";
import { createNodeEngine, loadEngineModule } from "../../../accelerated/packed-wasm/node-engine.js";
import { spawnNodeWorker } from "../../../accelerated/packed-wasm/node-threads.js";
import { splitRows, ThreadPool, type SpawnWorker } from "../../../accelerated/packed-wasm/thread-pool.js";
import { GgmlType } from "../../../reference/codec/index.js";
import { BACKEND_ACTIVATION_MODES, type BackendActivationMode } from "../../../reference/model/modes.js";
import { packMatrix } from "../../../reference/model/packed-matrix.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { loadModel } from "../../../src/model/load-model.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { checkProperty } from "../../support/property.js";
import { expectRefused, repoFile, trilm } from "../../src/cli/harness.js";

/** The thread counts compared. */
const THREADS = [1, 2, 3] as const;

/** Indices where a and b differ as bits. */
function differingBits(a: Float32Array, b: Float32Array): number[] {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (ua[i] !== ub[i]) out.push(i);
  return out;
}

/** The weight types the engine computes on. */
const ENGINE_TYPES = [GgmlType.TQ2_0, GgmlType.TQ1_0, GgmlType.F16, GgmlType.Q6_K] as const;

/** A drawn matmul. */
interface MatmulCase {
  readonly type: (typeof ENGINE_TYPES)[number];
  readonly mode: BackendActivationMode;
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly seed: number;
}

const caseArb: fc.Arbitrary<MatmulCase> = fc.record({
  type: fc.constantFrom(...ENGINE_TYPES),
  mode: fc.constantFrom(...BACKEND_ACTIVATION_MODES),
  rows: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 50 })),
  cols: fc.integer({ min: 1, max: 4 }).map((blocks) => blocks * 256),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 0x7fffffff }),
});

describe("the row split", () => {
  test("is a partition of [0, rows) into contiguous chunks whose sizes differ by at most one", () => {
    checkProperty(
      "splitRows partitions the rows",
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 64 }), (rows, threads) => {
        const bounds = splitRows(rows, threads);
        expect(bounds).toHaveLength(threads + 1);
        expect(bounds[0]).toBe(0);
        expect(bounds[threads]).toBe(rows);
        const sizes = bounds.slice(1).map((end, t) => end - bounds[t]);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(Math.floor(rows / threads));
        expect(Math.max(...sizes)).toBeLessThanOrEqual(Math.ceil(rows / threads));
      }),
    );
  });
});

describe("packed-wasm on 1, 2 and 3 threads gives the same bits", () => {
  const backends: Backend[] = [];
  beforeAll(async () => {
    for (const threads of THREADS)
      backends.push(createPackedWasmBackend(await createNodeEngine(threads), createReferenceBackend()));
  });
  afterAll(() => backends.forEach((backend) => backend.dispose()));

  test("describe() names the thread count", () => {
    expect(backends.map((backend) => backend.describe())).toEqual([
      expect.stringMatching(/, 1 thread\)$/),
      expect.stringMatching(/, 2 threads\)$/),
      expect.stringMatching(/, 3 threads\)$/),
    ]);
  });

  test("matmuls of every engine type and activation mode (property over shapes, rows < threads included)", () => {
    checkProperty(
      "packed-wasm matmul bits do not depend on the thread count",
      fc.property(caseArb, (c) => {
        const random = mulberry32(c.seed);
        const w = new Float32Array(c.rows * c.cols).map(() =>
          c.type === GgmlType.F16 || c.type === GgmlType.Q6_K ? random() - 0.5 : Math.floor(random() * 3) - 1,
        );
        const x = new Float32Array(c.batch * c.cols).map(() => (random() - 0.5) * 8);
        const matrix = packMatrix(c.type, c.rows, c.cols, w);
        const [one, ...more] = backends.map((backend) =>
          backend.matmul(backend.prepareMatrix(matrix), x, c.batch, c.mode),
        );
        expect(one).toHaveLength(c.batch * c.rows);
        for (const y of more) expect(differingBits(y, one)).toEqual([]);
      }),
      { numRuns: 120 },
    );
  });

  test("a whole model's logits: a batched run and step by step (the tiny TQ2_0 golden model)", () => {
    const model = loadModel(repoFile("golden/models/trilm-tiny-tq2_0.gguf"));
    const tokens = [1, 17, 300, 42, 7];
    for (const activations of ["ggml-matmul", "f32"] as const) {
      const results = backends.map((backend) => {
        const config = { ...model.config, contextLength: 2 * tokens.length };
        const session = createBackendSession(config, model.weights, backend, { activations, kvCache: "f32" });
        const batched = session.run(tokens, 0);
        const stepped = tokens.map((token, i) => session.step(token, tokens.length + i));
        session.dispose();
        return [...batched, ...stepped];
      });
      const [one, ...more] = results;
      for (const logits of more)
        logits.forEach((row, position) =>
          expect(differingBits(row, one[position]), `${activations} position ${position}`).toEqual([]),
        );
    }
  });
});

describe("the thread pool's workers", () => {
  test("dispose() ends every worker", async () => {
    const exits: Promise<string>[] = [];
    const recordingSpawn: SpawnWorker = (source, start, events) => {
      let exited: (reason: string) => void = () => {};
      exits.push(new Promise((resolve) => (exited = resolve)));
      return spawnNodeWorker(source, start, {
        message: events.message,
        failed: (reason) => {
          exited(reason);
          events.failed(reason);
        },
      });
    };
    const module = await loadEngineModule();
    const engine = createEngine(module, (m, memory, exports) => new ThreadPool(3, m, memory, exports, recordingSpawn));
    await (engine.runner as ThreadPool).ready;
    engine.runner.dispose();
    expect(await Promise.all(exits)).toEqual(["exited with code 1", "exited with code 1"]);
  });

  test("a worker's failure (a trap in its rows) is a one-line Error on the calling thread, and the pool stays failed", async () => {
    const engine = await createNodeEngine(2);
    const { heap, runner } = engine;
    const weights = heap.allocate(2 * 66);
    const activations = heap.allocate(292);
    // y[r] goes to out + 4r: row 0 (this thread) writes the last 4 bytes of memory, row 1 (the worker) writes past them
    const out = engine.memory.buffer.byteLength - 4;
    const args = [0, weights, 66, 2, activations, 292, 1, out]; // matmulQ8K, TQ2_0
    const expected =
      /^packed-wasm: worker 1 failed computing rows \[1, 2\): RuntimeError: memory access out of bounds$/;
    expect(() => runner.run("matmulQ8K", 2, args)).toThrow(expected);
    expect(() => runner.run("matmulQ8K", 1, args)).toThrow(expected);
    runner.dispose();
  });
});

describe("trilm run --threads", () => {
  test.each([["0"], ["1.5"], ["two"], ["-1"], ["257"]])("refuses --threads %s with one line and exit 2", async (n) => {
    expectRefused(
      await trilm("run", "--backend", "packed-wasm", "--threads", n, "--tokens", "1,2"),
      undefined,
      `--threads must be a whole number from 1 to 256, got '${n}'`,
    );
  });

  test("refuses --threads with a backend other than packed-wasm", async () => {
    expectRefused(
      await trilm("run", "--threads", "2", "--tokens", "1,2"),
      undefined,
      "--threads applies to --backend packed-wasm only, not --backend reference",
    );
  });

  test("runs on 2 threads and says so", async () => {
    const result = await trilm(
      "run",
      "--backend",
      "packed-wasm",
      "--threads",
      "2",
      "--activations",
      "ggml-matmul",
      "--tokens",
      "1,2",
    );
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^backend: packed-wasm \(.*, 2 threads\)$/m);
  });
});
