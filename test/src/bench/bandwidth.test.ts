/** The decode bound: bytes a token reads (packed matrices + one embedding row) over a bandwidth; the copy timing with a fake clock. */
import { describe, expect, test } from "vitest";
import { boundMs, bytesPerToken, COPY_BYTES, measureCopyGbs } from "../../../src/bench/bandwidth.js";
import { modelFromGguf } from "../../../src/model/gguf-model.js";
import { randomTrilm } from "../../../src/model/random-model.js";

describe("bytesPerToken", () => {
  test("tiny TQ2_0: 66 bytes per 256 weights of the linears, the F16 head, one F16 embedding row", () => {
    const { weights } = modelFromGguf(randomTrilm("tiny", 1, "tq2_0"));
    // per layer: q, o 256×256; k, v 128×256; gate, up 768×256; down 256×768 — in 256-weight blocks of 66 bytes
    const layer = ((2 * 256 * 256 + 2 * 128 * 256 + 3 * 768 * 256) / 256) * 66;
    expect(bytesPerToken(weights)).toBe(2 * layer + 512 * 256 * 2 + 256 * 2);
  });
});

describe("boundMs", () => {
  test("is bytes ÷ bandwidth in milliseconds", () => {
    expect(boundMs(20e9, 20)).toBe(1000);
    expect(boundMs(3e6, 10)).toBeCloseTo(0.3, 12);
  });
});

describe("measureCopyGbs", () => {
  test("is the copied bytes over the median copy time", () => {
    const readings = [0, 10, 100, 130, 200, 210]; // copies of 10, 30 and 10 ms
    const gbs = measureCopyGbs(() => readings.shift() ?? Number.NaN, 3);
    expect(readings).toEqual([]);
    expect(gbs).toBeCloseTo(COPY_BYTES / 0.01 / 1e9, 6);
  });
});
