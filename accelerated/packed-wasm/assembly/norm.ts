/**
 * RMSNorm times the weight, row by row, in the reference's order (reference/model/rmsnorm.ts, spec/forward.md §5):
 *   mean  = f32( Σ_i f64(f32(x_i·x_i)) / n )        the sum in float64, i ascending
 *   scale = f32( 1 / f32(sqrt(f32(mean + eps))) )    f64.sqrt is correctly rounded, as Math.sqrt
 *   y_i   = f32( f32(x_i · scale) · w_i )
 * A float32 product rounded once (f32.mul) is Math.fround of the exact float64 product of two float32 values.
 */

/** out[b·n + i] = rmsnorm(row b of x)[i] · weight[i] for b < batch; x, weight, out: float32 addresses. */
export function rmsNormRows(x: usize, weight: usize, n: i32, eps: f64, batch: i32, out: usize): void {
  for (let b = 0; b < batch; b++) {
    const row = x + <usize>(4 * b * n);
    const y = out + <usize>(4 * b * n);
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) {
      const v = load<f32>(row + ((<usize>i) << 2));
      sum += <f64>(v * v);
    }
    const mean = <f32>(sum / <f64>n);
    const scale = <f32>(1.0 / <f64>(<f32>Math.sqrt(<f64>(<f32>(<f64>mean + eps)))));
    for (let i = 0; i < n; i++) {
      const at = (<usize>i) << 2;
      store<f32>(y + at, load<f32>(row + at) * scale * load<f32>(weight + at));
    }
  }
}
