/**
 * Judging a TriRun-format kernel's y (spec/kernel-protocol.md §11.3): every output element must be
 * accepted by spec/tolerances.md §10 (trirunOutputAccepted); a failure is diagnosed by cause (§11.6) and
 * names the failing element (its row, column and 16-column tile) and, when the case has few non-zero
 * weights, where each of them is stored in B (tile, word, crumb and bit pair: spec/trirun.md §5).
 */

import { trirunMatmul } from "../../reference/codec/trirun-matmul.js";
import { f16BitsToF32 } from "../../reference/codec/float16.js";
import { trirunElementLocation, TRIRUN_TILE, type TrirunMatrix } from "../../reference/codec/trirun.js";
import {
  trirunMatmulAcceptance,
  trirunOutputAccepted,
  type TrirunMatmulAcceptance,
} from "../../reference/tolerances/trirun-matmul.js";
import type { CaseVerdict } from "./protocol.js";
import { TRIRUN_FILES, type TrirunKernelCase } from "./trirun-case.js";
import { diagnoseTrirunMatmul } from "./trirun-diagnose.js";
import { readMatrixOutputNpy } from "./matrix-output-npy.js";

/** Name the stored place of each non-zero weight when a case has at most this many. */
export const TRIRUN_NAMED_WEIGHTS_MAX = 8;

/** One weight element and where TriRun stores it (spec/trirun.md §3, §5). */
export interface TrirunWeightPlace {
  /** The element: input k, output n. */
  readonly k: number;
  readonly n: number;
  /** Its ternary value t = code − 1 (2 for code 3). */
  readonly t: number;
  /** Its 16×16 tile: (k/16, n/16). */
  readonly tileRow: number;
  readonly tileColumn: number;
  /** Its word of B: row k/16, column within the row. */
  readonly wordRow: number;
  readonly wordColumn: number;
  /** Its crumb in the word, 0..15: bits 2·crumb .. 2·crumb + 1. */
  readonly crumb: number;
}

/** The output element a failed TriRun verdict points at. */
export interface TrirunOutputElement {
  /** Activation row i (0..m−1) and output column j (0..n−1): y[i, j]. */
  readonly row: number;
  readonly column: number;
  /** The 16-column output tile j/16: y[i, j] reads column j of W, every k-tile of that tile column. */
  readonly nTile: number;
  readonly expected: number;
  readonly actual: number;
}

/** A TriRun-format verdict: CaseVerdict's fields, the failing output and the stored places of the non-zero weights. */
export interface TrirunVerdict extends CaseVerdict {
  /** The rejected output furthest outside its bound (absent when the case passed or had no output to judge). */
  readonly output?: TrirunOutputElement;
  /** Outputs rejected. */
  readonly rejected?: number;
  /**
   * Every non-zero weight of the case with its place in B, when there are at most TRIRUN_NAMED_WEIGHTS_MAX
   * (a shrunk case): after shrinking these are the weights that make the kernel fail.
   */
  readonly weights?: readonly TrirunWeightPlace[];
}

/** Where weight (kIndex, nIndex) of `weights` is stored. */
export function trirunWeightPlace(weights: TrirunMatrix, kIndex: number, nIndex: number): TrirunWeightPlace {
  const location = trirunElementLocation(weights.n, kIndex, nIndex);
  return {
    k: kIndex,
    n: nIndex,
    t: weights.codes[kIndex * weights.n + nIndex] - 1,
    tileRow: Math.floor(kIndex / TRIRUN_TILE),
    tileColumn: Math.floor(nIndex / TRIRUN_TILE),
    wordRow: location.row,
    wordColumn: location.column,
    crumb: location.crumb,
  };
}

/** The non-zero weights (code ≠ 1) with their places, or undefined when there are more than `limit`. */
export function nonZeroWeightPlaces(
  weights: TrirunMatrix,
  limit = TRIRUN_NAMED_WEIGHTS_MAX,
): TrirunWeightPlace[] | undefined {
  const places: TrirunWeightPlace[] = [];
  for (let i = 0; i < weights.codes.length; i++) {
    if (weights.codes[i] === 1) continue;
    if (places.length === limit) return undefined;
    places.push(trirunWeightPlace(weights, Math.floor(i / weights.n), i % weights.n));
  }
  return places;
}

/** "W[3,17] = +1 in tile (0,1), B word (0,38) crumb 9 (bits 18..19)". */
export function describeWeightPlace(place: TrirunWeightPlace): string {
  const sign = place.t > 0 ? "+" : "";
  return (
    `W[${place.k},${place.n}] = ${sign}${place.t} in tile (${place.tileRow},${place.tileColumn}), ` +
    `B word (${place.wordRow},${place.wordColumn}) crumb ${place.crumb} (bits ${2 * place.crumb}..${2 * place.crumb + 1})`
  );
}

/** "y[0,17] (row 0, column 17, n-tile 1); expected 2, got 3". */
export function describeTrirunOutput(output: TrirunOutputElement): string {
  return (
    `y[${output.row},${output.column}] (row ${output.row}, column ${output.column}, n-tile ${output.nTile}); ` +
    `expected ${output.expected}, got ${output.actual}`
  );
}

/** Options of judging: the launch the kernel declares, or a golden suite's acceptance data. */
export interface TrirunJudgeOptions {
  /** Thread-block slices P of the fp16 partial sums (spec/tolerances.md §10); default the worst case for k. */
  readonly slices?: number;
  /**
   * A golden test's acceptance region as its files hold it (y_center, y_bound, y_nonfinite: spec/golden.md §6.3):
   * judge with it instead of computing spec/tolerances.md §10's (`slices` is then not used).
   */
  readonly acceptance?: TrirunMatmulAcceptance;
  /** A golden test's y.npy (fp16 bits [m × n]): the statistics' and the report's expected values, instead of trirunMatmul's. */
  readonly expected?: Uint16Array;
}

/**
 * Judge the fp16 bits `y` [m × n] a kernel computed for `kernelCase` (spec/kernel-protocol.md §11.3):
 * every element must be accepted by trirunOutputAccepted, in the region options.acceptance gives (a golden
 * test's files) or else spec/tolerances.md §10's. The statistics compare y with options.expected (a golden
 * test's y) or else the reference trirunMatmul's fp16 output (max abs error and NMSE where both are finite).
 */
export function judgeTrirunMatmul(
  kernelCase: TrirunKernelCase,
  y: Uint16Array,
  options: TrirunJudgeOptions = {},
): TrirunVerdict {
  const { weights, m, x } = kernelCase;
  const n = weights.n;
  if (y.length !== m * n) return { passed: false, reason: `y has ${y.length} elements, expected ${m * n}` };
  const acceptance =
    options.acceptance ??
    trirunMatmulAcceptance(weights, x, m, options.slices === undefined ? {} : { slices: options.slices });
  const reference = options.expected ?? trirunMatmul(weights, x, m);
  let maxAbsError = 0;
  let squaredError = 0;
  let squaredExpected = 0;
  let nonFinite = 0;
  let rejected = 0;
  let worstIndex = -1;
  let worstExcess = -1;
  for (let index = 0; index < m * n; index++) {
    const actual = f16BitsToF32(y[index]);
    const expected = f16BitsToF32(reference[index]);
    if (Number.isFinite(actual) && Number.isFinite(expected)) {
      maxAbsError = Math.max(maxAbsError, Math.abs(actual - expected));
      squaredError += (actual - expected) ** 2;
      squaredExpected += expected ** 2;
    } else if (!(Number.isNaN(actual) && Number.isNaN(expected)) && actual !== expected) nonFinite++;
    if (trirunOutputAccepted(acceptance, index, y[index])) continue;
    rejected++;
    const distance = Math.abs(actual - acceptance.center[index]);
    const excess = Number.isNaN(distance) ? Infinity : distance / (acceptance.bound[index] || Number.MIN_VALUE);
    if (excess > worstExcess) [worstExcess, worstIndex] = [excess, index];
  }
  const stats = {
    maxAbsError,
    nmse: squaredExpected === 0 ? (squaredError === 0 ? 0 : Infinity) : squaredError / squaredExpected,
    nonFinite,
  };
  const weightsNamed = nonZeroWeightPlaces(weights);
  if (rejected === 0) return { passed: true, ...stats };
  const row = Math.floor(worstIndex / n);
  const column = worstIndex % n;
  const output: TrirunOutputElement = {
    row,
    column,
    nTile: Math.floor(column / TRIRUN_TILE),
    expected: f16BitsToF32(reference[worstIndex]),
    actual: f16BitsToF32(y[worstIndex]),
  };
  const worstBound = acceptance.bound[worstIndex];
  const region =
    options.acceptance === undefined
      ? "spec/tolerances.md §10 bound"
      : "suite's acceptance files (spec/golden.md §6.3)";
  return {
    passed: false,
    diagnosis: diagnoseTrirunMatmul(kernelCase, y, acceptance),
    reason:
      `${rejected} of ${m * n} outputs outside the ${region} (P = ${acceptance.slices} slices); ` +
      `worst ${describeTrirunOutput(output)} (accepted: ${acceptance.center[worstIndex]} ± ${worstBound})`,
    ...stats,
    output,
    rejected,
    ...(weightsNamed === undefined ? {} : { weights: weightsNamed }),
  };
}

/**
 * Judge the bytes of the kernel's y.npy: it must be '<f2' with shape (m, n); a wrong file fails with
 * the reason (spec/kernel-protocol.md §4), a right one is judged by judgeTrirunMatmul.
 */
export function judgeTrirunOutputFile(
  kernelCase: TrirunKernelCase,
  bytes: Uint8Array,
  options: TrirunJudgeOptions = {},
): TrirunVerdict {
  const y = readMatrixOutputNpy(bytes, TRIRUN_FILES.y, "<f2", [kernelCase.m, kernelCase.weights.n]);
  return typeof y === "string" ? { passed: false, reason: y } : judgeTrirunMatmul(kernelCase, y, options);
}
