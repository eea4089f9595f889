/**
 * One Hugging Face BitNet linear layer as a kernel computes it (transformers 5.18.0 integrations/bitnet.py: ActQuant,
 * AutoBitLinear.forward, BitLinear.post_quant_process) and how far a kernel's float32 output may be from the exact
 * value. Implements spec/tolerances.md §13.
 *
 *   x: [k] one token (float32); W: [n, k] ternary t ∈ {−1, 0, +1}; s: weight_scale; op "multiply" | "divide"
 *   σ   = f32(127 / max(max|x|, f32(1e-5)))                          (ActQuant's scale, fp32)
 *   q_j = clamp(round_half_even(f32(x_j · σ)), −128, 127)
 *   x̂_j = f32(q_j / σ)                                                (the fake-quantized activation)
 *   D_o = Σ_j x̂_j · t[o, j]   (exact: float64 holds it)     y_o = D_o · s  or  D_o / s  (exact), y_C = f32(y_o)
 *   |y_K − y_C| ≤ s'·(γ_K + 2u)·A_o + 4u·|y_C| + 4·2^-149        s' = s or 1/s, A_o = Σ_j |x̂_j·t[o, j]|, K = nonzeros
 */

import type { HfBitnetScaleConvention } from "../codec/hf-bitnet.js";
import { gammaF32, SMALLEST_SUBNORMAL_F32, UNIT_ROUNDOFF_F32 } from "./floating-point.js";

/** transformers' floor on max|x| (`clamp_(min=1e-5)`), as the float32 tensor holds it. Spec §13.1. */
export const HF_BITNET_ABSMAX_FLOOR = Math.fround(1e-5);

/** One token's activations as ActQuant quantizes them. */
export interface HfBitnetActivations {
  /** σ = f32(127 / max(max|x|, 1e-5)). */
  readonly sigma: number;
  /** q_j ∈ [−128, 127]. */
  readonly q: Int8Array;
  /** x̂_j = f32(q_j / σ): what F.linear multiplies W by. */
  readonly xhat: Float32Array;
}

/** torch.round: nearest, ties to even. */
function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const diff = v - floor;
  if (diff !== 0.5) return Math.round(v);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * ActQuant.forward for one token in float32: σ, q and x̂ (x finite). Implements spec/tolerances.md §13.1.
 */
export function hfBitnetQuantizeActivations(x: Float32Array): HfBitnetActivations {
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  const sigma = Math.fround(127 / Math.max(max, HF_BITNET_ABSMAX_FLOOR));
  const q = new Int8Array(x.length);
  const xhat = new Float32Array(x.length);
  for (let j = 0; j < x.length; j++) {
    q[j] = Math.min(127, Math.max(-128, roundHalfEven(Math.fround(x[j] * sigma))));
    xhat[j] = Math.fround(q[j] / sigma);
  }
  return { sigma, q, xhat };
}

/** One output of the layer: the reference value and the bound a kernel's value must keep to. */
export interface HfBitnetOutput {
  /** y_C = f32(D·s) or f32(D/s), D exact. */
  readonly reference: number;
  /** The most |y_K − y_C| may be. */
  readonly bound: number;
}

/**
 * y[o] for o < n of one token, W: Int8Array[n·k] row-major (row o = output o), each with its bound.
 * Implements spec/tolerances.md §13.2.
 */
export function hfBitnetLinearOutputs(
  activations: HfBitnetActivations,
  weights: Int8Array,
  n: number,
  scale: number,
  convention: HfBitnetScaleConvention,
): HfBitnetOutput[] {
  const k = activations.xhat.length;
  const factor = convention === "multiply" ? scale : 1 / scale;
  const u = UNIT_ROUNDOFF_F32;
  const out: HfBitnetOutput[] = [];
  for (let o = 0; o < n; o++) {
    let exact = 0; // x̂_j = ±f32(1..128 / σ): 24-bit significands within 8 binades, so float64 sums them exactly (k < 2^20)
    let absolute = 0;
    let nonZero = 0;
    for (let j = 0; j < k; j++) {
      const t = weights[o * k + j];
      if (t === 0) continue;
      exact += t * activations.xhat[j];
      absolute += Math.abs(activations.xhat[j]);
      nonZero++;
    }
    const reference = Math.fround(convention === "multiply" ? exact * scale : exact / scale);
    const bound =
      Math.abs(factor) * (gammaF32(nonZero) + 2 * u) * absolute +
      4 * u * Math.abs(reference) +
      4 * SMALLEST_SUBNORMAL_F32;
    out.push({ reference, bound });
  }
  return out;
}

/** Is a kernel's output accepted: equal to the reference (+0 = −0), or finite and within the bound. Spec §13.2. */
export function hfBitnetOutputAccepted(actual: number, output: HfBitnetOutput): boolean {
  if (actual === output.reference) return true;
  if (!Number.isFinite(actual) || !Number.isFinite(output.reference)) return false;
  return Math.abs(actual - output.reference) <= output.bound;
}
