/**
 * The modes a TriLM is computed in, named apart. Implements the naming of spec/forward.md §3 and §9.1.
 *
 *   f32             float activations (§3.1); every other op in f32 arithmetic.
 *   int8-per-token  BitNet absmax int8 activations (§3.3); every other op in f32 arithmetic.
 *   ggml-exact      llama.cpp's x86-64 arithmetic end to end (§9.1): activations converted by ggml's
 *                   rule (§3.2), the linear layers summed in the x86 kernels' order, RoPE, softmax,
 *                   attention and SwiGLU in ggml's x86 arithmetic. Only reference/model computes it
 *                   (forward, evaluateSequence).
 *   ggml-matmul     activations converted by the same rule (§3.2), the sums in the backend's own
 *                   order; every other op in f32 arithmetic (Backend.matmul, src/backend/backend-forward.ts).
 * The kernel protocol's `activations: "ggml"` is a third thing (spec/kernel-protocol.md): Q8_K
 * activations and any summation order within spec/formats.md §8.2's bound.
 */

/** How reference/model's forward pass and linear layers compute (spec/forward.md §3). */
export type ForwardActivationMode = "f32" | "ggml-exact" | "int8-per-token";

/** Every ForwardActivationMode. */
export const FORWARD_ACTIVATION_MODES: readonly ForwardActivationMode[] = ["f32", "ggml-exact", "int8-per-token"];

/** How Backend.matmul and the forward pass over a Backend take activations (spec/forward.md §3). */
export type BackendActivationMode = "f32" | "ggml-matmul" | "int8-per-token";

/** Every BackendActivationMode. */
export const BACKEND_ACTIVATION_MODES: readonly BackendActivationMode[] = ["f32", "ggml-matmul", "int8-per-token"];

/**
 * The arithmetic of RoPE, softmax, attention and SwiGLU (spec/forward.md §4–§7, §9.1): "f32" is
 * the spec's float32 form, "ggml-x86" the kernels of the x86-64 llama.cpp build that produced the
 * reference logits (reference/ggml-x86, LLAMA_REFERENCE_ISA). Separate from how linear layers
 * convert their activations (ForwardActivationMode, BackendActivationMode).
 */
export type OpArithmetic = "f32" | "ggml-x86";

/** The arithmetic of the non-linear ops in a forward mode: "ggml-x86" for ggml-exact, else "f32". Spec §9.1. */
export function opArithmeticOf(mode: ForwardActivationMode): OpArithmetic {
  return mode === "ggml-exact" ? "ggml-x86" : "f32";
}
