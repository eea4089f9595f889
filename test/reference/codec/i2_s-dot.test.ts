/**
 * The I2_S · I8_S dot product (spec/bitnet.md §3.2–§3.4): the exact kernels, the AVX2 and NEON int16 lane emulations —
 * which must equal the exact sum exactly when no lane wrapped, and flag every lane that did — and the float order of
 * merge-dev's scaling. The values bitnet.cpp's own kernels returned are checked in i2_s-external.test.ts.
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  I2S_DOT_KERNEL_LAYOUT,
  I2S_DOT_KERNELS,
  i2sDotOutput,
  i2sDotRowSum,
  i2sMatVec,
  maddubsLane,
} from "../../../reference/codec/i2_s-dot.js";
import { packI2s, type I2sLayout } from "../../../reference/codec/i2_s.js";
import { quantizeRowI8s } from "../../../reference/codec/i8_s.js";
import { checkProperty } from "../../support/property.js";

/** One row of k weights, every code `code`, packed for `layout`. */
function constantRow(layout: I2sLayout, k: number, code: number): Uint8Array {
  return packI2s(layout, { rows: 1, cols: k }, new Uint8Array(k).fill(code), 1);
}

describe("the int16 lanes", () => {
  test("_mm256_maddubs_epi16 saturates a lane pair to int16", () => {
    expect(maddubsLane(255, 127, 255, 127)).toBe(32767);
    expect(maddubsLane(255, -128, 255, -128)).toBe(-32768);
    expect(maddubsLane(2, -128, 3, 127)).toBe(125);
  });

  test.each([
    ["avx2-1x1", 2048, false],
    ["avx2-1x1", 2176, true],
    ["neon-1x1", 1024, false],
    ["neon-1x1", 1088, true],
  ] as const)(
    "%s, all weights +1, q = 127, k = %i: wraps = %s (8 products of 254 a lane a block)",
    (kernel, k, wraps) => {
      const dot = i2sDotRowSum(kernel, constantRow(I2S_DOT_KERNEL_LAYOUT[kernel], k, 2), new Int8Array(k).fill(127), k);
      expect(dot.exactSum).toBe(254 * k);
      expect(dot.sum !== dot.exactSum).toBe(wraps);
      expect(dot.eventCount > 0).toBe(wraps);
      if (wraps) expect(dot.events[0]).toMatchObject({ kind: "wrap", block: 16, lane: 0 });
    },
  );

  test("the worst case at k = 4096: AVX2 lanes reach 128·508 = 65024 and return −8192 for 1040384", () => {
    const dot = i2sDotRowSum("avx2-1x1", constantRow("x86", 4096, 2), new Int8Array(4096).fill(127), 4096);
    expect([dot.sum, dot.exactSum]).toEqual([-8192, 1040384]);
    expect(dot.eventCount).toBe(16); // each of the 16 lanes wraps once
    // Lane 15 held 16 blocks · 8 · 254 = 32512; block 16's first add (+1016) wraps it.
    expect(dot.events[15]).toEqual({ kind: "wrap", block: 16, lane: 15, exact: 33528, stored: 33528 - 65536 });
  });

  test("with no wrap, every kernel equals the exact sum; a reported wrap is the only way they differ", () => {
    checkProperty(
      "i2_s dot kernels agree with the exact sum unless a lane event is reported",
      fc.property(
        fc.constantFrom(...I2S_DOT_KERNELS),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.boolean(),
        (kernel, blocks, seed, saturated) => {
          const k = 64 * blocks;
          const codes = Uint8Array.from({ length: k }, (_, j) => ((seed >>> (j % 31)) + j) % 3);
          const q = Int8Array.from({ length: k }, (_, j) =>
            saturated ? 127 : ((seed ^ (j * 2654435761)) % 256) - 128,
          );
          const layout = I2S_DOT_KERNEL_LAYOUT[kernel];
          const dot = i2sDotRowSum(kernel, packI2s(layout, { rows: 1, cols: k }, codes, 1), q, k);
          const blockSize = layout === "x86" ? 128 : 64;
          let exact = 0;
          for (let j = 0; j < Math.floor(k / blockSize) * blockSize; j++) exact += codes[j] * q[j];
          expect(dot.exactSum).toBe(exact);
          if (dot.eventCount === 0) expect(dot.sum).toBe(exact);
          if (dot.sum !== exact) expect(dot.eventCount).toBeGreaterThan(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  test("lane events are capped but counted", () => {
    const dot = i2sDotRowSum("neon-1x1", constantRow("arm", 8192, 2), new Int8Array(8192).fill(127), 8192, 3);
    expect(dot.events).toHaveLength(3);
    expect(dot.eventCount).toBeGreaterThan(3);
  });
});

describe("the output", () => {
  test("y = f32(f32(f32(sum − actSum) / actScale) · wScale), in that order", () => {
    // sum − actSum = 2^24 + 1 is not a float32: C rounds it before dividing.
    expect(i2sDotOutput(16777217, 0, 1, 1)).toBe(16777216);
    const w = Math.fround(0.1);
    expect(i2sDotOutput(8, 7, 7, w)).toBe(Math.fround(Math.fround(1 / 7) * w));
    expect(i2sDotOutput(8, 7, 7, w)).not.toBe(Math.fround(Math.fround(1 * w) / 7));
  });

  test("i2sMatVec: the centered sum is Σ t·q, scaled by w / act_scale", () => {
    const k = 256;
    const codes = Uint8Array.from({ length: 2 * k }, (_, e) => e % 3);
    const bytes = packI2s("x86", { rows: 2, cols: k }, codes, 0.5);
    const act = quantizeRowI8s(Float32Array.from({ length: k }, (_, j) => Math.sin(j)));
    const { y, rows } = i2sMatVec("avx2-1x1", 2, k, bytes, act);
    for (let r = 0; r < 2; r++) {
      let centered = 0;
      for (let j = 0; j < k; j++) centered += (codes[r * k + j] - 1) * act.q[j];
      expect(rows[r].sum - act.sum).toBe(centered);
      expect(y[r]).toBe(Math.fround(Math.fround(centered / act.scale) * 0.5));
    }
  });
});
