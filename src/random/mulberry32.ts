/**
 * A small deterministic pseudo-random generator, so that `trilm explain --seed N`, `trilm
 * make-model --seed N` and `trilm run --seed N` give the same result on every machine and in every
 * JavaScript engine. Pure: no Node or browser APIs.
 */

/**
 * mulberry32 (Tommy Ettinger, public domain): a 32-bit state advanced by the odd constant
 * 0x6d2b79f5 (a Weyl sequence), then mixed with two multiply–xorshift rounds. Period 2^32, passes
 * gjrand and PractRand up to a few GB: ample for drawing test data, not for crypto.
 *
 * `seed` is reduced to 32 bits. Returns a function giving the next uniform number in [0, 1), a
 * multiple of 2^-32.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform u in [0, 1) → trit 0, −1 or +1, each with probability 1/3 (TriLM-like weights). */
export function drawTrit(u: number): number {
  if (u < 1 / 3) return 0;
  return u < 2 / 3 ? -1 : 1;
}
