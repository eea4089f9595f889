/**
 * The two x86-64 vector widths ggml's CPU backend is built for, and which one llama.cpp's reference
 * logits came from. Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 *
 *   "avx2"    256-bit registers, 8 float32 lanes   (-mavx2 -mfma -mf16c)
 *   "avx512"  512-bit registers, 16 float32 lanes  (-mavx512f -mavx512dq, plus AVX2/FMA/F16C)
 * A kernel that ggml writes only with 256-bit intrinsics (the TQ1_0/TQ2_0 × Q8_K dot products,
 * hsum_float_8) is the same in both builds.
 */

/** Which x86-64 vector extension a ggml kernel was compiled for. */
export type X86Isa = "avx2" | "avx512";

/** float32 lanes per register: 8 for AVX2 (`__m256`), 16 for AVX-512 (`__m512`). Spec §9.1. */
export function f32Lanes(isa: X86Isa): number {
  return isa === "avx512" ? 16 : 8;
}

/**
 * The build whose arithmetic `ggml` activation mode reproduces: llama.cpp's logits in
 * golden/external/llama/ match the AVX-512 float kernels bit for bit (tinyBLAS<16, __m512>,
 * the AVX-512 ggml_v_expf) and not the AVX2 ones, so ggml-exact mode uses "avx512".
 */
export const LLAMA_REFERENCE_ISA: X86Isa = "avx512";
