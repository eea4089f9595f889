/**
 * ggml_vec_swiglu_f32 (ggml/src/ggml-cpu/vec.cpp) — equally ggml_vec_silu_f32 followed by
 * ggml_vec_mul_f32, as older llama.cpp builds the LLaMA MLP — on x86-64: y = silu(x) ⊙ g.
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   i < n − n mod L:  y_i = f32(ggml_v_silu(x_i) · g_i)                  (L = 8 AVX2, 16 AVX-512)
 *   the n mod L rest: y_i = f32(f32(x_i / f32(1 + expf(−x_i))) · g_i)    (ggml_silu_f32, libm expf)
 * The rest uses f32(Math.exp(−x)) for glibc's expf, which is within an ulp but not guaranteed
 * identical; LLaMA hidden sizes are multiples of 16, so the model never takes that path.
 */

import { vSilu } from "./expf.js";
import { f32Lanes, type X86Isa } from "./isa.js";

/** gate x, up g: Float32Array[n] → Float32Array[n], silu(x_i)·g_i as the `isa` kernel computes it. Spec §9. */
export function vecSwigluF32(x: Float32Array, g: Float32Array, isa: X86Isa): Float32Array {
  const n = x.length;
  if (g.length !== n) throw new RangeError(`swiglu: lengths ${x.length} and ${g.length} differ`);
  const y = new Float32Array(n);
  const vectorEnd = n - (n % f32Lanes(isa));
  for (let i = 0; i < vectorEnd; i++) y[i] = vSilu(x[i], isa) * g[i];
  for (let i = vectorEnd; i < n; i++) {
    const silu = Math.fround(x[i] / Math.fround(1 + Math.fround(Math.exp(-x[i]))));
    y[i] = silu * g[i];
  }
  return y;
}
