/**
 * The I2_S matmul reference (spec/tolerances.md §12.1): on k % QK = 0 it is merge-dev's mul_mat (i2sMatVec with the
 * exact kernel of the layout) bit for bit, every layout gives the same y for the same codes, and on k % QK ≠ 0 it
 * reads rows that straddle blocks through the tensor's element map (not the per-row whole-block reading).
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { packI2s, type I2sLayout } from "../../../reference/codec/i2_s.js";
import { i2sMatVec } from "../../../reference/codec/i2_s-dot.js";
import { i2sMatmul } from "../../../reference/codec/i2_s-matmul.js";
import { quantizeRowI8s } from "../../../reference/codec/i8_s.js";
import { checkProperty } from "../../support/property.js";

/** Codes 0..2 and activations from a seed. */
function draw(n: number, k: number, m: number, seed: number): { codes: Uint8Array; x: Float32Array[] } {
  let s = seed >>> 0;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  const codes = Uint8Array.from({ length: n * k }, () => Math.floor(next() * 3));
  const x = Array.from({ length: m }, () => Float32Array.from({ length: k }, () => (next() * 2 - 1) * 3));
  return { codes, x };
}

describe("i2sMatmul", () => {
  test("equals i2sMatVec with the exact kernel of the layout when k % QK = 0, bit for bit (property)", () => {
    checkProperty(
      "i2sMatmul = i2sMatVec(exact)",
      fc.property(
        fc.constantFrom<I2sLayout>("x86", "arm"),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (layout, n, blocks, seed) => {
          const k = 128 * blocks;
          const { codes, x } = draw(n, k, 2, seed);
          const bytes = packI2s(layout, { rows: n, cols: k }, codes, 0.37);
          const acts = x.map(quantizeRowI8s);
          const result = i2sMatmul(layout, { rows: n, cols: k }, bytes, acts);
          acts.forEach((act, i) => {
            const kernel = layout === "x86" ? "exact-x86" : "exact-arm";
            expect(Array.from(result.y.subarray(i * n, (i + 1) * n))).toEqual(
              Array.from(i2sMatVec(kernel, n, k, bytes, act).y),
            );
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  test("the same codes give the same y and sums in all three layouts", () => {
    const [n, k] = [8, 256];
    const { codes, x } = draw(n, k, 3, 7);
    const acts = x.map(quantizeRowI8s);
    const results = (["x86", "arm", "1x4"] as const).map((layout) =>
      i2sMatmul(layout, { rows: n, cols: k }, packI2s(layout, { rows: n, cols: k }, codes, 1.25), acts),
    );
    for (const r of results.slice(1)) {
      expect(r.y).toEqual(results[0].y);
      expect(r.centered).toEqual(results[0].centered);
    }
    expect(results[0].weightScale).toBe(1.25);
  });

  test("centered is Σ t·q exactly; a row straddling blocks (k 160) is read through the element map", () => {
    const [n, k] = [4, 160];
    const codes = new Uint8Array(n * k).fill(1);
    codes[1 * k + 150] = 2; // row 1, col 150: element 310, in block 2 of the tensor
    const x = Float32Array.from({ length: k }, (_, c) => (c === 150 ? 127 : c === 0 ? -127 : 1));
    const act = quantizeRowI8s(x);
    const result = i2sMatmul("x86", { rows: n, cols: k }, packI2s("x86", { rows: n, cols: k }, codes, 2), [act]);
    expect(Array.from(result.centered)).toEqual([0, 127, 0, 0]);
    expect(result.y[1]).toBe(Math.fround(Math.fround(127 / act.scale) * 2));
    // merge-dev's per-row reading skips the tail of k % 128 and reads row 1 from byte 40: another answer
    expect(i2sMatVec("exact-x86", n, k, packI2s("x86", { rows: n, cols: k }, codes, 2), act).y[1]).not.toBe(
      result.y[1],
    );
  });

  test("refuses a shape the layout does not fully store and a short activation row", () => {
    expect(() => i2sMatmul("x86", { rows: 1, cols: 100 }, new Uint8Array(25 + 32), [])).toThrow(
      /only 0 of 100 weights/,
    );
    const bytes = packI2s("x86", { rows: 1, cols: 128 }, new Uint8Array(128), 1);
    expect(() => i2sMatmul("x86", { rows: 1, cols: 128 }, bytes, [quantizeRowI8s(new Float32Array(64))])).toThrow(
      /64 values, k = 128/,
    );
  });
});
