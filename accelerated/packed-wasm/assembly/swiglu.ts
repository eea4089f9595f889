/**
 * SwiGLU in "f32" arithmetic (reference/model/swiglu.ts, spec/forward.md §6), exp the host's Math.exp (js-math.ts):
 *   silu(g) = f32( g / f32(1 + f32(exp(−g))) ),  h = f32( silu(g) · up )
 */

import { exp } from "./js-math";

/** out[i] = silu(gate[i]) · up[i] for i < n; float32 addresses. */
export function swigluRows(gate: usize, up: usize, n: i32, out: usize): void {
  for (let i = 0; i < n; i++) {
    const at = (<usize>i) << 2;
    const g = load<f32>(gate + at);
    const e = <f32>exp(-(<f64>g));
    const silu = <f32>(<f64>g / <f64>(<f32>(1.0 + <f64>e)));
    store<f32>(out + at, silu * load<f32>(up + at));
  }
}
