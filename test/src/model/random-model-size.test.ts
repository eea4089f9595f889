/** The make-model file sizes, computed without generating the file: equal to the laid-out and the written file. */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { findPreset } from "../../../reference/model/presets.js";
import { planRandomTrilm, RANDOM_MODEL_TYPES } from "../../../src/model/random-model.js";
import { randomTrilmFileSizes } from "../../../src/model/random-model-size.js";
import { planLayout, writePlannedGguf } from "../../../src/model/stream-gguf.js";

describe("randomTrilmFileSizes", () => {
  const tiny = findPreset("tiny")!;

  test("each type's size is the byte length of the laid-out file, seed 0", () => {
    const sizes = randomTrilmFileSizes(tiny);
    expect([...sizes.keys()]).toEqual(RANDOM_MODEL_TYPES);
    for (const type of RANDOM_MODEL_TYPES)
      expect(sizes.get(type)).toBe(planLayout(planRandomTrilm(tiny, 0, type), tiny.name).byteLength);
  });

  test("and of the file make-model writes", () => {
    const dir = mkdtempSync(join(tmpdir(), "trilm-size-"));
    try {
      const path = join(dir, "tiny.gguf");
      writePlannedGguf(path, planRandomTrilm(tiny, 0, "tq1_0"));
      expect(statSync(path).size).toBe(randomTrilmFileSizes(tiny).get("tq1_0"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
