/**
 * Safetensors files (Hugging Face's tensor container), browser-safe: a strict reader and a writer.
 * File I/O for Hugging Face folders is in src/model/hf-folder.ts.
 */

export {
  DTYPE_ITEM_SIZE,
  ggmlTypeOfDtype,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type SafetensorsStoredDtype,
} from "./dtype.js";
export {
  MAX_HEADER_LENGTH,
  METADATA_KEY,
  parseSafetensors,
  type SafetensorsParseOptions,
  type SafetensorsFile,
  type SafetensorsTensor,
} from "./parse.js";
export { serializeSafetensors, type SafetensorsTensorInput } from "./write.js";
