/**
 * The per-op error bounds of spec/tolerances.md, as functions that return one allowed |candidate −
 * reference| per output element, and a checker that reports the worst element. Pure TypeScript:
 * no Node APIs, no test framework (bundled for the browser harness too).
 */

import { dequantizeRowQ8K, GgmlType, quantizeRowQ8K, ternaryDotErrorBound } from "../../reference/codec/index.js";
import type { ActivationMode } from "../../reference/model/linear.js";
import { decodeMatrixRow, packedRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { AttentionShape } from "../../src/backend/backend.js";

/** Unit roundoff of float32 (spec/tolerances.md §1). */
export const U = 2 ** -24;
/** Unit roundoff of float64. */
export const U64 = 2 ** -53;
/** Smallest positive float32 subnormal: the absolute error one underflowing rounding may add is half of it (§1). */
export const TINY = 2 ** -149;

/**
 * A softmax term is "live" while its gap below the maximum score is at most this: beyond it,
 * float32 exp(−gap) < 2^-158 underflows to 0 (or to 2^-149 at most) on the candidate and the
 * reference alike, whatever its argument's rounding error (spec/tolerances.md §7.2).
 */
export const LIVE_EXP_GAP = 110;

/** γ_n = n·u / (1 − n·u) for float32 (Higham §3.1; spec/tolerances.md §1). */
export function gamma(n: number): number {
  return (n * U) / (1 - n * U);
}

/** γ_n for float64. */
export function gamma64(n: number): number {
  return (n * U64) / (1 - n * U64);
}

/**
 * What a candidate backend guarantees about its elementary functions, in units in the last place
 * (1 ulp ≤ 2u relative). Spec/tolerances.md §1: IEEE float32 with a ≤ 1-ulp libm for cpu/wasm,
 * ESSL precision rules for WebGL.
 */
export interface Accuracy {
  /** exp(x) within expUlps + expUlpsPerUnit·|x| ulps. */
  readonly expUlps: number;
  readonly expUlpsPerUnit: number;
  /** Division and square root within this many ulps (0.5 = correctly rounded). */
  readonly divSqrtUlps: number;
  /** Absolute error of the backend's cos θ and sin θ for RoPE (0 when it uses the host's float32 values). */
  readonly trigAbs: number;
}

/** IEEE float32 arithmetic with a faithful (≤ 1 ulp) exp, correctly rounded div/sqrt, angles within 1 ulp of 1. §1. */
export const IEEE_ACCURACY: Accuracy = { expUlps: 1, expUlpsPerUnit: 0, divSqrtUlps: 0.5, trigAbs: 2 * U };

/** WebGL (ESSL 3.x precision table, highp): exp (3 + 2|x|) ulp, division 2.5 ulp, inversesqrt 2 ulp. §1. */
export const WEBGL_ACCURACY: Accuracy = { expUlps: 3, expUlpsPerUnit: 2, divSqrtUlps: 2.5, trigAbs: 2 * U };

/** Relative error of `ulps` ulps. */
function ulpsToRelative(ulps: number): number {
  return 2 * ulps * U;
}

/** e^(a/(1−a)) − 1 ≥ Π(1+a_i)/(1−…) − 1 for a = Σ a_i: a product of relative errors as one relative error (§1). */
function combine(sum: number): number {
  return sum < 1 ? Math.expm1(sum / (1 - sum)) : Infinity; // the first-order bound only holds below 1
}

/** |W| row r decoded (exact), cached per matrix. */
function decodedRows(matrix: PackedMatrix): Float32Array[] {
  return Array.from({ length: matrix.rows }, (_, r) => decodeMatrixRow(matrix, r));
}

/**
 * Allowed |Δy| for y = x·Wᵀ in `mode` (spec/tolerances.md §2 f32, §3 ggml): Float64Array[B·R].
 * `reference` is the reference's y (its own rounding is part of the bound).
 */
export function matmulBounds(
  matrix: PackedMatrix,
  x: Float32Array,
  batch: number,
  mode: ActivationMode,
  reference: Float32Array,
): Float64Array {
  const { rows, cols } = matrix;
  const w = decodedRows(matrix);
  const out = new Float64Array(batch * rows);
  const ternary = matrix.type === GgmlType.TQ1_0 || matrix.type === GgmlType.TQ2_0;
  for (let b = 0; b < batch; b++) {
    const row = x.subarray(b * cols, (b + 1) * cols);
    const xq = mode === "ggml" && ternary ? quantizeRowQ8K(row) : undefined;
    const xt = xq === undefined ? row : dequantizeRowQ8K(xq); // x̃ = d·q (§3)
    for (let r = 0; r < rows; r++) {
      let s = 0; // S = Σ |W_rc · x_c|, exact products in float64
      const wr = w[r];
      for (let c = 0; c < cols; c++) s += Math.abs(wr[c] * xt[c]);
      s *= 1 + gamma64(cols); // an upper bound of the exact Σ
      const y = Math.abs(reference[b * rows + r]);
      const underflow = 2 * (cols + 8) * TINY;
      let bound: number;
      if (mode === "f32") {
        bound = gamma(cols) * s + gamma64(cols) * s + U * y * (1 + 2 * U) + underflow; // §2
      } else if (xq !== undefined) {
        const ref = ternaryDotErrorBound(matrix.type as GgmlType.TQ1_0 | GgmlType.TQ2_0, packedRow(matrix, r), xq);
        bound = gamma(cols + 3) * s + ref + U * y + underflow; // §3.1
      } else {
        bound = 2 * gamma(cols + 8) * s + U * y + underflow; // §3.2: both sides a float32 sum, any order
      }
      out[b * rows + r] = bound;
    }
  }
  return out;
}

/** Allowed |Δy| for RMSNorm (spec/tolerances.md §4): Float64Array[B·n]. */
export function rmsNormBounds(
  weight: Float32Array,
  eps: number,
  batch: number,
  reference: Float32Array,
  acc: Accuracy,
): Float64Array {
  const n = weight.length;
  const out = new Float64Array(batch * n);
  const ds = ulpsToRelative(acc.divSqrtUlps);
  for (let b = 0; b < batch; b++) {
    const g = gamma(n + 2); // Σ of n positive squares, / n, + eps
    const underflowOfMean = ((n + 2) * TINY) / Math.max(Math.fround(eps), TINY); // relative, through eps > 0
    const candidate = ((g + underflowOfMean) / 2) * (1 + g) + ds /* sqrt */ + ds /* 1/· */ + 2 * U; /* ·scale, ·w */
    const ref = 6 * U + n * U64;
    const k = combine(candidate + ref + (g + underflowOfMean) / 2);
    for (let i = 0; i < n; i++) {
      out[b * n + i] = k * Math.abs(reference[b * n + i]) + 4 * (1 + Math.abs(weight[i])) * TINY;
    }
  }
  return out;
}

/**
 * Allowed |Δ| for RoPE (spec/tolerances.md §5): x is the input (before rotation), cos/sin the
 * reference angles per row (B·pairs). Float64Array[x.length].
 */
export function ropeBounds(
  x: Float32Array,
  headDim: number,
  ropeDim: number,
  style: "adjacent" | "rotate-half",
  cos: Float32Array,
  sin: Float32Array,
  batch: number,
  acc: Accuracy,
): Float64Array {
  const out = new Float64Array(x.length); // unrotated dimensions: 0 (copied exactly)
  const n = x.length / Math.max(batch, 1);
  const pairs = ropeDim / 2;
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < n / headDim; head++) {
      const base = b * n + head * headDim;
      for (let i = 0; i < pairs; i++) {
        const ia = style === "adjacent" ? base + 2 * i : base + i;
        const ib = style === "adjacent" ? ia + 1 : ia + pairs;
        const a = Math.abs(x[ia]);
        const bb = Math.abs(x[ib]);
        const c = Math.abs(cos[b * pairs + i]);
        const s = Math.abs(sin[b * pairs + i]);
        const bound =
          2 * gamma(2) * (a * c + bb * s + a * s + bb * c) + (a + bb) * acc.trigAbs * (1 + gamma(2)) + 6 * TINY;
        out[ia] = bound;
        out[ib] = bound;
      }
    }
  }
  return out;
}

/** Allowed |Δh| for h = silu(gate)·up (spec/tolerances.md §6): Float64Array[n]. */
export function swigluBounds(
  gate: Float32Array,
  up: Float32Array,
  reference: Float32Array,
  acc: Accuracy,
): Float64Array {
  const out = new Float64Array(gate.length);
  const ds = ulpsToRelative(acc.divSqrtUlps);
  for (let i = 0; i < gate.length; i++) {
    const g = gate[i];
    const e = ulpsToRelative(acc.expUlps + acc.expUlpsPerUnit * Math.abs(g));
    const candidate = e + U + ds + U; // exp, 1 + ·, ÷, · up
    const ref = 4 * U + 2 * U64;
    const k = combine(candidate + ref);
    const overflowZone = g <= -80 ? 2 * Math.abs(up[i]) * 80 * Math.exp(-80) : 0; // exp(−g) may overflow on one side
    out[i] = k * Math.abs(reference[i]) + overflowZone + 4 * (1 + Math.abs(up[i])) * TINY;
  }
  return out;
}

/**
 * Allowed |Δo| for causal attention (spec/tolerances.md §7): scores, softmax, weighted sum, from
 * the inputs and the reference output. Float64Array[B · nHeads·hd].
 */
export function attentionBounds(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  positions: readonly number[],
  shape: AttentionShape,
  reference: Float32Array,
  acc: Accuracy,
): Float64Array {
  const { nHeads, nKvHeads, headDim } = shape;
  const kvDim = nKvHeads * headDim;
  const total = keys.length / kvDim;
  const scale = Math.fround(1 / Math.sqrt(headDim));
  const ds = ulpsToRelative(acc.divSqrtUlps);
  const out = new Float64Array(reference.length);
  positions.forEach((pos, b) => {
    const count = pos + 1;
    for (let h = 0; h < nHeads; h++) {
      const g = Math.floor(h / (nHeads / nKvHeads));
      const qh = q.subarray((b * nHeads + h) * headDim, (b * nHeads + h + 1) * headDim);
      const s = new Float64Array(count);
      let worstScoreError = 0; // E = max_t e_t (§7.1)
      for (let t = 0; t < count; t++) {
        let dot = 0;
        let mag = 0;
        for (let i = 0; i < headDim; i++) {
          const prod = qh[i] * keys[t * kvDim + g * headDim + i];
          dot += prod;
          mag += Math.abs(prod);
        }
        s[t] = dot * scale;
        const e = 2 * gamma(headDim + 2) * mag * scale * (1 + gamma64(headDim)) + 2 * (headDim + 2) * TINY;
        worstScoreError = Math.max(worstScoreError, e);
      }
      let max = -Infinity;
      for (const v of s) max = Math.max(max, v);
      let sum = 0;
      let spread = 0; // L = max |s_t − max s| over the LIVE terms (§7.2)
      let deadTerms = 0;
      for (const v of s) {
        sum += Math.exp(v - max);
        if (max - v - 2 * worstScoreError <= LIVE_EXP_GAP) spread = Math.max(spread, max - v);
        else deadTerms++;
      }
      const reach = spread + 2 * worstScoreError; // |ŝ_t − m̂| ≤ L + 2E
      const expRel = ulpsToRelative(acc.expUlps + acc.expUlpsPerUnit * reach);
      const eta = combine(
        2 * worstScoreError + U * reach - Math.log1p(-expRel) + gamma(total) + ds + 3 * U + total * U64 + 2 ** -50,
      );
      for (let i = 0; i < headDim; i++) {
        let v = 0; // V_i = Σ_t p_t |v_t,i|
        for (let t = 0; t < count; t++)
          v += (Math.exp(s[t] - max) / sum) * Math.abs(values[t * kvDim + g * headDim + i]);
        v *= 1 + eta; // p computed here in float64 vs the reference's p: within η (§7.2)
        const index = (b * nHeads + h) * headDim + i;
        let deadValues = 0; // dead terms: both sides' exp is ≤ 2^-158 after rounding to float32 (§7.2)
        if (deadTerms > 0)
          for (let t = 0; t < count; t++)
            deadValues = Math.max(deadValues, Math.abs(values[t * kvDim + g * headDim + i]));
        const derived =
          (eta + gamma(total) * (1 + eta) + total * U64) * v +
          U * Math.abs(reference[index]) +
          2 * (total + 1) * TINY +
          2 * deadTerms * TINY * deadValues;
        out[index] = Math.min(derived, convexHullBound(values, kvDim, g * headDim + i, count, total));
      }
    }
  });
  return out;
}

/**
 * The bound that holds however badly the scores are conditioned (spec/tolerances.md §7.4): both
 * outputs are probability-weighted averages of v_0,i … v_(count−1),i, so they differ by at most the
 * spread max_t v − min_t v, plus the float32 rounding of a T-term weighted sum (γ_(T+2)·max|v| each).
 */
function convexHullBound(values: Float32Array, kvDim: number, column: number, count: number, total: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < count; t++) {
    const v = values[t * kvDim + column];
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const magnitude = Math.max(Math.abs(lo), Math.abs(hi));
  return hi - lo + 2 * gamma(total + 2) * magnitude + 2 * (total + 1) * TINY;
}

/** The worst element of a comparison. */
export interface WorstElement {
  readonly index: number;
  readonly candidate: number;
  readonly reference: number;
  readonly difference: number;
  readonly bound: number;
}

/** Outcome of comparing two arrays under element bounds. */
export interface ToleranceReport {
  readonly ok: boolean;
  /** Elements outside their bound (or non-finite where the other is not). */
  readonly violations: number;
  /** The element with the largest difference / bound (a violation if any). */
  readonly worst: WorstElement | undefined;
  /** One line: count, worst element, ratio. */
  readonly summary: string;
}

/**
 * Compare candidate with reference element by element under `bounds` (spec/tolerances.md §1):
 * both NaN, or equal infinities, or finite with |c − r| ≤ bound. Reports the worst element.
 */
export function checkTolerance(
  candidate: Float32Array,
  reference: Float32Array,
  bounds: ArrayLike<number>,
): ToleranceReport {
  if (candidate.length !== reference.length) {
    return {
      ok: false,
      violations: Math.max(candidate.length, reference.length),
      worst: undefined,
      summary: `length ${candidate.length} ≠ reference length ${reference.length}`,
    };
  }
  let violations = 0;
  let worst: WorstElement | undefined;
  let worstRatio = -1;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate[i];
    const r = reference[i];
    const bound = bounds[i];
    let ratio: number;
    if (Number.isNaN(c) || Number.isNaN(r)) ratio = Number.isNaN(c) && Number.isNaN(r) ? 0 : Infinity;
    else if (!Number.isFinite(c) || !Number.isFinite(r)) ratio = c === r ? 0 : Infinity;
    else {
      const d = Math.abs(c - r);
      ratio = d === 0 ? 0 : bound > 0 ? d / bound : Infinity;
    }
    if (ratio > 1) violations++;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { index: i, candidate: c, reference: r, difference: Math.abs(c - r), bound };
    }
  }
  const ok = violations === 0;
  const w = worst;
  const summary =
    w === undefined
      ? "no elements"
      : `${violations} of ${candidate.length} elements outside the bound; worst [${w.index}]: candidate ${w.candidate}, reference ${w.reference}, |Δ| ${w.difference.toExponential(3)}, bound ${w.bound.toExponential(3)} (${worstRatio === Infinity ? "∞" : worstRatio.toFixed(3)}× the bound)`;
  return { ok, violations, worst, summary };
}

/** NMSE Σ(c − r)² / Σ r² over rows of logits (spec/tolerances.md §9). */
export function nmse(candidate: readonly Float32Array[], reference: readonly Float32Array[]): number {
  let num = 0;
  let den = 0;
  candidate.forEach((row, p) => {
    for (let j = 0; j < row.length; j++) {
      const d = row[j] - reference[p][j];
      num += d * d;
      den += reference[p][j] * reference[p][j];
    }
  });
  return den === 0 ? (num === 0 ? 0 : Infinity) : num / den;
}
