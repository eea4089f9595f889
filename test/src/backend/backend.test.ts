/** The Backend.attention contract check shared by every backend (src/backend/backend.ts). */
import { describe, expect, test } from "vitest";
import { attentionKeyCount } from "../../../src/backend/backend.js";

const shape = { nHeads: 4, nKvHeads: 2, headDim: 8 }; // q rows of 32, key rows of 16

describe("attentionKeyCount", () => {
  test("returns T, the number of cached positions", () => {
    expect(
      attentionKeyCount(
        "x",
        new Float32Array(2 * 32),
        new Float32Array(5 * 16),
        new Float32Array(5 * 16),
        [3, 4],
        shape,
      ),
    ).toBe(5);
  });
  test("refuses keys that are not whole rows, or values of another length", () => {
    expect(() =>
      attentionKeyCount("gpujs", new Float32Array(32), new Float32Array(17), new Float32Array(17), [0], shape),
    ).toThrow(/^gpujs attention: keys and values must both hold T rows/);
    expect(() =>
      attentionKeyCount("gpujs", new Float32Array(32), new Float32Array(16), new Float32Array(32), [0], shape),
    ).toThrow(RangeError);
  });
  test("refuses q that is not one row per position", () => {
    expect(() =>
      attentionKeyCount("tfjs-wasm", new Float32Array(33), new Float32Array(16), new Float32Array(16), [0], shape),
    ).toThrow("tfjs-wasm attention: q has 33 values, expected 1·4·8");
  });
  test("refuses a position without a cached key", () => {
    expect(() =>
      attentionKeyCount("reference", new Float32Array(32), new Float32Array(32), new Float32Array(32), [2], shape),
    ).toThrow("reference attention: position 2 has no cached key (T = 2)");
    expect(() =>
      attentionKeyCount("reference", new Float32Array(32), new Float32Array(32), new Float32Array(32), [-1], shape),
    ).toThrow(RangeError);
  });
});
