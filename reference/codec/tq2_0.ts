/**
 * TQ2_0: 256 ternary weights in 66 bytes (2.0625 bits per weight).
 * Implements spec/formats.md §4 (ggml type 35; block_tq2_0 in ggml/src/ggml-common.h).
 *
 *   byte 0 ............................ 63 | 64 65
 *        qs[64]: four 2-bit codes a byte  |  d (fp16)
 *
 * Element e lives in byte (e / 128)·32 + e % 32 at bits 2·((e % 128) / 32): byte 0 holds
 * elements 0, 32, 64, 96 (low bits first), NOT elements 0..3.
 */

import { chooseTernaryBlockScale, ternaryCode } from "./block-scale.js";
import { f16BitsToF32 } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { mapBlocks } from "./row.js";

/** Bytes per TQ2_0 block. */
export const TQ2_0_BLOCK_BYTES = 66;
/** Byte offset of the fp16 scale inside a block. */
export const TQ2_0_SCALE_OFFSET = 64;

/** Where element `e` (0..255) of a TQ2_0 block is stored. Implements spec/formats.md §4.2. */
export function tq2ElementPosition(e: number): { byte: number; shift: number } {
  return { byte: Math.floor(e / 128) * 32 + (e % 32), shift: 2 * Math.floor((e % 128) / 32) };
}

/**
 * tq2ElementPosition(e) for every element e = 0..255, in element order: the same map tabulated
 * once, for loops that decode many blocks. Read-only (a plain array: V8 reads frozen arrays
 * several times slower). Implements spec/formats.md §4.2.
 */
export const TQ2_0_ELEMENT_POSITIONS: readonly Readonly<{ byte: number; shift: number }>[] = Array.from(
  { length: QK_K },
  (_, e) => tq2ElementPosition(e),
);

/**
 * Pack 256 codes (0..3) and the fp16 scale bits into a block:
 * qs[byte(e)] |= code[e] << shift(e); d at bytes 64..65.  Implements spec/formats.md §4.1–§4.2.
 * codes: Uint8Array[256] → block: Uint8Array[66].
 */
export function packTq2Block(codes: Uint8Array, scaleBits: number): Uint8Array {
  const block = new Uint8Array(TQ2_0_BLOCK_BYTES);
  for (let e = 0; e < QK_K; e++) {
    const { byte, shift } = tq2ElementPosition(e);
    block[byte] |= (codes[e] & 3) << shift;
  }
  block[TQ2_0_SCALE_OFFSET] = scaleBits & 0xff;
  block[TQ2_0_SCALE_OFFSET + 1] = (scaleBits >>> 8) & 0xff;
  return block;
}

/**
 * code[e] = (qs[byte(e)] >> shift(e)) & 3, and the fp16 scale bits.  Implements spec/formats.md §4.2.
 * block: Uint8Array[66] → codes: Uint8Array[256].
 */
export function unpackTq2Block(block: Uint8Array): { codes: Uint8Array; scaleBits: number } {
  const codes = new Uint8Array(QK_K);
  for (let e = 0; e < QK_K; e++) {
    const { byte, shift } = TQ2_0_ELEMENT_POSITIONS[e];
    codes[e] = (block[byte] >> shift) & 3;
  }
  return { codes, scaleBits: block[TQ2_0_SCALE_OFFSET] | (block[TQ2_0_SCALE_OFFSET + 1] << 8) };
}

/**
 * quantize_row_tq2_0_ref for one block: d = fp16(amax), code[e] = (lroundf(x[e]·id) + 1) & 3.
 * Implements spec/formats.md §4.3.  x: Float32Array[256] → block: Uint8Array[66].
 */
export function quantizeTq2Block(x: Float32Array): Uint8Array {
  const scale = chooseTernaryBlockScale(x);
  const codes = new Uint8Array(QK_K);
  for (let e = 0; e < QK_K; e++) codes[e] = ternaryCode(x[e], scale.inverse) & 3;
  return packTq2Block(codes, scale.scaleBits);
}

/**
 * dequantize_row_tq2_0 for one block: w[e] = (code[e] − 1) · fp16_to_f32(d), exact in float32
 * (code 3, never emitted by the encoder, decodes as +2d).  Implements spec/formats.md §4.4.
 * block: Uint8Array[66] → w: Float32Array[256].
 */
export function dequantizeTq2Block(block: Uint8Array): Float32Array {
  const w = new Float32Array(QK_K);
  dequantizeTq2BlockInto(block, 0, w, 0);
  return w;
}

/**
 * dequantizeTq2Block of the block at byte `block` of `bytes`, written to w[offset .. offset+256) instead of a
 * new array: w[offset+e] = (code[e] − 1)·d, code[e] read straight from the packed byte: element
 * e = 128·h + 32·s + m (h = 0..1, s = 0..3, m = 0..31) is (qs[32·h + m] >> 2·s) & 3 (spec/formats.md §4.2).
 * Implements spec/formats.md §4.4.
 */
function dequantizeTq2BlockInto(bytes: Uint8Array, block: number, w: Float32Array, offset: number): void {
  const d = f16BitsToF32(bytes[block + TQ2_0_SCALE_OFFSET] | (bytes[block + TQ2_0_SCALE_OFFSET + 1] << 8));
  for (let h = 0; h < 2; h++) {
    for (let s = 0; s < 4; s++) {
      const e0 = offset + 128 * h + 32 * s; // w of element 128·h + 32·s
      for (let m = 0; m < 32; m++) w[e0 + m] = (((bytes[block + 32 * h + m] >> (2 * s)) & 3) - 1) * d;
    }
  }
}

/** Quantize a row x: Float32Array[n], n a multiple of 256 → Uint8Array[n/256 · 66]. Implements spec/formats.md §4.3. */
export function quantizeRowTq2_0(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK_K, TQ2_0_BLOCK_BYTES, quantizeTq2Block);
}

/** Dequantize Uint8Array[nb · 66] → Float32Array[nb · 256]. Implements spec/formats.md §4.4. */
export function dequantizeRowTq2_0(bytes: Uint8Array): Float32Array {
  const w = new Float32Array(Math.floor(bytes.length / TQ2_0_BLOCK_BYTES) * QK_K); // [nb · 256]; checked below
  dequantizeRowTq2_0Into(bytes, w);
  return w;
}

/**
 * dequantizeRowTq2_0 written to w: Float32Array[nb · 256] instead of a new array, for loops that decode row after
 * row into one buffer. bytes: Uint8Array[nb · 66]. Implements spec/formats.md §4.4.
 */
export function dequantizeRowTq2_0Into(bytes: Uint8Array, w: Float32Array): void {
  if (bytes.length % TQ2_0_BLOCK_BYTES !== 0) {
    throw new RangeError(`${bytes.length} bytes is not a whole number of ${TQ2_0_BLOCK_BYTES}-byte blocks`);
  }
  const blocks = bytes.length / TQ2_0_BLOCK_BYTES;
  if (w.length !== blocks * QK_K) throw new RangeError(`TQ2_0 row: ${blocks} blocks, but the output holds ${w.length}`);
  for (let b = 0; b < blocks; b++) dequantizeTq2BlockInto(bytes, b * TQ2_0_BLOCK_BYTES, w, b * QK_K);
}
