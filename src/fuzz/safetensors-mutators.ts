/**
 * Safetensors-aware mutations: rewrite the JSON header (dtype/shape/offset mismatches, offsets
 * outside the file, bad JSON) and re-frame it with its true length, or lie about the 8-byte header
 * length (oversized, 2^64 − 1, off by one), or damage the bytes. Pure.
 */

import { mutateBytes, truncate } from "./byte-mutators.js";
import { mutateJson } from "./json-mutators.js";
import { INTERESTING_U64, type FuzzRng } from "./rng.js";

const UTF8 = new TextEncoder();

/** Split a well-formed safetensors file into its header text and data (undefined when it is not one). */
function split(bytes: Uint8Array): { header: string; data: Uint8Array } | undefined {
  if (bytes.length < 8) return undefined;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) return undefined;
  return { header: new TextDecoder().decode(bytes.subarray(8, 8 + n)), data: bytes.subarray(8 + n) };
}

/** A file with `header` (its true length in front) followed by `data`. */
export function frameSafetensors(header: string, data: Uint8Array): Uint8Array {
  const h = UTF8.encode(header);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** One safetensors mutation. */
export function mutateSafetensors(rng: FuzzRng, bytes: Uint8Array): Uint8Array {
  const parts = split(bytes);
  const op = rng.int(6);
  if (parts !== undefined && op <= 2) {
    const data = rng.chance(0.2) ? parts.data.subarray(0, rng.int(parts.data.length + 1)) : parts.data;
    return frameSafetensors(mutateJson(rng, parts.header), data);
  }
  if (op === 3) {
    const out = bytes.length >= 8 ? bytes.slice() : new Uint8Array(8);
    const view = new DataView(out.buffer);
    const old = view.getBigUint64(0, true);
    view.setBigUint64(
      0,
      rng.chance(0.5)
        ? rng.pick(INTERESTING_U64)
        : (old + BigInt(rng.pick([-1, 1, 8, 100_000_000]))) & 0xffffffffffffffffn,
      true,
    );
    return out;
  }
  if (op === 4) return truncate(rng, bytes);
  return mutateBytes(rng, bytes);
}
