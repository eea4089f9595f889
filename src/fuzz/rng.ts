/**
 * The fuzzer's random source: mulberry32 (src/random) with small helpers for picking indices,
 * items and "interesting" integers. Pure: no Node or browser APIs.
 */

import { mulberry32 } from "../random/index.js";

/** A seeded stream of random choices. Same seed, same choices. */
export class FuzzRng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** A uniform number in [0, 1). */
  float(): number {
    return this.next();
  }

  /** A uniform integer in [0, n) (0 when n ≤ 0). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** 64-bit values that break careless readers: huge counts, sign bits, 32-bit wrap points. */
export const INTERESTING_U64: readonly bigint[] = [
  0n,
  1n,
  2n,
  7n,
  31n,
  32n,
  63n,
  64n,
  255n,
  256n,
  65535n,
  65536n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  1_000_000_000n,
  3_000_000_000n,
  0x1fffffffffffffn,
  0x20000000000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
];

/** 32-bit values that break careless readers. */
export const INTERESTING_U32: readonly number[] = [
  0, 1, 2, 3, 4, 5, 8, 12, 13, 16, 34, 35, 36, 37, 255, 256, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
];
