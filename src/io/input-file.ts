/**
 * Reading an input file with clean errors: a missing file, a directory, something that is not a
 * regular file, an unreadable or empty file, or one larger than the caller allows is an InputError
 * naming the file, never a Node stack trace.
 */

import { constants as bufferConstants } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { InputError } from "../errors.js";
import { describeFileSystemError } from "./atomic-write.js";

/** Limits on what `readInputFile` reads. */
export interface InputFileOptions {
  /** Largest size accepted, in bytes (default: the largest buffer Node can allocate). */
  readonly maxBytes?: number;
}

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

/** A buffer of `size` bytes, or an InputError when the process cannot hold that much. */
function allocate(size: number, path: string): Uint8Array {
  try {
    return new Uint8Array(size);
  } catch {
    throw new InputError(path, `file is ${size} bytes, more than this process can hold in memory`);
  }
}

/** Read all of `fd` (`size` bytes) into a new buffer; InputError if the file changes size meanwhile. */
function readAll(fd: number, size: number, path: string): Uint8Array {
  const bytes = allocate(size, path);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, bytes, offset, size - offset, offset);
    if (read === 0) throw new InputError(path, `file shrank from ${size} to ${offset} bytes while being read`);
    offset += read;
  }
  if (readSync(fd, new Uint8Array(1), 0, 1, size) !== 0) throw new InputError(path, "file grew while being read");
  return bytes;
}

/**
 * Read the whole input file at `path`. InputError (naming `path`) when it is missing, a directory,
 * not a regular file, unreadable, empty, or larger than `options.maxBytes`; the size is checked
 * before anything is allocated.
 */
export function readInputFile(path: string, options: InputFileOptions = {}): Uint8Array {
  const maxBytes = options.maxBytes ?? bufferConstants.MAX_LENGTH;
  return withOpenInput(path, (fd, size) => {
    if (size > maxBytes)
      throw new InputError(path, `file is ${size} bytes, more than the ${maxBytes} bytes allowed here`);
    return readAll(fd, size, path);
  });
}
