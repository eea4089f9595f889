/**
 * The RoPE rotation in "f32" arithmetic (reference/model/rope.ts applyRope, spec/forward.md §4.2), on angles the host
 * computed (ropeAngles: Math.cos / Math.sin of V8, rounded to float32, one table per row's position):
 *   (a, b) ← (f32(f32(a·c) − f32(b·s)), f32(f32(a·s) + f32(b·c)))
 * the difference and sum in float64, then rounded, as the reference stores them into its Float32Array.
 */

/**
 * Rotate `batch` rows of rowLength floats at x in place, every head of headDim, pairs 0..pairs−1: adjacent (x[2i],
 * x[2i+1]) or rotate-half (x[i], x[i + pairs]). Row b's cos table at angles + 4·(2·pairs·b), its sin table right after.
 */
export function ropeRows(
  x: usize,
  rowLength: i32,
  batch: i32,
  headDim: i32,
  pairs: i32,
  adjacent: bool,
  angles: usize,
): void {
  const heads = rowLength / headDim;
  for (let b = 0; b < batch; b++) {
    const cosTable = angles + <usize>(8 * pairs * b);
    const sinTable = cosTable + <usize>(4 * pairs);
    for (let head = 0; head < heads; head++) {
      const base = x + <usize>(4 * (b * rowLength + head * headDim));
      for (let i = 0; i < pairs; i++) {
        const pa = adjacent ? base + <usize>(8 * i) : base + <usize>(4 * i);
        const pb = adjacent ? pa + 4 : pa + <usize>(4 * pairs);
        const a = load<f32>(pa);
        const v = load<f32>(pb);
        const c = load<f32>(cosTable + ((<usize>i) << 2));
        const s = load<f32>(sinTable + ((<usize>i) << 2));
        store<f32>(pa, <f32>(<f64>(a * c) - <f64>(v * s)));
        store<f32>(pb, <f32>(<f64>(a * s) + <f64>(v * c)));
      }
    }
  }
}
