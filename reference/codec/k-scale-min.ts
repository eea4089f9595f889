/**
 * The 12-byte `scales` field of Q4_K and Q5_K: eight 6-bit sub-block scales and eight 6-bit sub-block mins.
 * Implements spec/formats.md §13.2 (ggml's get_scale_min_k4 and the packing in quantize_row_q4_K_ref).
 *
 *   byte j     (j = 0..3):  bits 0..5 = scale[j],      bits 6..7 = scale[j+4] >> 4
 *   byte j + 4 (j = 0..3):  bits 0..5 = min[j],        bits 6..7 = min[j+4] >> 4
 *   byte j + 8 (j = 0..3):  bits 0..3 = scale[j+4] & 15, bits 4..7 = min[j+4] & 15
 */

/** Bytes of the packed scales/mins field. */
export const K_SCALE_BYTES = 12;

/**
 * get_scale_min_k4(j, q): the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes at `q[offset..]`.
 *   j < 4:  scale = q[j] & 63,                          min = q[j+4] & 63
 *   j ≥ 4:  scale = (q[j+4] & 15) | ((q[j−4] >> 6) << 4), min = (q[j+4] >> 4) | ((q[j] >> 6) << 4)
 * Implements spec/formats.md §13.2.
 */
export function scaleMinK4(j: number, q: Uint8Array, offset = 0): { scale: number; min: number } {
  if (j < 4) return { scale: q[offset + j] & 63, min: q[offset + j + 4] & 63 };
  return {
    scale: (q[offset + j + 4] & 0xf) | ((q[offset + j - 4] >> 6) << 4),
    min: (q[offset + j + 4] >> 4) | ((q[offset + j] >> 6) << 4),
  };
}

/**
 * Pack eight 6-bit scales `ls` and mins `lm` (each 0..63) into 12 bytes, as quantize_row_q4_K_ref does:
 *   j < 4:  q[j] = ls[j],  q[j+4] = lm[j]
 *   j ≥ 4:  q[j+4] = (ls[j] & 15) | ((lm[j] & 15) << 4);  q[j−4] |= (ls[j] >> 4) << 6;  q[j] |= (lm[j] >> 4) << 6
 * Implements spec/formats.md §13.2.  ls, lm: Uint8Array[8] → Uint8Array[12].
 */
export function packScaleMinK4(ls: Uint8Array, lm: Uint8Array): Uint8Array {
  const q = new Uint8Array(K_SCALE_BYTES);
  for (let j = 0; j < 8; j++) {
    if (j < 4) {
      q[j] = ls[j];
      q[j + 4] = lm[j];
    } else {
      q[j + 4] = (ls[j] & 0xf) | ((lm[j] & 0xf) << 4);
      q[j - 4] |= (ls[j] >> 4) << 6;
      q[j] |= (lm[j] >> 4) << 6;
    }
  }
  return q;
}
