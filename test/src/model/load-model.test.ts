/** loadModel: GGUF files through readGgufFile + modelFromGguf, with one-line InputErrors naming the path; the embedded model's path. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { findPreset } from "../../../reference/model/presets.js";
import { InputError } from "../../../src/errors.js";
import { writeGgufFile } from "../../../src/gguf/file.js";
import { GgufFile, GgufValueType } from "../../../src/gguf/index.js";
import { EMBEDDED_MODEL_FILE, embeddedModelPath } from "../../../src/model/embedded.js";
import { loadModel, MODEL_LOADERS } from "../../../src/model/load-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";
import { LOSSLESS, makeFixture, writeHfFolder } from "./hf-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "trilm-load-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `error` thrown by `f`, which must be an InputError naming `file`. */
function inputErrorOf(f: () => unknown, file: string): InputError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).file).toBe(file);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("loadModel", () => {
  test("the embedded model: the tiny preset, named, kept packed", () => {
    const model = loadModel(embeddedModelPath());
    expect(model.kind).toBe("gguf");
    expect(model.modelName).toBe("TriLM-tiny-random-seed1");
    expect(model.config).toEqual(findPreset("tiny")!.config);
    expect(model.weights.layers).toHaveLength(2);
    expect(model.path).toBe(embeddedModelPath());
  });

  test("llama.cpp's tiny model (no general.name)", () => {
    const path = new URL("../../../golden/external/llama/tiny-f32.gguf", import.meta.url).pathname;
    const model = loadModel(path);
    expect(model.modelName).toBeUndefined();
    expect(model.config.vocabSize).toBe(512);
  });

  test("a missing file, a directory, garbage", () => {
    expect(inputErrorOf(() => loadModel(join(dir, "nope.gguf")), join(dir, "nope.gguf")).problem).toBe(
      "no such file or directory",
    );
    mkdirSync(join(dir, "folder"));
    expect(inputErrorOf(() => loadModel(join(dir, "folder")), join(dir, "folder", "config.json")).problem).toBe(
      "no such file or directory",
    );
    writeFileSync(join(dir, "garbage.gguf"), "hello, not a model");
    expect(inputErrorOf(() => loadModel(join(dir, "garbage.gguf")), join(dir, "garbage.gguf")).problem).toMatch(
      /not a GGUF file/,
    );
  });

  test("another architecture is refused by modelFromGguf, naming the file", () => {
    const tiny = randomTrilm("tiny", 1, "tq2_0");
    const metadata = tiny.metadata.map((kv) =>
      kv.key === "general.architecture"
        ? { key: kv.key, value: { type: GgufValueType.STRING as const, value: "gpt2" } }
        : kv,
    );
    const path = join(dir, "gpt2.gguf");
    writeGgufFile(path, GgufFile.create(path, metadata, tiny.tensors));
    expect(inputErrorOf(() => loadModel(path), path).problem).toMatch(/unsupported architecture 'gpt2'/);
  });

  test("a Hugging Face folder loads through hf-folder.ts", () => {
    const folder = writeHfFolder(join(dir, "hf"), makeFixture(LOSSLESS));
    const model = loadModel(folder);
    expect(model.kind).toBe("hf");
    expect(model.config.ropeStyle).toBe("rotate-half");
    expect(model.config.dim).toBe(LOSSLESS.dim);
  });

  test("the loaders: Hugging Face folders first, then GGUF files", () => {
    expect(MODEL_LOADERS.map((loader) => loader.kind)).toEqual(["hf", "gguf"]);
  });
});

describe("embeddedModelPath", () => {
  test("finds golden/models/trilm-tiny-tq2_0.gguf from the sources", () => {
    expect(embeddedModelPath().endsWith(join("golden", "models", EMBEDDED_MODEL_FILE))).toBe(true);
  });
});
