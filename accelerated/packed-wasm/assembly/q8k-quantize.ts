/**
 * quantize_row_q8_K_ref in the engine (spec/formats.md §6.2), operation for operation the same float32 arithmetic as
 * reference/codec/q8_k.ts quantizeQ8KBlockValues, for FINITE rows (the host quantizes a row holding ±∞ or NaN itself):
 *   max    = the x[j] with the largest |x[j]| (the first one on ties)
 *   iscale = f32(−127 / max)                       (a float32 division is correctly rounded, as Math.fround of the double)
 *   q[j]   = min(127, nearest_int(f32(iscale · x[j])))   nearest_int: f32(v + 12582912)'s low 22 bits − 2^22 (ties to even)
 *   d      = f32(1 / iscale);  bsums[k] = Σ q[16k .. 16k + 15];  an all-zero block is d = 0, q = 0, bsums = 0
 */

import { Q8K_BLOCK_BYTES, Q8K_BSUMS, Q8K_QS } from "./q8k";

/** Whether every one of the n float32 values at `x` is finite. */
function allFinite(x: usize, n: i32): bool {
  for (let j = 0; j < n; j++) if (!isFinite<f32>(load<f32>(x + <usize>(4 * j)))) return false;
  return true;
}

/** One 256-value block at `x` → its 292 bytes at `block`. */
function quantizeBlock(x: usize, block: usize): void {
  let amax: f32 = 0;
  let max: f32 = 0;
  for (let j = 0; j < 256; j++) {
    const v = load<f32>(x + <usize>(4 * j));
    const magnitude = Mathf.abs(v);
    if (magnitude > amax) {
      amax = magnitude;
      max = v;
    }
  }
  if (amax == 0) {
    memory.fill(block, 0, <usize>Q8K_BLOCK_BYTES);
    return;
  }
  const iscale: f32 = -127 / max;
  for (let j = 0; j < 256; j++) {
    const shifted: f32 = iscale * load<f32>(x + <usize>(4 * j)) + 12582912; // two float32 roundings, as the C code
    const q = min<i32>(127, <i32>(reinterpret<u32>(shifted) & 0x007fffff) - 0x00400000);
    store<i8>(block + <usize>(Q8K_QS + j), <i8>q);
  }
  for (let k = 0; k < 16; k++) {
    let sum: i32 = 0;
    for (let j = 0; j < 16; j++) sum += <i32>load<i8>(block + <usize>(Q8K_QS + 16 * k + j));
    store<i16>(block + <usize>(Q8K_BSUMS + 2 * k), <i16>sum);
  }
  store<f32>(block, <f32>1 / iscale);
}

/**
 * Quantize `batch` rows of n float32 values (row b at x + 4·n·b) to Q8_K, row b's blocks at out + b·rowStride; when
 * `widen`, each row's q's follow its blocks as int16 (n of them: what the TQ2_0 kernel reads). Returns the number of
 * rows written; it stops at the first row holding ±∞ or NaN (the host quantizes the rest itself).
 */
export function quantizeRowsQ8K(x: usize, n: i32, batch: i32, out: usize, rowStride: i32, widen: bool): i32 {
  const blocks = n / 256;
  for (let b = 0; b < batch; b++) {
    const row = x + <usize>(4 * n * b);
    if (!allFinite(row, n)) return b;
    const dst = out + <usize>(b * rowStride);
    for (let i = 0; i < blocks; i++) quantizeBlock(row + <usize>(1024 * i), dst + <usize>(i * Q8K_BLOCK_BYTES));
    if (widen) {
      const q16 = dst + <usize>(blocks * Q8K_BLOCK_BYTES);
      for (let i = 0; i < blocks; i++)
        for (let j = 0; j < 256; j++)
          store<i16>(q16 + <usize>(2 * (256 * i + j)), <i16>load<i8>(dst + <usize>(i * Q8K_BLOCK_BYTES + Q8K_QS + j)));
    }
  }
  return batch;
}
