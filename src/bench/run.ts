/**
 * Run every benchmark: each format, encode then decode, on every backend that implements it.
 * Pure apart from the clock in `options`.
 */

import { BENCH_FORMATS, type CodecBackend, formatName } from "./backends.js";
import { type BenchMatrix, shapeName } from "./matrix.js";
import { measure, type MeasureOptions } from "./measure.js";
import type { BenchResult, CodecOperation } from "./report.js";

/** Called before each measurement with its name (`tq1_0 encode (reference)`), for progress output. */
export type ProgressListener = (label: string) => void;

/** Measure encode and decode of `matrix` for each format and backend, in BENCH_FORMATS order. */
export function runBenchmarks(
  matrix: BenchMatrix,
  backends: readonly CodecBackend[],
  options: MeasureOptions,
  onStart: ProgressListener,
): BenchResult[] {
  const results: BenchResult[] = [];
  const elements = matrix.values.length;
  for (const type of BENCH_FORMATS) {
    const format = formatName(type);
    for (const backend of backends) {
      const codec = backend.codecs.find((c) => c.type === type);
      if (codec === undefined) continue;
      const packed = codec.encode(matrix.values);
      const tasks: Record<CodecOperation, () => void> = {
        encode: () => codec.encode(matrix.values),
        decode: () => codec.decode(packed, elements),
      };
      for (const operation of ["encode", "decode"] as const) {
        onStart(`${format} ${operation} (${backend.name})`);
        const measurement = measure(tasks[operation], options);
        results.push({
          format,
          operation,
          backend: backend.name,
          shape: shapeName(matrix),
          elements,
          packedBytes: packed.length,
          measurement,
        });
      }
    }
  }
  return results;
}
