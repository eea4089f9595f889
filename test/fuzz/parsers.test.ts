/**
 * Fuzzes every parser with seeded mutations (src/fuzz) as part of `npm test`: 2,500 inputs per
 * run. The seed is printed; FUZZ_SEED or FC_SEED replays a run. Every input must end in the
 * parser's typed error or a correct result, within 2 s and the allocation bound (spec/gguf.md §9).
 */

import { describe, expect, it } from "vitest";
import { runFuzz } from "../../src/fuzz/engine.js";
import { loadSeeds } from "../../src/fuzz/node-seeds.js";
import { fuzzTargets } from "../../src/fuzz/targets.js";

const RUNS = 2500;
const fromEnv = process.env.FUZZ_SEED ?? process.env.FC_SEED;
const SEED = (fromEnv === undefined ? Math.floor(Math.random() * 0x100000000) : Number(fromEnv)) >>> 0;

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe("parser fuzzing", () => {
  it(`survives ${RUNS} mutated inputs (FUZZ_SEED=${SEED})`, () => {
    console.log(`parser fuzzing: FUZZ_SEED=${SEED}`);
    const targets = fuzzTargets(loadSeeds());
    expect(targets.map((t) => t.name)).toEqual(["gguf", "safetensors", "npy", "manifest", "caseJson"]);
    const report = runFuzz(targets, { seed: SEED, runs: RUNS, now: () => performance.now(), memory });
    const failures = report.failures.map(
      (f) => `${f.target} FUZZ_SEED=${f.seed} index ${f.index} (${f.size} bytes, ${f.description}): ${f.problem}`,
    );
    expect(failures).toEqual([]);
    expect(report.inputs).toBe(RUNS);
    for (const c of Object.values(report.counts)) expect(c.inputs).toBeGreaterThanOrEqual(RUNS / 5);
  }, 120_000);
});
