/**
 * GGUF files on disk (Node only; the rest of src/gguf is browser-safe): read a whole file and
 * parse it strictly, or serialize and write atomically. Every problem is an InputError naming the
 * path. Implements spec/gguf.md §5 and §6.
 */

import { writeFileAtomic } from "../io/atomic-write.js";
import { readInputFile, type InputFileOptions } from "../io/input-file.js";
import type { GgufFile } from "./gguf-file.js";
import { parseGguf } from "./reader.js";
import { serializeGguf } from "./writer.js";

/**
 * Read and strictly parse the GGUF file at `path` (spec/gguf.md §5). Throws InputError naming
 * `path`: missing, a directory or not a regular file, unreadable, empty, or not a valid GGUF v3 file.
 * `options.memory`: read the file into that memory; every tensor's data is then a view of it, never a copy
 * (spec/performance.md §4).
 */
export function readGgufFile(path: string, options: InputFileOptions = {}): GgufFile {
  return parseGguf(readInputFile(path, options), path);
}

/** Serialize `file` and write it to `path` atomically (spec/gguf.md §6). Throws InputError naming `path`. */
export function writeGgufFile(path: string, file: GgufFile): void {
  writeFileAtomic(path, serializeGguf(file));
}
