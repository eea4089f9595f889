/**
 * The allowed difference of a candidate backend's SwiGLU from the reference's, per element.
 * Implements spec/tolerances.md §6.
 */

import { divSqrtRelativeError, expRelativeError, type Accuracy } from "./accuracy.js";
import {
  combineRelativeErrors,
  SMALLEST_SUBNORMAL_F32,
  UNIT_ROUNDOFF_F32,
  UNIT_ROUNDOFF_F64,
} from "./floating-point.js";

/**
 * Allowed |Δh| for h = silu(gate)·up = gate / (1 + exp(−gate)) · up: Float64Array[gate.length],
 * relative to the reference's |h| (`reference`), plus the overflow zone gate ≤ −80 absolutely.
 * Implements spec/tolerances.md §6.
 */
export function swigluBounds(
  gate: Float32Array,
  up: Float32Array,
  reference: Float32Array,
  accuracy: Accuracy,
): Float64Array {
  const out = new Float64Array(gate.length);
  const ds = divSqrtRelativeError(accuracy);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    const e = expRelativeError(accuracy, Math.abs(g));
    const candidate = e + UNIT_ROUNDOFF_F32 + ds + UNIT_ROUNDOFF_F32; // exp, 1 + ·, ÷, · up
    const ref = 4 * UNIT_ROUNDOFF_F32 + 2 * UNIT_ROUNDOFF_F64;
    const k = combineRelativeErrors(candidate + ref);
    const overflowZone = g <= -80 ? 2 * Math.abs(up[i]) * 80 * Math.exp(-80) : 0; // exp(−g) may overflow on one side
    out[i] = k * Math.abs(reference[i]) + overflowZone + 4 * (1 + Math.abs(up[i])) * SMALLEST_SUBNORMAL_F32;
  }
  return out;
}
