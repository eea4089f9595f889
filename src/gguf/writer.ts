/**
 * The GGUF v3 writer: header (metadata and tensor infos in the file's order), zero padding to the
 * alignment, then each tensor's data followed by zero padding to the alignment — exactly the bytes
 * ggml's gguf_write_to_buf produces. Implements spec/gguf.md §6.
 */

import { ByteWriter } from "./byte-writer.js";
import type { GgufFile } from "./gguf-file.js";
import { writeHeader } from "./header-writer.js";

/** Serialize a file to its bytes (`file.byteLength` of them). Cannot fail: a GgufFile is always valid. Spec §6. */
export function serializeGguf(file: GgufFile): Uint8Array {
  const out = new Uint8Array(file.byteLength);
  writeHeader(new ByteWriter(out), file.metadata, file.tensors);
  for (const tensor of file.tensors) out.set(tensor.data, file.dataOffset + tensor.offset);
  return out;
}
