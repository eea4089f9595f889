import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { inputFileSize, readInputFile, type InputFileMemory } from "../../../src/io/input-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trilm-input-file-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The InputError `read` throws. */
function inputError(read: () => unknown): InputError {
  try {
    read();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("no error thrown");
}

describe("readInputFile", () => {
  it("reads the whole file", () => {
    const path = join(dir, "a.bin");
    writeFileSync(path, Uint8Array.from([1, 2, 3]));
    expect(readInputFile(path)).toEqual(Uint8Array.from([1, 2, 3]));
    expect(inputFileSize(path)).toBe(3);
  });

  it("reads a file larger than one read call may return", () => {
    const path = join(dir, "big.bin");
    const bytes = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7) & 0xff);
    writeFileSync(path, bytes);
    expect(Buffer.compare(readInputFile(path), bytes)).toBe(0);
  });

  it.each([
    ["a missing file", (d: string) => join(d, "missing.bin"), "no such file or directory"],
    ["a directory", (d: string) => d, "is a directory"],
    ["an empty file", (d: string) => (writeFileSync(join(d, "empty.bin"), ""), join(d, "empty.bin")), "file is empty"],
    [
      "a path through a file",
      (d: string) => (writeFileSync(join(d, "f"), "x"), join(d, "f", "g")),
      "a component of the path is not a directory",
    ],
    [
      "a dangling symbolic link",
      (d: string) => (symlinkSync(join(d, "nowhere"), join(d, "link")), join(d, "link")),
      "no such file or directory",
    ],
  ])("refuses %s, naming it", (_name, makePath, problem) => {
    const path = makePath(dir);
    for (const read of [() => readInputFile(path), () => inputFileSize(path)]) {
      const error = inputError(read);
      expect(error.file).toBe(path);
      expect(error.problem).toBe(problem);
    }
  });

  it("refuses a file larger than maxBytes before reading it", () => {
    const path = join(dir, "a.bin");
    writeFileSync(path, new Uint8Array(100));
    expect(inputError(() => readInputFile(path, { maxBytes: 99 })).problem).toBe(
      "file is 100 bytes, more than the 99 bytes allowed here",
    );
    expect(readInputFile(path, { maxBytes: 100 }).length).toBe(100);
  });

  it("reads into the memory given: the bytes land in its view, no buffer of its own", () => {
    const path = join(dir, "model.bin");
    const bytes = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 13) & 0xff);
    writeFileSync(path, bytes);
    const backing = new ArrayBuffer((3 << 20) + 4096);
    const asked: number[] = [];
    const memory: InputFileMemory = {
      name: "the test's memory",
      maxBytes: backing.byteLength - 64,
      allocate: (n) => (asked.push(n), new Uint8Array(backing, 64, n)),
    };
    const read = readInputFile(path, { memory });
    expect(asked).toEqual([bytes.length]);
    expect(read.buffer).toBe(backing);
    expect(read.byteOffset).toBe(64);
    expect(Buffer.compare(read, bytes)).toBe(0);
  });

  it("refuses a file larger than the memory can take, naming its limit, before allocating", () => {
    const path = join(dir, "a.bin");
    writeFileSync(path, new Uint8Array(100));
    let allocated = false;
    const memory = (maxBytes: number): InputFileMemory => ({
      name: "the test's memory",
      maxBytes,
      allocate: (n) => ((allocated = true), new Uint8Array(n)),
    });
    expect(inputError(() => readInputFile(path, { memory: memory(99) })).problem).toBe(
      "file is 100 bytes, more than the 99 bytes the test's memory can take",
    );
    expect(allocated).toBe(false);
    expect(readInputFile(path, { memory: memory(100) }).length).toBe(100);
    expect(allocated).toBe(true);
  });

  it("an allocation the memory refuses is an InputError naming the file, the memory and why", () => {
    const path = join(dir, "a.bin");
    writeFileSync(path, new Uint8Array(100));
    const memory: InputFileMemory = {
      name: "the test's memory",
      maxBytes: 1000,
      allocate: () => {
        throw new RangeError("cannot grow");
      },
    };
    const error = inputError(() => readInputFile(path, { memory }));
    expect(error.file).toBe(path);
    expect(error.problem).toBe("file is 100 bytes, more than the test's memory can hold: cannot grow");
  });

  it.skipIf(process.getuid?.() === 0)("refuses an unreadable file", () => {
    const path = join(dir, "secret.bin");
    writeFileSync(path, "x");
    chmodSync(path, 0o000);
    expect(inputError(() => readInputFile(path)).problem).toBe("permission denied");
  });

  it("refuses something that is not a regular file", () => {
    expect(inputError(() => readInputFile("/dev/null")).problem).toBe("is not a regular file");
  });
});
