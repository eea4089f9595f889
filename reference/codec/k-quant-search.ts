/**
 * The scale searches behind ggml's K-quant reference quantizers (ggml/src/ggml-quants.c), ported for the
 * paths quantize_row_{q4,q5,q6}_K_ref take: no importance matrix (`quant_weights` = NULL).
 * Implements spec/formats.md §13.3 (make_qkx2_quants) and §15.3 (make_qx_quants).
 *
 * ggml-quants.c is compiled into libggml-base without -march flags (plain SSE2, no FMA), so every float
 * operation below is one float32 rounding (Math.fround), in the C source's left-to-right order.
 */

import { nearestInt } from "./rounding.js";

const f32 = Math.fround;
/** GROUP_MAX_EPS in ggml-quants.c: a group whose max |x| is below it quantizes to all zeros. */
export const GROUP_MAX_EPS = f32(1e-15);
const ONE_TENTH = f32(0.1);

/** Result of makeQkx2Quants: x ≈ scale · L − theMin. */
export interface AffineFit {
  /** The float32 step between levels (0 for a constant group). */
  readonly scale: number;
  /** The float32 offset subtracted after scaling (≥ 0 unless the group is all positive: then 0). */
  readonly theMin: number;
}

/**
 * make_qkx2_quants(n, nmax, x, weights, L, &the_min, Laux, rmin, rdelta, nstep, use_mad = false), with nstep ≥ 1.
 * Fits x ≈ scale·L + min, L ∈ 0..nmax, minimizing Σ w·(scale·L + min − x)²:
 *   min = min(0, min x), max = max x;  iscale = nmax / (max − min);  L = clamp(nearest_int(iscale·(x − min)))
 *   then for is = 0..nstep:  iscale = (rmin + rdelta·is + nmax) / (max − min), L' = clamp(nearest_int(iscale·(x − min))),
 *   the least-squares (scale, min) for L':  D = Σw·Σwl² − (Σwl)²,
 *     scale = (Σw·Σwlx − Σwx·Σwl) / D,  min = (Σwl²·Σwx − Σwl·Σwlx) / D   (min > 0 ⇒ min = 0, scale = Σwlx / Σwl²)
 *   and keep L' when its weighted squared error is strictly smaller. As in ggml, keeping a candidate also replaces
 *   `min` by the fitted min, and later steps use that min in both (max − min) and (x − min).
 * x, weights: Float32Array[n]; L: Uint8Array[n] (written). Returns {scale, theMin = −min}. Spec §13.3.
 */
export function makeQkx2Quants(
  x: Float32Array,
  nmax: number,
  weights: Float32Array,
  L: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
): AffineFit {
  const n = x.length;
  let min = x[0];
  let max = x[0];
  let sumW = weights[0];
  let sumX = f32(sumW * x[0]);
  for (let i = 1; i < n; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    sumW = f32(sumW + weights[i]);
    sumX = f32(sumX + f32(weights[i] * x[i]));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, 0, n);
    return { scale: 0, theMin: -min };
  }
  let iscale = f32(nmax / f32(max - min));
  let scale = f32(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = nearestInt(f32(iscale * f32(x[i] - min)));
    L[i] = Math.max(0, Math.min(nmax, l));
    const diff = f32(f32(f32(scale * L[i]) + min) - x[i]); // scale·L + min − x
    bestError = f32(bestError + f32(weights[i] * f32(diff * diff)));
  }
  const laux = new Uint8Array(n);
  for (let is = 0; is <= nstep; is++) {
    iscale = f32(f32(f32(rmin + f32(rdelta * is)) + nmax) / f32(max - min)); // min: the best fit so far (see below)
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, nearestInt(f32(iscale * f32(x[i] - min)))));
      laux[i] = l;
      const wl = f32(weights[i] * l);
      sumL = f32(sumL + wl);
      sumL2 = f32(sumL2 + f32(wl * l));
      sumXL = f32(sumXL + f32(wl * x[i]));
    }
    const D = f32(f32(sumW * sumL2) - f32(sumL * sumL));
    if (!(D > 0)) continue;
    let thisScale = f32(f32(f32(sumW * sumXL) - f32(sumX * sumL)) / D);
    let thisMin = f32(f32(f32(sumL2 * sumX) - f32(sumL * sumXL)) / D);
    if (thisMin > 0) {
      thisMin = 0;
      thisScale = f32(sumXL / sumL2);
    }
    let curError = 0;
    for (let i = 0; i < n; i++) {
      const diff = f32(f32(f32(thisScale * laux[i]) + thisMin) - x[i]);
      curError = f32(curError + f32(weights[i] * f32(diff * diff)));
    }
    if (curError < bestError) {
      L.set(laux.subarray(0, n));
      bestError = curError;
      scale = thisScale;
      min = thisMin;
    }
  }
  return { scale, theMin: -min };
}

/**
 * make_qx_quants(n, nmax, x, L, rmse_type = 1, qw = NULL): symmetric levels l ∈ −nmax..nmax−1 stored as L = l + nmax,
 * weights w = x², maximizing (Σwxl)² / Σwl² (= minimizing the weighted error of the best scale):
 *   max = the x with the largest |x| (first on ties);  |max| < GROUP_MAX_EPS ⇒ L = 0, return 0
 *   iscale = −nmax / max;  l = clamp(nearest_int(iscale·x));  scale = Σwxl / Σwl²;  best = scale·Σwxl
 *   for is = −9..9, is ≠ 0:  iscale = −(nmax + 0.1·is) / max;  keep the new l when (Σwxl)² > best·Σwl²
 * x: Float32Array[n]; L: Uint8Array[n] (written, 0..2·nmax−1). Returns the float32 scale. Spec §15.3.
 */
export function makeQxQuants(x: Float32Array, nmax: number, L: Uint8Array): number {
  const n = x.length;
  let max = 0;
  let amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  const level = (iscale: number, v: number): number => Math.max(-nmax, Math.min(nmax - 1, nearestInt(f32(iscale * v))));
  let iscale = f32(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = level(iscale, x[i]);
    L[i] = l + nmax;
    const w = f32(x[i] * x[i]);
    sumlx = f32(sumlx + f32(f32(w * x[i]) * l)); // w·x·l
    suml2 = f32(suml2 + f32(f32(w * l) * l)); // w·l·l
  }
  let scale = suml2 !== 0 ? f32(sumlx / suml2) : 0;
  let best = f32(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f32(-f32(nmax + f32(ONE_TENTH * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const l = level(iscale, x[i]);
      const w = f32(x[i] * x[i]);
      sumlx = f32(sumlx + f32(f32(w * x[i]) * l));
      suml2 = f32(suml2 + f32(f32(w * l) * l));
    }
    if (suml2 > 0 && f32(sumlx * sumlx) > f32(best * suml2)) {
      for (let i = 0; i < n; i++) L[i] = nmax + level(iscale, x[i]);
      scale = f32(sumlx / suml2);
      best = f32(scale * sumlx);
    }
  }
  return scale;
}
