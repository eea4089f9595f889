/**
 * RMSNorm as ggml computes it (ggml_compute_forward_rms_norm_f32, then ggml_mul by the weight).
 * Implements spec/forward.md §5.
 *
 *   mean  = f32( Σ_i f64(f32(x_i·x_i)) / n )
 *   scale = f32( 1 / f32(sqrt(f32(mean + eps))) )
 *   y_i   = f32( f32(x_i · scale) · w_i )
 */

/** x: Float32Array[n], weight: Float32Array[n], eps: float32 → y: Float32Array[n]. Implements spec/forward.md §5. */
export function rmsNorm(x: Float32Array, weight: Float32Array, eps: number): Float32Array {
  let sumOfSquares = 0; // ggml_float (double)
  for (let i = 0; i < x.length; i++) sumOfSquares += Math.fround(x[i] * x[i]);
  const mean = Math.fround(sumOfSquares / x.length);
  const scale = Math.fround(1 / Math.fround(Math.sqrt(Math.fround(mean + eps))));
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = Math.fround(x[i] * scale) * weight[i];
  return y;
}
