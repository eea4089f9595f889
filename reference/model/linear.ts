/**
 * The linear layer y = W·x, with the three ways of feeding it activations.
 * Implements spec/forward.md §3.
 *
 *   f32             y_r = Σ_c W[r,c]·x[c], W decoded exactly, summed in float64, rounded once to float32.
 *   ggml            what llama.cpp's CPU backend does: x is first converted to the weight type's
 *                   dot-product type — Q8_K for TQ1_0/TQ2_0, BF16 for BF16, Q8_0 for Q8_0, unchanged
 *                   for F32 and for F16 (tinyBLAS multiplies F16 weights by F32 activations) — and
 *                   the dot product runs in the arithmetic order of the x86-64 build that produced
 *                   llama.cpp's reference logits (spec §9, reference/ggml-x86, LLAMA_REFERENCE_ISA):
 *                   TQ1_0/TQ2_0 · Q8_K through the AVX2 vec_dot kernels; F32/F16/BF16 through
 *                   llamafile's tinyBLAS as for a batch of ≥ 2 tokens when cols is a multiple of the
 *                   lane count, else ggml_vec_dot_f32/f16/bf16 (F16 then rounds x to fp16).
 *                   BF16 follows the AVX-512F kernels, not AVX512-BF16's, and is unchecked against
 *                   llama.cpp. Every output is computed the batched way even for one token, so
 *                   incremental and batched evaluation agree bit for bit.
 *   int8-per-token  BitNet: x_q = clamp(round_half_even(x·127/max|x|), −128, 127),
 *                   y_r = (Σ_c W[r,c]·x_q[c]) / (127/max|x|).
 * For a ternary W with block scales d_b this is y = s ⊙ (T·x) with the scale applied per block.
 */

import {
  GgmlType,
  bf16BitsToF32,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
  nearestInt,
  quantizeRowQ8K,
  quantizeRowQ8_0,
  vecDotQ8_0Q8_0,
} from "../codec/index.js";
import {
  f32Lanes,
  LLAMA_REFERENCE_ISA,
  type X86Isa,
  tinyBlasDot,
  vecDotBf16,
  vecDotF16,
  vecDotF32,
  vecDotTq1_0Q8KAvx2,
  vecDotTq2_0Q8KAvx2,
} from "../ggml-x86/index.js";
import { decodeMatrixRow, packedRow, type PackedMatrix } from "./packed-matrix.js";

/** How a linear layer treats its input activations (spec/forward.md §3). */
export type ActivationMode = "f32" | "ggml" | "int8-per-token";

/** All activation modes, in the order the CLI lists them. */
export const ACTIVATION_MODES: readonly ActivationMode[] = ["f32", "ggml", "int8-per-token"];

/** Σ_c w[c]·x[c] in float64 (exact products of float32s, one rounding per addition at 2^-53). */
function dotF64(w: Float32Array, x: Float32Array): number {
  let sum = 0;
  for (let c = 0; c < w.length; c++) sum += w[c] * x[c];
  return sum;
}

/** y = W·x with float activations: y_r = f32(Σ_c W[r,c]·x[c]). W: [R, C], x: [C] → y: [R]. Spec §3.1. */
function matvecFloat(matrix: PackedMatrix, x: Float32Array): Float32Array {
  const y = new Float32Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) y[r] = dotF64(decodeMatrixRow(matrix, r), x);
  return y;
}

/** x rounded element-wise through a 16-bit float format: [C] → [C]. */
function roundThroughHalf(
  x: Float32Array,
  toBits: (v: number) => number,
  fromBits: (h: number) => number,
): Float32Array {
  return x.map((v) => fromBits(toBits(v)));
}

/** x rounded element-wise to the nearest fp16 (ties to even), as ggml converts activations for F16 weights: [C] → [C]. Spec §3.2. */
export function roundThroughF16(x: Float32Array): Float32Array {
  return roundThroughHalf(x, f32ToF16Bits, f16BitsToF32);
}

/** x rounded element-wise to bf16, as ggml converts activations for BF16 weights: [C] → [C]. Spec §3.2. */
export function roundThroughBf16(x: Float32Array): Float32Array {
  return roundThroughHalf(x, f32ToBf16Bits, bf16BitsToF32);
}

/**
 * BitNet per-token absmax int8: s = f32(127 / max|x|), q = clamp(round_half_even(f32(x·s)), −128, 127).
 * x: [C] → q: Float32Array[C] holding the integers, and s (0, with q all zero, for an all-zero row). Spec §3.3.
 */
export function quantizeInt8PerToken(x: Float32Array): { readonly q: Float32Array; readonly inputScale: number } {
  let absmax = 0;
  for (const v of x) absmax = Math.max(absmax, Math.abs(v));
  if (absmax === 0) return { q: new Float32Array(x.length), inputScale: 0 };
  const inputScale = Math.fround(127 / absmax);
  return { q: x.map((v) => Math.max(-128, Math.min(127, nearestInt(Math.fround(v * inputScale))))), inputScale };
}

/** A float dot kernel of reference/ggml-x86: w, x float32 values → float32. */
type FloatDot = (w: Float32Array, x: Float32Array, isa: X86Isa) => number;

/**
 * y = W·x for float weights (F32, F16 or BF16, decoded exactly) with `dot` per output row. Spec §9.
 */
function matvecFloatGgml(matrix: PackedMatrix, x: Float32Array, dot: FloatDot): Float32Array {
  const y = new Float32Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) y[r] = dot(decodeMatrixRow(matrix, r), x, LLAMA_REFERENCE_ISA);
  return y;
}

/** Whether llamafile_sgemm (tinyBLAS<KN>) takes a matmul with this weight: k = cols a multiple of KN. */
function takenByTinyBlas(matrix: PackedMatrix): boolean {
  return matrix.cols % f32Lanes(LLAMA_REFERENCE_ISA) === 0;
}

/** y = W·x the way ggml's x86-64 CPU backend computes it for W's type. W: [R, C], x: [C] → y: [R]. Spec §3.2, §9. */
function matvecGgml(matrix: PackedMatrix, x: Float32Array): Float32Array {
  switch (matrix.type) {
    case GgmlType.TQ1_0:
    case GgmlType.TQ2_0: {
      const dot = matrix.type === GgmlType.TQ1_0 ? vecDotTq1_0Q8KAvx2 : vecDotTq2_0Q8KAvx2;
      const xq = quantizeRowQ8K(x); // vec_dot_type of TQ1_0/TQ2_0 is Q8_K
      const y = new Float32Array(matrix.rows);
      for (let r = 0; r < matrix.rows; r++) y[r] = dot(packedRow(matrix, r), xq);
      return y;
    }
    case GgmlType.Q8_0: {
      const xq = quantizeRowQ8_0(x); // generic-order dot (the AVX2 Q8_0 kernel is not emulated)
      const y = new Float32Array(matrix.rows);
      for (let r = 0; r < matrix.rows; r++) y[r] = vecDotQ8_0Q8_0(packedRow(matrix, r), xq);
      return y;
    }
    case GgmlType.F16: // tinyBLAS: F16 weights × F32 activations; vec_dot_f16: both fp16
      return takenByTinyBlas(matrix)
        ? matvecFloatGgml(matrix, x, tinyBlasDot)
        : matvecFloatGgml(matrix, roundThroughF16(x), vecDotF16);
    case GgmlType.BF16:
      return matvecFloatGgml(matrix, roundThroughBf16(x), takenByTinyBlas(matrix) ? tinyBlasDot : vecDotBf16);
    case GgmlType.F32:
      return matvecFloatGgml(matrix, x, takenByTinyBlas(matrix) ? tinyBlasDot : vecDotF32);
    case GgmlType.Q8_K:
      return matvecFloat(matrix, x);
  }
}

/** BitNet per-token absmax int8 activations, then y = (W·x_q) / (127/max|x|). W: [R, C], x: [C] → y: [R]. Spec §3.3. */
function matvecInt8PerToken(matrix: PackedMatrix, x: Float32Array): Float32Array {
  const { q: xq, inputScale } = quantizeInt8PerToken(x);
  if (inputScale === 0) return new Float32Array(matrix.rows);
  const y = new Float32Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r++) y[r] = dotF64(decodeMatrixRow(matrix, r), xq) / inputScale;
  return y;
}

/** y = W·x under an activation mode. W: [R, C], x: Float32Array[C] → y: Float32Array[R]. Implements spec/forward.md §3. */
export function linear(matrix: PackedMatrix, x: Float32Array, mode: ActivationMode): Float32Array {
  if (x.length !== matrix.cols)
    throw new RangeError(`linear: input has ${x.length} elements, W has ${matrix.cols} columns`);
  switch (mode) {
    case "f32":
      return matvecFloat(matrix, x);
    case "ggml":
      return matvecGgml(matrix, x);
    case "int8-per-token":
      return matvecInt8PerToken(matrix, x);
  }
}
