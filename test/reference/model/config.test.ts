/**
 * reference/model/config.ts — the hyper-parameters and their validation (spec/forward.md §1).
 *
 * Oracles: the released TriLM sizes (spec §1 table, from the Spectra configs) must be valid; an
 * independent restatement of the rules (positive integers, dim = nHeads·headDim, nKvHeads | nHeads,
 * ropeDim even and ≤ headDim, eps and θ positive) must agree with configProblems on arbitrary
 * configs; each rule's message names the numbers involved.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { configProblems, type TrilmConfig } from "../../../reference/model/config.js";
import { checkProperty } from "../../support/property.js";
import { tinyConfig } from "../../support/tiny-model.js";

/** The released sizes of spec/forward.md §1: [name, hidden, ffn, layers, heads, headDim, vocab]. */
const RELEASED: ReadonlyArray<readonly [string, number, number, number, number, number, number]> = [
  ["99M", 512, 1280, 16, 8, 64, 50304],
  ["190M", 768, 2048, 16, 12, 64, 50304],
  ["390M", 1024, 2560, 24, 16, 64, 50304],
  ["560M", 1280, 3072, 24, 20, 64, 50304],
  ["830M", 1536, 4096, 24, 24, 64, 50304],
  ["1.1B", 1792, 5120, 24, 28, 64, 50304],
  ["1.5B", 2048, 6144, 24, 32, 64, 50304],
  ["2.4B", 2304, 7680, 30, 36, 64, 50304],
  ["3.9B", 3072, 9216, 30, 24, 128, 50688],
];

function released(
  dim: number,
  hiddenDim: number,
  nLayers: number,
  nHeads: number,
  headDim: number,
  vocabSize: number,
): TrilmConfig {
  return {
    dim,
    hiddenDim,
    nLayers,
    nHeads,
    nKvHeads: nHeads,
    headDim,
    vocabSize,
    contextLength: 2048,
    normEps: Math.fround(1e-5),
    ropeTheta: 10000,
    ropeDim: headDim,
    ropeStyle: "adjacent",
  };
}

/** The rules of spec §1, restated without looking at config.ts. */
function isUsable(c: TrilmConfig): boolean {
  const counts = [
    c.dim,
    c.hiddenDim,
    c.nLayers,
    c.nHeads,
    c.nKvHeads,
    c.headDim,
    c.vocabSize,
    c.contextLength,
    c.ropeDim,
  ];
  if (!counts.every((v) => Number.isInteger(v) && v > 0)) return false;
  return (
    c.nHeads * c.headDim === c.dim &&
    c.nHeads % c.nKvHeads === 0 &&
    c.ropeDim % 2 === 0 &&
    c.ropeDim <= c.headDim &&
    c.normEps > 0 &&
    c.ropeTheta > 0
  );
}

describe("configProblems", () => {
  test.each(RELEASED)("the released TriLM %s is a valid config", (_name, dim, ffn, layers, heads, headDim, vocab) => {
    expect(configProblems(released(dim, ffn, layers, heads, headDim, vocab))).toEqual([]);
  });

  test("the tiny test models are valid, with and without grouped KV heads", () => {
    expect(configProblems(tinyConfig({ seed: 0 }))).toEqual([]);
    expect(configProblems(tinyConfig({ seed: 0, nHeads: 8, nKvHeads: 2 }))).toEqual([]);
  });

  test("each rule names the numbers that break it", () => {
    const base = tinyConfig({ seed: 0 }); // dim 256, 4 heads of 64
    expect(configProblems({ ...base, vocabSize: 0 })).toEqual(["vocabSize must be a positive integer, got 0"]);
    expect(configProblems({ ...base, contextLength: 2.5 })).toEqual([
      "contextLength must be a positive integer, got 2.5",
    ]);
    expect(configProblems({ ...base, nLayers: -1 })).toEqual(["nLayers must be a positive integer, got -1"]);
    expect(configProblems({ ...base, headDim: 32, ropeDim: 32 })).toEqual([
      "nHeads (4) × headDim (32) must equal dim (256)",
    ]);
    expect(configProblems({ ...base, nKvHeads: 3 })).toEqual(["nHeads (4) must be a multiple of nKvHeads (3)"]);
    expect(configProblems({ ...base, ropeDim: 63 })).toEqual(["ropeDim (63) must be even and at most headDim (64)"]);
    expect(configProblems({ ...base, ropeDim: 66 })).toEqual(["ropeDim (66) must be even and at most headDim (64)"]);
    expect(configProblems({ ...base, normEps: 0 })).toEqual(["normEps and ropeTheta must be positive"]);
    expect(configProblems({ ...base, ropeTheta: Number.NaN })).toEqual(["normEps and ropeTheta must be positive"]);
  });

  test("a config with several faults lists one line per fault", () => {
    const base = tinyConfig({ seed: 0 });
    const problems = configProblems({ ...base, vocabSize: 0, nKvHeads: 3, normEps: -1 });
    expect(problems).toHaveLength(3);
  });

  test("property: configProblems is empty exactly when the rules of spec §1 hold", () => {
    // mostly valid fields, each broken now and then, so that both answers occur often
    const count = fc.oneof(
      { weight: 12, arbitrary: fc.integer({ min: 1, max: 12 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -2, 0.5, Number.NaN) },
    );
    const arbitrary = fc.record({
      nHeads: count,
      nKvHeads: count,
      headDim: count,
      hiddenDim: count,
      nLayers: count,
      vocabSize: count,
      contextLength: count,
      ropeDim: count,
      dimOffset: fc.constantFrom(0, 0, 0, 0, 0, 1, -1),
      normEps: fc.constantFrom(1e-5, 1e-5, 1e-5, 0, -1e-6, Number.NaN),
      ropeTheta: fc.constantFrom(10000, 10000, 500000, 0, -1),
    });
    checkProperty(
      "config: problems ⇔ rules",
      fc.property(arbitrary, (r) => {
        const config: TrilmConfig = {
          dim: r.nHeads * r.headDim + r.dimOffset,
          hiddenDim: r.hiddenDim,
          nLayers: r.nLayers,
          nHeads: r.nHeads,
          nKvHeads: r.nKvHeads,
          headDim: r.headDim,
          vocabSize: r.vocabSize,
          contextLength: r.contextLength,
          normEps: r.normEps,
          ropeTheta: r.ropeTheta,
          ropeDim: r.ropeDim,
          ropeStyle: "adjacent",
        };
        expect(configProblems(config).length === 0).toBe(isUsable(config));
      }),
      { numRuns: 500 },
    );
  });
});
