/**
 * `trilm-oracle/codec`: the llama.cpp/ggml codecs, bit-exact with ggml's reference functions —
 * TQ1_0, TQ2_0, Q8_K, Q8_0, fp16 and bf16 (spec/formats.md): quantizeRow / dequantizeRow for any
 * type, the per-format block functions, the dot products and their error bound, and the validator
 * of what the reference encoder never writes. Pure TypeScript, no Node APIs (runs in a browser).
 *
 * @example
 * ```ts
 * import { dequantizeRow, GgmlType, quantizeRow } from "trilm-oracle/codec";
 * const bytes = quantizeRow(GgmlType.TQ2_0, weights); // weights: Float32Array, a multiple of 256 long
 * const back = dequantizeRow(GgmlType.TQ2_0, bytes, weights.length);
 * ```
 *
 * @packageDocumentation
 */

export * from "../../reference/codec/index.js";
