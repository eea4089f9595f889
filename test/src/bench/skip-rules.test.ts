/** Which model benchmark cases run: tfjs-wasm cannot hold a float32 copy over 4 GiB; the default run's limits yield to a named selection. */
import { describe, expect, test } from "vitest";
import {
  DEFAULT_FLOAT32_LIMIT_BYTES,
  float32Bytes,
  matrixElements,
  modelSkipReason,
  presetSkipReason,
  WASM32_BYTES,
} from "../../../src/bench/skip-rules.js";

describe("float32 sizes", () => {
  test("count the seven linears of every layer and the head", () => {
    // tiny: dim 256, hidden 768, 2 layers, 4 heads and 2 KV heads of 64, vocabulary 512
    expect(matrixElements("tiny")).toBe(2 * (2 * 256 * 256 + 2 * 256 * 128 + 3 * 256 * 768) + 512 * 256);
    // 3.9b: 30 layers of 4·3072² + 3·3072·9216, head 50688·3072
    expect(matrixElements("3.9b")).toBe(30 * (4 * 3072 * 3072 + 3 * 3072 * 9216) + 50688 * 3072);
    expect(float32Bytes("3.9b")).toBe(4 * matrixElements("3.9b"));
  });

  test("place the presets around the limits as the rules assume", () => {
    expect(float32Bytes("99m")).toBeLessThan(DEFAULT_FLOAT32_LIMIT_BYTES);
    expect(float32Bytes("1.1b")).toBeGreaterThan(DEFAULT_FLOAT32_LIMIT_BYTES);
    expect(float32Bytes("1.1b")).toBeLessThan(WASM32_BYTES);
    expect(float32Bytes("3.9b")).toBeGreaterThan(WASM32_BYTES);
  });
});

describe("modelSkipReason", () => {
  test("tfjs-wasm never runs 3.9b: its float32 copy exceeds wasm32's 4 GiB", () => {
    const reason = "tfjs-wasm expands to float32, 15.3 GB > 4 GiB (wasm32 memory)";
    expect(modelSkipReason("tfjs-wasm", "3.9b", false)).toBe(reason);
    expect(modelSkipReason("tfjs-wasm", "3.9b", true)).toBe(reason);
  });

  test("float32 copies over 2 GiB and gpujs at 3.9b are skipped by default, run when the backends are named", () => {
    expect(modelSkipReason("tfjs-cpu", "1.1b", false)).toBe(
      "tfjs-cpu expands to float32, 4.2 GB > 2 GiB, the default run's limit (ask with --backends tfjs-cpu)",
    );
    expect(modelSkipReason("tfjs-wasm", "1.1b", false)).toMatch(/^tfjs-wasm expands to float32, 4.2 GB > 2 GiB/);
    expect(modelSkipReason("gpujs", "3.9b", false)).toMatch(/^gpujs at 3.9b takes seconds a token/);
    expect(modelSkipReason("tfjs-cpu", "1.1b", true)).toBeUndefined();
    expect(modelSkipReason("tfjs-wasm", "1.1b", true)).toBeUndefined();
    expect(modelSkipReason("gpujs", "3.9b", true)).toBeUndefined();
  });

  test("the packed engine and the reference run every preset; tfjs and gpujs run the small ones", () => {
    for (const preset of ["tiny", "99m", "1.1b", "3.9b"] as const) {
      expect(modelSkipReason("reference", preset, false)).toBeUndefined();
      expect(modelSkipReason("packed-wasm", preset, false)).toBeUndefined();
    }
    for (const backend of ["tfjs-cpu", "tfjs-wasm", "gpujs"]) {
      expect(modelSkipReason(backend, "99m", false)).toBeUndefined();
    }
    expect(modelSkipReason("gpujs", "1.1b", false)).toBeUndefined();
  });
});

describe("presetSkipReason", () => {
  test("a default run without --model-dir skips 1.1b and 3.9b, saying how to run them", () => {
    expect(presetSkipReason("3.9b", false, false)).toBe(
      "building 3.9b in memory takes minutes; give --model-dir DIR (trilm-3.9b-tq2_0.gguf is read there, " +
        "or written first) or name it with --presets 3.9b",
    );
    expect(presetSkipReason("1.1b", false, false)).toMatch(/^building 1.1b in memory takes minutes/);
    expect(presetSkipReason("99m", false, false)).toBeUndefined();
    expect(presetSkipReason("tiny", false, false)).toBeUndefined();
  });

  test("a model folder or a named preset runs it", () => {
    expect(presetSkipReason("3.9b", true, false)).toBeUndefined();
    expect(presetSkipReason("3.9b", false, true)).toBeUndefined();
  });
});
