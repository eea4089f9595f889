/**
 * Property-based fuzzing of ternary kernels: random matmul cases (src/harness/arbitraries.ts) are
 * judged one after another until one fails; fast-check then shrinks the failure to a minimal case
 * (fewest rows and blocks, batch 1, simplest values). `trilm fuzz` runs an external kernel command
 * (fuzzKernel); src/harness/api.ts's checkKernel runs a JavaScript function through the same loop.
 */

import fc from "fast-check";
import { QK_K } from "../../reference/codec/index.js";
import { matmulCase } from "./arbitraries.js";
import { edgeClassesOf, type EdgeClass } from "./edge-cases.js";
import {
  blockBytes,
  caseFailed,
  DEFAULT_TIMEOUT_S,
  type CaseVerdict,
  type KernelActivations,
  type KernelCase,
  type TernaryFormat,
  type KernelOp,
} from "./protocol.js";
import { ResidentKernel } from "./resident-kernel.js";
import { runKernelOnCase } from "./run-kernel.js";

/** What to fuzz and how long. */
export interface FuzzOptions {
  /** The op under test; only "matmul" is fuzzed so far. */
  readonly op: KernelOp;
  readonly format: TernaryFormat;
  /** f32 (default) or ggml (x quantized to Q8_K). */
  readonly activations?: KernelActivations;
  /** Random cases to try before declaring success (default 100). */
  readonly runs?: number;
  /** fast-check seed; the same seed replays the same cases (default: drawn at random). */
  readonly seed?: number;
  /** At most this many weight rows per case (default 4). */
  readonly maxRows?: number;
  /** At most this many 256-element blocks per row (default 4). */
  readonly maxBlocks?: number;
  /** At most this many activation rows per case (default 3). */
  readonly maxBatch?: number;
  /** Also draw edge-case fp16 block scales (zero, subnormal, 65504, inf, NaN). Default true. */
  readonly edgeScales?: boolean;
  /** Also draw Q8_K tie, all-zero and saturated activation blocks, TQ2_0 code 3 and TQ1_0 alias bytes. Default true. */
  readonly edgeValues?: boolean;
  /** Called before every case is judged. */
  readonly onProgress?: (progress: FuzzProgress) => void;
}

/** Where a fuzzing session is. */
export interface FuzzProgress {
  /** "search": looking for a failure; "shrink": minimizing one. */
  readonly phase: "search" | "shrink";
  /** Cases judged so far in this phase (search: 1-based run number). */
  readonly count: number;
  /** Runs asked for. */
  readonly runs: number;
}

/** The outcome of a fuzzing session. */
export interface FuzzResult {
  /**
   * True when no run failed and the kernel took at least one: runs it declined as unsupported are
   * skipped (numUnsupported), so a kernel that declines them all has not passed — nor failed: no counterexample.
   */
  readonly passed: boolean;
  /** The seed used (pass it back as FuzzOptions.seed to replay the session). */
  readonly seed: number;
  /** Runs made before the first failure (or all of them). */
  readonly numRuns: number;
  /** Successful shrink steps from the first failure to the minimal one. */
  readonly numShrinks: number;
  /** Runs of the search the kernel declined as unsupported (exit status 3): skipped, neither passed nor failed. */
  readonly numUnsupported: number;
  /** How many cases of the search exercised each edge class (edge-cases.ts; coverageLine prints it). */
  readonly coverage: ReadonlyMap<EdgeClass, number>;
  /** The reason given for the first of them. */
  readonly unsupportedReason?: string;
  /** The minimal failing case. */
  readonly counterexample?: KernelCase;
  /** Its verdict. */
  readonly verdict?: CaseVerdict;
  /** The first failing case the search found, before shrinking: larger, so its diagnosis tells more causes apart. */
  readonly firstCounterexample?: KernelCase;
  /** Its verdict. */
  readonly firstVerdict?: CaseVerdict;
}

/** Judges one case (runs the kernel and compares with the reference). */
export type CaseJudge = (kernelCase: KernelCase) => CaseVerdict | Promise<CaseVerdict>;

/** A fresh random 31-bit seed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x7fffffff);
}

/**
 * Run the property "`judge` passes every case" over random cases of `options`, shrinking the first
 * failure. Exceptions thrown by `judge` count as failures (their message becomes the reason). A case
 * the judge finds unsupported (caseFailed false, not passed) is skipped: counted in numUnsupported,
 * never a failure and never a shrink target.
 */
export async function fuzzCases(judge: CaseJudge, options: FuzzOptions): Promise<FuzzResult> {
  if (options.op !== "matmul") throw new RangeError(`fuzzing supports op matmul only, not ${options.op}`);
  const runs = options.runs ?? 100;
  const seed = options.seed ?? randomSeed();
  const arbitrary = matmulCase({
    format: options.format,
    activations: options.activations ?? "f32",
    maxRows: options.maxRows,
    maxBlocks: options.maxBlocks,
    maxBatch: options.maxBatch,
    edgeScales: options.edgeScales,
    edgeCodes: options.edgeValues,
    edgeValues: options.edgeValues,
  });
  let failed = false;
  let searched = 0;
  let shrinkTries = 0;
  let lastFailure: { kernelCase: KernelCase; verdict: CaseVerdict } | undefined;
  let firstFailure: { kernelCase: KernelCase; verdict: CaseVerdict } | undefined;
  let unsupportedCount = 0;
  let unsupportedReason: string | undefined;
  const judgeSafely = async (kernelCase: KernelCase): Promise<CaseVerdict> => {
    try {
      return await judge(kernelCase);
    } catch (error) {
      return { passed: false, reason: `the kernel threw: ${error instanceof Error ? error.message : String(error)}` };
    }
  };
  const coverage = new Map<EdgeClass, number>();
  const property = fc.asyncProperty(arbitrary, async (kernelCase) => {
    if (failed) options.onProgress?.({ phase: "shrink", count: ++shrinkTries, runs });
    else options.onProgress?.({ phase: "search", count: ++searched, runs });
    if (!failed) for (const c of edgeClassesOf(kernelCase)) coverage.set(c, (coverage.get(c) ?? 0) + 1);
    const verdict = await judgeSafely(kernelCase);
    if (verdict.passed) return true;
    if (!caseFailed(verdict)) {
      if (!failed) {
        unsupportedCount++;
        unsupportedReason ??= verdict.reason;
      }
      return true;
    }
    failed = true;
    lastFailure = { kernelCase, verdict };
    firstFailure ??= lastFailure;
    return false;
  });
  const details = await fc.check(property, { numRuns: runs, seed });
  const skipped = {
    numUnsupported: unsupportedCount,
    ...(unsupportedReason === undefined ? {} : { unsupportedReason }),
  };
  if (!details.failed || details.counterexample === null) {
    return {
      passed: unsupportedCount < details.numRuns,
      seed,
      numRuns: details.numRuns,
      numShrinks: 0,
      ...skipped,
      coverage,
    };
  }
  const shrunk = details.counterexample[0];
  const verdict = lastFailure?.kernelCase === shrunk ? lastFailure.verdict : await judgeSafely(shrunk);
  const reduced = await reduceCase({ kernelCase: shrunk, verdict }, judgeSafely, () =>
    options.onProgress?.({ phase: "shrink", count: ++shrinkTries, runs }),
  );
  return {
    passed: false,
    seed,
    numRuns: details.numRuns,
    numShrinks: details.numShrinks + reduced.steps,
    ...skipped,
    coverage,
    counterexample: reduced.kernelCase,
    verdict: reduced.verdict,
    ...(firstFailure === undefined
      ? {}
      : { firstCounterexample: firstFailure.kernelCase, firstVerdict: firstFailure.verdict }),
  };
}

/**
 * The part of a matmul case made of the given weight rows, activation rows and column blocks (in
 * that order): weight rows × blocks, x batch rows × the same blocks.
 */
export function subCase(
  kernelCase: KernelCase,
  rows: readonly number[],
  batches: readonly number[],
  blocks: readonly number[],
): KernelCase {
  const size = blockBytes(kernelCase.format);
  const nb = kernelCase.cols / QK_K;
  const weight = new Uint8Array(rows.length * blocks.length * size);
  rows.forEach((r, i) =>
    blocks.forEach((blk, j) =>
      weight.set(
        kernelCase.weight!.subarray((r * nb + blk) * size, (r * nb + blk + 1) * size),
        (i * blocks.length + j) * size,
      ),
    ),
  );
  const cols = blocks.length * QK_K;
  const x = new Float32Array(batches.length * cols);
  batches.forEach((b, i) =>
    blocks.forEach((blk, j) =>
      x.set(
        kernelCase.x!.subarray(b * kernelCase.cols + blk * QK_K, b * kernelCase.cols + (blk + 1) * QK_K),
        i * cols + j * QK_K,
      ),
    ),
  );
  return { ...kernelCase, rows: rows.length, cols, batch: batches.length, weight, x };
}

/** 0, 1, …, n − 1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The smaller cases tried by reduceCase, simplest first: one row, one activation row, one block, two blocks. */
function* structuralCandidates(kernelCase: KernelCase): Generator<KernelCase> {
  const { rows, batch } = kernelCase;
  const nb = kernelCase.cols / QK_K;
  const allRows = range(rows);
  const allBatches = range(batch);
  const allBlocks = range(nb);
  if (rows > 1) for (const r of allRows) yield subCase(kernelCase, [r], allBatches, allBlocks);
  if (batch > 1) for (const b of allBatches) yield subCase(kernelCase, allRows, [b], allBlocks);
  if (nb > 1) for (const i of allBlocks) yield subCase(kernelCase, allRows, allBatches, [i]);
  if (nb > 2)
    for (const i of allBlocks) for (let j = i + 1; j < nb; j++) yield subCase(kernelCase, allRows, allBatches, [i, j]);
}

/**
 * fast-check fixes a case's shape before it shrinks its values, so a shrunk case can keep rows,
 * activation rows or blocks that no longer matter. Drop them greedily: keep any smaller sub-case
 * (one row, one batch row, one block or a pair of blocks) that still fails, until none does.
 */
async function reduceCase(
  failure: { kernelCase: KernelCase; verdict: CaseVerdict },
  judge: (kernelCase: KernelCase) => Promise<CaseVerdict>,
  onTry: () => void,
): Promise<{ kernelCase: KernelCase; verdict: CaseVerdict; steps: number }> {
  let current = failure;
  let steps = 0;
  for (let progressed = true; progressed;) {
    progressed = false;
    for (const candidate of structuralCandidates(current.kernelCase)) {
      onTry();
      const verdict = await judge(candidate);
      if (caseFailed(verdict)) {
        current = { kernelCase: candidate, verdict };
        steps++;
        progressed = true;
        break;
      }
    }
  }
  return { ...current, steps };
}

/** Options of fuzzKernel: FuzzOptions, the kernel's time limit and how it is run. */
export interface FuzzKernelOptions extends FuzzOptions {
  /** Seconds one kernel run may take (default DEFAULT_TIMEOUT_S, 30). */
  readonly timeoutS?: number;
  /** Run the kernel as one resident process (protocol v1.1, spec/kernel-protocol.md §8) instead of one per case. */
  readonly resident?: boolean;
}

/** fuzzKernel's outcome: FuzzResult and, in resident mode, how often the kernel process was started. */
export interface FuzzKernelResult extends FuzzResult {
  /** Resident mode: process starts (1 when it never died, hung or broke the protocol). */
  readonly kernelStarts?: number;
}

/**
 * Fuzz an external kernel command with runKernelOnCase as the judge: protocol v1 (one process per
 * case, the case directory appended as its last argument) or, with options.resident, one resident
 * process for the search and the shrinking, closed at the end.
 */
export async function fuzzKernel(command: string, options: FuzzKernelOptions): Promise<FuzzKernelResult> {
  const timeoutS = options.timeoutS ?? DEFAULT_TIMEOUT_S;
  if (options.resident !== true)
    return fuzzCases((kernelCase) => runKernelOnCase(command, kernelCase, { timeoutS }), options);
  const kernel = new ResidentKernel(command, { timeoutS });
  try {
    const result = await fuzzCases((kernelCase) => kernel.runCase(kernelCase), options);
    return { ...result, kernelStarts: kernel.starts };
  } finally {
    await kernel.close();
  }
}

/** A case in a few words: "1 row × 2 blocks (cols 512), batch 1, tq2_0, f32 activations". */
export function describeCase(kernelCase: KernelCase): string {
  const blocks = kernelCase.cols / QK_K;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  return (
    `${plural(kernelCase.rows, "row")} × ${plural(blocks, "block")} (cols ${kernelCase.cols}), batch ${kernelCase.batch}, ` +
    `${kernelCase.format}, ${kernelCase.activations} activations`
  );
}

/**
 * Where a verdict points, in words: "y[0,0] (batch 0, row 0); weight col 1 = block 0, byte 1, bit 0;
 * expected 1, got 0". Undefined when the verdict names no element.
 */
export function describeWorst(verdict: CaseVerdict): string | undefined {
  const worst = verdict.worst;
  if (worst === undefined) return undefined;
  const stored = [`block ${worst.block}`, `byte ${worst.byte}`];
  if (worst.bit !== undefined) stored.push(`bit ${worst.bit}`);
  if (worst.trit !== undefined) stored.push(`trit ${worst.trit}`);
  const weight = worst.col === undefined ? stored.join(", ") : `weight col ${worst.col} = ${stored.join(", ")}`;
  return `y[${worst.batch},${worst.row}] (batch ${worst.batch}, row ${worst.row}); ${weight}; expected ${worst.expected}, got ${worst.actual}`;
}
