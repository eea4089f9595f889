/** runBenchmarks on a tiny matrix with a fake clock: order, sizes, and that decode reads encoded data. */
import { expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { type CodecBackend, referenceBackend } from "../../../src/bench/backends.js";
import { benchMatrix } from "../../../src/bench/matrix.js";
import { runBenchmarks } from "../../../src/bench/run.js";

const FAKE_OPTIONS = { warmupRuns: 1, budgetMs: 0, minRuns: 2, maxRuns: 2, now: () => 0 };

test("each format, encode then decode, on each backend implementing it, in order", () => {
  const matrix = benchMatrix(2, 512, 1);
  const labels: string[] = [];
  const results = runBenchmarks(matrix, [referenceBackend], FAKE_OPTIONS, (label) => labels.push(label));
  expect(labels).toEqual([
    "tq1_0 encode (reference)",
    "tq1_0 decode (reference)",
    "tq2_0 encode (reference)",
    "tq2_0 decode (reference)",
    "q8_K encode (reference)",
    "q8_K decode (reference)",
  ]);
  expect(results.map((r) => [r.shape, r.elements, r.packedBytes, r.measurement.runs])).toEqual([
    ["2x512", 1024, 4 * 54, 2],
    ["2x512", 1024, 4 * 54, 2],
    ["2x512", 1024, 4 * 66, 2],
    ["2x512", 1024, 4 * 66, 2],
    ["2x512", 1024, 4 * 292, 2],
    ["2x512", 1024, 4 * 292, 2],
  ]);
});

test("decode is given the backend's own encoding of the matrix; missing formats are skipped", () => {
  const matrix = benchMatrix(1, 256, 3);
  const tq2 = referenceBackend.codecs.find((codec) => codec.type === GgmlType.TQ2_0);
  if (tq2 === undefined) throw new Error("the reference backend has no TQ2_0 codec");
  const decoded: Uint8Array[] = [];
  const recordingDecode = (bytes: Uint8Array, n: number): Float32Array => {
    decoded.push(bytes);
    return tq2.decode(bytes, n);
  };
  const partial: CodecBackend = {
    name: "partial",
    codecs: [{ type: tq2.type, encode: tq2.encode, decode: recordingDecode }],
  };
  const results = runBenchmarks(matrix, [partial], FAKE_OPTIONS, () => {});
  expect(results.map((r) => `${r.format} ${r.operation}`)).toEqual(["tq2_0 encode", "tq2_0 decode"]);
  expect(decoded[0]).toEqual(tq2.encode(matrix.values));
});

test("the matrix is trits times one float32 scale per row, the same for the same seed", () => {
  const matrix = benchMatrix(4, 256, 9);
  expect(matrix.values).toEqual(benchMatrix(4, 256, 9).values);
  for (let r = 0; r < 4; r++) {
    const row = matrix.values.subarray(r * 256, (r + 1) * 256);
    const scale = Math.max(...row.map(Math.abs));
    expect(scale).toBe(Math.fround(scale));
    for (const v of row) expect([0, scale, -scale]).toContain(v);
  }
});
