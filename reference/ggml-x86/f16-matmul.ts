/**
 * How llama.cpp's x86-64 CPU backend feeds F32 activations to a matmul with F16 weights — the one
 * place where the two llama.cpp builds the oracle is checked against differ.
 * Implements spec/forward.md §9.3.
 *
 *   "fp16"          llama.cpp de3ff815 (node-llama-cpp@3.22.1), AVX-512: llamafile_sgemm takes
 *                   F16 × F16 only, so ggml_compute_forward_mul_mat first converts every activation
 *                   row to fp16 (from_float = ggml_cpu_fp32_to_fp16, round to nearest even), then runs
 *                   tinyBLAS<16, __m512, __m512, ggml_fp16_t, ggml_fp16_t, float> (k % 16 = 0, m % 4 = 0,
 *                   n ≥ 2 tokens: takenByTinyBlas) or ggml_vec_dot_f16: y_r = Σ_c W[r,c]·fp16(x_c).
 *   "f32-tinyblas"  the older build that wrote golden/external/llama/: tinyBLAS<16, __m512, __m512,
 *                   ggml_fp16_t, float, float> took the F32 activations as they were when it took the
 *                   matmul (y_r = Σ_c W[r,c]·x_c); otherwise ggml_vec_dot_f16 on fp16(x).
 * Both sum in the same tinyBLAS order; only the rounding of x to fp16 differs.
 */

/** Which llama.cpp build's F16-weight matmul input ggml-exact mode reproduces. Spec §9.3. */
export type F16MatmulInput = "fp16" | "f32-tinyblas";

/**
 * The default: llama.cpp de3ff815, the build golden/external/llama-matrix/ was made with (spec §9.3).
 * golden/external/llama/ was made by the older "f32-tinyblas" build.
 */
export const LLAMA_F16_MATMUL_INPUT: F16MatmulInput = "fp16";
