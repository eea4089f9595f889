/**
 * reference/tolerances/trirun-matmul.ts — spec/tolerances.md §10. Soundness: the reference trirunMatmul, and a
 * simulated multi-block launch (random 64-aligned slices, suffix order, fp16 partials, 16-term chunks summed
 * and truncated to float32 as tensor cores do), are accepted on random shapes, both modes, m ∈ {1, 3, 17},
 * inputs spanning fp16's range with subnormals. Sharpness: matmuls with the bugs of issue M9 — a one-tile
 * layout error, a transposed / unapplied scale permutation, fp16 accumulation, the scale applied twice or not
 * at all — are rejected on a small set of designed cases.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits, roundToF16 } from "../../../reference/codec/float16.js";
import {
  permuteTrirunScales,
  trirunScalesPerColumn,
  type TrirunGroupSize,
  type TrirunMatrix,
} from "../../../reference/codec/trirun.js";
import { trirunDecodeCode } from "../../../reference/codec/trirun-dequant.js";
import { trirunEffectiveWeights, trirunMatmul, trirunMatmulExact } from "../../../reference/codec/trirun-matmul.js";
import {
  trirunMatmulAcceptance,
  trirunMaxSlices,
  trirunOutputAccepted,
  type TrirunMatmulAcceptance,
} from "../../../reference/tolerances/trirun-matmul.js";
import { checkProperty } from "../../support/property.js";

const N = 256;

/** mulberry32: a small deterministic PRNG for the bulk data of a case (fast-check draws its seed). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random finite fp16 with exponent field in [low, low + width] (0 = subnormal), random sign and mantissa; 1 in 8 zero. */
function randomF16(next: () => number, low: number, width: number): number {
  if (next() < 0.125) return 0;
  const exponent = Math.min(30, low + Math.floor(next() * (width + 1)));
  return (next() < 0.5 ? 0x8000 : 0) | (exponent << 10) | Math.floor(next() * 1024);
}

/** Are all outputs y [m × n] accepted? Returns the indices rejected. */
function rejected(acceptance: TrirunMatmulAcceptance, y: Uint16Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < y.length; i++) if (!trirunOutputAccepted(acceptance, i, y[i])) out.push(i);
  return out;
}

/** v truncated (rounded toward zero) to float32, as a tensor core normalises its sum. */
function truncateToF32(v: number): number {
  const r = Math.fround(v);
  if (Math.abs(r) <= Math.abs(v)) return r;
  const bits = new Int32Array(Float32Array.of(r).buffer);
  bits[0] -= 1; // one float32 step toward zero (sign-magnitude)
  return new Float32Array(bits.buffer)[0];
}

/**
 * A simulated TriRun launch: column k range cut at `cuts` (multiples of 64) into slices; slice_idx 0 is the
 * bottom slice (largest k), each slice sums its terms in chunks of 16 (float64, then truncated to float32 onto
 * its accumulator), adds the previous fp16 partial in float32 and, unless last, stores fp16 (global_reduce).
 */
function simulatedLaunch(weights: TrirunMatrix, x: Uint16Array, m: number, cuts: readonly number[]): Uint16Array {
  const { k, n, scales } = weights;
  const perColumn = trirunScalesPerColumn(weights);
  const w = trirunEffectiveWeights(weights);
  const bounds = [0, ...cuts, k];
  const y = new Uint16Array(m * n);
  for (let b = 0; b < m; b++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      let partial = 0;
      for (let slice = bounds.length - 2; slice >= 0; slice--) {
        let acc = 0;
        for (let start = bounds[slice]; start < bounds[slice + 1]; start += 16) {
          let chunk = acc;
          for (let kIndex = start; kIndex < start + 16; kIndex++)
            chunk += f16BitsToF32(x[b * k + kIndex]) * w[kIndex * n + nIndex];
          acc = truncateToF32(chunk);
        }
        acc = Math.fround(acc + partial);
        partial = slice > 0 ? roundToF16(acc) : acc;
      }
      y[b * n + nIndex] = perColumn
        ? f32ToF16Bits(roundToF16(partial) * f16BitsToF32(scales[nIndex]))
        : f32ToF16Bits(partial);
    }
  }
  return y;
}

/** How a mutated matmul differs from TriRun's: fp16 accumulation, and how many times the scale is applied. */
interface Mutation {
  readonly f16Accumulation?: boolean;
  readonly scaleUses?: 0 | 2;
}

/** trirunMatmul with a mutation: acc rounded to fp16 after every term, or the scale applied 0 or 2 times. */
function mutatedMatmul(weights: TrirunMatrix, x: Uint16Array, m: number, mutation: Mutation): Uint16Array {
  const { k, n, codes, scales } = weights;
  const perColumn = trirunScalesPerColumn(weights);
  const uses = mutation.scaleUses ?? 1;
  const y = new Uint16Array(m * n);
  for (let b = 0; b < m; b++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      let acc = 0;
      for (let kIndex = 0; kIndex < k; kIndex++) {
        let w = trirunDecodeCode(codes[kIndex * n + nIndex]);
        const s = f16BitsToF32(scales[Math.floor(kIndex / 128) * n + nIndex]);
        if (!perColumn) for (let use = 0; use < uses; use++) w = roundToF16(w * s);
        acc = Math.fround(acc + f16BitsToF32(x[b * k + kIndex]) * w);
        if (mutation.f16Accumulation === true) acc = roundToF16(acc);
      }
      let out = roundToF16(acc);
      if (perColumn) for (let use = 0; use < uses; use++) out = roundToF16(out * f16BitsToF32(scales[nIndex]));
      y[b * n + nIndex] = f32ToF16Bits(out);
    }
  }
  return y;
}

/** The matrix with the 16×16 tile (k 0..15, n 0..15) transposed: a one-tile layout error. */
function tileTransposed(weights: TrirunMatrix): TrirunMatrix {
  const codes = Uint8Array.from(weights.codes);
  for (let kk = 0; kk < 16; kk++)
    for (let nn = 0; nn < 16; nn++) codes[kk * weights.n + nn] = weights.codes[nn * weights.n + kk];
  return { ...weights, codes };
}

/** The scales as a kernel with a scale-permutation bug reads them (grouped: s[n][g]; per column: permutation not undone). */
function scalesMisread(weights: TrirunMatrix): TrirunMatrix {
  if (trirunScalesPerColumn(weights)) return { ...weights, scales: permuteTrirunScales(weights, weights.scales) };
  const groups = weights.k / 128;
  const scales = new Uint16Array(weights.scales.length);
  for (let g = 0; g < groups; g++)
    for (let j = 0; j < weights.n; j++) scales[g * weights.n + j] = weights.scales[j * groups + g];
  return { ...weights, scales };
}

/** A designed case: weights, x [m × k], m. */
interface DesignedCase {
  readonly name: string;
  readonly weights: TrirunMatrix;
  readonly x: Uint16Array;
  readonly m: number;
}

/** Random ternary codes, distinct scales in [0.25, 4), x in ±[0.5, 2): the layout and scale bugs show here. */
function randomCase(groupSize: TrirunGroupSize, seed: number): DesignedCase {
  const next = random(seed);
  const k = 256;
  const m = 3;
  const codes = Uint8Array.from({ length: k * N }, () => Math.floor(next() * 3));
  const scales = Uint16Array.from({ length: (groupSize === -1 ? 1 : k / 128) * N }, () =>
    f32ToF16Bits(0.25 * 16 ** next()),
  );
  const x = Uint16Array.from({ length: m * k }, () => f32ToF16Bits((next() < 0.5 ? -1 : 1) * (0.5 + 1.5 * next())));
  return { name: `random ${groupSize}`, weights: { k, n: N, groupSize, codes, scales }, x, m };
}

/**
 * The fp16-accumulation catcher (spec/tolerances.md §10.5): k = 1024, every weight +1, scale 1, x = [2048, 0.5, 0.5, …].
 * Exact 2048 + 1023·0.5 = 2559.5; fp16 accumulation stalls at 2048 (half its spacing 2 is 1 > 0.5).
 */
function stallCase(groupSize: TrirunGroupSize): DesignedCase {
  const k = 1024;
  const codes = new Uint8Array(k * N).fill(2);
  const scales = new Uint16Array((groupSize === -1 ? 1 : k / 128) * N).fill(f32ToF16Bits(1));
  const x = new Uint16Array(k).fill(f32ToF16Bits(0.5));
  x[0] = f32ToF16Bits(2048);
  return { name: `stall ${groupSize}`, weights: { k, n: N, groupSize, codes, scales }, x, m: 1 };
}

const DESIGNED: DesignedCase[] = [randomCase(-1, 1), randomCase(128, 2), stallCase(-1), stallCase(128)];

describe("trirunMaxSlices", () => {
  test("k/64: one thread_k = 64 tile per slice at most", () => {
    expect([128, 256, 3072, 64, 32].map(trirunMaxSlices)).toEqual([2, 4, 48, 1, 1]);
  });

  test("a declared slice count outside 1..k/64 is an error", () => {
    const { weights, x, m } = randomCase(-1, 3);
    expect(() => trirunMatmulAcceptance(weights, x, m, { slices: 5 })).toThrow(/slices = 5 must be an integer 1..4/);
    expect(() => trirunMatmulAcceptance(weights, x, m, { slices: 0 })).toThrow(RangeError);
  });
});

describe("soundness: correct evaluations are accepted", () => {
  test("the reference and simulated multi-block launches, random shapes, both modes, m ∈ {1, 3, 17}", () => {
    checkProperty(
      "trirun matmul tolerance accepts correct evaluations",
      fc.property(
        fc.record({
          seed: fc.integer(),
          groupSize: fc.constantFrom<TrirunGroupSize>(-1, 128),
          kBlocks: fc.integer({ min: 1, max: 4 }),
          m: fc.constantFrom(1, 3, 17),
          low: fc.integer({ min: 0, max: 24 }),
          width: fc.integer({ min: 0, max: 12 }),
        }),
        ({ seed, groupSize, kBlocks, m, low, width }) => {
          const next = random(seed);
          const k = 128 * kBlocks;
          const codes = Uint8Array.from({ length: k * N }, () => (next() < 0.02 ? 3 : Math.floor(next() * 3)));
          const scales = Uint16Array.from(
            { length: (groupSize === -1 ? 1 : kBlocks) * N },
            () => randomF16(next, 0, 30) & 0x7fff,
          );
          const x = Uint16Array.from({ length: m * k }, () => randomF16(next, low, width));
          const weights: TrirunMatrix = { k, n: N, groupSize, codes, scales };
          const cuts: number[] = [];
          for (let cut = 64; cut < k; cut += 64) if (next() < 0.5) cuts.push(cut);
          const acceptance = trirunMatmulAcceptance(weights, x, m);
          expect(rejected(acceptance, trirunMatmul(weights, x, m))).toEqual([]);
          expect(rejected(acceptance, simulatedLaunch(weights, x, m, cuts))).toEqual([]);
          expect(rejected(trirunMatmulAcceptance(weights, x, m, { slices: 1 }), trirunMatmul(weights, x, m))).toEqual(
            [],
          );
        },
      ),
      { numRuns: 12 },
    );
  });

  test("the designed cases' reference outputs are accepted, with P = k/64 and with P = 1", () => {
    for (const { name, weights, x, m } of DESIGNED) {
      const y = trirunMatmul(weights, x, m);
      expect(rejected(trirunMatmulAcceptance(weights, x, m), y), name).toEqual([]);
      expect(rejected(trirunMatmulAcceptance(weights, x, m, { slices: 1 }), y), name).toEqual([]);
    }
  });

  test("a partial sum that overflows fp16 makes ±inf acceptable even though the total is small", () => {
    // Column 0: +60000 in the last 64 inputs twice (a suffix partial of 120000 ≥ 65520), −60000 twice before.
    const k = 256;
    const codes = new Uint8Array(k * N).fill(1);
    for (const kIndex of [0, 1]) codes[kIndex * N] = 0;
    for (const kIndex of [200, 201]) codes[kIndex * N] = 2;
    const x = new Uint16Array(k);
    for (const kIndex of [0, 1, 200, 201]) x[kIndex] = f32ToF16Bits(60000);
    const weights: TrirunMatrix = { k, n: N, groupSize: -1, codes, scales: new Uint16Array(N).fill(f32ToF16Bits(1)) };
    const acceptance = trirunMatmulAcceptance(weights, x, 1);
    expect(acceptance.center[0]).toBe(0);
    expect(acceptance.overflowPossible[0]).toBe(1);
    expect(trirunOutputAccepted(acceptance, 0, 0x7c00)).toBe(true);
    expect(simulatedLaunch(weights, x, 1, [192])[0]).toBe(0x7c00); // the kernel with the cut at 192 does overflow
    expect(trirunOutputAccepted(trirunMatmulAcceptance(weights, x, 1, { slices: 1 }), 0, 0x7c00)).toBe(false);
  });

  test("NaN only where an input or weight is non-finite (or ±inf · a zero per-column scale)", () => {
    const { weights, x, m } = randomCase(128, 4);
    const finite = trirunMatmulAcceptance(weights, x, m);
    expect(trirunOutputAccepted(finite, 0, 0x7e00)).toBe(false);
    expect(trirunOutputAccepted(finite, 0, 0x7c00)).toBe(false);
    const xInf = Uint16Array.from(x);
    xInf[5] = 0x7c00;
    const withInf = trirunMatmulAcceptance(weights, xInf, m);
    expect(trirunOutputAccepted(withInf, 0, 0x7e00)).toBe(true);
    expect(trirunOutputAccepted(withInf, 0, f32ToF16Bits(1))).toBe(false);
    expect(trirunOutputAccepted(withInf, N, f32ToF16Bits(f16BitsToF32(trirunMatmul(weights, x, m)[N])))).toBe(true);
  });
});

describe("sharpness: the bugs of issue M9 are rejected on a designed case", () => {
  const mutants: Record<string, (c: DesignedCase) => Uint16Array> = {
    "one 16×16 tile transposed": (c) => trirunMatmul(tileTransposed(c.weights), c.x, c.m),
    "scale permutation transposed / not undone": (c) => trirunMatmul(scalesMisread(c.weights), c.x, c.m),
    "fp16 accumulation throughout": (c) => mutatedMatmul(c.weights, c.x, c.m, { f16Accumulation: true }),
    "scale applied twice": (c) => mutatedMatmul(c.weights, c.x, c.m, { scaleUses: 2 }),
    "scale not applied": (c) => mutatedMatmul(c.weights, c.x, c.m, { scaleUses: 0 }),
  };
  test.each(Object.entries(mutants))("%s: rejected in both scale modes", (_name, mutant) => {
    for (const groupSize of [-1, 128] as const) {
      const caught = DESIGNED.filter((c) => c.weights.groupSize === groupSize).some(
        (c) => rejected(trirunMatmulAcceptance(c.weights, c.x, c.m), mutant(c)).length > 0,
      );
      expect(caught, `groupSize ${groupSize}`).toBe(true);
    }
  });

  test("the mutation matmul with no mutation is the reference (the harness itself is right)", () => {
    for (const c of DESIGNED)
      expect(Array.from(mutatedMatmul(c.weights, c.x, c.m, {}))).toEqual(Array.from(trirunMatmul(c.weights, c.x, c.m)));
  });

  test("the stall case: fp16 accumulation is off by 511.5, far beyond the bound with P = 16 (spec §10.5)", () => {
    for (const c of [stallCase(-1), stallCase(128)]) {
      const acceptance = trirunMatmulAcceptance(c.weights, c.x, c.m);
      expect(acceptance.slices).toBe(16);
      expect(acceptance.center[0]).toBe(2559.5);
      expect(f16BitsToF32(mutatedMatmul(c.weights, c.x, c.m, { f16Accumulation: true })[0])).toBe(2048);
      expect(acceptance.bound[0]).toBeLessThan(511.5 / 50);
      expect(acceptance.bound[0]).toBeGreaterThan(2559.5 * 2 ** -11); // at least the output's own rounding
    }
  });
});

describe("the bound is not loose by orders of magnitude", () => {
  test("on a random k = 1024 case the reference's largest error is within a factor 300 of the bound", () => {
    for (const groupSize of [-1, 128] as const) {
      const next = random(5);
      const k = 1024;
      const m = 3;
      const codes = Uint8Array.from({ length: k * N }, () => Math.floor(next() * 3));
      const scales = Uint16Array.from({ length: (groupSize === -1 ? 1 : k / 128) * N }, () =>
        f32ToF16Bits(0.5 + next()),
      );
      const x = Uint16Array.from({ length: m * k }, () => f32ToF16Bits(2 * next() - 1));
      const weights: TrirunMatrix = { k, n: N, groupSize, codes, scales };
      const y = trirunMatmul(weights, x, m);
      const center = trirunMatmulExact(weights, x, m);
      for (const slices of [1, trirunMaxSlices(k)]) {
        const { bound } = trirunMatmulAcceptance(weights, x, m, { slices });
        let worst = 0;
        for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(f16BitsToF32(y[i]) - center[i]) / bound[i]);
        expect(worst).toBeLessThanOrEqual(1);
        expect(worst, `groupSize ${groupSize}, P = ${slices}`).toBeGreaterThan(1 / 300);
      }
    }
  });
});
