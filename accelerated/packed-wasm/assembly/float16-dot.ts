/**
 * F16 weight rows · fp16-valued activations (float32 holding fp16 values) in the x86-64 AVX-512 build's orders
 * (reference/ggml-x86/vec-dot.ts vecDotF16, tinyblas.ts tinyBlasDot; spec/forward.md §9, §9.3). Both kernels use
 * fma_f32(w, x, acc); a product of two fp16 values is exact in float32 (11 + 11 significant bits, exponents in
 * range), so fma_f32(w, x, acc) = f32(w·x) + acc with one rounding — a float32 multiply then add gives its bits.
 *   vec_dot_f16:  element i = 64·s + 16·j + t → accumulator j (0..3), lane t (0..15); reduce
 *                 x0 = (acc0 + acc2) + (acc1 + acc3) lane-wise, then _mm512_reduce_add_ps; the n mod 64 leftovers
 *                 in float64: sum += f64(f32(w·x)), result f32(sum)
 *   tinyBLAS:     one accumulator of 16 lanes, element l + t → lane t; result _mm512_reduce_add_ps
 */

import { f16ToF32 } from "./float16";

/**
 * Four fp16 weights at `w` (8 bytes) as float32x4, exact for FINITE values (the backend keeps matrices holding ±∞ or
 * NaN away from these kernels: f16AllFinite). Sign-extending the 16 bits to 32 and shifting left by 13 puts the sign at
 * bit 31 (and copies of it at 28..30, cleared by the mask), the 5-bit exponent at 23..27 and the mantissa at 13..22:
 * a float32 worth value·2^-112 for normal and subnormal fp16 alike, which one exact multiply by 2^112 corrects.
 */
export function load4(w: usize): v128 {
  const bits = v128.and(i32x4.shl(v128.load16x4_s(w), 13), i32x4.splat(0x8fffffff));
  return f32x4.mul(bits, f32x4.splat(reinterpret<f32>(0x77800000))); // · 2^112
}

/** Whether none of the `count` fp16 values at `p` is ±∞ or NaN (exponent 31): the condition of load4. */
export function f16AllFinite(p: usize, count: i32): bool {
  const exponent = i16x8.splat(0x7c00);
  let special = i16x8.splat(0);
  const whole = count & ~7;
  for (let i = 0; i < whole; i += 8)
    special = v128.or(special, i16x8.eq(v128.and(v128.load(p + <usize>(2 * i)), exponent), exponent));
  for (let i = whole; i < count; i++) if ((load<u16>(p + <usize>(2 * i)) & 0x7c00) == 0x7c00) return false;
  return !v128.any_true(special);
}

/** _mm512_reduce_add_ps of 16 lanes held as four float32x4 (lanes 0..3, 4..7, 8..11, 12..15). */
function reduceAdd16(v0: v128, v1: v128, v2: v128, v3: v128): f32 {
  const t0 = f32x4.add(v2, v0); // t_i = v_(i+8) + v_i, i = 0..3
  const t1 = f32x4.add(v3, v1); // i = 4..7
  const u = f32x4.add(t1, t0); // u_j = t_(j+4) + t_j
  const u0 = f32x4.extract_lane(u, 0);
  const u1 = f32x4.extract_lane(u, 1);
  const u2 = f32x4.extract_lane(u, 2);
  const u3 = f32x4.extract_lane(u, 3);
  return u0 + u2 + (u1 + u3);
}

/** ggml_vec_dot_f16 (AVX-512): fp16 row at `w` · float32 values at `x`, n elements. */
export function dotF16Ggml(w: usize, x: usize, n: i32): f32 {
  // acc[j][t]: sixteen float32x4 registers a_{j,q} = lanes 4q..4q+3 of accumulator j
  let a00 = f32x4.splat(0),
    a01 = f32x4.splat(0),
    a02 = f32x4.splat(0),
    a03 = f32x4.splat(0);
  let a10 = f32x4.splat(0),
    a11 = f32x4.splat(0),
    a12 = f32x4.splat(0),
    a13 = f32x4.splat(0);
  let a20 = f32x4.splat(0),
    a21 = f32x4.splat(0),
    a22 = f32x4.splat(0),
    a23 = f32x4.splat(0);
  let a30 = f32x4.splat(0),
    a31 = f32x4.splat(0),
    a32 = f32x4.splat(0),
    a33 = f32x4.splat(0);
  const np = n - (n % 64);
  for (let i = 0; i < np; i += 64) {
    const wi = w + <usize>(2 * i);
    const xi = x + <usize>(4 * i);
    a00 = f32x4.add(a00, f32x4.mul(load4(wi), v128.load(xi)));
    a01 = f32x4.add(a01, f32x4.mul(load4(wi + 8), v128.load(xi, 16)));
    a02 = f32x4.add(a02, f32x4.mul(load4(wi + 16), v128.load(xi, 32)));
    a03 = f32x4.add(a03, f32x4.mul(load4(wi + 24), v128.load(xi, 48)));
    a10 = f32x4.add(a10, f32x4.mul(load4(wi + 32), v128.load(xi, 64)));
    a11 = f32x4.add(a11, f32x4.mul(load4(wi + 40), v128.load(xi, 80)));
    a12 = f32x4.add(a12, f32x4.mul(load4(wi + 48), v128.load(xi, 96)));
    a13 = f32x4.add(a13, f32x4.mul(load4(wi + 56), v128.load(xi, 112)));
    a20 = f32x4.add(a20, f32x4.mul(load4(wi + 64), v128.load(xi, 128)));
    a21 = f32x4.add(a21, f32x4.mul(load4(wi + 72), v128.load(xi, 144)));
    a22 = f32x4.add(a22, f32x4.mul(load4(wi + 80), v128.load(xi, 160)));
    a23 = f32x4.add(a23, f32x4.mul(load4(wi + 88), v128.load(xi, 176)));
    a30 = f32x4.add(a30, f32x4.mul(load4(wi + 96), v128.load(xi, 192)));
    a31 = f32x4.add(a31, f32x4.mul(load4(wi + 104), v128.load(xi, 208)));
    a32 = f32x4.add(a32, f32x4.mul(load4(wi + 112), v128.load(xi, 224)));
    a33 = f32x4.add(a33, f32x4.mul(load4(wi + 120), v128.load(xi, 240)));
  }
  // x0 = (acc0 + acc2) + (acc1 + acc3), lane-wise
  const x0 = f32x4.add(f32x4.add(a00, a20), f32x4.add(a10, a30));
  const x1 = f32x4.add(f32x4.add(a01, a21), f32x4.add(a11, a31));
  const x2 = f32x4.add(f32x4.add(a02, a22), f32x4.add(a12, a32));
  const x3 = f32x4.add(f32x4.add(a03, a23), f32x4.add(a13, a33));
  let sum: f64 = <f64>reduceAdd16(x0, x1, x2, x3);
  for (let i = np; i < n; i++) {
    const product: f32 = f16ToF32(<u32>load<u16>(w + <usize>(2 * i))) * load<f32>(x + <usize>(4 * i));
    sum += <f64>product;
  }
  return <f32>sum;
}

/** tinyBLAS's dot (AVX-512, KN = 16): fp16 row at `w` · float32 values at `x`, n a multiple of 16. */
export function dotF16TinyBlas(w: usize, x: usize, n: i32): f32 {
  let a0 = f32x4.splat(0),
    a1 = f32x4.splat(0),
    a2 = f32x4.splat(0),
    a3 = f32x4.splat(0);
  for (let l = 0; l < n; l += 16) {
    const wl = w + <usize>(2 * l);
    const xl = x + <usize>(4 * l);
    a0 = f32x4.add(a0, f32x4.mul(load4(wl), v128.load(xl)));
    a1 = f32x4.add(a1, f32x4.mul(load4(wl + 8), v128.load(xl, 16)));
    a2 = f32x4.add(a2, f32x4.mul(load4(wl + 16), v128.load(xl, 32)));
    a3 = f32x4.add(a3, f32x4.mul(load4(wl + 24), v128.load(xl, 48)));
  }
  return reduceAdd16(a0, a1, a2, a3);
}
