/**
 * The BitNet GPU linear layer: per-token int8 activations (gpu/model.py `BitLinearKernel.quant_input`)
 * and the int8 × int2 kernel (gpu/bitnet_kernels/bitnet_kernels.h `ladder_int8xint2_kernel`, dispatched by
 * bitnet_kernels.cu `bitlinear_int8xint2`), microsoft/BitNet 16da220a. Implements spec/bitnet.md §6.
 *
 *   x: activations [k] of one token, bf16 values (the model runs in bf16)
 *   s = bf16(bf16(1 / max(max|x|, 1e-5)) · 127)  (`127 / t` is t.reciprocal() · 127; "eager" rounds every
 *   q = clamp(round(x·s), −128, 127) as int8      op to bf16, "fused" — torch.compile — keeps fp32 inside
 *                                                  and rounds only the stored s)
 *   acc[o] = Σ_j q[j] · t[o][j]                  (int32, dp4a; |acc| ≤ 128·k never wraps for k < 2^24)
 *   y[o] = bf16( f32( f32(acc[o]) / f32(s[0]) ) · f32(ws[o / (n / wsNum)]) )
 */

import { roundToBf16 } from "./bfloat16.js";

/** One shape `bitlinear_int8xint2` dispatches to a kernel: M tokens, N outputs, K inputs, wsNum weight scales. */
export interface W2a8KernelShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Weight scales of the fused matrix: output o uses ws[o / (n / wsNum)] (integer divisions). */
  readonly wsNum: number;
}

/**
 * The if/else chain of `bitlinear_int8xint2` (bitnet_kernels.cu), in order. Any other (M, N, K) takes the
 * `else` branch, which prints "required ladder gemm kernel" and writes nothing: the caller's output
 * (`torch.zeros` in gpu/model.py) stays all zeros.
 */
export const W2A8_KERNEL_SHAPES: readonly W2a8KernelShape[] = [
  { m: 1, n: 3840, k: 2560, wsNum: 3 },
  { m: 1, n: 2560, k: 2560, wsNum: 1 },
  { m: 1, n: 13824, k: 2560, wsNum: 2 },
  { m: 1, n: 2560, k: 6912, wsNum: 1 },
  { m: 1, n: 4800, k: 3200, wsNum: 6 },
  { m: 1, n: 3200, k: 3200, wsNum: 1 },
  { m: 1, n: 20480, k: 3200, wsNum: 2 },
  { m: 1, n: 3200, k: 10240, wsNum: 1 },
  { m: 1, n: 5120, k: 27648, wsNum: 1 },
  { m: 1, n: 55296, k: 5120, wsNum: 1 },
];

/** The dispatched kernel shape for (m, n, k), or undefined where the kernel writes nothing. Spec §6. */
export function findW2a8Kernel(m: number, n: number, k: number): W2a8KernelShape | undefined {
  return W2A8_KERNEL_SHAPES.find((s) => s.m === m && s.n === n && s.k === k);
}

/**
 * How the activation quantization rounds: "eager" is PyTorch op by op on bf16 tensors (each result rounded
 * to bf16); "fused" is the `@torch.compile`d `quant_input` as Inductor generates it (fp32 inside the fused
 * kernel, only the stored s rounded to bf16).
 */
export type W2a8ActivationRounding = "eager" | "fused";

/** One token's int8 activations and the bf16 scale the kernel divides by. */
export interface W2a8Activations {
  /** q[j] ∈ [−128, 127]. */
  readonly q: Int8Array;
  /** s as stored (a bf16 value), 127 / max|x| rounded. */
  readonly scale: number;
}

/** torch.round: nearest, ties to even (the rounded value of a float). */
function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v;
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** clamp(v, −128, 127) then `.to(torch.int8)` (NaN has no defined int8; it is reported as 0 here). */
function toInt8(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.min(127, Math.max(-128, v));
}

/**
 * `quant_input` for one token: s = 127 / max|x|.clamp(min=1e-5), q = (x·s).round().clamp(−128, 127) → int8,
 * in PyTorch's operation order (`127 / t` = `t.reciprocal() * 127`). x must hold bf16 values. Implements spec/bitnet.md §6.
 */
export function quantizeW2a8Activations(x: Float32Array, rounding: W2a8ActivationRounding): W2a8Activations {
  let max = 0;
  for (const v of x) max = Number.isNaN(v) || Number.isNaN(max) ? NaN : Math.max(max, Math.abs(v));
  const eager = rounding === "eager";
  const floor = eager ? roundToBf16(1e-5) : Math.fround(1e-5);
  const clamped = Number.isNaN(max) ? NaN : Math.max(max, floor);
  // `127 / t` is Tensor.__rtruediv__: t.reciprocal() * 127 — two ops, each rounded to bf16 when eager
  const reciprocal = eager ? roundToBf16(Math.fround(1 / clamped)) : Math.fround(1 / clamped);
  const scale = roundToBf16(Math.fround(reciprocal * 127)); // s is stored as a bf16 tensor either way
  const q = new Int8Array(x.length);
  for (let j = 0; j < x.length; j++) {
    const product = Math.fround(x[j] * scale);
    q[j] = toInt8(roundHalfEven(eager ? roundToBf16(product) : product));
  }
  return { q, scale };
}

/** acc[o] = Σ_j q[j]·t[o][j] over the ternary weight [n × k] (row o = output). The dp4a sums. Spec §6. */
export function w2a8Accumulate(q: Int8Array, weights: Int8Array, n: number, k: number): Int32Array {
  if (q.length !== k || weights.length !== n * k)
    throw new Error(`W2A8: q has ${q.length} values, weights ${weights.length}; expected k = ${k}, n·k = ${n * k}`);
  const acc = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    let sum = 0;
    for (let j = 0; j < k; j++) sum += q[j] * weights[o * k + j];
    acc[o] = sum;
  }
  return acc;
}

/**
 * The kernel's epilogue: y[o] = bf16(f32(f32(acc[o]) / s) · ws[o / (n / wsNum)]) with C's integer
 * divisions for the scale index. ws holds bf16 values (gpu/convert_checkpoint.py pads it with zeros to 4;
 * an index past its end is reported as an error, where the GPU would read past the tensor). Spec §6.
 */
export function w2a8Epilogue(acc: Int32Array, scale: number, ws: Float32Array, wsNum: number): Float32Array {
  const n = acc.length;
  const perScale = Math.trunc(n / wsNum);
  const out = new Float32Array(n);
  for (let o = 0; o < n; o++) {
    const wsIndex = Math.trunc(o / perScale);
    if (wsIndex >= ws.length)
      throw new Error(`W2A8: output ${o} reads ws[${wsIndex}], past the ${ws.length} weight scales`);
    out[o] = roundToBf16(Math.fround(Math.fround(Math.fround(acc[o]) / scale) * ws[wsIndex]));
  }
  return out;
}

/**
 * One token through `BitLinearKernel.forward` (m = 1): quantize x, accumulate, scale. Returns all zeros (the
 * untouched `torch.zeros` output) when (1, n, k) is not a dispatched kernel shape. Spec §6.
 */
export function w2a8Linear(
  x: Float32Array,
  weights: Int8Array,
  n: number,
  ws: Float32Array,
  rounding: W2a8ActivationRounding,
): Float32Array {
  const kernel = findW2a8Kernel(1, n, x.length);
  if (kernel === undefined) return new Float32Array(n);
  const { q, scale } = quantizeW2a8Activations(x, rounding);
  return w2a8Epilogue(w2a8Accumulate(q, weights, n, x.length), scale, ws, kernel.wsNum);
}
