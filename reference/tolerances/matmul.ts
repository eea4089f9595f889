/**
 * The allowed difference of a candidate backend's matmul y = x·Wᵀ from the reference's, per output
 * element. Implements spec/tolerances.md §2 (`f32` mode) and §3 (`ggml` mode).
 */

import {
  dequantizeRowQ8K,
  GgmlType,
  quantizeRowQ8K,
  ternaryDotErrorBound,
  ternaryDotMayOverflow,
} from "../codec/index.js";
import type { BackendActivationMode } from "../model/modes.js";
import { decodeMatrixRow, packedRow, type PackedMatrix } from "../model/packed-matrix.js";
import { gammaF32, gammaF64, mayOverflowF32, SMALLEST_SUBNORMAL_F32, UNIT_ROUNDOFF_F32 } from "./floating-point.js";

/** The tolerance of every output of a matmul: its bound, and whether a non-finite value is correct there. */
export interface MatmulTolerance {
  /** Allowed |Δy| per output, Float64Array[batch·rows] (matmulBounds). */
  readonly bounds: Float64Array;
  /**
   * 1 where the weights are finite but some correct float32 order may overflow (spec/tolerances.md §1,
   * overflow): a non-finite candidate or reference is accepted there (checkTolerance's `nonFiniteAllowed`).
   */
  readonly nonFiniteAllowed: Uint8Array;
}

/**
 * Allowed |Δy| for y = x·Wᵀ (x: Float32Array[batch·cols]) in `mode`, one per output: Float64Array[batch·rows].
 * `reference` is the reference's y (its own rounding is part of the bound). `f32`: §2; `ggml-matmul`
 * with TQ1_0/TQ2_0 weights: §3.1, calling spec/formats.md §8.2's `ternaryDotErrorBound`; any other
 * combination: §3.2. Implements spec/tolerances.md §2 and §3.
 */
export function matmulBounds(
  matrix: PackedMatrix,
  x: Float32Array,
  batch: number,
  mode: BackendActivationMode,
  reference: Float32Array,
): Float64Array {
  return matmulTolerance(matrix, x, batch, mode, reference).bounds;
}

/**
 * matmulBounds together with where a non-finite output is correct: finite S (the weights finite) and
 * max(P, N) + γ_k·S reaching the overflow threshold (§1; P, N the sums of the positive and negative products,
 * k = C in §2, C + 3 in §3.1, C + 8 in §3.2), or, for TQ weights in `ggml-matmul` mode, spec/formats.md §8.2's
 * `ternaryDotMayOverflow` for the reference's AVX2 order. Implements spec/tolerances.md §2 and §3 (overflow).
 */
export function matmulTolerance(
  matrix: PackedMatrix,
  x: Float32Array,
  batch: number,
  mode: BackendActivationMode,
  reference: Float32Array,
): MatmulTolerance {
  const { rows, cols } = matrix;
  const w = Array.from({ length: rows }, (_, r) => decodeMatrixRow(matrix, r)); // exact (spec/formats.md)
  const out = new Float64Array(batch * rows);
  const nonFiniteAllowed = new Uint8Array(batch * rows);
  const ternary = matrix.type === GgmlType.TQ1_0 || matrix.type === GgmlType.TQ2_0;
  for (let b = 0; b < batch; b++) {
    const row = x.subarray(b * cols, (b + 1) * cols);
    const xq = mode === "ggml-matmul" && ternary ? quantizeRowQ8K(row) : undefined;
    const xt = xq === undefined ? row : dequantizeRowQ8K(xq); // x̃ = d·q (§3.1)
    for (let r = 0; r < rows; r++) {
      let s = 0; // S = Σ |W_rc · x_c|, exact products in float64
      let positive = 0; // the positive and the |negative| products' sums (§1, overflow)
      let negative = 0;
      const wr = w[r];
      for (let c = 0; c < cols; c++) {
        const p = wr[c] * xt[c];
        s += Math.abs(p);
        if (p > 0) positive += p;
        else negative -= p;
      }
      s *= 1 + gammaF64(cols); // an upper bound of the exact Σ
      const largestPartialSum = Math.max(positive, negative) * (1 + gammaF64(cols)); // ≥ max(P, N)
      const y = Math.abs(reference[b * rows + r]);
      const underflow = 2 * (cols + 8) * SMALLEST_SUBNORMAL_F32;
      let bound: number;
      let mayOverflow: boolean;
      if (mode === "f32") {
        bound =
          gammaF32(cols) * s + gammaF64(cols) * s + UNIT_ROUNDOFF_F32 * y * (1 + 2 * UNIT_ROUNDOFF_F32) + underflow; // §2
        mayOverflow = mayOverflowF32(largestPartialSum, s, cols);
      } else if (xq !== undefined) {
        const type = matrix.type as GgmlType.TQ1_0 | GgmlType.TQ2_0;
        const dot = ternaryDotErrorBound(type, packedRow(matrix, r), xq);
        bound = gammaF32(cols + 3) * s + dot + UNIT_ROUNDOFF_F32 * y + underflow; // §3.1
        mayOverflow =
          mayOverflowF32(largestPartialSum, s, cols + 3) || ternaryDotMayOverflow(type, packedRow(matrix, r), xq);
      } else {
        bound = 2 * gammaF32(cols + 8) * s + UNIT_ROUNDOFF_F32 * y + underflow; // §3.2: both sides a float32 sum, any order
        mayOverflow = mayOverflowF32(largestPartialSum, s, cols + 8);
      }
      out[b * rows + r] = bound;
      nonFiniteAllowed[b * rows + r] = Number.isFinite(s) && mayOverflow ? 1 : 0;
    }
  }
  return { bounds: out, nonFiniteAllowed };
}
