/**
 * reference/ggml-x86/q4_0-repack.ts: the per-block FMA order of llama.cpp's repacked Q4_0 kernels
 * (bit identity with llama.cpp itself: test/src/model/llama-repack-agreement.test.ts).
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { dequantizeRowQ4_0, dequantizeRowQ8_0, quantizeRowQ4_0 } from "../../../reference/codec/index.js";
import {
  isRepackedQ4_0,
  quantizeRowQ8_0Avx2,
  repackedDotQ4_0Q8_0,
  vecDotQ4_0Q8_0Avx2,
} from "../../../reference/ggml-x86/index.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import { checkProperty } from "../../support/property.js";

/** One Q4_0 block with fp16 scale `dBits` and every level `level` (0..15). */
function q4_0Block(dBits: number, level: number): Uint8Array {
  const block = new Uint8Array(18).fill(level | (level << 4));
  block[0] = dBits & 0xff;
  block[1] = dBits >> 8;
  return block;
}

/** One Q8_0 block with fp16 scale `dBits` and every value `q`. */
function q8_0Block(dBits: number, q: number): Uint8Array {
  const block = new Uint8Array(34).fill(q & 0xff);
  block[0] = dBits & 0xff;
  block[1] = dBits >> 8;
  return block;
}

test("llama.cpp repacks a Q4_0 matrix whose row count is a multiple of 8", () => {
  expect([8, 256, 264].map(isRepackedQ4_0)).toEqual([true, true, true]);
  expect([262, 4, 1].map(isRepackedQ4_0)).toEqual([false, false, false]);
});

test("one block: float(Σ (q − 8)·y) · f32(d_w · d_y)", () => {
  // d_w = 0.5 (0x3800), levels 11 → +3; d_y = 0.25 (0x3400), y = −5: 32 · 3 · (−5) · 0.125 = −60
  expect(repackedDotQ4_0Q8_0(q4_0Block(0x3800, 11), q8_0Block(0x3400, -5))).toBe(-60);
});

test("blocks are added one FMA at a time, in block order, from +0", () => {
  // every level 9 (→ +1); one nonzero activation per block. Block 0: 64 · 512 · 512 = 2^24; blocks 1, 2: 1 · 1 · 1.
  // In order: 2^24 + 1 rounds to 2^24 (ties to even), twice. Blocks 1 and 2 first, or an exact sum: 2^24 + 2.
  const [w512, w1] = [q4_0Block(0x6000, 9), q4_0Block(0x3c00, 9)];
  const [a512, a1] = [q8_0Block(0x6000, 0), q8_0Block(0x3c00, 0)];
  a512[2] = 64;
  a1[2] = 1;
  const w = new Uint8Array([...w512, ...w1, ...w1]);
  const a = new Uint8Array([...a512, ...a1, ...a1]);
  expect(repackedDotQ4_0Q8_0(w, a)).toBe(2 ** 24);
  const reversed = repackedDotQ4_0Q8_0(
    new Uint8Array([...w1, ...w1, ...w512]),
    new Uint8Array([...a1, ...a1, ...a512]),
  );
  expect(reversed).toBe(2 ** 24 + 2);
});

/** Uniform floats in [−4, 4) from `random`: Float32Array[n]. */
function uniformRow(random: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => 8 * random() - 4);
}

test("it stays near the exact sum (error ≤ 2^-19 · Σ|w·y|)", () => {
  checkProperty(
    "repacked Q4_0 dot ≈ exact dot",
    fc.property(
      fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 256, maxLength: 256 }),
      fc.array(fc.float({ min: -4, max: 4, noNaN: true }), { minLength: 256, maxLength: 256 }),
      (ws, xs) => {
        const w = quantizeRowQ4_0(Float32Array.from(ws));
        const a = quantizeRowQ8_0Avx2(Float32Array.from(xs));
        const wv = dequantizeRowQ4_0(w);
        const av = dequantizeRowQ8_0(a);
        let exact = 0;
        let magnitude = 0;
        for (let i = 0; i < 256; i++) {
          exact += wv[i] * av[i];
          magnitude += Math.abs(wv[i] * av[i]);
        }
        expect(Math.abs(repackedDotQ4_0Q8_0(w, a) - exact)).toBeLessThanOrEqual(magnitude * 2 ** -19);
      },
    ),
    { numRuns: 200 },
  );
});

test("it differs from ggml_vec_dot_q4_0_q8_0's eight-lane order on some rows (fixed seed)", () => {
  const random = mulberry32(7);
  let differing = 0;
  for (let row = 0; row < 50; row++) {
    const w = quantizeRowQ4_0(uniformRow(random, 256));
    const a = quantizeRowQ8_0Avx2(uniformRow(random, 256));
    if (!Object.is(repackedDotQ4_0Q8_0(w, a), vecDotQ4_0Q8_0Avx2(w, a))) differing++;
  }
  expect(differing).toBeGreaterThan(0);
});

test("a weight row and an activation row of different block counts is a RangeError", () => {
  expect(() => repackedDotQ4_0Q8_0(new Uint8Array(36), new Uint8Array(34))).toThrow(RangeError);
});
