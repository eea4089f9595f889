/**
 * The super-block pass shared by quantize_row_q4_K_ref and quantize_row_q5_K_ref (ggml/src/ggml-quants.c,
 * no importance matrix): eight 32-element sub-blocks, each x ≈ d·sc_j·L − dmin·m_j with 6-bit sc_j, m_j.
 * Implements spec/formats.md §13.4 (Q5_K: §14.2 with nmax = 31).
 */

import { f16BitsToF32, f32ToF16Bits } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { packScaleMinK4, scaleMinK4 } from "./k-scale-min.js";
import { makeQkx2Quants } from "./k-quant-search.js";
import { nearestInt } from "./rounding.js";

const f32 = Math.fround;
const SUB_BLOCK = 32;
const SUB_BLOCKS = QK_K / SUB_BLOCK;

/** A quantized Q4_K/Q5_K super-block before the levels are packed into nibbles (and high bits). */
export interface AffineSuperBlock {
  /** fp16 bits of d = max_scale / 63. */
  readonly dBits: number;
  /** fp16 bits of dmin = max_min / 63. */
  readonly dminBits: number;
  /** Uint8Array[12]: the packed 6-bit scales and mins (spec §13.2). */
  readonly scales: Uint8Array;
  /** Uint8Array[256]: the level L (0..nmax) of each element. */
  readonly levels: Uint8Array;
}

/** Search parameters of make_qkx2_quants for one K-quant type: the level count and the iscale sweep. */
export interface AffineSearch {
  /** Highest level: 15 (Q4_K) or 31 (Q5_K). */
  readonly nmax: number;
  /** Sweep start offset added to nmax: −1 (Q4_K) or −0.5 (Q5_K). */
  readonly rmin: number;
  /** Sweep steps: 20 (Q4_K) or 15 (Q5_K); the step is 0.1f. */
  readonly nstep: number;
}

/**
 * One super-block x: Float32Array[256] →  levels, packed 6-bit scales/mins and the two fp16 super-scales.  Spec §13.4.
 *   per sub-block j:  av_x = sqrt(Σx²/32),  w = av_x + |x|,  (scale_j, min_j) = make_qkx2_quants(x_j, w)   (§13.3)
 *   ls_j = min(63, (uint8)nearest_int(63/max_scale · scale_j)),  lm_j = min(63, (uint8)nearest_int(63/max_min · min_j))
 *   d = fp16(max_scale/63), dmin = fp16(max_min/63)
 *   then, where d·ls_j ≠ 0:  L = clamp(nearest_int((x + dmin·lm_j) / (d·ls_j)), 0, nmax)
 */
export function quantizeAffineSuperBlock(x: Float32Array, search: AffineSearch): AffineSuperBlock {
  const levels = new Uint8Array(QK_K);
  const scales = new Float32Array(SUB_BLOCKS);
  const mins = new Float32Array(SUB_BLOCKS);
  const weights = new Float32Array(SUB_BLOCK);
  const rdelta = f32(0.1);
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < SUB_BLOCKS; j++) {
    const xj = x.subarray(SUB_BLOCK * j, SUB_BLOCK * (j + 1));
    let sumX2 = 0;
    for (let l = 0; l < SUB_BLOCK; l++) sumX2 = f32(sumX2 + f32(xj[l] * xj[l]));
    const avX = f32(Math.sqrt(f32(sumX2 / SUB_BLOCK)));
    for (let l = 0; l < SUB_BLOCK; l++) weights[l] = avX + Math.abs(xj[l]);
    const fit = makeQkx2Quants(
      xj,
      search.nmax,
      weights,
      levels.subarray(SUB_BLOCK * j),
      search.rmin,
      rdelta,
      search.nstep,
    );
    scales[j] = fit.scale;
    mins[j] = fit.theMin;
    if (fit.scale > maxScale) maxScale = fit.scale;
    if (fit.theMin > maxMin) maxMin = fit.theMin;
  }
  const invScale = maxScale > 0 ? f32(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? f32(63 / maxMin) : 0;
  const ls = new Uint8Array(SUB_BLOCKS);
  const lm = new Uint8Array(SUB_BLOCKS);
  for (let j = 0; j < SUB_BLOCKS; j++) {
    ls[j] = Math.min(63, nearestInt(f32(invScale * scales[j])) & 0xff); // uint8_t ls = nearest_int(…); MIN(63, ls)
    lm[j] = Math.min(63, nearestInt(f32(invMin * mins[j])) & 0xff);
  }
  const packed = packScaleMinK4(ls, lm);
  const dBits = f32ToF16Bits(f32(maxScale / 63));
  const dminBits = f32ToF16Bits(f32(maxMin / 63));
  for (let j = 0; j < SUB_BLOCKS; j++) {
    const { scale, min } = scaleMinK4(j, packed);
    const d = f32(f16BitsToF32(dBits) * scale);
    if (d === 0) continue; // `if (!d) continue;` keeps make_qkx2_quants' levels
    const dm = f32(f16BitsToF32(dminBits) * min);
    for (let i = 0; i < SUB_BLOCK; i++) {
      const l = nearestInt(f32(f32(x[SUB_BLOCK * j + i] + dm) / d));
      levels[SUB_BLOCK * j + i] = Math.max(0, Math.min(search.nmax, l));
    }
  }
  return { dBits, dminBits, scales: packed, levels };
}

/**
 * The sub-block scales of a Q4_K/Q5_K block as dequantize_row_q4_K computes them: d_j = d·sc_j and m_j = dmin·min_j
 * (float32), j = 0..7. block: bytes with d at 0, dmin at 2, scales at 4..15.  Spec §13.5.
 */
export function affineSubBlockScales(block: Uint8Array): { d: Float32Array; m: Float32Array } {
  const d = f16BitsToF32(block[0] | (block[1] << 8));
  const dmin = f16BitsToF32(block[2] | (block[3] << 8));
  const dj = new Float32Array(SUB_BLOCKS);
  const mj = new Float32Array(SUB_BLOCKS);
  for (let j = 0; j < SUB_BLOCKS; j++) {
    const { scale, min } = scaleMinK4(j, block, 4);
    dj[j] = d * scale;
    mj[j] = dmin * min;
  }
  return { d: dj, m: mj };
}
