/**
 * Fuzzing I2_S-format kernels (spec/kernel-protocol.md §12.6): random cases (fast-check draws the shape, the weight
 * density, whether the case is a long same-sign one that overflows int16 lanes, and a content seed) are judged until
 * one fails; the failure is then shrunk greedily, as src/harness/trirun-fuzz.ts shrinks TriRun cases: activation rows
 * to one, k towards 128 (whole 128-input blocks), n towards 1 (whole weight rows; groups of 4 in the 1x4 layout),
 * weights to 0 (per block, then one by one), activations to 0, then to ±max of their row (q = ±127).
 */

import fc from "fast-check";
import type { I2sLayout } from "../../reference/codec/i2_s.js";
import { i2sCaseProblem, type I2sKernelCase } from "./i2s-case.js";
import { i2sCaseOf, randomI2sCase } from "./i2s-cases.js";
import type { I2sVerdict } from "./i2s-judge.js";
import { fuzzDrawnCases } from "./drawn-case-fuzz.js";
import { shrinkGreedily, shrinkStructurally, simplifyChunks, simplifyEach, type Shrinker } from "./greedy-shrink.js";

/** Inputs per shrink block of k. */
const K_BLOCK = 128;

/** What to fuzz and how long. */
export interface I2sFuzzOptions {
  /** The layout of every case (default x86). */
  readonly layout?: I2sLayout;
  /** Random cases to try before declaring success (default 100). */
  readonly runs?: number;
  /** fast-check seed; the same seed replays the same cases. */
  readonly seed: number;
  /** At most this many 128-input blocks in a short case: k ≤ 128·maxKBlocks (default 4). */
  readonly maxKBlocks?: number;
  /** At most this many groups of 4 weight rows: n ≤ 4·maxNGroups (default 4). */
  readonly maxNGroups?: number;
  /** At most this many activation rows (default 4). */
  readonly maxM?: number;
  /** At most this many shrink tries (default 4000). */
  readonly maxShrinkTries?: number;
  /** Called before every case is judged. */
  readonly onProgress?: (progress: { readonly phase: "search" | "shrink"; readonly count: number }) => void;
}

/** The outcome of an I2_S fuzzing session. */
export interface I2sFuzzResult {
  /** True when no run failed and the kernel took at least one. */
  readonly passed: boolean;
  readonly seed: number;
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly numUnsupported: number;
  readonly unsupportedReason?: string;
  /** The minimal failing case and its verdict. */
  readonly counterexample?: I2sKernelCase;
  readonly verdict?: I2sVerdict;
  /** The first failing case the search found, before shrinking, and its verdict. */
  readonly firstCounterexample?: I2sKernelCase;
  readonly firstVerdict?: I2sVerdict;
}

/** The parameters fast-check draws; the case is generated from them. */
interface I2sDraw {
  readonly kBlocks: number;
  readonly nGroups: number;
  readonly m: number;
  readonly long: boolean;
  readonly density: number;
  readonly contentSeed: number;
}

/**
 * The case of a draw: a random one, or (long) k = 128·(17 + kBlocks) with every weight +1 and every activation the
 * same sign, which overflows bitnet.cpp's int16 lanes (spec/bitnet.md §3.4).
 */
function caseOfDraw(layout: I2sLayout, draw: I2sDraw): I2sKernelCase {
  const shape = { layout, n: 4 * draw.nGroups, m: draw.m };
  if (!draw.long)
    return randomI2sCase(
      `fuzz-${draw.contentSeed}`,
      { ...shape, k: K_BLOCK * draw.kBlocks },
      draw.contentSeed,
      draw.density,
    );
  const sign = draw.contentSeed % 2 === 0 ? 1 : -1;
  return i2sCaseOf(
    `fuzz-long-${draw.contentSeed}`,
    { ...shape, k: K_BLOCK * (16 + draw.kBlocks) },
    () => 2,
    0.5,
    (i, c) => sign * (1 + ((i + c) % 3) / 64),
  );
}

/** 0, 1, …, n − 1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The case restricted to activation rows `rows`, weight rows `weightRows` and input blocks `kBlocks` (128 each). */
export function i2sSubCase(
  kernelCase: I2sKernelCase,
  rows: readonly number[],
  weightRows: readonly number[],
  kBlocks: readonly number[],
): I2sKernelCase {
  const cols = kBlocks.flatMap((b) => range(K_BLOCK).map((i) => b * K_BLOCK + i));
  const k = cols.length;
  const n = weightRows.length;
  const codes = new Uint8Array(n * k);
  weightRows.forEach((r, a) => cols.forEach((c, b) => (codes[a * k + b] = kernelCase.codes[r * kernelCase.k + c])));
  const x = new Float32Array(rows.length * k);
  rows.forEach((i, a) => cols.forEach((c, b) => (x[a * k + b] = kernelCase.x[i * kernelCase.k + c])));
  return { ...kernelCase, n, k, m: rows.length, codes, x };
}

/** The smaller shapes tried first: one activation row, one 128-input block, one weight row (four in 1x4). */
function* structuralCandidates(c: I2sKernelCase): Generator<I2sKernelCase> {
  const rows = range(c.m);
  const weightRows = range(c.n);
  const kBlocks = c.k % K_BLOCK === 0 ? range(c.k / K_BLOCK) : [];
  if (kBlocks.length === 0) return;
  const rowStep = c.layout === "1x4" ? 4 : 1;
  if (rows.length > 1) for (const i of rows) yield i2sSubCase(c, [i], weightRows, kBlocks);
  if (kBlocks.length > 1) {
    for (const b of kBlocks) yield i2sSubCase(c, rows, weightRows, [b]);
    yield i2sSubCase(c, rows, weightRows, kBlocks.slice(1));
    yield i2sSubCase(c, rows, weightRows, kBlocks.slice(0, -1));
  }
  if (weightRows.length > rowStep)
    for (let r = 0; r < c.n; r += rowStep)
      yield i2sSubCase(
        c,
        rows,
        range(rowStep).map((j) => r + j),
        kBlocks,
      );
}

/** The case with codes at `indices` set to 1 (weight 0). */
function withZeroWeights(kernelCase: I2sKernelCase, indices: readonly number[]): I2sKernelCase {
  const codes = kernelCase.codes.slice();
  for (const i of indices) codes[i] = 1;
  return { ...kernelCase, codes };
}

/** The case with activations at `indices` set by `value(index, old)`. */
function withActivations(
  kernelCase: I2sKernelCase,
  indices: readonly number[],
  value: (index: number, old: number) => number,
): I2sKernelCase {
  const x = kernelCase.x.slice();
  for (const i of indices) x[i] = value(i, x[i]);
  return { ...kernelCase, x };
}

/** The largest |x| of activation row i. */
function rowMax(kernelCase: I2sKernelCase, i: number): number {
  let max = 0;
  for (let c = 0; c < kernelCase.k; c++) max = Math.max(max, Math.abs(kernelCase.x[i * kernelCase.k + c]));
  return max;
}

/** One pass of every shrink step; true when any made progress. */
async function shrinkPass(shrinker: Shrinker<I2sKernelCase, I2sVerdict>): Promise<boolean> {
  let progressed = await shrinkStructurally(shrinker, structuralCandidates);
  const { codes, k } = shrinker.current.kernelCase;
  const blocks = new Map<number, number[]>();
  for (let e = 0; e < codes.length; e++)
    if (codes[e] !== 1) blocks.set(Math.floor(e / K_BLOCK), [...(blocks.get(Math.floor(e / K_BLOCK)) ?? []), e]);
  if (await simplifyChunks(shrinker, [...blocks.values()], withZeroWeights)) progressed = true;
  const codes1 = shrinker.current.kernelCase.codes;
  const nonZero = range(codes1.length).filter((e) => codes1[e] !== 1);
  if (await simplifyEach(shrinker, nonZero, withZeroWeights)) progressed = true;
  const x = shrinker.current.kernelCase.x;
  const active = range(x.length).filter((i) => x[i] !== 0);
  if (await simplifyEach(shrinker, active, (c, indices) => withActivations(c, indices, () => 0))) progressed = true;
  const current = shrinker.current.kernelCase;
  const maxes = range(current.m).map((i) => rowMax(current, i));
  const notMax = range(current.x.length).filter(
    (i) => current.x[i] !== 0 && Math.abs(current.x[i]) !== maxes[Math.floor(i / k)],
  );
  const toMax = (c: I2sKernelCase, indices: readonly number[]): I2sKernelCase =>
    withActivations(c, indices, (i, old) => Math.sign(old) * maxes[Math.floor(i / c.k)]);
  if (current.k === k && (await simplifyEach(shrinker, notMax, toMax))) progressed = true;
  return progressed;
}

/** Shrink a failing I2_S case (spec/kernel-protocol.md §12.6) until a pass makes no progress or the tries run out. */
export async function shrinkI2sCase(
  failure: { kernelCase: I2sKernelCase; verdict: I2sVerdict },
  judge: (kernelCase: I2sKernelCase) => Promise<I2sVerdict>,
  maxTries = 4000,
): Promise<{ kernelCase: I2sKernelCase; verdict: I2sVerdict; steps: number }> {
  return shrinkGreedily(failure, judge, maxTries, shrinkPass, (candidate) => i2sCaseProblem(candidate) === undefined);
}

/**
 * Judge random I2_S-format cases until one fails, then shrink it (shrinkI2sCase). Exceptions the judge throws count
 * as failures; cases it finds unsupported are skipped (numUnsupported).
 */
export async function fuzzI2sCases(
  judge: (kernelCase: I2sKernelCase) => Promise<I2sVerdict>,
  options: I2sFuzzOptions,
): Promise<I2sFuzzResult> {
  const layout = options.layout ?? "x86";
  const draws = fc.record({
    kBlocks: fc.integer({ min: 1, max: options.maxKBlocks ?? 4 }),
    nGroups: fc.integer({ min: 1, max: options.maxNGroups ?? 4 }),
    m: fc.integer({ min: 1, max: options.maxM ?? 4 }),
    long: fc.boolean(),
    density: fc.constantFrom(0.02, 0.3, 0.7),
    contentSeed: fc.integer({ min: 0, max: 0x7fffffff }),
  });
  return fuzzDrawnCases(
    draws,
    (draw) => caseOfDraw(layout, draw),
    judge,
    (failure, shrinkJudge, maxTries) => shrinkI2sCase(failure, shrinkJudge, maxTries),
    options,
  );
}

/** An I2_S case in a few words: "n 1 × k 128, m 1, x86 layout, 1 non-zero weight". */
export function describeI2sCase(kernelCase: I2sKernelCase): string {
  const nonZero = kernelCase.codes.reduce((count, code) => count + (code === 1 ? 0 : 1), 0);
  return (
    `n ${kernelCase.n} × k ${kernelCase.k}, m ${kernelCase.m}, ${kernelCase.layout} layout, ` +
    `${nonZero} non-zero weight${nonZero === 1 ? "" : "s"}`
  );
}
