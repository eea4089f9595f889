/**
 * One row of ggml_soft_max_ext as ggml's x86-64 CPU backend computes it
 * (ggml_compute_forward_soft_max_f32 in ggml/src/ggml-cpu/ops.cpp with ggml_vec_soft_max_f32 from
 * vec.cpp), for slope 1 (no ALiBi) and no attention sinks.
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   w_i   = f32(f32(x_i · scale) + mask_i)            (ggml_vec_scale_f32, then += slope·mask)
 *   max   = max_i w_i
 *   e_i   = ggml_v_expf(f32(w_i − max))               L lanes at a time (L = 8 AVX2, 16 AVX-512)
 *   sum   = Σ_chunks f64(hsum(e_Lc .. e_Lc+L−1))      each chunk summed in float32 (hsum_float_8 /
 *                                                     _mm512_reduce_add_ps), the chunks in double
 *           (the n mod L rest: e_i = f32(expf(w_i − max)), added in double)
 *   y_i   = f32(e_i · f32(1 / sum))                   (1/sum in double, passed as float)
 * A masked entry (−inf) gives e = 0 exactly, so padding a row with −inf to a multiple of L — as
 * llama.cpp's KV window n_kv (a multiple of 32, or 256 in newer builds) does — changes nothing.
 */

import { vExpf } from "./expf.js";
import { hsumRegister } from "./hsum.js";
import { f32Lanes, type X86Isa } from "./isa.js";

/**
 * ggml_vec_soft_max_f32 for `isa`: y_i = v_expf(x_i − max) and the double sum of the chunk sums.
 * x: Float32Array[n], max: float32 → { y: Float32Array[n], sum: float64 }. Spec §9.
 */
export function vecSoftMaxF32(x: Float32Array, max: number, isa: X86Isa): { y: Float32Array; sum: number } {
  const lanes = f32Lanes(isa);
  const n = x.length;
  const y = new Float32Array(n);
  let sum = 0; // ggml_float
  let i = 0;
  for (; i + lanes - 1 < n; i += lanes) {
    for (let lane = 0; lane < lanes; lane++) y[i + lane] = vExpf(Math.fround(x[i + lane] - max), isa);
    sum += hsumRegister(isa, y, i);
  }
  for (; i < n; i++) {
    y[i] = Math.exp(Math.fround(x[i] - max)); // libm expf (see swiglu.ts for the caveat)
    sum += y[i];
  }
  return { y, sum };
}

/**
 * A soft_max_ext row for `isa`: scores x: Float32Array[n], additive mask: Float32Array[n]
 * (0 or −inf) or undefined, scale: float32 → probabilities Float32Array[n]. Spec §9.
 */
export function softMaxRow(x: Float32Array, mask: Float32Array | undefined, scale: number, isa: X86Isa): Float32Array {
  const n = x.length;
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = x[i] * scale;
  if (mask !== undefined) for (let i = 0; i < n; i++) w[i] = w[i] + mask[i];
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = max > w[i] ? max : w[i]; // MAX(max, x[i])
  const { y, sum } = vecSoftMaxF32(w, max, isa);
  const inverse = Math.fround(1 / sum);
  for (let i = 0; i < n; i++) y[i] = y[i] * inverse;
  return y;
}
