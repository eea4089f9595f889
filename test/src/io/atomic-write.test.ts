/**
 * writeFileAtomic (spec/gguf.md §6): the target is either the new bytes or unchanged, and no
 * temporary file is ever left behind.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { InputError } from "../../../src/errors.js";
import { describeFileSystemError, writeFileAtomic } from "../../../src/io/atomic-write.js";

const scratch = mkdtempSync(join(tmpdir(), "trilm-atomic-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function freshDir(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir);
  return dir;
}

test("writes a new file with exactly the bytes given", () => {
  const dir = freshDir("new");
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
  writeFileAtomic(join(dir, "f.bin"), bytes);
  expect(new Uint8Array(readFileSync(join(dir, "f.bin")))).toEqual(bytes);
  expect(readdirSync(dir)).toEqual(["f.bin"]);
});

test("replaces an existing file whole", () => {
  const dir = freshDir("replace");
  const path = join(dir, "f.bin");
  writeFileSync(path, "a much longer old content than the new one");
  writeFileAtomic(path, Uint8Array.from([1, 2, 3]));
  expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
  expect(readdirSync(dir)).toEqual(["f.bin"]);
});

test("an empty file", () => {
  const dir = freshDir("empty");
  writeFileAtomic(join(dir, "f.bin"), new Uint8Array(0));
  expect(statSync(join(dir, "f.bin")).size).toBe(0);
});

test("a failure names the path and the reason, and leaves the target and directory as they were", () => {
  const dir = freshDir("fail");
  mkdirSync(join(dir, "f.bin"));
  writeFileSync(join(dir, "keep.txt"), "kept");
  let caught: unknown;
  try {
    writeFileAtomic(join(dir, "f.bin"), Uint8Array.from([9]));
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InputError);
  expect((caught as InputError).file).toBe(join(dir, "f.bin"));
  expect((caught as InputError).problem).toMatch(/^cannot write the file: \S/);
  expect(readdirSync(dir).sort()).toEqual(["f.bin", "keep.txt"]);
  expect(statSync(join(dir, "f.bin")).isDirectory()).toBe(true);
});

test("a missing directory", () => {
  const path = join(scratch, "nowhere", "f.bin");
  expect(() => writeFileAtomic(path, Uint8Array.from([1]))).toThrow(
    new InputError(path, "cannot write the file: no such file or directory"),
  );
});

test("file-system errors read as short reasons", () => {
  const error = Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: "EACCES" });
  expect(describeFileSystemError(error)).toBe("permission denied");
  expect(describeFileSystemError(Object.assign(new Error("odd"), { code: "EWHATEVER" }))).toBe("odd");
  expect(describeFileSystemError("text")).toBe("text");
});
