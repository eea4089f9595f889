/**
 * RoPE as ggml's x86-64 CPU backend computes it for LLaMA (ggml_compute_forward_rope_f32 in
 * ggml/src/ggml-cpu/ops.cpp: ggml_rope_cache_init, rope_yarn, the rotation loop), GCC build.
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 * Cache, for llama (freq_scale = 1, ext_factor = 0, attn_factor = 1, no rope_freqs):
 *   θscale = powf(base, −2.0f / n_dims);   θ_0 = (float)pos,  θ_(i+1) = f32(θ_i · θscale)
 *   cos_i = cosf(θ_i),  sin_i = sinf(θ_i)             glibc's FMA variants (glibc-trig.ts)
 * Rotation of a pair (x0, x1), as GCC vectorizes `x0*cos - x1*sin` / `x0*sin + x1*cos` with
 * vfmaddsub (the x1 product rounded first, the x0 product fused):
 *   x0' = fma(x0, cos_i, −f32(x1·sin_i)),   x1' = fma(x0, sin_i, f32(x1·cos_i))
 * "adjacent" pairs (x[2i], x[2i+1]) are GGML_ROPE_TYPE_NORM, the one llama uses and the one checked
 * against llama.cpp's logits; "rotate-half" pairs (x[i], x[i + n_dims/2]) (NEOX) get the same
 * arithmetic, which assumes GCC fuses that loop the same way. powf is Math.pow rounded to float32,
 * equal to glibc's powf for the common bases and dimensions (10000 with 64 or 128 included).
 */

import { fmaF32 } from "./fma.js";
import { glibcCosf, glibcSinf } from "./glibc-trig.js";

/** cos θ_i and sin θ_i for the pairs i < ropeDim/2 at `pos`, as ggml_rope_cache_init builds them. Spec §9. */
export function ropeCacheGgml(pos: number, ropeDim: number, base: number): { cos: Float32Array; sin: Float32Array } {
  const thetaScale = Math.fround(Math.pow(Math.fround(base), Math.fround(-2 / ropeDim)));
  const cos = new Float32Array(ropeDim / 2);
  const sin = new Float32Array(ropeDim / 2);
  let theta = Math.fround(pos);
  for (let i = 0; i < ropeDim / 2; i++) {
    cos[i] = glibcCosf(theta);
    sin[i] = glibcSinf(theta);
    theta = Math.fround(theta * thetaScale);
  }
  return { cos, sin };
}

/**
 * Rotate every head of x: Float32Array[nHeads · headDim] in place with ggml's fused arithmetic;
 * dimensions ≥ 2·cos.length of each head stay as they are. Spec §9.
 */
export function ropeRotateGgml(
  x: Float32Array,
  headDim: number,
  angles: { cos: Float32Array; sin: Float32Array },
  style: "adjacent" | "rotate-half",
): void {
  const pairs = angles.cos.length;
  for (let base = 0; base < x.length; base += headDim) {
    for (let i = 0; i < pairs; i++) {
      const i0 = style === "adjacent" ? base + 2 * i : base + i;
      const i1 = style === "adjacent" ? i0 + 1 : i0 + pairs;
      const x0 = x[i0];
      const x1 = x[i1];
      x[i0] = fmaF32(x0, angles.cos[i], -Math.fround(x1 * angles.sin[i]));
      x[i1] = fmaF32(x0, angles.sin[i], Math.fround(x1 * angles.cos[i]));
    }
  }
}
