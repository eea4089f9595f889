/**
 * What `npm run bench` prints: one result per (format, operation, backend), as a table with
 * throughputs or as the JSON records later tooling reads; and one per (model, phase, activations,
 * backend) for the model benchmarks, timed per token. Pure: no Node APIs.
 */

import { type ColumnAlignment, formatTable } from "../text/text-table.js";
import { PACKED_WASM_BASELINE, REFERENCE_BACKEND_NAME } from "./backends.js";
import type { Measurement } from "./measure.js";
import type { MatmulBenchResult } from "./matmul.js";
import type { ModelBenchResult } from "./model.js";

/** Encode (float32 → packed) or decode (packed → float32). */
export type CodecOperation = "encode" | "decode";

/** One measured benchmark. */
export interface BenchResult {
  /** ggml's format name: `tq1_0`. */
  readonly format: string;
  readonly operation: CodecOperation;
  readonly backend: string;
  /** The matrix shape: `256x4096`. */
  readonly shape: string;
  /** Elements encoded or decoded per run. */
  readonly elements: number;
  /** Packed bytes written (encode) or read (decode) per run. */
  readonly packedBytes: number;
  readonly measurement: Measurement;
}

/** The JSON record of one result, as `npm run bench -- --json` prints it (fixed field names). */
export interface BenchJsonRecord {
  readonly name: string;
  readonly backend: string;
  readonly shape: string;
  readonly ms_median: number;
  readonly ms_min: number;
  readonly runs: number;
}

/**
 * How a bench table's columns are aligned: the name and the backend left, the numbers right, the
 * ratio columns ("vs reference": "1.00× (reference)" or "3.52×") left.
 */
function benchTableAlignments(header: readonly string[]): ColumnAlignment[] {
  return header.map((name, column) => (column < 2 || name.startsWith("vs ") ? "left" : "right"));
}

/** Bytes per float32 element: what MB/s counts. */
const F32_BYTES = 4;

/** `tq1_0 encode` */
function benchName(result: BenchResult): string {
  return `${result.format} ${result.operation}`;
}

/** A time in milliseconds rounded to the microsecond, the clock's useful resolution. */
function toMicroseconds(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The results as JSON records (field names fixed; times in milliseconds, to the microsecond). */
export function toJsonRecords(results: readonly BenchResult[]): BenchJsonRecord[] {
  return results.map((result) => ({
    name: benchName(result),
    backend: result.backend,
    shape: result.shape,
    ms_median: toMicroseconds(result.measurement.medianMs),
    ms_min: toMicroseconds(result.measurement.minMs),
    runs: result.measurement.runs,
  }));
}

/** Per second, in millions, from a count per run and the median run time. */
function millionsPerSecond(countPerRun: number, medianMs: number): number {
  return countPerRun / (medianMs * 1000);
}

/** "1.00× (reference)", or the reference's median over this one's ("3.52×"), or "–" without a reference. */
function ratioToReference(result: BenchResult, results: readonly BenchResult[]): string {
  if (result.backend === REFERENCE_BACKEND_NAME) return "1.00× (reference)";
  const reference = results.find(
    (other) => other.backend === REFERENCE_BACKEND_NAME && benchName(other) === benchName(result),
  );
  return reference === undefined
    ? "–"
    : `${(reference.measurement.medianMs / result.measurement.medianMs).toFixed(2)}×`;
}

const TABLE_HEADER = [
  "benchmark",
  "backend",
  "runs",
  "median ms",
  "min ms",
  "MB/s",
  "Melem/s",
  "packed MB/s",
  "vs reference",
];

/**
 * The results as an aligned table. MB/s is float32 megabytes (4 bytes an element, 10^6 bytes) per
 * second at the median time: read by encode, written by decode; packed MB/s counts the blocks.
 */
export function resultTable(results: readonly BenchResult[]): string[] {
  const rows = results.map((result) => {
    const { runs, medianMs, minMs } = result.measurement;
    return [
      benchName(result),
      result.backend,
      String(runs),
      medianMs.toFixed(2),
      minMs.toFixed(2),
      millionsPerSecond(F32_BYTES * result.elements, medianMs).toFixed(1),
      millionsPerSecond(result.elements, medianMs).toFixed(2),
      millionsPerSecond(result.packedBytes, medianMs).toFixed(1),
      ratioToReference(result, results),
    ];
  });
  return formatTable(TABLE_HEADER, rows, benchTableAlignments(TABLE_HEADER));
}

/** `99m tq2_0 prefill (f32)`: the name of a model benchmark. */
function modelBenchName(result: ModelBenchResult): string {
  return `${result.model} ${result.weights} ${result.phase} (${result.activations})`;
}

/**
 * Model results as JSON records, the same fields as the codec records: name `99m tq2_0 prefill (f32)`,
 * shape `8 tokens` (tokens per run of the phase), and times in milliseconds PER TOKEN.
 */
export function modelJsonRecords(results: readonly ModelBenchResult[]): BenchJsonRecord[] {
  return results.map((result) => ({
    name: modelBenchName(result),
    backend: result.backend,
    shape: `${result.tokens} tokens`,
    ms_median: toMicroseconds(result.measurement.medianMs),
    ms_min: toMicroseconds(result.measurement.minMs),
    runs: result.measurement.runs,
  }));
}

const MODEL_TABLE_HEADER = [
  "model benchmark",
  "backend",
  "runs",
  "tokens",
  "median ms/token",
  "min ms/token",
  "tokens/s",
  "vs packed-wasm (1 thread)",
  "vs reference",
];

/**
 * Model results as an aligned table: per-token times and tokens per second at the median, and the speed-ups over
 * packed-wasm on one thread and over the reference.
 */
export function modelResultTable(results: readonly ModelBenchResult[]): string[] {
  const sameCase = (a: ModelBenchResult, b: ModelBenchResult) => modelBenchName(a) === modelBenchName(b);
  const rows = results.map((result) => {
    const { runs, medianMs, minMs } = result.measurement;
    return [
      modelBenchName(result),
      result.backend,
      String(runs),
      String(result.tokens),
      medianMs.toFixed(2),
      minMs.toFixed(2),
      (1000 / medianMs).toFixed(2),
      ratioTo(result, results, PACKED_WASM_BASELINE, sameCase),
      ratioTo(result, results, REFERENCE_BACKEND_NAME, sameCase),
    ];
  });
  return formatTable(MODEL_TABLE_HEADER, rows, benchTableAlignments(MODEL_TABLE_HEADER));
}

/** `matmul 4096x4096 tq2_0 batch 1` */
function matmulBenchName(result: MatmulBenchResult): string {
  return `matmul ${result.shape}`;
}

/** Matmul results as JSON records (times per call, in milliseconds). */
export function matmulJsonRecords(results: readonly MatmulBenchResult[]): BenchJsonRecord[] {
  return results.map((result) => ({
    name: matmulBenchName(result),
    backend: result.backend,
    shape: result.shape,
    ms_median: toMicroseconds(result.measurement.medianMs),
    ms_min: toMicroseconds(result.measurement.minMs),
    runs: result.measurement.runs,
  }));
}

const MATMUL_TABLE_HEADER = [
  "matmul",
  "backend",
  "runs",
  "median ms",
  "min ms",
  "vs packed-wasm (1 thread)",
  "vs reference",
];

/**
 * "1.00× (reference)" or "1.00× (baseline)" for the baseline itself, the baseline's median over this one's ("3.52×": how many times faster
 * than the baseline), or "–" without a baseline result of the same name.
 */
function ratioTo<T extends { readonly backend: string; readonly measurement: Measurement }>(
  result: T,
  results: readonly T[],
  baseline: string,
  sameCase: (a: T, b: T) => boolean,
): string {
  if (result.backend === baseline)
    return baseline === REFERENCE_BACKEND_NAME ? "1.00× (reference)" : "1.00× (baseline)";
  const other = results.find((candidate) => candidate.backend === baseline && sameCase(candidate, result));
  return other === undefined ? "–" : `${(other.measurement.medianMs / result.measurement.medianMs).toFixed(2)}×`;
}

/**
 * Matmul results as an aligned table with each backend's speed-up over packed-wasm on one thread and over the
 * reference at the median.
 */
export function matmulResultTable(results: readonly MatmulBenchResult[]): string[] {
  const sameShape = (a: MatmulBenchResult, b: MatmulBenchResult) => a.shape === b.shape;
  const rows = results.map((result) => [
    result.shape,
    result.backend,
    String(result.measurement.runs),
    result.measurement.medianMs.toFixed(2),
    result.measurement.minMs.toFixed(2),
    ratioTo(result, results, PACKED_WASM_BASELINE, sameShape),
    ratioTo(result, results, REFERENCE_BACKEND_NAME, sameShape),
  ]);
  return formatTable(MATMUL_TABLE_HEADER, rows, benchTableAlignments(MATMUL_TABLE_HEADER));
}
