/**
 * Fuzzing TriRun-format kernels (spec/kernel-protocol.md §11.5): random cases (fast-check draws the
 * shape, scale mode and a content seed) are judged until one fails; the failure is then shrunk, as
 * src/harness/fuzz.ts shrinks TQ cases, greedily — a smaller candidate is kept whenever it still fails:
 * activation rows to one, k towards 128 and n towards 256 (whole 128-input and 256-output blocks),
 * whole 16×16 weight tiles zeroed, then single weights, activations set to 0 then to 1, scales to 1.
 */

import fc from "fast-check";
import {
  TRIRUN_GROUP_SIZE,
  TRIRUN_N_MULTIPLE,
  TRIRUN_TILE,
  type TrirunGroupSize,
} from "../../reference/codec/trirun.js";
import { fuzzDrawnCases } from "./drawn-case-fuzz.js";
import { shrinkGreedily, shrinkStructurally, simplifyChunks, simplifyEach, type Shrinker } from "./greedy-shrink.js";
import type { TrirunKernelCase } from "./trirun-case.js";
import { randomTrirunCase } from "./trirun-cases.js";
import type { TrirunVerdict } from "./trirun-judge.js";

/** fp16 bits of 1.0. */
const F16_ONE = 0x3c00;

/** What to fuzz and how long. */
export interface TrirunFuzzOptions {
  /** Random cases to try before declaring success (default 100). */
  readonly runs?: number;
  /** fast-check seed; the same seed replays the same cases. */
  readonly seed: number;
  /** At most this many 128-input blocks: k ≤ 128·maxKBlocks (default 2). */
  readonly maxKBlocks?: number;
  /** At most this many 256-output blocks: n ≤ 256·maxNBlocks (default 2). */
  readonly maxNBlocks?: number;
  /** At most this many activation rows (default 4). */
  readonly maxM?: number;
  /** Only this scale mode (default: both). */
  readonly groupSize?: TrirunGroupSize;
  /** At most this many shrink tries (default 4000). */
  readonly maxShrinkTries?: number;
  /** Called before every case is judged. */
  readonly onProgress?: (progress: { readonly phase: "search" | "shrink"; readonly count: number }) => void;
}

/** The outcome of a TriRun fuzzing session. */
export interface TrirunFuzzResult {
  /** True when no run failed and the kernel took at least one. */
  readonly passed: boolean;
  readonly seed: number;
  /** Runs made before the first failure (or all of them). */
  readonly numRuns: number;
  /** Successful shrink steps. */
  readonly numShrinks: number;
  /** Runs the kernel declined as unsupported. */
  readonly numUnsupported: number;
  readonly unsupportedReason?: string;
  /** The minimal failing case and its verdict. */
  readonly counterexample?: TrirunKernelCase;
  readonly verdict?: TrirunVerdict;
  /** The first failing case the search found, before shrinking, and its verdict. */
  readonly firstCounterexample?: TrirunKernelCase;
  readonly firstVerdict?: TrirunVerdict;
}

/** The parameters fast-check draws; the case is generated from them. */
interface TrirunDraw {
  readonly kBlocks: number;
  readonly nBlocks: number;
  readonly m: number;
  readonly groupSize: TrirunGroupSize;
  readonly density: number;
  readonly contentSeed: number;
}

/** The case of a draw. */
function caseOfDraw(draw: TrirunDraw): TrirunKernelCase {
  const shape = { k: 128 * draw.kBlocks, n: 256 * draw.nBlocks, m: draw.m, groupSize: draw.groupSize };
  return randomTrirunCase(`fuzz-${draw.contentSeed}`, shape, draw.contentSeed, draw.density);
}

/** 0, 1, …, n − 1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The case restricted to activation rows `rows`, input blocks `kBlocks` (128 each) and output blocks `nBlocks` (256 each). */
export function trirunSubCase(
  kernelCase: TrirunKernelCase,
  rows: readonly number[],
  kBlocks: readonly number[],
  nBlocks: readonly number[],
): TrirunKernelCase {
  const { weights, x } = kernelCase;
  const kIndices = kBlocks.flatMap((b) => range(TRIRUN_GROUP_SIZE).map((i) => b * TRIRUN_GROUP_SIZE + i));
  const nIndices = nBlocks.flatMap((b) => range(TRIRUN_N_MULTIPLE).map((i) => b * TRIRUN_N_MULTIPLE + i));
  const k = kIndices.length;
  const n = nIndices.length;
  const codes = new Uint8Array(k * n);
  kIndices.forEach((kk, a) => nIndices.forEach((nn, b) => (codes[a * n + b] = weights.codes[kk * weights.n + nn])));
  const groups = weights.groupSize === -1 ? [0] : kBlocks;
  const scales = new Uint16Array(groups.length * n);
  groups.forEach((g, a) => nIndices.forEach((nn, b) => (scales[a * n + b] = weights.scales[g * weights.n + nn])));
  const xs = new Uint16Array(rows.length * k);
  rows.forEach((i, a) => kIndices.forEach((kk, b) => (xs[a * k + b] = x[i * weights.k + kk])));
  return { ...kernelCase, weights: { k, n, groupSize: weights.groupSize, codes, scales }, m: rows.length, x: xs };
}

/** The smaller shapes tried first: one activation row, one input block, one output block. */
function* structuralCandidates(kernelCase: TrirunKernelCase): Generator<TrirunKernelCase> {
  const rows = range(kernelCase.m);
  const kBlocks = range(kernelCase.weights.k / TRIRUN_GROUP_SIZE);
  const nBlocks = range(kernelCase.weights.n / TRIRUN_N_MULTIPLE);
  if (rows.length > 1) for (const i of rows) yield trirunSubCase(kernelCase, [i], kBlocks, nBlocks);
  if (kBlocks.length > 1) for (const b of kBlocks) yield trirunSubCase(kernelCase, rows, [b], nBlocks);
  if (nBlocks.length > 1) for (const b of nBlocks) yield trirunSubCase(kernelCase, rows, kBlocks, [b]);
}

/** The flat code indices of weight tile (tileRow, tileColumn). */
function tileIndices(n: number, tileRow: number, tileColumn: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < TRIRUN_TILE; a++)
    for (let b = 0; b < TRIRUN_TILE; b++) out.push((tileRow * TRIRUN_TILE + a) * n + tileColumn * TRIRUN_TILE + b);
  return out;
}

/** The case with codes at `indices` set to `code`. */
function withCodes(kernelCase: TrirunKernelCase, indices: readonly number[], code: number): TrirunKernelCase {
  const codes = kernelCase.weights.codes.slice();
  for (const i of indices) codes[i] = code;
  return { ...kernelCase, weights: { ...kernelCase.weights, codes } };
}

/** The case with activations at `indices` set to the fp16 bits `bits`. */
function withActivations(kernelCase: TrirunKernelCase, indices: readonly number[], bits: number): TrirunKernelCase {
  const x = kernelCase.x.slice();
  for (const i of indices) x[i] = bits;
  return { ...kernelCase, x };
}

/** The case with scales at `indices` set to the fp16 bits `bits`. */
function withScales(kernelCase: TrirunKernelCase, indices: readonly number[], bits: number): TrirunKernelCase {
  const scales = kernelCase.weights.scales.slice();
  for (const i of indices) scales[i] = bits;
  return { ...kernelCase, weights: { ...kernelCase.weights, scales } };
}

/** One pass of every shrink step; true when any made progress. */
async function shrinkPass(shrinker: Shrinker<TrirunKernelCase, TrirunVerdict>): Promise<boolean> {
  let progressed = await shrinkStructurally(shrinker, structuralCandidates);
  const { weights } = shrinker.current.kernelCase;
  const tiles: number[][] = [];
  for (let r = 0; r < weights.k / TRIRUN_TILE; r++)
    for (let c = 0; c < weights.n / TRIRUN_TILE; c++) {
      const indices = tileIndices(weights.n, r, c).filter((i) => weights.codes[i] !== 1);
      if (indices.length > 0) tiles.push(indices);
    }
  if (await simplifyChunks(shrinker, tiles, (c, indices) => withCodes(c, indices, 1))) progressed = true;
  const codes = shrinker.current.kernelCase.weights.codes;
  const nonZero = range(codes.length).filter((i) => codes[i] !== 1);
  if (await simplifyEach(shrinker, nonZero, (c, indices) => withCodes(c, indices, 1))) progressed = true;
  const x = shrinker.current.kernelCase.x;
  const activeX = range(x.length).filter((i) => (x[i] & 0x7fff) !== 0);
  if (await simplifyEach(shrinker, activeX, (c, indices) => withActivations(c, indices, 0))) progressed = true;
  const x1 = shrinker.current.kernelCase.x;
  const notOne = range(x1.length).filter((i) => (x1[i] & 0x7fff) !== 0 && x1[i] !== F16_ONE);
  if (await simplifyEach(shrinker, notOne, (c, indices) => withActivations(c, indices, F16_ONE))) progressed = true;
  const s = shrinker.current.kernelCase.weights.scales;
  const notOneScale = range(s.length).filter((i) => s[i] !== F16_ONE);
  if (await simplifyEach(shrinker, notOneScale, (c, indices) => withScales(c, indices, F16_ONE))) progressed = true;
  return progressed;
}

/**
 * Shrink a failing TriRun case to the fewest tiles (spec/kernel-protocol.md §11.5): repeat the shrink
 * pass until it makes no progress or the tries run out.
 */
export async function shrinkTrirunCase(
  failure: { kernelCase: TrirunKernelCase; verdict: TrirunVerdict },
  judge: (kernelCase: TrirunKernelCase) => Promise<TrirunVerdict>,
  maxTries = 4000,
): Promise<{ kernelCase: TrirunKernelCase; verdict: TrirunVerdict; steps: number }> {
  return shrinkGreedily(failure, judge, maxTries, shrinkPass);
}

/**
 * Judge random TriRun-format cases until one fails, then shrink it (shrinkTrirunCase). Exceptions the
 * judge throws count as failures; cases it finds unsupported are skipped (numUnsupported).
 */
export async function fuzzTrirunCases(
  judge: (kernelCase: TrirunKernelCase) => Promise<TrirunVerdict>,
  options: TrirunFuzzOptions,
): Promise<TrirunFuzzResult> {
  const draws = fc.record({
    kBlocks: fc.integer({ min: 1, max: options.maxKBlocks ?? 2 }),
    nBlocks: fc.integer({ min: 1, max: options.maxNBlocks ?? 2 }),
    m: fc.integer({ min: 1, max: options.maxM ?? 4 }),
    groupSize:
      options.groupSize === undefined ? fc.constantFrom<TrirunGroupSize>(-1, 128) : fc.constant(options.groupSize),
    density: fc.constantFrom(0.02, 0.3, 0.7),
    contentSeed: fc.integer({ min: 0, max: 0x7fffffff }),
  });
  return fuzzDrawnCases(
    draws,
    caseOfDraw,
    judge,
    (failure, shrinkJudge, maxTries) => shrinkTrirunCase(failure, shrinkJudge, maxTries),
    options,
  );
}

/** A TriRun case in a few words: "k 128 × n 256, m 1, per-column scales, 1 non-zero weight in 1 tile". */
export function describeTrirunCase(kernelCase: TrirunKernelCase): string {
  const { k, n, groupSize, codes } = kernelCase.weights;
  let nonZero = 0;
  const tiles = new Set<number>();
  for (let i = 0; i < codes.length; i++) {
    if (codes[i] === 1) continue;
    nonZero++;
    tiles.add(Math.floor(Math.floor(i / n) / TRIRUN_TILE) * (n / TRIRUN_TILE) + Math.floor((i % n) / TRIRUN_TILE));
  }
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
  return (
    `k ${k} × n ${n}, m ${kernelCase.m}, ${groupSize === -1 ? "per-column scales" : "scales per group of 128"}, ` +
    `${plural(nonZero, "non-zero weight")} in ${plural(tiles.size, "tile")}`
  );
}
