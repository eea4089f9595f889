/**
 * GGUF files on disk (spec/gguf.md §5, §6): reading parses strictly and names the path in every
 * error; writing is atomic and names the output path when it fails.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { InputError } from "../../../src/errors.js";
import { readGgufFile, writeGgufFile } from "../../../src/gguf/file.js";
import { GgufFile } from "../../../src/gguf/gguf-file.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { GgufValueType } from "../../../src/gguf/value.js";
import { serializeGguf } from "../../../src/gguf/writer.js";

const TQ2_PATH = fileURLToPath(new URL("../../../golden/external/llama/tiny-tq2_0.gguf", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "trilm-gguf-file-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The InputError `run` raises (failing the test if it raises something else or nothing). */
function inputError(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw new Error(`expected an InputError, got ${String(error)}`);
  }
  throw new Error("expected an InputError, got none");
}

const small = GgufFile.create(
  "small.gguf",
  [{ key: "general.name", value: { type: GgufValueType.STRING, value: "small" } }],
  [],
);

describe("readGgufFile", () => {
  test("reads and parses a file, naming it by its path", () => {
    const file = readGgufFile(TQ2_PATH);
    expect(file.name).toBe(TQ2_PATH);
    expect(file.tensors).toHaveLength(21);
    expect(serializeGguf(file)).toEqual(new Uint8Array(readFileSync(TQ2_PATH)));
  });

  test("a missing file", () => {
    const path = join(scratch, "missing.gguf");
    const error = inputError(() => readGgufFile(path));
    expect(error.file).toBe(path);
    expect(error.problem).toBe("no such file or directory");
  });

  test("a directory and an empty file", () => {
    expect(inputError(() => readGgufFile(scratch)).problem).toBe("is a directory");
    const empty = join(scratch, "empty.gguf");
    writeFileSync(empty, "");
    expect(inputError(() => readGgufFile(empty)).problem).toBe("file is empty");
  });

  test("a file that is not GGUF names the path", () => {
    const path = join(scratch, "text.gguf");
    writeFileSync(path, "hello, world");
    const error = inputError(() => readGgufFile(path));
    expect(error.message).toBe(`${path}: not a GGUF file: it starts with 'hell' (68 65 6c 6c), not 'GGUF'`);
  });
});

describe("writeGgufFile", () => {
  test("writes the serialized bytes, replacing an existing file, and leaves no temporary file", () => {
    const dir = join(scratch, "out");
    mkdirSync(dir);
    const path = join(dir, "model.gguf");
    writeFileSync(path, "old content");
    writeGgufFile(path, small);
    expect(new Uint8Array(readFileSync(path))).toEqual(serializeGguf(small));
    expect(parseGguf(new Uint8Array(readFileSync(path)), path).getString("general.name")).toBe("small");
    expect(readdirSync(dir)).toEqual(["model.gguf"]);
  });

  test("a missing directory: InputError naming the output path, nothing written", () => {
    const path = join(scratch, "no-such-dir", "model.gguf");
    const error = inputError(() => writeGgufFile(path, small));
    expect(error.file).toBe(path);
    expect(error.problem).toBe("cannot write the file: no such file or directory");
  });

  test("a path that is a directory: InputError, the directory untouched, no temporary file", () => {
    const dir = join(scratch, "target-is-dir");
    mkdirSync(join(dir, "model.gguf"), { recursive: true });
    const error = inputError(() => writeGgufFile(join(dir, "model.gguf"), small));
    expect(error.problem).toMatch(/^cannot write the file: /);
    expect(readdirSync(dir)).toEqual(["model.gguf"]);
    expect(readdirSync(join(dir, "model.gguf"))).toEqual([]);
  });
});
