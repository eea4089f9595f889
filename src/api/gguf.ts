/**
 * `trilm-oracle/gguf`: the GGUF v3 container (spec/gguf.md) — the strict reader (parseGguf, or
 * readGgufFile for a file on disk), the writer (serializeGguf, writeGgufFile), metadata values and
 * tensor data, and llama-quantize's TQ1_0/TQ2_0 quantization of a whole model (quantizeModel),
 * byte-identical to llama.cpp's. Everything but readGgufFile and writeGgufFile is browser-safe.
 * Turning a GGUF file into a runnable model is `trilm-oracle/model`'s modelFromGguf.
 *
 * @example
 * ```ts
 * import { GgmlType } from "trilm-oracle/codec";
 * import { quantizeModel, readGgufFile, writeGgufFile } from "trilm-oracle/gguf";
 * const f32 = readGgufFile("model-f32.gguf");
 * writeGgufFile("model-tq2_0.gguf", quantizeModel(f32, GgmlType.TQ2_0, { tokenEmbeddingType: GgmlType.F16 }));
 * ```
 *
 * @packageDocumentation
 */

export * from "../gguf/index.js";
export { readGgufFile, writeGgufFile } from "../gguf/file.js";
export type { InputFileMemory, InputFileOptions } from "../io/input-file.js";
export type { TensorTypeContext } from "../gguf/quantize-policy.js";
