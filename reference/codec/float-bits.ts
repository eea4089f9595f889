/**
 * Reinterpreting float32 values as their 32 bits and back, as C does with `memcpy`
 * or a union. Implements spec/formats.md §2.1.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The IEEE-754 binary32 bits of `x` after rounding it to float32 (`x` → u32). */
export function f32ToBits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0];
}

/** The float32 value whose bits are `bits` (u32 → float32, returned as a JS number). */
export function bitsToF32(bits: number): number {
  scratchU32[0] = bits >>> 0;
  return scratchF32[0];
}
