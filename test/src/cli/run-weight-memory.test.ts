/**
 * `trilm run --backend packed-wasm` reads the model file straight into the engine's memory (spec/performance.md §4):
 * the logits are the reference backend's bits in ggml-matmul mode, and a file that does not fit the 4 GiB address
 * space (less what the engine keeps) or a truncated one is a one-line refusal naming the file.
 */

import { closeSync, openSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseNpy } from "../../../src/io/npy.js";
import { expectRefused, repoFile, trilm, useTempDir } from "./harness.js";

const temp = useTempDir();
const TINY = repoFile("golden/models/trilm-tiny-tq2_0.gguf");

/** A sparse file of `size` bytes (it takes no disk space): the GGUF magic, then zeros. */
function sparseFile(path: string, size: number): string {
  writeFileSync(path, "GGUF");
  closeSync(openSync(path, "r+"));
  truncateSync(path, size);
  return path;
}

describe("trilm run --backend packed-wasm reads the model into the engine's memory", () => {
  it("gives the reference backend's logits bit for bit (ggml-matmul)", async () => {
    const logits = (backend: string) => temp(`${backend}.npy`);
    for (const backend of ["packed-wasm", "reference"]) {
      const result = await trilm(
        "run",
        TINY,
        "--backend",
        backend,
        "--activations",
        "ggml-matmul",
        "--tokens",
        "1,17,300",
        "--generate",
        "2",
        "--logits",
        logits(backend),
      );
      expect(result.code).toBe(0);
    }
    const [engine, reference] = ["packed-wasm", "reference"].map((b) => parseNpy(readFileSync(logits(b)), b));
    expect(engine.shape).toEqual([5, 512]);
    expect(Buffer.from(engine.data.buffer).equals(Buffer.from(reference.data.buffer))).toBe(true);
  });

  it("refuses a file larger than the engine's memory can take, naming it and the limit, before reading it", async () => {
    const size = 5 * 2 ** 30;
    const path = sparseFile(temp("huge.gguf"), size);
    expectRefused(
      await trilm("run", path, "--backend", "packed-wasm", "--activations", "ggml-matmul", "--tokens", "1"),
      path,
      new RegExp(
        `^trilm: .*: file is ${size} bytes, more than the \\d+ bytes the packed-wasm engine's WebAssembly memory`,
      ),
    );
  });

  it("refuses a truncated model file, naming it", async () => {
    const path = temp("truncated.gguf");
    writeFileSync(path, readFileSync(TINY).subarray(0, 500_000));
    expectRefused(
      await trilm("run", path, "--backend", "packed-wasm", "--activations", "ggml-matmul", "--tokens", "1"),
      path,
      "tensor 'token_embd.weight' data (262144 bytes from file offset 276064) runs past the end of the file at 500000",
    );
  });
});
