/**
 * Little-endian float32 bytes ↔ Float32Array, bit for bit (NaN payloads included: the bytes are
 * copied, never read as numbers). Pure: no Node APIs.
 */

/** Is this machine little-endian (as every platform Node supports in practice is)? */
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Reverse each 4-byte group of `bytes` in place. */
function swapEveryFourBytes(bytes: Uint8Array): void {
  for (let i = 0; i + 3 < bytes.length; i += 4) {
    [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]] = [bytes[i + 3], bytes[i + 2], bytes[i + 1], bytes[i]];
  }
}

/** bytes: Uint8Array[4n] (little-endian float32, any alignment) → Float32Array[n], a copy. */
export function float32FromLittleEndian(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  const outBytes = new Uint8Array(out.buffer);
  outBytes.set(bytes.subarray(0, outBytes.length));
  if (!HOST_IS_LITTLE_ENDIAN) swapEveryFourBytes(outBytes);
  return out;
}

/** Write `values` as little-endian float32 into `out` starting at `offset`. */
export function writeFloat32LittleEndian(values: Float32Array, out: Uint8Array, offset: number): void {
  const target = out.subarray(offset, offset + 4 * values.length);
  target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  if (!HOST_IS_LITTLE_ENDIAN) swapEveryFourBytes(target);
}
