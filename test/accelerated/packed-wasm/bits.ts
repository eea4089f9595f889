/**
 * What the packed-wasm tests compare and draw: float32 outputs bit by bit, and drawn matmul weights and activations.
 */

import { GgmlType } from "../../../reference/codec/index.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";

/** Indices where a and b differ as float32 bits (NaN = NaN whatever its payload); [-1] when their lengths differ. */
export function differingBits(a: Float32Array, b: Float32Array): number[] {
  if (a.length !== b.length) return [-1];
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  return out;
}

/** A drawn matmul: weight type, shape, batch, a seed for the values and the activations' magnitude. */
export interface DrawnMatmul {
  readonly type: GgmlType;
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly seed: number;
  readonly magnitude: number;
}

/**
 * W [rows, cols] and x [batch, cols] of a drawn matmul: ternary·scale (block scales 2^-12 … 2^7) for TQ2_0 and TQ1_0,
 * uniform for F16; x uniform at the case's magnitude with one value in ten a hundred times larger (magnitude 0: an
 * all-zero row).
 */
export function drawMatmul(c: DrawnMatmul): { w: Float32Array; x: Float32Array } {
  const random = mulberry32(c.seed);
  const w = new Float32Array(c.rows * c.cols).map((_, i) =>
    c.type !== GgmlType.F16
      ? (Math.floor(random() * 3) - 1) * 2 ** (-12 + ((i >> 8) % 20))
      : (random() - 0.5) * 2 ** (((i >> 6) % 9) - 4),
  );
  const x = new Float32Array(c.batch * c.cols).map(() => (random() - 0.5) * c.magnitude * (random() < 0.1 ? 100 : 1));
  return { w, x };
}
