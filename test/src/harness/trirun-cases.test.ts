/**
 * The fixed cases of `trilm check --format trirun` (spec/kernel-protocol.md §11.4): 25 per scale mode, every
 * shape of k ∈ {128, 256} × n ∈ {256, 512} × m ∈ {1, 5}, and the designed cases hold what their names say.
 */

import { describe, expect, test } from "vitest";
import { f16BitsToF32, isF16Subnormal } from "../../../reference/codec/float16.js";
import { trirunMatmulExact } from "../../../reference/codec/trirun-matmul.js";
import { trirunBuiltinCases, trirunCaseRng } from "../../../src/harness/trirun-cases.js";
import { nonZeroWeightPlaces } from "../../../src/harness/trirun-judge.js";

const cases = trirunBuiltinCases(1);
const byLabel = (label: string) => cases.find((c) => c.label === label)!;

describe("trirunBuiltinCases", () => {
  test("50 cases, 25 per scale mode, every shape in both; the seed changes only the random ones", () => {
    expect(cases).toHaveLength(50);
    for (const groupSize of [-1, 128]) {
      const mode = cases.filter((c) => c.weights.groupSize === groupSize);
      expect(mode).toHaveLength(25);
      const shapes = new Set(mode.map((c) => `${c.weights.k}x${c.weights.n}x${c.m}`));
      for (const k of [128, 256])
        for (const n of [256, 512]) for (const m of [1, 5]) expect(shapes).toContain(`${k}x${n}x${m}`);
    }
    const other = trirunBuiltinCases(2);
    expect(other.map((c) => c.label)).toEqual(cases.map((c) => c.label));
    expect(other[0].weights.codes).not.toEqual(cases[0].weights.codes);
    expect(other[10].weights.codes).toEqual(cases[10].weights.codes);
  });

  test("one weight at each tile corner, named by its place", () => {
    const corner = byLabel("one-weight-k95-n223-col");
    expect(nonZeroWeightPlaces(corner.weights)!.map((p) => [p.k, p.n, p.tileRow, p.tileColumn])).toEqual([
      [95, 223, 5, 13],
    ]);
  });

  test("the stall case: 2048 then 255 × 0.5 against +1 weights, exact answer 2175.5", () => {
    const stall = byLabel("fp16-accumulation-stall-k256-n256-m1-col");
    expect(f16BitsToF32(stall.x[0])).toBe(2048);
    expect(new Set(Array.from(stall.x.subarray(1), f16BitsToF32))).toEqual(new Set([0.5]));
    expect(trirunMatmulExact(stall.weights, stall.x, stall.m)[0]).toBe(2175.5);
  });

  test("subnormal scales on columns 5 mod 16; outputs near fp16's largest finite, a few columns over", () => {
    const sub = byLabel("subnormal-scale-k128-n256-m1-col");
    const subnormal = Array.from(sub.weights.scales.keys()).filter((j) => isF16Subnormal(sub.weights.scales[j]));
    expect(subnormal).toEqual(Array.from({ length: 16 }, (_, i) => 16 * i + 5));
    const near = byLabel("near-overflow-k256-n256-m1-g128");
    const y = trirunMatmulExact(near.weights, near.x, near.m);
    expect(Math.max(...y)).toBeGreaterThan(65504);
    expect(Math.min(...y)).toBeGreaterThan(65000);
  });

  test("the random stream is mulberry32: the same seed, the same numbers", () => {
    const [a, b] = [trirunCaseRng(3), trirunCaseRng(3)];
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
