/**
 * What a linear layer's dot products consume: its input row x converted for the weight's type, by
 * the one rule every implementation calls — reference/model/linear.ts, the reference backend
 * (src/backend/reference-backend.ts) and the accelerated backends (accelerated/gpujs,
 * accelerated/tfjs). None of them decides on its own which weight type gets which conversion.
 * Implements spec/forward.md §3.2 (ggml's conversion to the weight type's vec_dot_type, in the
 * ggml-exact and ggml-matmul modes) and §3.3 (BitNet per-token int8).
 *
 *   mode            weight type           the dot product consumes
 *   f32             any                   x as given                                 "float"
 *   ggml-*          TQ1_0, TQ2_0          Q8_K blocks of x                            "q8_k"
 *                   Q8_0                  Q8_0 blocks of x                            "q8_0"
 *                   F16                   x rounded to fp16                            "fp16"
 *                                         (llama.cpp de3ff815; with the older build's
 *                                         "f32-tinyblas" input, x as given when tinyBLAS
 *                                         takes the matmul, "float": spec §9.3)
 *                   BF16                  x rounded to bf16                           "bf16"
 *                   F32, Q8_K             x as given                                 "float"
 *   int8-per-token  any                   int8 codes and σ = 127/max|x|              "int8-per-token"
 *                                         (an all-zero row: σ = 0, and y = 0 for every output row)
 * `dotInputValues` and `dotOutput` are the two halves a float kernel wraps around its sums.
 */

import {
  dequantizeRowQ8K,
  dequantizeRowQ8_0,
  GgmlType,
  nearestInt,
  quantizeRowQ8K,
  roundToBf16,
  roundToF16,
} from "../codec/index.js";
import {
  f32Lanes,
  LLAMA_F16_MATMUL_INPUT,
  LLAMA_REFERENCE_ISA,
  quantizeRowQ8_0Avx2,
  type F16MatmulInput,
} from "../ggml-x86/index.js";
import type { BackendActivationMode, ForwardActivationMode } from "./modes.js";

/** An activation row x: [C] converted for one weight type: exactly what the dot product consumes. Spec §3. */
export type ConvertedActivations =
  /** x as given, float32 (f32 mode; ggml modes with F32, Q8_K weights, and F16 weights that the older build's tinyBLAS takes). */
  | { readonly kind: "float"; readonly values: Float32Array }
  /** x rounded element-wise to the nearest fp16, ties to even (ggml modes, F16 weights: tinyBLAS F16 × F16 or ggml_vec_dot_f16). */
  | { readonly kind: "fp16"; readonly values: Float32Array }
  /** x rounded element-wise to bf16 (ggml modes, BF16 weights). */
  | { readonly kind: "bf16"; readonly values: Float32Array }
  /** quantize_row_q8_K of x: C/256 packed 292-byte blocks (ggml modes, TQ1_0/TQ2_0 weights; formats.md §6). */
  | { readonly kind: "q8_k"; readonly blocks: Uint8Array }
  /** quantize_row_q8_0 of x as the x86 build runs it: C/32 packed 34-byte blocks (ggml modes, Q4_0/Q8_0 weights; formats.md §16.3). */
  | { readonly kind: "q8_0"; readonly blocks: Uint8Array }
  /**
   * BitNet per-token int8 (int8-per-token mode): codes q: Float32Array[C] holding integers in
   * −128..127, and inputScale σ = f32(127/max|x|). An all-zero row has σ = 0 and q = 0: every
   * output is +0, whatever W holds (dotOutput).
   */
  | { readonly kind: "int8-per-token"; readonly codes: Float32Array; readonly inputScale: number };

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

/** A matmul as llamafile_sgemm sees it: m = W's rows, k = W's cols, n = tokens of the micro-batch multiplied together. */
export interface SgemmShape {
  readonly rows: number;
  readonly cols: number;
  readonly tokens: number;
}

/**
 * Whether llamafile_sgemm (tinyBLAS) takes a float matmul of `shape` in the x86-64 build (spec §9.3):
 * n ≥ 2 tokens ("only enable sgemm for prompt processing", sgemm.cpp llamafile_sgemm), k a multiple of
 * the lane count KN of LLAMA_REFERENCE_ISA and m a multiple of 4 (tinyBLAS::matmul's tilings RM·BM = 16, 8, 4).
 * Otherwise ggml_vec_dot_f32/f16/bf16 compute each output. Decides the kernel and, in the older build, F16's input.
 */
export function takenByTinyBlas(shape: SgemmShape): boolean {
  return shape.tokens >= 2 && shape.cols % f32Lanes(LLAMA_REFERENCE_ISA) === 0 && shape.rows % 4 === 0;
}

/**
 * ggml's conversion of x to the vec_dot_type of `weightType` (ggml_compute_forward_mul_mat's from_float),
 * F16 weights as the build of `f16Input` feeds them (spec §9.3). Spec §3.2.
 */
function convertForGgml(
  weightType: GgmlType,
  x: Float32Array,
  f16Input: F16MatmulInput,
  tinyBlas: boolean,
): ConvertedActivations {
  switch (weightType) {
    case GgmlType.TQ1_0:
    case GgmlType.TQ2_0:
    case GgmlType.Q4_K:
    case GgmlType.Q5_K:
    case GgmlType.Q6_K:
      return { kind: "q8_k", blocks: quantizeRowQ8K(x) };
    case GgmlType.Q4_0:
    case GgmlType.Q8_0:
      return { kind: "q8_0", blocks: quantizeRowQ8_0Avx2(x) }; // the x86 runtime quantize_row_q8_0, not _ref
    case GgmlType.F16: // de3ff815: fp16 always; the older build's tinyBLAS took F16 × F32 (spec §9.3)
      return f16Input === "f32-tinyblas" && tinyBlas
        ? { kind: "float", values: x }
        : { kind: "fp16", values: x.map(roundToF16) };
    case GgmlType.BF16:
      return { kind: "bf16", values: x.map(roundToBf16) };
    case GgmlType.F32:
    case GgmlType.Q8_K:
      return { kind: "float", values: x };
  }
}

/**
 * The activation row x: Float32Array[C] as a linear layer with `weightType` weights consumes it in
 * `mode` (ggml-exact and ggml-matmul convert alike); `f16Input` names the llama.cpp build whose F16
 * matmul input is reproduced (spec §9.3), and `tinyBlas` whether llamafile_sgemm takes the matmul
 * (takenByTinyBlas; only the older build's F16 input depends on it; absent: a matmul of ≥ 2 tokens and
 * rows % 4 = 0, where it is k % KN = 0). Implements spec/forward.md §3.2 and §3.3.
 */
export function convertActivations(
  mode: ForwardActivationMode | BackendActivationMode,
  weightType: GgmlType,
  x: Float32Array,
  f16Input: F16MatmulInput = LLAMA_F16_MATMUL_INPUT,
  tinyBlas: boolean = takenByTinyBlas({ rows: 4, cols: x.length, tokens: 2 }),
): ConvertedActivations {
  switch (mode) {
    case "f32":
      return { kind: "float", values: x };
    case "ggml-exact":
    case "ggml-matmul":
      return convertForGgml(weightType, x, f16Input, tinyBlas);
    case "int8-per-token": {
      const { q, inputScale } = quantizeInt8PerToken(x);
      return { kind: "int8-per-token", codes: q, inputScale };
    }
  }
}

/**
 * The float values v: Float32Array[C] a float kernel multiplies W by, y_r = dotOutput(Σ_c W[r,c]·v_c):
 * the values as converted, d·q per element for Q8_K and Q8_0 blocks (float32, as dequantize_row_*),
 * or the int8 codes. Spec §3.2, §3.3.
 */
export function dotInputValues(activations: ConvertedActivations): Float32Array {
  switch (activations.kind) {
    case "float":
    case "fp16":
    case "bf16":
      return activations.values;
    case "q8_k":
      return dequantizeRowQ8K(activations.blocks);
    case "q8_0":
      return dequantizeRowQ8_0(activations.blocks);
    case "int8-per-token":
      return activations.codes;
  }
}

/**
 * Output y_r from `sum`, the dot product of W's row r with the consumed values: `sum` itself, except
 * in int8-per-token mode, where y_r = sum / σ — and +0 for an all-zero row (σ = 0), the one
 * treatment of that row in every implementation. Spec §3.3.
 */
export function dotOutput(activations: ConvertedActivations, sum: number): number {
  if (activations.kind !== "int8-per-token") return sum;
  return activations.inputScale === 0 ? 0 : sum / activations.inputScale;
}
