/**
 * The GGUF v3 container and llama-quantize, browser-safe (no Node APIs; file I/O is in
 * ./file.js). See spec/gguf.md: §1–§4 the format, §5 the strict reader, §6 the writer,
 * §8 quantizing.
 */

export { GgufFile, type GgufTensor, type GgufTensorInfo } from "./gguf-file.js";
export { parseGguf } from "./reader.js";
export { serializeGguf } from "./writer.js";
export { elementCount, tensorToFloat32 } from "./tensor-data.js";
export { ALIGNMENT_KEY, DEFAULT_ALIGNMENT, GGUF_VERSION } from "./rules.js";
export {
  LLAMA_FILE_TYPE,
  QUANTIZATION_VERSION,
  llamaQuantizeMetadata,
  quantizeModel,
  type QuantizeOptions,
  type TernaryTarget,
} from "./quantize.js";
export { ggmlTypeName, llamaQuantizeType } from "./quantize-policy.js";
export { compareWeightNames } from "./tensor-order.js";
export {
  isBitnetCppType,
  isGgmlType,
  requireGgmlType,
  tensorTypeName,
  type GgufTensorType,
  type WithGgmlType,
} from "./tensor-type.js";
export {
  BITNET_CPP_ARCHITECTURES,
  fileDialect,
  resolveDialect,
  type DialectReport,
  type GgufDialect,
  type RawTensorType,
} from "./dialect.js";
export * from "./value.js";
