/**
 * Judging an I2_S-format kernel's y (spec/kernel-protocol.md §12.3): every output must be accepted by
 * spec/tolerances.md §12.2 (i2sOutputAccepted: the integer part exact, the float tail within a few ulps); a failure
 * is diagnosed by cause (§12.4) and names the failing output, the exact integer Σ t·q and the one the kernel's y
 * implies, and, when the case has few non-zero weights, where each is stored in W.bin (byte and shift).
 */

import { i2sElementLocation } from "../../reference/codec/i2_s.js";
import { i2sMatmul, type I2sMatmulResult } from "../../reference/codec/i2_s-matmul.js";
import { i2sImpliedCentered, i2sOutputAccepted, i2sOutputBound } from "../../reference/tolerances/i2s-matmul.js";
import { i2sCaseActivations, i2sCaseBytes, I2S_FILES, type I2sKernelCase } from "./i2s-case.js";
import { diagnoseI2sMatmul } from "./i2s-diagnose.js";
import type { CaseVerdict } from "./protocol.js";
import { readMatrixOutputNpy } from "./matrix-output-npy.js";

/** Name the stored place of each non-zero weight when a case has at most this many. */
export const I2S_NAMED_WEIGHTS_MAX = 8;

/** One weight and where its 2-bit code is stored in W.bin (spec/bitnet.md §2.2). */
export interface I2sWeightPlace {
  /** Weight row r (output) and column c (input). */
  readonly row: number;
  readonly col: number;
  /** Its ternary value t = code − 1. */
  readonly t: number;
  /** `(W.bin[byte] >> shift) & 3`. */
  readonly byte: number;
  readonly shift: number;
}

/** The output element a failed I2_S verdict points at, with its integer. */
export interface I2sOutputElement {
  /** Activation row i and weight row r: y[i, r]. */
  readonly row: number;
  readonly column: number;
  readonly expected: number;
  readonly actual: number;
  /** The exact Σ_c t(r, c)·q_i[c] = S − act_sum. */
  readonly exactInteger: number;
  /** round(y·σ/α): the integer the kernel's y stands for (undefined when y or the scales are not finite). */
  readonly impliedInteger?: number;
}

/** An I2_S-format verdict: CaseVerdict's fields, the failing output and the stored places of the non-zero weights. */
export interface I2sVerdict extends CaseVerdict {
  readonly output?: I2sOutputElement;
  /** Outputs rejected. */
  readonly rejected?: number;
  /** Every non-zero weight with its place in W.bin, when there are at most I2S_NAMED_WEIGHTS_MAX (a shrunk case). */
  readonly weights?: readonly I2sWeightPlace[];
}

/** The non-zero weights (code ≠ 1) with their places, or undefined when there are more than `limit`. */
export function i2sNonZeroWeightPlaces(
  kernelCase: I2sKernelCase,
  limit = I2S_NAMED_WEIGHTS_MAX,
): I2sWeightPlace[] | undefined {
  const places: I2sWeightPlace[] = [];
  const shape = { rows: kernelCase.n, cols: kernelCase.k };
  for (let e = 0; e < kernelCase.codes.length; e++) {
    if (kernelCase.codes[e] === 1) continue;
    if (places.length === limit) return undefined;
    const [row, col] = [Math.floor(e / kernelCase.k), e % kernelCase.k];
    const location = i2sElementLocation(kernelCase.layout, shape, row, col);
    if (location === undefined) return undefined;
    places.push({ row, col, t: kernelCase.codes[e] - 1, ...location });
  }
  return places;
}

/** "W[3,17] = +1 at W.bin byte 49, bits 5:4 (x86 layout)". */
export function describeI2sWeightPlace(place: I2sWeightPlace, layout: string): string {
  const sign = place.t > 0 ? "+" : "";
  return `W[${place.row},${place.col}] = ${sign}${place.t} at W.bin byte ${place.byte}, bits ${place.shift + 1}:${place.shift} (${layout} layout)`;
}

/** "y[0,17] (activation row 0, weight row 17): expected 2, got 3; Σ t·q exact 254, kernel's y implies 381". */
export function describeI2sOutput(output: I2sOutputElement): string {
  const implied = output.impliedInteger === undefined ? "none (not finite)" : String(output.impliedInteger);
  return (
    `y[${output.row},${output.column}] (activation row ${output.row}, weight row ${output.column}): ` +
    `expected ${output.expected}, got ${output.actual}; Σ t·q exact ${output.exactInteger}, kernel's y implies ${implied}`
  );
}

/** Options of judging: a golden test's expected y and integers, instead of computing them. */
export interface I2sJudgeOptions {
  /** The reference (i2sMatmul's result); computed from the case when absent. */
  readonly reference?: Pick<I2sMatmulResult, "y" | "centered">;
}

/**
 * Judge the float32 `y` [m × n] a kernel computed for `kernelCase` (spec/kernel-protocol.md §12.3): every element
 * must be accepted by i2sOutputAccepted against the reference i2sMatmul (spec/tolerances.md §12).
 */
export function judgeI2sMatmul(kernelCase: I2sKernelCase, y: Float32Array, options: I2sJudgeOptions = {}): I2sVerdict {
  const { m, n } = kernelCase;
  if (y.length !== m * n) return { passed: false, reason: `y has ${y.length} elements, expected ${m * n}` };
  const acts = i2sCaseActivations(kernelCase);
  const reference =
    options.reference ?? i2sMatmul(kernelCase.layout, { rows: n, cols: kernelCase.k }, i2sCaseBytes(kernelCase), acts);
  let maxAbsError = 0;
  let squaredError = 0;
  let squaredExpected = 0;
  let nonFinite = 0;
  let rejected = 0;
  let worstIndex = -1;
  let worstExcess = -1;
  for (let index = 0; index < m * n; index++) {
    const [actual, expected, centered] = [y[index], reference.y[index], reference.centered[index]];
    if (Number.isFinite(actual) && Number.isFinite(expected)) {
      maxAbsError = Math.max(maxAbsError, Math.abs(actual - expected));
      squaredError += (actual - expected) ** 2;
      squaredExpected += expected ** 2;
    } else if (!(Number.isNaN(actual) && Number.isNaN(expected)) && actual !== expected) nonFinite++;
    if (i2sOutputAccepted(actual, expected, centered)) continue;
    rejected++;
    const distance = Math.abs(actual - expected);
    const excess = Number.isNaN(distance)
      ? Infinity
      : distance / (i2sOutputBound(expected, centered) || Number.MIN_VALUE);
    if (excess > worstExcess) [worstExcess, worstIndex] = [excess, index];
  }
  const stats = {
    maxAbsError,
    nmse: squaredExpected === 0 ? (squaredError === 0 ? 0 : Infinity) : squaredError / squaredExpected,
    nonFinite,
  };
  if (rejected === 0) return { passed: true, ...stats };
  const row = Math.floor(worstIndex / n);
  const implied = i2sImpliedCentered(y[worstIndex], acts[row].scale, kernelCase.scale);
  const output: I2sOutputElement = {
    row,
    column: worstIndex % n,
    expected: reference.y[worstIndex],
    actual: y[worstIndex],
    exactInteger: reference.centered[worstIndex],
    ...(implied === undefined ? {} : { impliedInteger: implied }),
  };
  const weights = i2sNonZeroWeightPlaces(kernelCase);
  return {
    passed: false,
    diagnosis: diagnoseI2sMatmul(kernelCase, y),
    reason:
      `${rejected} of ${m * n} outputs outside the spec/tolerances.md §12.2 bound; worst ${describeI2sOutput(output)} ` +
      `(bound ±${i2sOutputBound(output.expected, output.exactInteger)})`,
    ...stats,
    output,
    rejected,
    ...(weights === undefined ? {} : { weights }),
  };
}

/**
 * Judge the bytes of the kernel's y.npy: it must be '<f4' with shape (m, n); a wrong file fails with the reason
 * (spec/kernel-protocol.md §4), a right one is judged by judgeI2sMatmul.
 */
export function judgeI2sOutputFile(
  kernelCase: I2sKernelCase,
  bytes: Uint8Array,
  options: I2sJudgeOptions = {},
): I2sVerdict {
  const y = readMatrixOutputNpy(bytes, I2S_FILES.y, "<f4", [kernelCase.m, kernelCase.n]);
  return typeof y === "string" ? { passed: false, reason: y } : judgeI2sMatmul(kernelCase, y, options);
}
