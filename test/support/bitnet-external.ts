/**
 * Shared by the tests of golden/external/bitnet-tl/ and bitnet-gpu/ (microsoft/BitNet's own converters run
 * outside the repository): the pseudo-random ternary matrices the runner fed them, the case lists, and the
 * check that the sha256 table of a PROVENANCE.md and the files on disk agree both ways.
 */

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";

/**
 * t[i] = h(i) mod 3 − 1 for i = 0 … m·k − 1 (row-major), h = murmur3's fmix32 of (i·0x9E3779B1 + seed) mod 2^32:
 * the runner's `ternary(seed, m, k)` in numpy, here in 32-bit integer arithmetic.
 */
export function hashedTernary(seed: number, m: number, k: number): Int8Array {
  const out = new Int8Array(m * k);
  for (let i = 0; i < out.length; i++) {
    let x = (Math.imul(i, 0x9e3779b1) + seed) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    x = Math.imul(x, 0x85ebca6b) >>> 0;
    x = (x ^ (x >>> 13)) >>> 0;
    x = Math.imul(x, 0xc2b2ae35) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    out[i] = (x % 3) - 1;
  }
  return out;
}

/** The sha256 of bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Check a folder's PROVENANCE.md sha256 table (`| \`file\` | bytes | \`sha256\` |`) against its files, both ways. */
export function expectShaTableMatches(folder: URL): void {
  const provenance = readFileSync(new URL("PROVENANCE.md", folder), "utf8");
  const listed = new Map<string, { bytes: number; sha256: string }>();
  for (const [, path, bytes, sha256] of provenance.matchAll(/^\| `([^`]+)` \| (\d+) \| `([0-9a-f]{64})` \|$/gm)) {
    listed.set(path, { bytes: Number(bytes), sha256 });
  }
  const present = readdirSync(folder).filter((file) => file !== "PROVENANCE.md");
  expect([...listed.keys()].sort()).toEqual(present.sort());
  for (const [path, expected] of listed) {
    const bytes = new Uint8Array(readFileSync(new URL(path, folder)));
    expect({ path, bytes: bytes.length, sha256: sha256Hex(bytes) }).toEqual({ path, ...expected });
  }
}

/** The first index where two arrays differ, or −1. */
export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
