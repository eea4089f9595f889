import { describe, expect, it } from "vitest";
import {
  shrinkGreedily,
  shrinkStructurally,
  simplifyChunks,
  simplifyEach,
  tryCandidate,
  type Shrinker,
} from "../../../src/harness/greedy-shrink.js";
import type { CaseVerdict } from "../../../src/harness/protocol.js";

/** A "case" is a list of numbers; it fails while it holds a 7. */
const judge = async (c: readonly number[]): Promise<CaseVerdict> =>
  c.includes(7) ? { passed: false, reason: "holds 7" } : { passed: true };

const shrinkerOf = (c: readonly number[], triesLeft = 100): Shrinker<readonly number[], CaseVerdict> => ({
  current: { kernelCase: c, verdict: { passed: false, reason: "holds 7" } },
  steps: 0,
  triesLeft,
  judge,
});

describe("greedy shrinking", () => {
  it("tryCandidate keeps a failing candidate, spends a try, and skips inadmissible ones for free", async () => {
    const shrinker = shrinkerOf([1, 7, 3]);
    expect(await tryCandidate(shrinker, [1, 2])).toBe(false);
    expect(await tryCandidate(shrinker, [7])).toBe(true);
    expect(shrinker).toMatchObject({ current: { kernelCase: [7] }, steps: 1, triesLeft: 98 });
    const picky = { ...shrinkerOf([7, 7]), admissible: (c: readonly number[]) => c.length > 1 };
    expect(await tryCandidate(picky, [7])).toBe(false);
    expect(picky.triesLeft).toBe(100);
    expect(await tryCandidate(shrinkerOf([7], 0), [7])).toBe(false);
  });

  it("simplifyChunks zeroes every chunk it can", async () => {
    const shrinker = shrinkerOf([5, 7, 3, 2]);
    const zero = (c: readonly number[], indices: readonly number[]) => c.map((v, i) => (indices.includes(i) ? 0 : v));
    expect(await simplifyChunks(shrinker, [[0], [1], [2], [3]], zero)).toBe(true);
    expect(shrinker.current.kernelCase).toEqual([0, 7, 0, 0]);
    const each = shrinkerOf([5, 7]);
    expect(await simplifyEach(each, [0, 1], zero)).toBe(true);
    expect(each.current.kernelCase).toEqual([0, 7]);
  });

  it("shrinkStructurally and shrinkGreedily take smaller failing cases until none fails", async () => {
    const dropOne = function* (c: readonly number[]) {
      for (let i = 0; i < c.length; i++) yield [...c.slice(0, i), ...c.slice(i + 1)];
    };
    const shrinker = shrinkerOf([1, 7, 3]);
    expect(await shrinkStructurally(shrinker, dropOne)).toBe(true);
    expect(shrinker.current.kernelCase).toEqual([7]);
    const result = await shrinkGreedily({ kernelCase: [4, 7, 9], verdict: { passed: false } }, judge, 100, (s) =>
      shrinkStructurally(s, dropOne),
    );
    expect(result).toMatchObject({ kernelCase: [7], steps: 2 });
  });
});
