/**
 * TQ1_0: 256 ternary weights in 54 bytes (1.6875 bits per weight), five trits a byte.
 * Implements spec/formats.md §5 (ggml type 34; block_tq1_0 in ggml/src/ggml-common.h).
 *
 *   byte 0 ...................... 31 | 32 .......... 47 | 48 .. 51 | 52 53
 *        qs[0..31]: 5 trits each     | qs[32..47]: 5 each| qh: 4 each| d (fp16)
 *        elements 0..159             | elements 160..239 | 240..255 |
 *
 * A byte holds v = Σ code_n · 3^(4−n) (n = 0 is the most significant trit) as the fixed-point
 * fraction byte = ceil(v · 256 / 243); trit n is read back as ((byte · 3^n) mod 256) · 3 >> 8.
 */

import { chooseTernaryBlockScale, ternaryCode } from "./block-scale.js";
import { f16BitsToF32 } from "./float16.js";
import { QK_K } from "./ggml-type.js";
import { mapBlocks, mapBlocksBack } from "./row.js";

/** Bytes per TQ1_0 block. */
export const TQ1_0_BLOCK_BYTES = 54;
/** Byte offset of qh (the four bytes holding elements 240..255). */
export const TQ1_0_QH_OFFSET = 48;
/** Byte offset of the fp16 scale. */
export const TQ1_0_SCALE_OFFSET = 52;
/** Bytes that carry trits (qs and qh). */
export const TQ1_0_TRIT_BYTES = 52;

const POW3: readonly number[] = [1, 3, 9, 27, 81, 243];

/**
 * Where element `e` (0..255) of a TQ1_0 block is stored: byte index and trit position n
 * (0 = most significant of the byte's five).  Implements spec/formats.md §5.2.
 *
 *   e in   0..159: byte e % 32,               n = e / 32
 *   e in 160..239: byte 32 + (e − 160) % 16,  n = (e − 160) / 16
 *   e in 240..255: byte 48 + (e − 240) % 4,   n = (e − 240) / 4   (qh: n = 4 is always 0)
 */
export function tq1ElementPosition(e: number): { byte: number; trit: number } {
  if (e < 160) return { byte: e % 32, trit: Math.floor(e / 32) };
  if (e < 240) return { byte: 32 + ((e - 160) % 16), trit: Math.floor((e - 160) / 16) };
  return { byte: TQ1_0_QH_OFFSET + ((e - 240) % 4), trit: Math.floor((e - 240) / 4) };
}

/**
 * tq1ElementPosition(e) for every element e = 0..255, in element order: the same map tabulated
 * once, for loops that decode many blocks. Read-only (a plain array: V8 reads frozen arrays
 * several times slower). Implements spec/formats.md §5.2.
 */
export const TQ1_0_ELEMENT_POSITIONS: readonly Readonly<{ byte: number; trit: number }>[] = Array.from(
  { length: QK_K },
  (_, e) => tq1ElementPosition(e),
);

/**
 * Five trit codes (0..2, most significant first) → one byte: v = Σ code_n·3^(4−n),
 * byte = ceil(v·256/243) = (v·256 + 242) / 243 in integers.  Implements spec/formats.md §5.3–§5.4.
 * Like the C code, v lives in a uint8_t: codes outside 0..2 (only after a NaN input, §3) wrap mod 256.
 */
export function packTritsToByte(codes: readonly number[]): number {
  let v = 0;
  for (let n = 0; n < 5; n++) v = (v * 3 + (codes[n] ?? 0)) & 0xff; // uint8_t q: q *= 3; q += xi
  return Math.floor((v * 256 + 242) / 243) & 0xff; // stored back into uint8_t q
}

/**
 * Trit n (0 = most significant) of a byte: q = (byte · 3^n) mod 256, code = (q · 3) >> 8.
 * Every byte value gives a code in 0..2.  Implements spec/formats.md §5.3 and §5.5.
 */
export function tritOfByte(byte: number, n: number): number {
  const q = (byte * POW3[n]) & 0xff;
  return (q * 3) >> 8;
}

/**
 * Pack 256 codes (0..2) and the fp16 scale bits into a block.  Implements spec/formats.md §5.1–§5.4.
 * codes: Uint8Array[256] → block: Uint8Array[54].
 */
export function packTq1Block(codes: Uint8Array, scaleBits: number): Uint8Array {
  const tritsPerByte: number[][] = Array.from({ length: TQ1_0_TRIT_BYTES }, () => [0, 0, 0, 0, 0]);
  for (let e = 0; e < QK_K; e++) {
    const { byte, trit } = tq1ElementPosition(e);
    tritsPerByte[byte][trit] = codes[e];
  }
  const block = new Uint8Array(TQ1_0_BLOCK_BYTES);
  for (let byte = 0; byte < TQ1_0_TRIT_BYTES; byte++) block[byte] = packTritsToByte(tritsPerByte[byte]);
  block[TQ1_0_SCALE_OFFSET] = scaleBits & 0xff;
  block[TQ1_0_SCALE_OFFSET + 1] = (scaleBits >>> 8) & 0xff;
  return block;
}

/**
 * code[e] = tritOfByte(block[byte(e)], trit(e)), and the fp16 scale bits.  Implements spec/formats.md §5.5.
 * block: Uint8Array[54] → codes: Uint8Array[256].
 */
export function unpackTq1Block(block: Uint8Array): { codes: Uint8Array; scaleBits: number } {
  const codes = new Uint8Array(QK_K);
  for (let e = 0; e < QK_K; e++) {
    const { byte, trit } = TQ1_0_ELEMENT_POSITIONS[e];
    codes[e] = tritOfByte(block[byte], trit);
  }
  return { codes, scaleBits: block[TQ1_0_SCALE_OFFSET] | (block[TQ1_0_SCALE_OFFSET + 1] << 8) };
}

/**
 * quantize_row_tq1_0_ref for one block: d = fp16(amax), code[e] = lroundf(x[e]·id) + 1, packed.
 * Implements spec/formats.md §5.4.  x: Float32Array[256] → block: Uint8Array[54].
 */
export function quantizeTq1Block(x: Float32Array): Uint8Array {
  const scale = chooseTernaryBlockScale(x);
  const codes = new Uint8Array(QK_K);
  for (let e = 0; e < QK_K; e++) codes[e] = ternaryCode(x[e], scale.inverse);
  return packTq1Block(codes, scale.scaleBits);
}

/**
 * dequantize_row_tq1_0 for one block: w[e] = (code[e] − 1) · fp16_to_f32(d), exact in float32.
 * Implements spec/formats.md §5.5.  block: Uint8Array[54] → w: Float32Array[256].
 */
export function dequantizeTq1Block(block: Uint8Array): Float32Array {
  const { codes, scaleBits } = unpackTq1Block(block);
  const d = f16BitsToF32(scaleBits);
  const w = new Float32Array(QK_K);
  for (let e = 0; e < QK_K; e++) w[e] = (codes[e] - 1) * d;
  return w;
}

/** Quantize a row x: Float32Array[n], n a multiple of 256 → Uint8Array[n/256 · 54]. Implements spec/formats.md §5.4. */
export function quantizeRowTq1_0(x: Float32Array): Uint8Array {
  return mapBlocks(x, QK_K, TQ1_0_BLOCK_BYTES, quantizeTq1Block);
}

/** Dequantize Uint8Array[nb · 54] → Float32Array[nb · 256]. Implements spec/formats.md §5.5. */
export function dequantizeRowTq1_0(bytes: Uint8Array): Float32Array {
  return mapBlocksBack(bytes, TQ1_0_BLOCK_BYTES, QK_K, dequantizeTq1Block);
}
