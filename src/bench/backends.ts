/**
 * The codec implementations `npm run bench` measures. A backend is a named set of per-format
 * encode/decode functions; later backends (WebAssembly, GPU) register themselves in BACKENDS and
 * are compared against the reference.
 */

import { dequantizeRow, GgmlType, ggmlTypeTraits, quantizeRow } from "../../reference/codec/index.js";

/** The formats benchmarked, in table order. */
export const BENCH_FORMATS: readonly GgmlType[] = [GgmlType.TQ1_0, GgmlType.TQ2_0, GgmlType.Q8_K];

/** One format as a backend implements it: a row of float32 ↔ its packed blocks. */
export interface FormatCodec {
  readonly type: GgmlType;
  /** x: Float32Array[n], n a multiple of the block size → packed bytes. */
  encode(x: Float32Array): Uint8Array;
  /** packed bytes of n elements → Float32Array[n]. */
  decode(bytes: Uint8Array, n: number): Float32Array;
}

/** A codec implementation: its name (`reference`) and the formats it implements. */
export interface CodecBackend {
  readonly name: string;
  readonly codecs: readonly FormatCodec[];
}

/** The name of the backend every other is compared with. */
export const REFERENCE_BACKEND_NAME = "reference";

/** The label of the packed-wasm compute backend on `threads` threads: `packed-wasm (1 thread)`. */
export function packedWasmLabel(threads: number): string {
  return `packed-wasm (${threads} thread${threads === 1 ? "" : "s"})`;
}

/** The second baseline compute results are compared with: packed-wasm on one thread. */
export const PACKED_WASM_BASELINE = packedWasmLabel(1);

/** The pure-TypeScript reference codec (reference/codec), bit-exact with ggml. */
export const referenceBackend: CodecBackend = {
  name: REFERENCE_BACKEND_NAME,
  codecs: BENCH_FORMATS.map((type) => ({
    type,
    encode: (x: Float32Array) => quantizeRow(type, x),
    decode: (bytes: Uint8Array, n: number) => dequantizeRow(type, bytes, n),
  })),
};

/** Every backend the bench measures; the reference first. */
export const BACKENDS: readonly CodecBackend[] = [referenceBackend];

/** ggml's name of a type as llama.cpp prints it: `tq1_0`, `q8_K`. */
export function formatName(type: GgmlType): string {
  const traits = ggmlTypeTraits(type);
  if (traits === undefined) throw new RangeError(`unknown ggml type ${type}`);
  return traits.name;
}
