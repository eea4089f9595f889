/**
 * Writing a file so that it is either wholly there or not changed at all: the bytes go to a
 * temporary file in the same directory, are flushed to disk, and the temporary file is renamed
 * over the target (an atomic step on POSIX file systems). On any failure the temporary file is
 * removed and the target is left as it was. Implements spec/gguf.md §6 (writing files).
 */

import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

const REASONS: ReadonlyMap<string, string> = new Map([
  ["ENOENT", "no such file or directory"],
  ["ENOTDIR", "a component of the path is not a directory"],
  ["EACCES", "permission denied"],
  ["EPERM", "operation not permitted"],
  ["EISDIR", "it is a directory"],
  ["ENOSPC", "no space left on the device"],
  ["EDQUOT", "disk quota exceeded"],
  ["EROFS", "read-only file system"],
  ["EEXIST", "the file already exists"],
  ["ENAMETOOLONG", "the name is too long"],
  ["EMFILE", "too many open files"],
  ["EIO", "input/output error"],
]);

/** A file-system error as a short reason for a one-line message (`permission denied`, `no such file or directory`). Spec §6. */
export function describeFileSystemError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return (code !== undefined ? REASONS.get(code) : undefined) ?? error.message;
  }
  return String(error);
}

/** A name for the temporary file beside `path`: hidden, unique to this process and call. */
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** Create `path` (it must not exist), write all of `bytes`, flush them to disk, close. */
function writeNewFile(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "wx");
  try {
    for (let written = 0; written < bytes.length;) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `bytes` to `path` atomically (see the module comment). Throws InputError naming `path`
 * with the reason when the file cannot be written; then nothing has changed at `path` and no
 * temporary file remains. Spec §6.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temporary = temporaryPathFor(path);
  try {
    writeNewFile(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new InputError(path, `cannot write the file: ${describeFileSystemError(error)}`);
  }
}
