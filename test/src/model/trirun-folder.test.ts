/**
 * TriRun folders on disk: a model folder is written only into a folder (created with its parents), and a
 * weight's .npy folder reads back to the same packed weight; problems name the path.
 */

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packTrirun } from "../../../reference/codec/trirun.js";
import { convertGgufToTrirun } from "../../../src/model/convert-trirun.js";
import { findPreset } from "../../../reference/model/presets.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { readTrirunNpyFolder, writeTrirunFolder, writeTrirunNpyFolder } from "../../../src/model/trirun-folder.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trirun-folder-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("TriRun folders", () => {
  it("writes model.safetensors and trirun.json into a new nested folder; refuses a file in its place", () => {
    const tiny = findPreset("tiny");
    if (tiny === undefined) throw new Error("no tiny preset");
    const preset = { ...tiny, config: { ...tiny.config, nKvHeads: tiny.config.nHeads, nLayers: 1 } };
    const conversion = convertGgufToTrirun(randomTrilm(preset, 1, "tq2_0"), 128);
    const out = join(dir, "a", "b");
    writeTrirunFolder(out, conversion);
    expect([existsSync(join(out, "model.safetensors")), existsSync(join(out, "trirun.json"))]).toEqual([true, true]);
    writeFileSync(join(dir, "file"), "x");
    expect(() => writeTrirunFolder(join(dir, "file"), conversion)).toThrow(
      `${join(dir, "file")}: is a file; the TriRun output is a folder (model.safetensors and trirun.json)`,
    );
  });

  it("a weight's .npy folder reads back to the same packed weight; a missing file is named", () => {
    const codes = Uint8Array.from({ length: 256 * 256 }, (_, i) => (i * 5) % 3);
    const scales = Uint16Array.from({ length: 2 * 256 }, (_, i) => 0x3800 + (i % 11));
    const weight = packTrirun({ k: 256, n: 256, groupSize: 128, codes, scales });
    writeTrirunNpyFolder(join(dir, "w"), weight);
    expect(readTrirunNpyFolder(join(dir, "w"))).toEqual(weight);
    rmSync(join(dir, "w", "s.npy"));
    expect(() => readTrirunNpyFolder(join(dir, "w"))).toThrow(`${join(dir, "w", "s.npy")}: `);
  });
});
