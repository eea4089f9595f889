/**
 * ggml's float dot-product kernels ggml_vec_dot_f32, ggml_vec_dot_f16 and ggml_vec_dot_bf16
 * (ggml/src/ggml-cpu/vec.cpp, macros from simd-mappings.h) as an x86-64 GCC build computes them —
 * for the float matmuls tinyBLAS does not take (kq = mul_mat(k, q), whose q is a permuted view;
 * shapes with k not a multiple of the lane count). F16/BF16 operands are passed as their float32
 * values (widening is exact). Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build").
 *
 * ggml_vec_dot_f32 / _f16 (GGML_F32_STEP = 4·L, L = 8 lanes for AVX2, 16 for AVX-512):
 *   element i = 4L·s + L·j + t feeds accumulator j, lane t:  acc_j,t = fma_f32(x_i, y_i, acc_j,t)
 *   for i < n − n mod 4L; then s = GGML_F32_VEC_REDUCE(acc) (reduceFourAccumulators)
 *   f32:  sumf = s (float);   leftovers sumf = fma_f32(x_i, y_i, sumf)   (`sumf += x[i]*y[i]`, GCC fuses it)
 *   f16:  sumf = f64(s);      leftovers sumf += f64(f32(x_i·y_i));  result f32(sumf)
 * ggml_vec_dot_bf16 (no AVX512-BF16 instructions; `_mm*_add_ps(_mm*_mul_ps(…), c)`, fused by GCC):
 *   AVX2:    c1..c4 over steps of 32 (8 lanes each), c = (c1 + c3) + (c2 + c4), sumf = f64(hsum_float_8(c))
 *   AVX-512: c1, c2 over steps of 32 (16 lanes each), sumf = f64(reduce(c1)) + f64(reduce(c2))
 *   leftovers sumf += f64(f32(x_i·y_i));  result f32(sumf)
 */

import { fmaF32 } from "./fma.js";
import { hsumF32x8, reduceAddF32x16, reduceFourAccumulators } from "./hsum.js";
import { f32Lanes, type X86Isa } from "./isa.js";

/** Throw unless x and y have the same length. */
function checkLengths(name: string, x: ArrayLike<number>, y: ArrayLike<number>): void {
  if (x.length !== y.length) throw new RangeError(`${name}: lengths ${x.length} and ${y.length} differ`);
}

/**
 * `registers` accumulators of L lanes over the first n − n mod (registers·L) elements:
 * acc[j·L + t] = fma chain over i = step·s + j·L + t. Returns the accumulators and that bound.
 */
function laneAccumulators(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  lanes: number,
  registers: number,
): { acc: Float32Array; np: number } {
  const step = lanes * registers;
  const np = x.length - (x.length % step);
  const acc = new Float32Array(step);
  for (let i = 0; i < np; i += step) {
    for (let lane = 0; lane < step; lane++) acc[lane] = fmaF32(x[i + lane], y[i + lane], acc[lane]);
  }
  return { acc, np };
}

/** ggml_vec_dot_f32 for `isa`: x, y float32 values of length n → float32. Spec §9. */
export function vecDotF32(x: ArrayLike<number>, y: ArrayLike<number>, isa: X86Isa): number {
  checkLengths("vec_dot_f32", x, y);
  const { acc, np } = laneAccumulators(x, y, f32Lanes(isa), 4);
  let sumf = reduceFourAccumulators(isa, acc);
  for (let i = np; i < x.length; i++) sumf = fmaF32(x[i], y[i], sumf);
  return sumf;
}

/** ggml_vec_dot_f16 for `isa`: x, y the float32 values of fp16 operands, length n → float32. Spec §9. */
export function vecDotF16(x: ArrayLike<number>, y: ArrayLike<number>, isa: X86Isa): number {
  checkLengths("vec_dot_f16", x, y);
  const { acc, np } = laneAccumulators(x, y, f32Lanes(isa), 4);
  let sumf = reduceFourAccumulators(isa, acc); // ggml_float
  for (let i = np; i < x.length; i++) sumf += Math.fround(x[i] * y[i]);
  return Math.fround(sumf);
}

/** ggml_vec_dot_bf16 for `isa` (without AVX512-BF16): x, y the float32 values of bf16 operands → float32. Spec §9. */
export function vecDotBf16(x: ArrayLike<number>, y: ArrayLike<number>, isa: X86Isa): number {
  checkLengths("vec_dot_bf16", x, y);
  let sumf: number; // ggml_float
  let np: number;
  if (isa === "avx512") {
    const r = laneAccumulators(x, y, 16, 2); // c1 = acc[0..16), c2 = acc[16..32)
    sumf = reduceAddF32x16(r.acc, 0);
    sumf += reduceAddF32x16(r.acc, 16);
    np = r.np;
  } else {
    const r = laneAccumulators(x, y, 8, 4); // c1..c4
    const c = new Float32Array(8);
    for (let t = 0; t < 8; t++)
      c[t] = Math.fround(r.acc[t] + r.acc[16 + t]) + Math.fround(r.acc[8 + t] + r.acc[24 + t]);
    sumf = hsumF32x8(c);
    np = r.np;
  }
  for (let i = np; i < x.length; i++) sumf += Math.fround(x[i] * y[i]);
  return Math.fround(sumf);
}
