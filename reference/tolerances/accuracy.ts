/**
 * What a candidate backend guarantees about its elementary functions and divisions, and the
 * relative errors that follows. Implements spec/tolerances.md §1 (elementary functions).
 */

import { UNIT_ROUNDOFF_F32 } from "./floating-point.js";

/**
 * A candidate backend's elementary-function accuracy, in units in the last place (1 ulp ≤ 2u
 * relative). Implements spec/tolerances.md §1: IEEE float32 with a ≤ 1-ulp libm for cpu/wasm, the
 * ESSL precision table for WebGL.
 */
export interface Accuracy {
  /** exp(x) is within expUlps + expUlpsPerUnit·|x| ulps. */
  readonly expUlps: number;
  /** See expUlps. */
  readonly expUlpsPerUnit: number;
  /** Division and square root within this many ulps (0.5 = correctly rounded). */
  readonly divSqrtUlps: number;
  /** Absolute error of the backend's cos θ and sin θ for RoPE (spec/tolerances.md §5). */
  readonly trigAbs: number;
}

/**
 * IEEE float32 arithmetic with a faithful (≤ 1 ulp) exp, correctly rounded division and square
 * root, RoPE angles within 2u absolutely (computed on the host). Implements spec/tolerances.md §1.
 */
export const IEEE_ACCURACY: Accuracy = {
  expUlps: 1,
  expUlpsPerUnit: 0,
  divSqrtUlps: 0.5,
  trigAbs: 2 * UNIT_ROUNDOFF_F32,
};

/**
 * WebGL (ESSL 3.20 / Vulkan highp precision table): exp (3 + 2|x|) ulp, division 2.5 ulp,
 * inversesqrt 2 ulp; RoPE angles from the host. Implements spec/tolerances.md §1.
 */
export const WEBGL_ACCURACY: Accuracy = {
  expUlps: 3,
  expUlpsPerUnit: 2,
  divSqrtUlps: 2.5,
  trigAbs: 2 * UNIT_ROUNDOFF_F32,
};

/** The relative error of `ulps` float32 ulps (one ulp ≤ 2u relative). Implements spec/tolerances.md §1. */
export function ulpsToRelative(ulps: number): number {
  return 2 * ulps * UNIT_ROUNDOFF_F32;
}

/** The relative error of the candidate's exp(x) at |x| = `magnitude`. Implements spec/tolerances.md §1. */
export function expRelativeError(accuracy: Accuracy, magnitude: number): number {
  return ulpsToRelative(accuracy.expUlps + accuracy.expUlpsPerUnit * magnitude);
}

/** The relative error of the candidate's division and square root. Implements spec/tolerances.md §1. */
export function divSqrtRelativeError(accuracy: Accuracy): number {
  return ulpsToRelative(accuracy.divSqrtUlps);
}
