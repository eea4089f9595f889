/** The fuzz engine itself: it flags leaked exceptions, slow inputs and oversized allocations, and replays by (seed, index). */

import { describe, expect, it } from "vitest";
import { allocationBound, runFuzz, tryInput } from "../../src/fuzz/engine.js";
import { mutateBytes } from "../../src/fuzz/byte-mutators.js";
import { FuzzRng } from "../../src/fuzz/rng.js";
import type { FuzzTarget } from "../../src/fuzz/targets.js";
import { InputError } from "../../src/errors.js";

function fake(parse: (bytes: Uint8Array) => unknown): FuzzTarget {
  return {
    name: "npy",
    family: "binary",
    mutate: (rng) => ({ bytes: mutateBytes(rng, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), description: "fake" }),
    parse,
    isTypedError: (e) => e instanceof InputError,
  };
}

describe("fuzz engine", () => {
  it("passes typed errors and flags anything else", () => {
    const clock = { now: () => performance.now() };
    expect(
      tryInput(
        fake(() => {
          throw new InputError("f", "bad");
        }),
        1,
        0,
        clock,
      ).problem,
    ).toBeUndefined();
    expect(
      tryInput(
        fake(() => {
          throw new RangeError("oops");
        }),
        1,
        0,
        clock,
      ).problem,
    ).toMatch(/^leaked RangeError: oops/);
  });

  it("flags inputs over the time limit", () => {
    let t = 0;
    const slow = fake(() => {
      t += 2500;
    });
    expect(tryInput(slow, 1, 0, { now: () => t }).problem).toMatch(/took 2500 ms/);
  });

  it("flags growth past the allocation bound", () => {
    let used = 0;
    const hungry = fake((bytes) => {
      used += allocationBound(bytes.length) + 1;
    });
    expect(tryInput(hungry, 1, 0, { now: () => 0, memory: () => used }).problem).toMatch(/memory grew/);
  });

  it("replays: the same seed gives the same inputs", () => {
    const seen: string[][] = [[], []];
    for (const run of [0, 1]) {
      runFuzz(
        [
          fake((b) => {
            seen[run].push(Array.from(b).join());
          }),
        ],
        { seed: 42, runs: 50, now: () => 0 },
      );
    }
    expect(seen[0]).toEqual(seen[1]);
    expect(new FuzzRng(7).int(1000)).toBe(new FuzzRng(7).int(1000));
  });
});
