/**
 * The compute backends `npm run bench` measures, each under a label: the reference, then the
 * packed-wasm engine once per thread count (`packed-wasm (1 thread)`, `packed-wasm (2 threads)`),
 * then the other accelerated backends. Results are compared with the reference and with packed-wasm
 * on one thread.
 */

import type { Backend } from "../backend/backend.js";
import { createBackend, type NodeBackendName } from "../backend/registry.js";
import { packedWasmLabel, REFERENCE_BACKEND_NAME } from "./backends.js";

/** One backend to measure: its registry name, its thread count (packed-wasm) and the label results carry. */
export interface BenchBackendSpec {
  readonly name: NodeBackendName;
  /** packed-wasm's thread count; undefined for the other backends. */
  readonly threads?: number;
  /** `reference`, `packed-wasm (2 threads)`, `tfjs-wasm`. */
  readonly label: string;
}

/** The backends of `names` (registry order kept), packed-wasm expanded into one spec per thread count. */
export function benchBackendSpecs(names: readonly NodeBackendName[], threads: readonly number[]): BenchBackendSpec[] {
  return names.flatMap((name): BenchBackendSpec[] =>
    name === "packed-wasm"
      ? threads.map((count) => ({ name, threads: count, label: packedWasmLabel(count) }))
      : [{ name, label: name }],
  );
}

/** Whether `spec` is the reference backend. */
export function isReferenceSpec(spec: BenchBackendSpec): boolean {
  return spec.name === REFERENCE_BACKEND_NAME;
}

/** Create the backend `spec` describes (its threads passed on to packed-wasm). */
export function createSpecBackend(spec: BenchBackendSpec): Promise<Backend> {
  return createBackend(spec.name, spec.threads === undefined ? {} : { threads: spec.threads });
}
