/**
 * Reading an input file with clean errors: a missing file, a directory, something that is not a
 * regular file, an unreadable or empty file, or one larger than the caller allows is an InputError
 * naming the file, never a Node stack trace.
 */

import { constants as bufferConstants } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError } from "../errors.js";
import { describeFileSystemError } from "./atomic-write.js";

/**
 * Memory the caller owns that a file is read into instead of a buffer of its own: the packed-wasm engine's
 * WebAssembly memory (accelerated/packed-wasm), so that a model's packed weights are read once, straight where the
 * engine computes on them (spec/performance.md §4).
 */
export interface InputFileMemory {
  /** What it is, for the error when a file does not fit: "the packed-wasm engine's WebAssembly memory". */
  readonly name: string;
  /** The most bytes `allocate` can give now. */
  readonly maxBytes: number;
  /** A view of `bytes` fresh bytes of it (it may throw when the memory cannot grow that far). */
  allocate(bytes: number): Uint8Array;
}

/** Limits on what `readInputFile` reads, and where it puts the bytes. */
export interface InputFileOptions {
  /** Largest size accepted, in bytes (default: the largest buffer Node can allocate). */
  readonly maxBytes?: number;
  /** Read the file into this memory (its own limit applies too) instead of a new Uint8Array. */
  readonly memory?: InputFileMemory;
}

/** Bytes one readSync call reads at most (one call cannot read 2 GiB or more): a big file is read in chunks. */
const READ_CHUNK_BYTES = 64 * 2 ** 20;

/** Is `error` from a Node file-system call (it carries an errno code)? */
function isFileSystemError(error: unknown): boolean {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string";
}

/** Open `path` for reading, run `use` with the descriptor and the file's size, close it again. */
function withOpenInput<T>(path: string, use: (fd: number, size: number) => T): T {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if (isFileSystemError(error)) throw new InputError(path, describeFileSystemError(error));
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new InputError(path, "is a directory");
    if (!stats.isFile()) throw new InputError(path, "is not a regular file");
    if (stats.size === 0) throw new InputError(path, "file is empty");
    return use(fd, stats.size);
  } catch (error) {
    if (isFileSystemError(error)) throw new InputError(path, `cannot read the file: ${describeFileSystemError(error)}`);
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * The size in bytes of the input file at `path` (a readable, non-empty regular file), so callers
 * can check it against what the format implies before reading. InputError otherwise.
 */
export function inputFileSize(path: string): number {
  return withOpenInput(path, (_fd, size) => size);
}

/** `size` bytes of `memory` (default: a new buffer), or an InputError when it cannot hold that much. */
function allocate(size: number, path: string, memory: InputFileMemory | undefined): Uint8Array {
  try {
    return memory === undefined ? new Uint8Array(size) : memory.allocate(size);
  } catch (error) {
    const where = memory === undefined ? "this process" : memory.name;
    const why = memory !== undefined && error instanceof Error ? `: ${error.message}` : "";
    throw new InputError(path, `file is ${size} bytes, more than ${where} can hold${why}`);
  }
}

/** Read all of `fd` (`size` bytes) into `memory` or a new buffer, in chunks; InputError if the file changes size meanwhile. */
function readAll(fd: number, size: number, path: string, memory: InputFileMemory | undefined): Uint8Array {
  const bytes = allocate(size, path, memory);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, bytes, offset, Math.min(size - offset, READ_CHUNK_BYTES), offset);
    if (read === 0) throw new InputError(path, `file shrank from ${size} to ${offset} bytes while being read`);
    offset += read;
  }
  if (readSync(fd, new Uint8Array(1), 0, 1, size) !== 0) throw new InputError(path, "file grew while being read");
  return bytes;
}

/**
 * Read the whole input file at `path`, into `options.memory` where given. InputError (naming `path`) when it is
 * missing, a directory, not a regular file, unreadable, empty, or larger than `options.maxBytes` or than
 * `options.memory` can take; the size is checked before anything is allocated.
 */
export function readInputFile(path: string, options: InputFileOptions = {}): Uint8Array {
  const maxBytes = options.maxBytes ?? bufferConstants.MAX_LENGTH;
  const memory = options.memory;
  return withOpenInput(path, (fd, size) => {
    if (memory !== undefined && size > memory.maxBytes)
      throw new InputError(
        path,
        `file is ${size} bytes, more than the ${memory.maxBytes} bytes ${memory.name} can take`,
      );
    if (size > maxBytes)
      throw new InputError(path, `file is ${size} bytes, more than the ${maxBytes} bytes allowed here`);
    return readAll(fd, size, path, memory);
  });
}
