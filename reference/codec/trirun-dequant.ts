/**
 * TriRun's in-kernel decode of 2-bit codes to fp16: the 0x6400 magic-number trick of `dequant(int q)`
 * (trirun/trirun_cuda_kernel.cu, lines 148–169), emulated in fp16 arithmetic. Implements spec/trirun.md §7.
 *
 *   lo = (q & 0x00030003) | 0x64006400   two fp16 halves 1024 + c (c = the crumb: 0x6400 = 1024, spacing 1)
 *   hi = (q & 0x00300030) | 0x64006400   two fp16 halves 1024 + 16·c (c sits 4 bits up)
 *   frag_b[0] = lo − 0x64016401          (1024 + c) − 1025           = c − 1     (__hsub2)
 *   frag_b[1] = hi · 0x2c00 + 0xd410     (1024 + 16c)·(1/16) − 65    = c − 1     (__hfma2, one rounding)
 *
 * Every intermediate is a small integer or a multiple of 1/16 below 2^11, so each operation is exact and
 * the four halves are exactly t = code − 1 ∈ {−1, 0, 1, 2}.
 */

import { f16BitsToF32, f32ToF16Bits } from "./float16.js";

/** lop3 mask for the low crumbs (bits 0–1 of each half): `LO` in dequant. Spec §7. */
export const TRIRUN_DEQUANT_LO = 0x00030003;
/** lop3 mask for the crumbs 4 bits up (bits 4–5 of each half): `HI` in dequant. Spec §7. */
export const TRIRUN_DEQUANT_HI = 0x00300030;
/** The fp16 pair 1024, 1024 OR-ed onto the masked bits: `EX`. Spec §7. */
export const TRIRUN_DEQUANT_EX = 0x64006400;
/** The fp16 pair 1025, 1025 subtracted from the low halves: `SUB` (1024 + the zero point 1). Spec §7. */
export const TRIRUN_DEQUANT_SUB = 0x64016401;
/** The fp16 pair 1/16, 1/16 that shifts the high crumbs down: `MUL`. Spec §7. */
export const TRIRUN_DEQUANT_MUL = 0x2c002c00;
/** The fp16 pair −65, −65 (−1024/16 − the zero point 1): `ADD`. Spec §7. */
export const TRIRUN_DEQUANT_ADD = 0xd410d410;

/**
 * fp16 a − b rounded to fp16 (`__hsub`), on fp16 bits. The difference is computed exactly in float64 and
 * is exactly a float32 for dequant's operands (integers below 2^11), so f32ToF16Bits rounds it once.
 */
function halfSub(a: number, b: number): number {
  return f32ToF16Bits(f16BitsToF32(a) - f16BitsToF32(b));
}

/**
 * fp16 a·b + c with one rounding to fp16 (`__hfma`), on fp16 bits. a·b + c is exact in float64 and a
 * float32 for dequant's operands (multiples of 1/16 below 2^11), so f32ToF16Bits rounds it once.
 */
function halfFma(a: number, b: number, c: number): number {
  return f32ToF16Bits(f16BitsToF32(a) * f16BitsToF32(b) + f16BitsToF32(c));
}

/** The low (`.x`, bits 0–15) and high (`.y`, bits 16–31) halves of a 32-bit half2 register. */
function halves(word: number): [number, number] {
  return [word & 0xffff, (word >>> 16) & 0xffff];
}

/**
 * `dequant(int q)` (trirun_cuda_kernel.cu:148): one int32 word to the 4 fp16 values of an m16n8k16
 * B fragment, as bit patterns [frag_b[0].x, frag_b[0].y, frag_b[1].x, frag_b[1].y]. They decode the
 * crumbs trirunDequantCrumbs(0) = [0, 8, 2, 10] of q to t = code − 1. Implements spec/trirun.md §7.
 */
export function trirunDequantWord(q: number): Uint16Array {
  const lo = (q & TRIRUN_DEQUANT_LO) | TRIRUN_DEQUANT_EX; // lop3<(0xf0 & 0xcc) | 0xaa>: (q & LO) | EX
  const hi = (q & TRIRUN_DEQUANT_HI) | TRIRUN_DEQUANT_EX;
  const [loX, loY] = halves(lo);
  const [hiX, hiY] = halves(hi);
  const [subX, subY] = halves(TRIRUN_DEQUANT_SUB);
  const [mulX, mulY] = halves(TRIRUN_DEQUANT_MUL);
  const [addX, addY] = halves(TRIRUN_DEQUANT_ADD);
  return Uint16Array.of(
    halfSub(loX, subX), // frag_b[0] = __hsub2(lo, SUB), lane-wise
    halfSub(loY, subY),
    halfFma(hiX, mulX, addX), // frag_b[1] = __hfma2(hi, MUL, ADD), lane-wise
    halfFma(hiY, mulY, addY),
  );
}

/** The weight a 2-bit code stands for: t = code − 1 (code 3 decodes to +2). Spec §2, §7. */
export function trirunDecodeCode(code: number): number {
  return code - 1;
}

/**
 * Which crumbs (2-bit fields, crumb i = bits 2i..2i+1) of a B word the call dequant(word >> shiftBits)
 * consumes, in fragment order [frag_b[0].x, frag_b[0].y, frag_b[1].x, frag_b[1].y]: the masks read bits
 * 0, 16, 4, 20 of the shifted word, i.e. crumbs (b + shiftBits)/2. The kernel's matmul (line 466) calls it
 * with shiftBits = 2·(j % 2) and 2·(j % 2) + 8: [0, 8, 2, 10], [1, 9, 3, 11], [4, 12, 6, 14], [5, 13, 7, 15].
 * shiftBits: an even number 0..10 (beyond 10 the top field would read sign bits). Spec §7.
 */
export function trirunDequantCrumbs(shiftBits: number): readonly number[] {
  if (!Number.isInteger(shiftBits) || shiftBits < 0 || shiftBits > 10 || shiftBits % 2 !== 0) {
    throw new RangeError(`trirunDequantCrumbs: shiftBits must be an even integer 0..10, got ${shiftBits}`);
  }
  return [0, 16, 4, 20].map((bit) => (bit + shiftBits) / 2);
}
