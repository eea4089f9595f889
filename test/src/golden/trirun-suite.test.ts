/**
 * The trirun suite's plan (src/golden/trirun-suite.ts, spec/golden.md §9): shapes and scale modes, the edge cases,
 * each validate case flagged as reference validation sees it, the committed corpus's flags and results agreeing
 * with validateTrirun, and the on-demand bench shapes (those of TriRun's bench.py, exercised on a small surrogate).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { trirunShapeProblems, validateTrirun } from "../../../reference/codec/trirun.js";
import { computeBounds } from "../../../src/golden/acceptance.js";
import { computeOutputs, inputRolesOf } from "../../../src/golden/compute.js";
import { readManifest } from "../../../src/golden/verify.js";
import { parseTensor } from "../../../src/golden/tensor.js";
import { TRIRUN_FINDING_KINDS } from "../../../src/golden/trirun-compute.js";
import {
  TRIRUN_BENCH_SHAPES,
  TRIRUN_GROUP_SIZES,
  TRIRUN_SHAPES,
  trirunLayoutGroups,
  trirunMatmulGroups,
} from "../../../src/golden/trirun-suite.js";
import { ALL_SUITES, DEFAULT_SUITES } from "../../../src/golden/suites.js";
import { deriveSeed, mulberry32 } from "../../../src/random/index.js";
import { repoFile } from "../cli/harness.js";

const SUITE = repoFile("golden/suites/trirun");
const rng = (label: string) => mulberry32(deriveSeed(1, `trirun/${label}`));

/** Flag → the finding kind it names. */
const FLAG_KINDS: Readonly<Record<string, string>> = {
  TrirunCode3: "code-3",
  TrirunScaleNan: "scale-nan",
  TrirunScaleInfinite: "scale-infinite",
  TrirunScaleNegative: "scale-negative",
  TrirunScaleZeroWithCodes: "scale-zero-with-codes",
  TrirunShape: "shape",
};

describe("the trirun suite's plan", () => {
  const groups = trirunLayoutGroups(rng);

  test("pack and unpack cover the three shapes in both scale modes; pack has the edge cases", () => {
    for (const op of ["pack", "unpack"])
      for (const groupSize of TRIRUN_GROUP_SIZES)
        expect(
          groups.filter((g) => g.op === op && g.params.groupSize === groupSize).map((g) => [g.params.k, g.params.n]),
        ).toEqual(TRIRUN_SHAPES);
    const packFlags = groups.filter((g) => g.op === "pack").flatMap((g) => g.cases.flatMap((c) => c.flags));
    for (const flag of ["ConstantCodes", "TileCorners", "TrirunCode3", "Random", "Shape"])
      expect(packFlags).toContain(flag);
    const comments = groups.filter((g) => g.op === "pack").flatMap((g) => g.cases.map((c) => c.comment));
    expect(comments.filter((c) => c.startsWith("one non-zero code"))).toHaveLength(4);
  });

  test("validate refuses k = 64, n = 128 and wrong B and s lengths, and flags every finding kind", () => {
    const validate = groups.filter((g) => g.op === "validate");
    const shapes = validate.map((g) => `${g.params.k}x${g.params.n}/${g.params.groupSize}`);
    expect(shapes).toEqual(["128x256/-1", "128x256/128", "64x256/-1", "128x128/-1", "256x256/128"]);
    const flags = new Set(validate.flatMap((g) => g.cases.flatMap((c) => c.flags)));
    for (const flag of [...Object.keys(FLAG_KINDS), "TrirunLength"]) expect(flags).toContain(flag);
    for (const group of validate) expect(group.params.findingKinds).toEqual([...TRIRUN_FINDING_KINDS]);
  });
});

describe("the committed golden/suites/trirun", () => {
  const manifest = readManifest(join(SUITE, "manifest.json"));

  test("every validate test's findings carry the kind its flag names, with the result its severity gives", () => {
    for (const group of manifest.testGroups.filter((g) => g.op === "validate")) {
      for (const test of group.tests) {
        const entry = test.files.findings;
        const table = parseTensor(
          new Uint8Array(readFileSync(join(SUITE, entry.file))),
          entry.dtype,
          entry.shape,
          entry.file,
        );
        if (typeof table === "string") throw new Error(table);
        const kinds = new Set(
          Array.from({ length: table.shape[0] }, (_, i) => TRIRUN_FINDING_KINDS[table.data[4 * i]]),
        );
        for (const flag of test.flags)
          if (FLAG_KINDS[flag] !== undefined) expect(kinds, `tc${test.tcId}`).toContain(FLAG_KINDS[flag]);
        if (test.flags.includes("TrirunLength")) expect([...kinds].some((k) => k.endsWith("-length"))).toBe(true);
        const expected =
          kinds.size === 0
            ? "valid"
            : [...kinds].every((k) => k === "scale-negative" || k === "scale-zero-with-codes")
              ? "acceptable"
              : "invalid";
        expect(test.result, `tc${test.tcId}`).toBe(expected);
        expect(test.comment, `tc${test.tcId}`).toContain(kinds.size === 0 ? "no finding" : [...kinds].join(", "));
      }
    }
  });

  test("packed inputs of valid unpack tests have no finding; code 3 tests are invalid", () => {
    for (const group of manifest.testGroups.filter((g) => g.op === "unpack")) {
      const { k, n, groupSize } = group.params as { k: number; n: number; groupSize: -1 | 128 };
      for (const test of group.tests) {
        const read = (role: string) => {
          const e = test.files[role];
          const t = parseTensor(new Uint8Array(readFileSync(join(SUITE, e.file))), e.dtype, e.shape, e.file);
          if (typeof t === "string") throw new Error(t);
          return t.data;
        };
        const findings = validateTrirun({ k, n, groupSize, B: read("B") as Int32Array, s: read("s") as Uint16Array });
        expect(findings.length === 0, `tc${test.tcId}`).toBe(test.result === "valid");
        if (test.flags.includes("TrirunCode3")) expect(findings.map((f) => f.kind)).toContain("code-3");
      }
    }
  });
});

describe("the on-demand trirun-bench suite", () => {
  test("holds bench.py's Spectra shapes (k, n) at batch 16, every one a shape TriRun's Layer accepts", () => {
    expect(ALL_SUITES).toContain("trirun-bench");
    expect(DEFAULT_SUITES).not.toContain("trirun-bench");
    expect(TRIRUN_BENCH_SHAPES.map((s) => [s.k, s.n, s.m])).toEqual([
      [3072, 11264, 16],
      [11264, 3072, 16],
      [3072, 3072, 16],
      [768, 3072, 16],
    ]);
    for (const shape of TRIRUN_BENCH_SHAPES)
      for (const groupSize of TRIRUN_GROUP_SIZES) expect(trirunShapeProblems({ ...shape, groupSize })).toEqual([]);
  });

  test("its groups compute and carry their rule on a small surrogate shape", () => {
    const surrogate = trirunMatmulGroups(rng, [{ k: 256, n: 256, m: 16, kind: "random" }]);
    expect(surrogate.map((g) => g.params.groupSize)).toEqual([-1, 128]);
    for (const group of surrogate) {
      const inputs = group.cases[0].inputs;
      expect(Object.keys(inputs)).toEqual([...inputRolesOf(group)]);
      const outputs = computeOutputs(group, inputs);
      expect(outputs.y.shape).toEqual([16, 256]);
      expect(Object.keys(computeBounds(group, inputs, outputs))).toEqual(["y_bound", "y_center", "y_nonfinite"]);
    }
  });
});
