/**
 * The cases `trilm check --format i2_s` runs and `trilm fuzz --format i2_s` draws (spec/kernel-protocol.md §12.5):
 * fixed designed cases for one layout — one weight at every layout corner, the I8_S edges, the int16 hazard of
 * bitnet.cpp's AVX2 and NEON kernels, batches of 1, 3 and 4 rows, a k % QK ≠ 0 tail — and random cases from a seed.
 */

import { i2sBlockElements, type I2sLayout } from "../../reference/codec/i2_s.js";
import type { I2sKernelCase } from "./i2s-case.js";
import { trirunCaseRng } from "./trirun-cases.js";

/** A seeded stream of uniform numbers in [0, 1) (mulberry32, as the TriRun cases use). */
export const i2sCaseRng = trirunCaseRng;

/** A case of the given shape, codes (0, 1, 2) and activations from functions. */
export function i2sCaseOf(
  label: string,
  shape: { readonly layout: I2sLayout; readonly n: number; readonly k: number; readonly m: number },
  code: (row: number, col: number) => number,
  scale: number,
  x: (row: number, col: number) => number,
): I2sKernelCase {
  const { n, k, m } = shape;
  const codes = new Uint8Array(n * k);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) codes[r * k + c] = code(r, c);
  const xs = new Float32Array(m * k);
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) xs[i * k + c] = x(i, c);
  return { ...shape, codes, scale: Math.fround(scale), x: xs, label };
}

/** A random case: codes −1, 0, +1 (`density` non-zero), α in [2^-8, 4), x of mixed signs and magnitudes per row. */
export function randomI2sCase(
  label: string,
  shape: { readonly layout: I2sLayout; readonly n: number; readonly k: number; readonly m: number },
  seed: number,
  density = 0.6,
): I2sKernelCase {
  const random = i2sCaseRng(seed);
  const scale = 2 ** (Math.floor(random() * 10) - 8) * (1 + random());
  const magnitudes = Array.from({ length: shape.m }, () => 2 ** (Math.floor(random() * 12) - 6));
  return i2sCaseOf(
    label,
    shape,
    () => (random() < density ? (random() < 0.5 ? 0 : 2) : 1),
    scale,
    (i) => (random() * 2 - 1) * magnitudes[i],
  );
}

/** Distinct-ish activations that quantize to themselves: x = ((37·c) mod 255) − 127, so max 127, s = 1, q = x. */
const rampActivation = (_: number, c: number): number => ((37 * c) % 255) - 127;

/** The elements of a block that sit on a byte-group boundary: 0, g − 1, g, 2g − 1, … , QK − 1 (g = QK/4). */
function groupBoundaries(qk: number): number[] {
  const g = qk / 4;
  return [0, 1, 2, 3].flatMap((p) => [p * g, p * g + g - 1]);
}

/**
 * One non-zero weight at each layout corner (spec/bitnet.md §2.2): for x86 / arm, the group boundaries of the first,
 * an inner and the last block of a 4 × 256 tensor; for 1x4, each of the four rows of a byte at the first and last
 * column and the last row group. Activations rampActivation, so a misplaced weight meets another q.
 */
function cornerCases(layout: I2sLayout): I2sKernelCase[] {
  const shape = { layout, n: 8, k: 256, m: 1 };
  const qk = i2sBlockElements(layout);
  const elements: number[] =
    qk === undefined
      ? [0, 1, 2, 3, 4, 7].flatMap((r) => [0, shape.k - 1].map((c) => r * shape.k + c))
      : [0, 5, (shape.n * shape.k) / qk - 1].flatMap((b) => groupBoundaries(qk).map((j) => b * qk + j));
  return elements.map((e) => {
    const [row, col] = [Math.floor(e / shape.k), e % shape.k];
    return i2sCaseOf(
      `one-weight-r${row}-c${col}-${layout}`,
      shape,
      (r, c) => (r === row && c === col ? 2 : 1),
      0.75,
      rampActivation,
    );
  });
}

/**
 * The fixed cases of `trilm check --format i2_s --layout <layout>` (spec/kernel-protocol.md §12.5). `seed` draws the
 * random cases' values.
 */
export function i2sBuiltinCases(layout: I2sLayout, seed: number): I2sKernelCase[] {
  const qk = i2sBlockElements(layout) ?? 128;
  const cases: I2sKernelCase[] = [];
  [1, 3, 4].forEach((m, i) =>
    cases.push(randomI2sCase(`random-n16-k512-m${m}-${layout}`, { layout, n: 16, k: 512, m }, seed * 97 + i)),
  );
  cases.push(randomI2sCase(`random-n4-k1024-m2-${layout}`, { layout, n: 4, k: 1024, m: 2 }, seed * 97 + 3, 0.9));
  cases.push(...cornerCases(layout));
  const small = { layout, n: 4, k: 256 };
  cases.push(
    i2sCaseOf(
      `all-zero-activations-${layout}`,
      { ...small, m: 2 },
      (r, c) => (r + c) % 3,
      1.5,
      () => 0,
    ),
    // halves after scaling: max 127 gives s = 1, and q = nearest_int ties to even
    i2sCaseOf(
      `i8s-ties-to-even-${layout}`,
      { ...small, m: 1 },
      (r, c) => (r * 7 + c) % 3,
      1,
      (_, c) => (c === 0 ? 127 : (c % 9) - 4 + 0.5),
    ),
    // every x = −max: q = −127 (quantize_row_i8_s never reaches −128: |x·s| ≤ 127 after rounding)
    i2sCaseOf(
      `most-negative-q-${layout}`,
      { ...small, m: 1 },
      (r, c) => (r + 2 * c) % 3,
      0.5,
      () => -3.25,
    ),
    i2sCaseOf(
      `tiny-activations-${layout}`,
      { ...small, m: 1 },
      (r, c) => (c + r) % 3,
      2,
      (_, c) => (c % 5) * 1e-7,
    ),
  );
  // the int16 hazard (spec/bitnet.md §3.4): all weights +1 and q = ±127 over 16, 17 and 32 blocks of 128, 17 of 64
  for (const [k, value] of [
    [2048, 1],
    [2176, 1],
    [4096, 1],
    [4096, -1],
    [1088, 1],
  ] as const) {
    if (k % qk !== 0) continue;
    cases.push(
      i2sCaseOf(
        `all-plus-one-k${k}-q${value > 0 ? "" : "-"}127-${layout}`,
        { layout, n: 4, k, m: 1 },
        () => 2,
        0.25,
        () => value,
      ),
    );
  }
  // k % QK ≠ 0: rows straddle blocks; kernels that read whole blocks per row may decline it (exit 3)
  const tailK = layout === "arm" ? 80 : 160;
  cases.push(randomI2sCase(`tail-k${tailK}-n4-m1-${layout}`, { layout, n: 4, k: tailK, m: 1 }, seed * 97 + 11));
  return cases;
}
