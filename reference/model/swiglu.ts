/**
 * The SwiGLU gate of the LLaMA MLP. Implements spec/forward.md §6.
 *
 *   silu(g) = f32( g / f32(1 + f32(exp(−g))) )
 *   h_i     = f32( silu(gate_i) · up_i )
 * in "f32" arithmetic; in "ggml-x86" arithmetic (spec §9.1): ggml_vec_swiglu_f32 of the x86-64 build
 * that produced llama.cpp's reference logits, exp by ggml_v_expf (reference/ggml-x86, LLAMA_REFERENCE_ISA).
 */

import { LLAMA_REFERENCE_ISA, vecSwigluF32 } from "../ggml-x86/index.js";
import type { OpArithmetic } from "./modes.js";

/** gate, up: Float32Array[hiddenDim] → h: Float32Array[hiddenDim]. Implements spec/forward.md §6 (§9.1 in "ggml-x86" arithmetic). */
export function swiglu(gate: Float32Array, up: Float32Array, arithmetic: OpArithmetic): Float32Array {
  if (arithmetic === "ggml-x86") return vecSwigluF32(gate, up, LLAMA_REFERENCE_ISA);
  const h = new Float32Array(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    const silu = Math.fround(g / Math.fround(1 + Math.fround(Math.exp(-g))));
    h[i] = silu * up[i];
  }
  return h;
}
