/** The bench's output: JSON records with fixed field names, throughputs, the ratio column. */
import { describe, expect, test } from "vitest";
import type { MatmulBenchResult } from "../../../src/bench/matmul.js";
import { type BenchResult, matmulResultTable, resultTable, toJsonRecords } from "../../../src/bench/report.js";

function result(backend: string, medianMs: number): BenchResult {
  return {
    format: "tq2_0",
    operation: "encode",
    backend,
    shape: "250x4000",
    elements: 1_000_000,
    packedBytes: 257_812,
    measurement: { runs: 9, medianMs, minMs: medianMs - 0.5 },
  };
}

describe("JSON records", () => {
  test("have exactly the fields a later tool reads, times to the microsecond", () => {
    const records = toJsonRecords([
      { ...result("reference", 4), measurement: { runs: 9, medianMs: 4.00012345, minMs: 3.9999999 } },
    ]);
    expect(records).toEqual([
      { name: "tq2_0 encode", backend: "reference", shape: "250x4000", ms_median: 4, ms_min: 4, runs: 9 },
    ]);
    expect(Object.keys(records[0])).toEqual(["name", "backend", "shape", "ms_median", "ms_min", "runs"]);
  });
});

describe("table", () => {
  const [header, reference, faster] = resultTable([result("reference", 4), result("simd", 2)]);

  test("has the throughput columns and the ratio to the reference", () => {
    expect(header.split(/ {2,}/)).toEqual([
      "benchmark",
      "backend",
      "runs",
      "median ms",
      "min ms",
      "MB/s",
      "Melem/s",
      "packed MB/s",
      "vs reference",
    ]);
    // 4 MB of float32 in 4 ms = 1000 MB/s; 1e6 elements in 4 ms = 250 M/s; 257812 bytes in 4 ms = 64.5 MB/s
    expect(reference.split(/ {2,}/)).toEqual([
      "tq2_0 encode",
      "reference",
      "9",
      "4.00",
      "3.50",
      "1000.0",
      "250.00",
      "64.5",
      "1.00× (reference)",
    ]);
    expect(faster.split(/ {2,}/).at(-1)).toBe("2.00×");
  });
});

describe("matmul table", () => {
  function matmul(backend: string, shape: string, medianMs: number): MatmulBenchResult {
    return { backend, shape, batch: 1, mode: "f32", measurement: { runs: 5, medianMs, minMs: medianMs } };
  }

  test("compares each shape with packed-wasm on one thread and with the reference", () => {
    const [header, ...rows] = matmulResultTable([
      matmul("reference", "4096x4096 tq2_0 batch 1, f32", 40),
      matmul("packed-wasm (1 thread)", "4096x4096 tq2_0 batch 1, f32", 8),
      matmul("packed-wasm (2 threads)", "4096x4096 tq2_0 batch 1, f32", 5),
      matmul("packed-wasm (2 threads)", "4096x4096 tq1_0 batch 1, f32", 5),
    ]);
    expect(header.split(/ {2,}/)).toEqual([
      "matmul",
      "backend",
      "runs",
      "median ms",
      "min ms",
      "vs packed-wasm (1 thread)",
      "vs reference",
    ]);
    expect(rows.map((row) => row.split(/ {2,}/).slice(-2))).toEqual([
      ["0.20×", "1.00× (reference)"],
      ["1.00× (baseline)", "5.00×"],
      ["1.60×", "8.00×"],
      ["–", "–"],
    ]);
  });
});
