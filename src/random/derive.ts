/**
 * Helpers on top of mulberry32 for building reproducible test data: independent streams named by
 * a label (so a tensor's values do not depend on the order tensors are generated in) and
 * normal-ish draws that use only + and × (bit-identical in every JavaScript engine, unlike
 * Math.log/Math.cos in a Box–Muller transform). Pure: no Node or browser APIs.
 */

import { mulberry32 } from "./mulberry32.js";

const UTF8 = new TextEncoder();

/**
 * A 32-bit seed for the stream called `label` under `seed`: FNV-1a over the label's UTF-8 bytes,
 * started from the seed, then one mulberry32 step to spread the bits. Same inputs, same seed.
 */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const byte of UTF8.encode(label)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return Math.floor(mulberry32(hash)() * 4294967296) >>> 0;
}

/** √3, the factor that gives the sum of four uniforms (variance 4/12) unit variance. */
const IRWIN_HALL_4_SCALE = Math.sqrt(3);

/**
 * An approximately standard normal number: (u1 + u2 + u3 + u4 − 2)·√3 (Irwin–Hall with n = 4:
 * mean 0, variance 1, support [−2√3, 2√3]). Consumes four draws of `next`.
 */
export function normalish(next: () => number): number {
  return (next() + next() + next() + next() - 2) * IRWIN_HALL_4_SCALE;
}
