/**
 * The linear layer y = W·x, with the three ways of feeding it activations.
 * Implements spec/forward.md §3.
 *
 *   f32             y_r = Σ_c W[r,c]·x[c], W decoded exactly, summed in float64, rounded once to float32.
 *   ggml-exact      what llama.cpp's CPU backend does: x is first converted to the weight type's
 *                   dot-product type by the one rule of activation-conversion.ts (spec §3.2) — Q8_K
 *                   for TQ1_0/TQ2_0/Q4_K/Q5_K/Q6_K, BF16 for BF16, Q8_0 for Q8_0, unchanged for F32, fp16 for F16
 *                   (the older build's tinyBLAS took F16 × F32 unchanged: spec §9.3) — and the dot
 *                   product runs in the arithmetic order of the x86-64 build that produced
 *                   llama.cpp's reference logits (spec §9, reference/ggml-x86, LLAMA_REFERENCE_ISA):
 *                   TQ1_0/TQ2_0/K-quants · Q8_K and Q4_0/Q8_0 · Q8_0 through the AVX2 vec_dot kernels,
 *                   except a Q4_0 or Q4_K matrix with rows % 8 = 0, which llama.cpp repacks: its gemv/gemm
 *                   kernels (spec §15, `batch.repack`); F32/F16/BF16 through
 *                   llamafile's tinyBLAS when it takes the matmul (a micro-batch of ≥ 2 tokens, cols a
 *                   multiple of the lane count, rows a multiple of 4: spec §9.3), else ggml_vec_dot_f32/f16/bf16.
 *                   BF16 follows the AVX-512F kernels, not AVX512-BF16's, and is unchecked against
 *                   llama.cpp. The caller names the micro-batch (MatmulBatch): a token decoded alone and
 *                   the same token in a batch differ for float weights and repacked Q4_K matrices.
 *   int8-per-token  BitNet: x_q = clamp(round_half_even(x·127/max|x|), −128, 127),
 *                   y_r = (Σ_c W[r,c]·x_q[c]) / (127/max|x|) (activation-conversion.ts, spec §3.3).
 * For a ternary W with block scales d_b this is y = s ⊙ (T·x) with the scale applied per block.
 */

import { GgmlType } from "../codec/index.js";
import {
  LLAMA_F16_MATMUL_INPUT,
  LLAMA_REFERENCE_ISA,
  type F16MatmulInput,
  type X86Isa,
  isRepackedQ4_0,
  isRepackedQ4K,
  repackedDotQ4_0Q8_0,
  repackedDotQ4KQ8K,
  type RepackKernel,
  tinyBlasDot,
  vecDotBf16,
  vecDotF16,
  vecDotF32,
  vecDotQ4_0Q8_0Avx2,
  vecDotQ4KQ8KAvx2,
  vecDotQ5KQ8KAvx2,
  vecDotQ6KQ8KAvx2,
  vecDotQ8_0Q8_0Avx2,
  vecDotTq1_0Q8KAvx2,
  vecDotTq2_0Q8KAvx2,
} from "../ggml-x86/index.js";
import {
  convertActivations,
  dotInputValues,
  dotOutput,
  takenByTinyBlas,
  type ConvertedActivations,
} from "./activation-conversion.js";
import type { ForwardActivationMode } from "./modes.js";
import { decodeMatrixRowInto, packedRow, type PackedMatrix } from "./packed-matrix.js";

/** Σ_c w[c]·x[c] in float64 (exact products of float32s, one rounding per addition at 2^-53). */
function dotF64(w: Float32Array, x: Float32Array): number {
  let sum = 0;
  for (let c = 0; c < w.length; c++) sum += w[c] * x[c];
  return sum;
}

/**
 * y_r = dotOutput(Σ_c W[r,c]·v_c) with the sum in float64 and v the consumed values of `activations`:
 * f32 mode's y_r = f32(Σ_c W[r,c]·x[c]) (spec §3.1) and int8-per-token's (Σ_c W[r,c]·x_q[c]) / σ (§3.3).
 * W: [R, C] → y: [R].
 */
function matvecFloat64(matrix: PackedMatrix, activations: ConvertedActivations): Float32Array {
  const v = dotInputValues(activations);
  const y = new Float32Array(matrix.rows);
  const w = new Float32Array(matrix.cols); // row r of W, decoded: [C]
  for (let r = 0; r < matrix.rows; r++) {
    decodeMatrixRowInto(matrix, r, w);
    y[r] = dotOutput(activations, dotF64(w, v));
  }
  return y;
}

/** A float dot kernel of reference/ggml-x86: w, x float32 values → float32. */
type FloatDot = (w: Float32Array, x: Float32Array, isa: X86Isa) => number;

/**
 * y = W·x for float weights (F32, F16 or BF16, decoded exactly) with `dot` per output row. Spec §9.
 */
function matvecFloatGgml(matrix: PackedMatrix, x: Float32Array, dot: FloatDot): Float32Array {
  const y = new Float32Array(matrix.rows);
  const w = new Float32Array(matrix.cols); // row r of W, decoded: [C]
  for (let r = 0; r < matrix.rows; r++) {
    decodeMatrixRowInto(matrix, r, w);
    y[r] = dot(w, x, LLAMA_REFERENCE_ISA);
  }
  return y;
}

/**
 * The x86 kernel of a weight type whose vec_dot_type is Q8_K (TQ1_0, TQ2_0, Q4_K, Q5_K, Q6_K) for a matrix of
 * `rows` rows: the repacked Q4_K gemv/gemm (spec §15), else the vec_dot kernel, one call per output row.
 */
function q8KDot(
  type: GgmlType,
  rows: number,
  kernel: RepackKernel,
): (weights: Uint8Array, activations: Uint8Array) => number {
  if (type === GgmlType.TQ1_0) return vecDotTq1_0Q8KAvx2;
  if (type === GgmlType.Q4_K && isRepackedQ4K(rows)) {
    return (weights, activations) => repackedDotQ4KQ8K(weights, activations, kernel);
  }
  if (type === GgmlType.Q4_K) return vecDotQ4KQ8KAvx2;
  if (type === GgmlType.Q5_K) return vecDotQ5KQ8KAvx2;
  if (type === GgmlType.Q6_K) return vecDotQ6KQ8KAvx2;
  return vecDotTq2_0Q8KAvx2;
}

/**
 * The x86 kernel of a Q4_0 matrix of `rows` rows: repackedDotQ4_0Q8_0 when llama.cpp repacks it
 * (isRepackedQ4_0; gemv and gemm give the same bits), else ggml_vec_dot_q4_0_q8_0. Spec §15.
 */
function q4_0Dot(rows: number): (weights: Uint8Array, activations: Uint8Array) => number {
  return isRepackedQ4_0(rows) ? repackedDotQ4_0Q8_0 : vecDotQ4_0Q8_0Avx2;
}

/**
 * y = W·x the way ggml's x86-64 CPU backend computes it from the converted activations of spec §3.2:
 * the kernel llama.cpp runs for W's type in `batch` (tinyBLAS when it takes the matmul, spec §9.3).
 * Kinds without a ggml kernel (a Q8_K weight) are summed in float64. W: [R, C] → y: [R]. Spec §3.2, §9.
 */
function matvecX86(matrix: PackedMatrix, activations: ConvertedActivations, batch: MatmulBatch): Float32Array {
  const tinyBlas = takenByTinyBlas({ rows: matrix.rows, cols: matrix.cols, tokens: batch.tokens });
  const kernel = batch.repack;
  switch (activations.kind) {
    case "q8_k": {
      const dot = q8KDot(matrix.type, matrix.rows, kernel);
      const y = new Float32Array(matrix.rows);
      for (let r = 0; r < matrix.rows; r++) y[r] = dot(packedRow(matrix, r), activations.blocks);
      return y;
    }
    case "q8_0": {
      // Q4_0 with rows % 8 == 0: repacked, the gemv/gemm order (spec §15); else the AVX2 vec_dot kernels
      const dot = matrix.type === GgmlType.Q4_0 ? q4_0Dot(matrix.rows) : vecDotQ8_0Q8_0Avx2;
      const y = new Float32Array(matrix.rows);
      for (let r = 0; r < matrix.rows; r++) y[r] = dot(packedRow(matrix, r), activations.blocks);
      return y;
    }
    case "fp16": // F16 weights × fp16 activations: tinyBLAS F16 × F16, else ggml_vec_dot_f16 (spec §9.3)
      return matvecFloatGgml(matrix, activations.values, tinyBlas ? tinyBlasDot : vecDotF16);
    case "bf16":
      return matvecFloatGgml(matrix, activations.values, tinyBlas ? tinyBlasDot : vecDotBf16);
    case "float": // F32 weights, and F16 weights × F32 activations (the older build's tinyBLAS, spec §9.3)
      if (matrix.type === GgmlType.Q8_K) return matvecFloat64(matrix, activations);
      return matvecFloatGgml(matrix, activations.values, tinyBlas ? tinyBlasDot : vecDotF32);
    case "int8-per-token":
      return matvecFloat64(matrix, activations);
  }
}

/**
 * The micro-batch a token's matmuls run in, as far as llama.cpp's choice of kernel depends on it (ggml-exact only):
 * `tokens`, n, the tokens multiplied together (llamafile_sgemm declines n < 2: spec §9.3), and `repack`, the kernel
 * of a matrix llama.cpp repacks (spec §15: "gemv" for a token decoded alone).
 */
export interface MatmulBatch {
  readonly tokens: number;
  readonly repack: RepackKernel;
}

/** A token decoded alone (llama_decode of one token): ggml_vec_dot_* for float weights, the gemv repack kernel. */
export const DECODE_BATCH: MatmulBatch = { tokens: 1, repack: "gemv" };

/** A token of a two-token micro-batch: tinyBLAS where it takes the shape, the gemv repack kernel (2 − 2 mod 4 = 0). */
const TWO_TOKEN_BATCH: MatmulBatch = { tokens: 2, repack: "gemv" };

/**
 * y = W·x under an activation mode: x converted by the rule of activation-conversion.ts, then summed
 * in float64 (f32, int8-per-token) or in llama.cpp's x86 order (ggml-exact); F16 weights take their
 * input as the llama.cpp build of `f16Input` does (spec §9.3); in ggml-exact mode the kernels are those llama.cpp
 * runs for a token of `batch` (absent: a two-token micro-batch, the batched path).
 * W: [R, C], x: Float32Array[C] → y: Float32Array[R]. Implements spec/forward.md §3.
 */
export function linear(
  matrix: PackedMatrix,
  x: Float32Array,
  mode: ForwardActivationMode,
  f16Input: F16MatmulInput = LLAMA_F16_MATMUL_INPUT,
  batch: MatmulBatch = TWO_TOKEN_BATCH,
): Float32Array {
  if (x.length !== matrix.cols)
    throw new RangeError(`linear: input has ${x.length} elements, W has ${matrix.cols} columns`);
  const tinyBlas = takenByTinyBlas({ rows: matrix.rows, cols: matrix.cols, tokens: batch.tokens });
  const activations = convertActivations(mode, matrix.type, x, f16Input, tinyBlas);
  return mode === "ggml-exact" ? matvecX86(matrix, activations, batch) : matvecFloat64(matrix, activations);
}
