/** The model benchmarks: per-token prefill/decode timing with a fake clock, the records and table, the memory line. */
import { describe, expect, test } from "vitest";
import { measureModel, memoryLine, type ModelBenchResult } from "../../../src/bench/model.js";
import { modelJsonRecords, modelResultTable } from "../../../src/bench/report.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";

const tiny = modelFromGguf(randomTrilm("tiny", 1, "tq2_0"));

/** A clock that advances by `step` ms every time it is read. */
function tickingClock(step: number): () => number {
  let time = 0;
  return () => (time += step);
}

describe("measureModel", () => {
  test("times prefill and decode of whole runs, per token", () => {
    const benchCase = {
      model: "tiny",
      weights: "tq2_0",
      activations: "f32" as const,
      prompt: [1, 2, 3, 4],
      decodeSteps: 2,
    };
    // each run reads the clock three times: start, end of prefill, end of decode, 6 ms apart
    const results = measureModel(tiny, benchCase, "reference", {
      warmupRuns: 1,
      budgetMs: 1000,
      minRuns: 2,
      maxRuns: 3,
      now: tickingClock(6),
    });
    expect(results).toEqual([
      {
        model: "tiny",
        weights: "tq2_0",
        activations: "f32",
        backend: "reference",
        phase: "prefill",
        tokens: 4,
        measurement: { runs: 3, medianMs: 1.5, minMs: 1.5 },
      },
      {
        model: "tiny",
        weights: "tq2_0",
        activations: "f32",
        backend: "reference",
        phase: "decode",
        tokens: 2,
        measurement: { runs: 3, medianMs: 3, minMs: 3 },
      },
    ]);
  });

  test("stops at the budget after minRuns; no decode result without decode steps", () => {
    const benchCase = { model: "tiny", weights: "tq2_0", activations: "ggml" as const, prompt: [5], decodeSteps: 0 };
    const results = measureModel(tiny, benchCase, "reference", {
      warmupRuns: 0,
      budgetMs: 1,
      minRuns: 1,
      maxRuns: 100,
      now: tickingClock(10),
    });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ phase: "prefill", tokens: 1, measurement: { runs: 1, medianMs: 10 } });
  });

  test("an empty prompt is refused", () => {
    const benchCase = { model: "tiny", weights: "tq2_0", activations: "f32" as const, prompt: [], decodeSteps: 1 };
    expect(() =>
      measureModel(tiny, benchCase, "reference", { warmupRuns: 0, budgetMs: 0, minRuns: 1, maxRuns: 1, now: () => 0 }),
    ).toThrow(RangeError);
  });
});

function result(backend: string, medianMs: number): ModelBenchResult {
  return {
    model: "99m",
    weights: "tq2_0",
    activations: "f32",
    phase: "decode",
    backend,
    tokens: 8,
    measurement: { runs: 1, medianMs, minMs: medianMs - 0.25 },
  };
}

describe("model records and table", () => {
  test("JSON records have the codec records' fields; times per token", () => {
    expect(modelJsonRecords([result("reference", 3000.12345)])).toEqual([
      {
        name: "99m tq2_0 decode (f32)",
        backend: "reference",
        shape: "8 tokens",
        ms_median: 3000.123,
        ms_min: 2999.873,
        runs: 1,
      },
    ]);
  });

  test("the table has ms/token, tokens/s and the ratio to the reference", () => {
    const [header, reference, faster] = modelResultTable([result("reference", 250), result("wasm", 50)]);
    expect(header.split(/ {2,}/)).toEqual([
      "model benchmark",
      "backend",
      "runs",
      "tokens",
      "median ms/token",
      "min ms/token",
      "tokens/s",
      "vs packed-wasm (1 thread)",
      "vs reference",
    ]);
    expect(reference.split(/ {2,}/)).toEqual([
      "99m tq2_0 decode (f32)",
      "reference",
      "1",
      "8",
      "250.00",
      "249.75",
      "4.00",
      "–",
      "1.00× (reference)",
    ]);
    expect(faster.split(/ {2,}/).at(-1)).toBe("5.00×");
  });

  test("the table compares every backend with packed-wasm on one thread, case by case", () => {
    const rows = modelResultTable([
      result("reference", 250),
      result("packed-wasm (1 thread)", 50),
      result("packed-wasm (2 threads)", 20),
      { ...result("packed-wasm (2 threads)", 100), phase: "prefill" },
    ]).slice(1);
    expect(rows.map((row) => row.split(/ {2,}/).slice(-2))).toEqual([
      ["0.20×", "1.00× (reference)"],
      ["1.00× (baseline)", "5.00×"],
      ["2.50×", "12.50×"],
      ["–", "–"],
    ]);
  });

  test("the memory line: rss and its change, heapUsed and arrayBuffers changes, in MB", () => {
    const before = { rss: 100e6, heapUsed: 20e6, arrayBuffers: 1e6 };
    const after = { rss: 350.06e6, heapUsed: 18e6, arrayBuffers: 231e6 };
    expect(memoryLine(before, after)).toBe("rss 350.1 MB (+250.1 MB), heapUsed −2.0 MB, arrayBuffers +230.0 MB");
  });
});
