/**
 * Format-blind byte mutations: truncation, bit flips, byte overwrites, insertions, deletions and
 * repeated chunks. Each returns a new array and leaves its input alone. Pure.
 */

import { INTERESTING_U32, INTERESTING_U64, type FuzzRng } from "./rng.js";

/** A prefix of `bytes`, cut at a random length (biased towards the first `focus` bytes). */
export function truncate(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const limit = rng.chance(0.7) ? Math.min(focus, bytes.length) : bytes.length;
  return bytes.slice(0, rng.int(limit));
}

/** Flip 1 to 8 random bits in the first `focus` bytes. */
export function flipBits(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const out = bytes.slice();
  const span = Math.min(focus, out.length);
  if (span === 0) return out;
  const flips = 1 + rng.int(8);
  for (let i = 0; i < flips; i++) out[rng.int(span)] ^= 1 << rng.int(8);
  return out;
}

/** Overwrite a random byte in the first `focus` bytes with 0x00, 0xff, 0x7f, 0x80 or a random value. */
export function setByte(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const out = bytes.slice();
  const span = Math.min(focus, out.length);
  if (span === 0) return out;
  out[rng.int(span)] = rng.pick([0x00, 0xff, 0x7f, 0x80, rng.int(256)]);
  return out;
}

/** Write an interesting little-endian u64 at a random offset in the first `focus` bytes. */
export function writeU64At(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const out = bytes.slice();
  const span = Math.min(focus, out.length) - 8;
  if (span < 0) return out;
  const at = rng.chance(0.5) ? rng.int(span + 1) & ~7 : rng.int(span + 1);
  new DataView(out.buffer).setBigUint64(at, rng.pick(INTERESTING_U64), true);
  return out;
}

/** Write an interesting little-endian u32 at a random offset in the first `focus` bytes. */
export function writeU32At(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const out = bytes.slice();
  const span = Math.min(focus, out.length) - 4;
  if (span < 0) return out;
  new DataView(out.buffer).setUint32(rng.int(span + 1), rng.pick(INTERESTING_U32), true);
  return out;
}

/** Insert 1 to 64 random bytes at a random offset in the first `focus` bytes. */
export function insertBytes(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const at = rng.int(Math.min(focus, bytes.length) + 1);
  const extra = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
  const out = new Uint8Array(bytes.length + extra.length);
  out.set(bytes.subarray(0, at));
  out.set(extra, at);
  out.set(bytes.subarray(at), at + extra.length);
  return out;
}

/** Delete 1 to 64 bytes at a random offset in the first `focus` bytes. */
export function deleteBytes(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  const at = rng.int(Math.min(focus, bytes.length) + 1);
  const count = Math.min(1 + rng.int(64), bytes.length - at);
  const out = new Uint8Array(Math.max(0, bytes.length - count));
  out.set(bytes.subarray(0, at));
  out.set(bytes.subarray(Math.min(bytes.length, at + count)), at);
  return out;
}

/** Append 1 to 256 bytes (zeros or random) to the end. */
export function appendBytes(rng: FuzzRng, bytes: Uint8Array): Uint8Array {
  const extra = 1 + rng.int(256);
  const out = new Uint8Array(bytes.length + extra);
  out.set(bytes);
  if (rng.chance(0.5)) for (let i = bytes.length; i < out.length; i++) out[i] = rng.int(256);
  return out;
}

/** One random format-blind mutation, concentrated on the first `focus` bytes (the header). */
export function mutateBytes(rng: FuzzRng, bytes: Uint8Array, focus = bytes.length): Uint8Array {
  switch (rng.int(8)) {
    case 0:
      return truncate(rng, bytes, focus);
    case 1:
      return flipBits(rng, bytes, focus);
    case 2:
      return setByte(rng, bytes, focus);
    case 3:
      return writeU64At(rng, bytes, focus);
    case 4:
      return writeU32At(rng, bytes, focus);
    case 5:
      return insertBytes(rng, bytes, focus);
    case 6:
      return deleteBytes(rng, bytes, focus);
    default:
      return appendBytes(rng, bytes);
  }
}
