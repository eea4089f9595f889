/**
 * `.npy`-aware mutations: rewrite the header dict (dtype, fortran_order, shape with huge or
 * negative entries, Python-literal syntax damage), change the version bytes or the header length
 * field, or damage the bytes. Pure.
 */

import { mutateBytes, truncate } from "./byte-mutators.js";
import type { FuzzRng } from "./rng.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** A version-1.0 `.npy` file with header text `dict` (padded to 64) and `data`. */
export function frameNpy(dict: string, data: Uint8Array, major = 1): Uint8Array {
  const field = major === 1 ? 2 : 4;
  const text = new TextEncoder().encode(`${dict}\n`);
  const out = new Uint8Array(8 + field + text.length + data.length);
  out.set(MAGIC);
  out[6] = major;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (field === 2) view.setUint16(8, Math.min(text.length, 0xffff), true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + field);
  out.set(data, 8 + field + text.length);
  return out;
}

function hostileShape(rng: FuzzRng): string {
  const n = rng.int(6);
  const items = Array.from({ length: n }, () =>
    String(rng.pick([0, 1, 3, 256, -1, 2 ** 31, 2 ** 53, 2 ** 63, 2 ** 64, 10 ** 30, 10 ** 400])),
  );
  if (rng.chance(0.1)) return "(" + "(".repeat(rng.int(5000)) + ")";
  if (n === 1 && rng.chance(0.5)) return `(${items[0]},)`;
  return `(${items.join(", ")})`;
}

function hostileDict(rng: FuzzRng): string {
  const descr = rng.pick([
    "'<f4'",
    "'|i1'",
    "'|u1'",
    "'>f4'",
    "'<f8'",
    "[('a', '<f4')]",
    "1",
    "''",
    "'\\x00'",
    '"<f4"',
  ]);
  const fortran = rng.pick(["False", "True", "0", "None", "'False'"]);
  const shape = rng.chance(0.7) ? hostileShape(rng) : rng.pick(["[]", "()", "(1 2)", "(1,,)", "None", "'(1,)'"]);
  const entries = [`'descr': ${descr}`, `'fortran_order': ${fortran}`, `'shape': ${shape}`];
  if (rng.chance(0.1)) entries.push(`'extra': 1`);
  if (rng.chance(0.1)) entries.splice(rng.int(entries.length), 1);
  if (rng.chance(0.1)) entries.push(entries[0]);
  return `{${entries.join(", ")}, }`;
}

/** One `.npy` mutation. */
export function mutateNpy(rng: FuzzRng, bytes: Uint8Array): Uint8Array {
  switch (rng.int(6)) {
    case 0:
    case 1: {
      const data = Uint8Array.from({ length: rng.pick([0, 1, 4, 12, 1024]) }, () => rng.int(256));
      return frameNpy(hostileDict(rng), data, rng.pick([1, 1, 2, 3]));
    }
    case 2: {
      const out = bytes.slice();
      if (out.length >= 8) {
        out[6] = rng.pick([0, 1, 2, 3, 4, 255]);
        out[7] = rng.pick([0, 0, 1, 255]);
      }
      return out;
    }
    case 3: {
      const out = bytes.slice();
      if (out.length >= 12)
        new DataView(out.buffer).setUint32(
          8,
          rng.pick([0, 1, 0xffff, 10000, 10001, 0xffffffff, rng.int(0x10000)]),
          true,
        );
      return out;
    }
    case 4:
      return truncate(rng, bytes, 128);
    default:
      return mutateBytes(rng, bytes, 128);
  }
}
