/** Benchmark models: built in memory, or read from --model-dir, which the bench fills with the generator's file when it lacks one. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { benchModelPath, loadBenchModel } from "../../../src/bench/model-source.js";
import { serializeGguf } from "../../../src/gguf/writer.js";
import { randomTrilm } from "../../../src/model/random-model.js";

const dir = mkdtempSync(join(tmpdir(), "trilm-bench-models-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadBenchModel", () => {
  test("names the file by preset", () => {
    expect(benchModelPath("/tmp/models", "3.9b")).toBe(join("/tmp/models", "trilm-3.9b-tq2_0.gguf"));
  });

  test("without a folder, builds the seed-1 TQ2_0 model in memory", () => {
    const { model, source } = loadBenchModel("tiny", undefined, () => 0);
    expect(source).toBe("built in memory in 0.0 s");
    expect(model.config.dim).toBe(256);
  });

  test("with a folder, writes the generator's file once (the bytes randomTrilm gives), then reads it", () => {
    const first = loadBenchModel("tiny", dir, () => 0);
    const path = benchModelPath(dir, "tiny");
    expect(first.source).toBe(
      `made (as trilm make-model --preset tiny --seed 1) in 0.0 s, then read from ${path} (0.0 s in all)`,
    );
    expect(new Uint8Array(readFileSync(path))).toEqual(serializeGguf(randomTrilm("tiny", 1, "tq2_0")));
    const again = loadBenchModel("tiny", dir, () => 0);
    expect(again.source).toBe(`read from ${path} (0.0 s in all)`);
    expect(again.model.weights.layers[0].wq.data).toEqual(first.model.weights.layers[0].wq.data);
  });
});
