/**
 * The allowed difference of a candidate backend's RMSNorm from the reference's, per element.
 * Implements spec/tolerances.md §4.
 */

import { divSqrtRelativeError, type Accuracy } from "./accuracy.js";
import {
  combineRelativeErrors,
  gammaF32,
  SMALLEST_SUBNORMAL_F32,
  UNIT_ROUNDOFF_F32,
  UNIT_ROUNDOFF_F64,
} from "./floating-point.js";

/**
 * Allowed |Δy| for y = x · 1/√(mean x² + eps) · weight over `batch` rows of weight.length values:
 * Float64Array[batch·n], relative to the reference's |y| (`reference`). Implements spec/tolerances.md §4.
 */
export function rmsNormBounds(
  weight: Float32Array,
  eps: number,
  batch: number,
  reference: Float32Array,
  accuracy: Accuracy,
): Float64Array {
  const n = weight.length;
  const out = new Float64Array(batch * n);
  const ds = divSqrtRelativeError(accuracy);
  for (let b = 0; b < batch; b++) {
    const g = gammaF32(n + 2); // Σ of n positive squares, / n, + eps
    const underflowOfMean = ((n + 2) * SMALLEST_SUBNORMAL_F32) / Math.max(Math.fround(eps), SMALLEST_SUBNORMAL_F32); // relative, through eps > 0
    const candidate =
      ((g + underflowOfMean) / 2) * (1 + g) + ds /* sqrt */ + ds /* 1/· */ + 2 * UNIT_ROUNDOFF_F32; /* ·scale, ·w */
    const ref = 6 * UNIT_ROUNDOFF_F32 + n * UNIT_ROUNDOFF_F64;
    const k = combineRelativeErrors(candidate + ref + (g + underflowOfMean) / 2);
    for (let i = 0; i < n; i++) {
      out[b * n + i] = k * Math.abs(reference[b * n + i]) + 4 * (1 + Math.abs(weight[i])) * SMALLEST_SUBNORMAL_F32;
    }
  }
  return out;
}
