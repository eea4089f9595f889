/**
 * Rotary position embedding (RoPE), in both pair conventions, as ggml computes it.
 * Implements spec/forward.md §4.
 *
 * For pair i (0 ≤ i < ropeDim/2) at position p:
 *   θ_0 = p,  θ_(i+1) = f32(θ_i · θscale),  θscale = f32(base^(−2/ropeDim))   (ggml_rope_cache_init)
 *   (a, b) ← (f32(a·cos θ_i − b·sin θ_i), f32(a·sin θ_i + b·cos θ_i))
 * "adjacent":    (a, b) = (x[2i], x[2i+1])          — llama.cpp on GGUF files
 * "rotate-half": (a, b) = (x[i], x[i + ropeDim/2])  — Hugging Face on its checkpoints
 * Mathematically θ_i = p · base^(−2i/ropeDim); ggml's iteration rounds each step to float32.
 * That is the "f32" arithmetic; "ggml-x86" (spec §9.1) takes the angles and the rotation from
 * reference/ggml-x86 (glibc's sinf/cosf, GCC's fused multiply-adds).
 */

import { ropeCacheGgml, ropeRotateGgml } from "../ggml-x86/index.js";
import type { RopeStyle } from "./config.js";
import type { OpArithmetic } from "./modes.js";

/**
 * cos θ_i and sin θ_i for i = 0 .. ropeDim/2 − 1 at position `pos`: two Float32Array[ropeDim/2].
 * Spec §4.1 ("f32": Math.cos/Math.sin rounded to float32), §9.1 ("ggml-x86": ggml_rope_cache_init).
 */
export function ropeAngles(
  pos: number,
  ropeDim: number,
  base: number,
  arithmetic: OpArithmetic,
): { cos: Float32Array; sin: Float32Array } {
  if (arithmetic === "ggml-x86") return ropeCacheGgml(pos, ropeDim, base);
  const thetaScale = Math.fround(Math.pow(base, Math.fround(-2 / ropeDim)));
  const cos = new Float32Array(ropeDim / 2);
  const sin = new Float32Array(ropeDim / 2);
  let theta = Math.fround(pos);
  for (let i = 0; i < ropeDim / 2; i++) {
    cos[i] = Math.cos(theta);
    sin[i] = Math.sin(theta);
    theta = Math.fround(theta * thetaScale);
  }
  return { cos, sin };
}

/**
 * Rotate every head of `x` in place: x is Float32Array[nHeads · headDim], head h at [h·headDim, (h+1)·headDim).
 * Dimensions ≥ ropeDim of each head are left alone. Implements spec/forward.md §4.2 ("f32": each product
 * rounded, then the sum; "ggml-x86": ggml's fused rotation, §9.1).
 */
export function applyRope(
  x: Float32Array,
  headDim: number,
  angles: { cos: Float32Array; sin: Float32Array },
  style: RopeStyle,
  arithmetic: OpArithmetic,
): void {
  if (arithmetic === "ggml-x86") {
    ropeRotateGgml(x, headDim, angles, style);
    return;
  }
  const pairs = angles.cos.length;
  for (let head = 0; head < x.length / headDim; head++) {
    const base = head * headDim;
    for (let i = 0; i < pairs; i++) {
      const ia = style === "adjacent" ? base + 2 * i : base + i;
      const ib = style === "adjacent" ? ia + 1 : ia + pairs;
      const a = x[ia];
      const b = x[ib];
      const c = angles.cos[i];
      const s = angles.sin[i];
      x[ia] = Math.fround(a * c) - Math.fround(b * s);
      x[ib] = Math.fround(a * s) + Math.fround(b * c);
    }
  }
}

/**
 * The row permutation that turns Hugging Face q_proj/k_proj weights (rotate-half) into the
 * GGUF layout (adjacent pairs), as convert_hf_to_gguf.py's LlamaModel.permute does:
 *   new_row[h·hd + 2i + j] = old_row[h·hd + j·hd/2 + i]     (j ∈ {0, 1}, i < hd/2)
 * Returns `source` with source[newRow] = oldRow, for rows = nHeads · headDim. Implements spec/forward.md §4.3.
 */
export function ropePermutationHfToGguf(nHeads: number, headDim: number): Int32Array {
  const source = new Int32Array(nHeads * headDim);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < 2; j++) source[h * headDim + 2 * i + j] = h * headDim + j * half + i;
    }
  }
  return source;
}
