/**
 * The squared-ReLU gate of BitNet b1.58's MLP. Implements spec/forward.md §17.3.
 *
 *   relu²(g) = f32( max(g, 0) · max(g, 0) )
 *   h_i      = f32( relu²(gate_i) · up_i )
 * The same in "f32" and "ggml-x86" arithmetic: llama.cpp's LLM_FFN_RELU_SQR is ggml_relu (x > 0 ? x : 0),
 * ggml_sqr (x·x) and, for a parallel gate, ggml_mul by up — each one float32 rounding per element, in any order
 * of elements. transformers' ACT2FN["relu2"] is `relu(x).square()`, the same roundings.
 */

/** gate, up: Float32Array[hiddenDim] → h: Float32Array[hiddenDim]. Implements spec/forward.md §17.3. */
export function relu2Gate(gate: Float32Array, up: Float32Array): Float32Array {
  const h = new Float32Array(gate.length);
  for (let i = 0; i < gate.length; i++) {
    const relu = gate[i] > 0 ? gate[i] : 0;
    h[i] = Math.fround(relu * relu) * up[i];
  }
  return h;
}
