/**
 * The cases `trilm check --format trirun` runs and `trilm fuzz --format trirun` draws
 * (spec/kernel-protocol.md §11.4): fixed designed cases in both scale modes, and random cases from a seed.
 */

import { f32ToF16Bits } from "../../reference/codec/float16.js";
import { TRIRUN_TILE, type TrirunGroupSize, type TrirunMatrix } from "../../reference/codec/trirun.js";
import type { TrirunKernelCase } from "./trirun-case.js";

/** fp16 bits of 1.0. */
const F16_ONE = 0x3c00;

/** A seeded stream of uniform numbers in [0, 1) (mulberry32). */
export function trirunCaseRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Scale rows of a shape: 1 per column, k/128 grouped. */
function scaleRowsOf(k: number, groupSize: TrirunGroupSize): number {
  return groupSize === -1 ? 1 : k / 128;
}

/** A case of the given shape: codes (t + 1), scales (fp16 bits, groups × n) and x (fp16 bits, m × k) from functions. */
export function trirunCaseOf(
  label: string,
  shape: { readonly k: number; readonly n: number; readonly m: number; readonly groupSize: TrirunGroupSize },
  code: (kIndex: number, nIndex: number) => number,
  scale: (group: number, nIndex: number) => number,
  x: (row: number, kIndex: number) => number,
): TrirunKernelCase {
  const { k, n, m, groupSize } = shape;
  const codes = new Uint8Array(k * n);
  for (let kk = 0; kk < k; kk++) for (let nn = 0; nn < n; nn++) codes[kk * n + nn] = code(kk, nn);
  const rows = scaleRowsOf(k, groupSize);
  const scales = new Uint16Array(rows * n);
  for (let g = 0; g < rows; g++) for (let nn = 0; nn < n; nn++) scales[g * n + nn] = scale(g, nn);
  const xBits = new Uint16Array(m * k);
  for (let i = 0; i < m; i++) for (let kk = 0; kk < k; kk++) xBits[i * k + kk] = x(i, kk);
  const weights: TrirunMatrix = { k, n, groupSize, codes, scales };
  return { weights, m, x: xBits, label };
}

/** fp16 bits of a value (rounded to nearest even). */
const f16 = (value: number): number => f32ToF16Bits(value);

/** Random fp16 activations in ±2 with 3 significant bits, distinct enough to tell weights apart. */
function randomActivation(random: () => number): number {
  return f16((Math.floor(random() * 33) - 16) / 8);
}

/** A random case of the shape: codes −1, 0, +1 (density `density` of non-zeros), scales in [1/64, 2), x in ±2. */
export function randomTrirunCase(
  label: string,
  shape: { readonly k: number; readonly n: number; readonly m: number; readonly groupSize: TrirunGroupSize },
  seed: number,
  density = 0.6,
): TrirunKernelCase {
  const random = trirunCaseRng(seed);
  return trirunCaseOf(
    label,
    shape,
    () => (random() < density ? (random() < 0.5 ? 0 : 2) : 1),
    () => f16(2 ** (Math.floor(random() * 7) - 6) * (1 + Math.floor(random() * 8) / 8)),
    () => randomActivation(random),
  );
}

/** Every shape of the fixed list: k ∈ {128, 256}, n ∈ {256, 512}, m ∈ {1, 5}. */
const SHAPES: readonly { k: number; n: number; m: number }[] = [128, 256].flatMap((k) =>
  [256, 512].flatMap((n) => [1, 5].map((m) => ({ k, n, m }))),
);

/** The name of a scale mode in labels. */
function modeName(groupSize: TrirunGroupSize): string {
  return groupSize === -1 ? "col" : "g128";
}

/**
 * The fixed cases of `trilm check --format trirun` (spec/kernel-protocol.md §11.4), in both scale modes:
 * random weights at every shape of k ∈ {128, 256} × n ∈ {256, 512} × m ∈ {1, 5}; one non-zero weight at
 * each corner of the first tile, of an inner tile and of the last tile; all +1; the fp16-accumulation
 * stall; distinct scales per group and column; a subnormal column scale; outputs near fp16's maximum.
 * `seed` draws the random cases' values.
 */
export function trirunBuiltinCases(seed: number): TrirunKernelCase[] {
  const cases: TrirunKernelCase[] = [];
  for (const groupSize of [-1, 128] as const) {
    const mode = modeName(groupSize);
    SHAPES.forEach((shape, i) =>
      cases.push(
        randomTrirunCase(`random-k${shape.k}-n${shape.n}-m${shape.m}-${mode}`, { ...shape, groupSize }, seed * 97 + i),
      ),
    );
    const corners = { k: 256, n: 512, m: 1, groupSize };
    const cornerTiles = [
      [0, 0],
      [5, 13],
      [corners.k / TRIRUN_TILE - 1, corners.n / TRIRUN_TILE - 1],
    ];
    for (const [tileRow, tileColumn] of cornerTiles) {
      for (const [dk, dn] of [
        [0, 0],
        [0, 15],
        [15, 0],
        [15, 15],
      ]) {
        const kk = tileRow * TRIRUN_TILE + dk;
        const nn = tileColumn * TRIRUN_TILE + dn;
        cases.push(
          trirunCaseOf(
            `one-weight-k${kk}-n${nn}-${mode}`,
            corners,
            (a, b) => (a === kk && b === nn ? 2 : 1),
            (_, b) => f16(1 + (b % 32) / 32),
            (_, a) => f16(1 + a / 256),
          ),
        );
      }
    }
    cases.push(
      trirunCaseOf(
        `all-plus-one-k256-n256-m5-${mode}`,
        { k: 256, n: 256, m: 5, groupSize },
        () => 2,
        () => F16_ONE,
        (i, a) => f16(((i + 1) * ((a % 7) + 1)) / 64),
      ),
      // 2048 then 255 terms of +0.5: fp16 accumulation stalls at 2048 (its ulp there is 2), the exact sum is 2175.5
      trirunCaseOf(
        `fp16-accumulation-stall-k256-n256-m1-${mode}`,
        { k: 256, n: 256, m: 1, groupSize },
        () => 2,
        () => F16_ONE,
        (_, a) => f16(a === 0 ? 2048 : 0.5),
      ),
      trirunCaseOf(
        `distinct-scales-k256-n512-m5-${mode}`,
        { k: 256, n: 512, m: 5, groupSize },
        (a, b) => ((a * 7 + b * 3) % 5 === 0 ? 1 : (a + b) % 2 === 0 ? 2 : 0),
        (g, b) => f16(2 ** ((b % 9) - 4) * (1 + g / 4 + (b % 64) / 128)),
        (i, a) => f16(((a % 13) - 6) / (4 + i)),
      ),
      trirunCaseOf(
        `subnormal-scale-k128-n256-m1-${mode}`,
        { k: 128, n: 256, m: 1, groupSize },
        (a, b) => ((a + b) % 3 === 0 ? 0 : 2),
        (_, b) => (b % 16 === 5 ? 0x0001 + b : f16(1 + b / 512)),
        (_, a) => f16(1 + (a % 8)),
      ),
      // x = 1/128 against 256 weights +1 gives 2; scales near 65504/2 put y near fp16's largest finite, 1 column in 16 over
      trirunCaseOf(
        `near-overflow-k256-n256-m1-${mode}`,
        { k: 256, n: 256, m: 1, groupSize },
        () => 2,
        (_, b) => f16(b % 16 === 15 ? 32800 : 32752 - 16 * (b % 8)),
        () => f16(1 / 128),
      ),
    );
  }
  return cases;
}
