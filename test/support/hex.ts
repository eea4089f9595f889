/** Test helpers: hex ↔ bytes and float32 rows as they appear in the golden files. */

/** Lowercase hex → bytes. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes → lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Little-endian float32 bytes → Float32Array (copied, so alignment does not matter). */
export function bytesToF32(bytes: Uint8Array): Float32Array {
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** Float32Array → its little-endian bytes (a copy). */
export function f32ToBytes(x: Float32Array): Uint8Array {
  return new Uint8Array(new Float32Array(x).buffer);
}
