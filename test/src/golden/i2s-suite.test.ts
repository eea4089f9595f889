/**
 * The i2_s suite's plan (spec/golden.md §10): per layout pack, unpack and validate groups (a partial-block group for
 * x86 and arm) and three matmul groups; the Int16Overflow cases do wrap bitnet.cpp's int16 lanes (the codec's
 * emulations), so the suite's exact y is what those kernels miss.
 */

import { describe, expect, test } from "vitest";
import { i2sMatVec } from "../../../reference/codec/i2_s-dot.js";
import { quantizeRowI8s } from "../../../reference/codec/i8_s.js";
import { i2sSuiteGroups } from "../../../src/golden/i2s-suite.js";
import { deriveSeed, mulberry32 } from "../../../src/random/index.js";

const groups = i2sSuiteGroups((label) => mulberry32(deriveSeed(1, `i2_s/${label}`)));

describe("i2sSuiteGroups", () => {
  test("20 groups, 50 tests: per layout pack, unpack, validate (+ partial block), 3 matmul", () => {
    expect(groups.length).toBe(20);
    expect(groups.reduce((n, g) => n + g.cases.length, 0)).toBe(50);
    for (const layout of ["x86", "arm", "1x4"])
      expect(groups.filter((g) => g.params.layout === layout && g.op === "matmul").length).toBe(3);
  });

  test("the Int16Overflow cases wrap the AVX2 (x86) and NEON (arm) emulations", () => {
    for (const [layout, kernel] of [
      ["x86", "avx2-1x1"],
      ["arm", "neon-1x1"],
    ] as const) {
      const group = groups.find((g) => g.params.layout === layout && g.cases[0].flags.includes("Int16Overflow"))!;
      for (const c of group.cases) {
        const x = c.inputs.x.data as Float32Array;
        const { rows } = i2sMatVec(kernel, 4, x.length, c.inputs.W.data as Uint8Array, quantizeRowI8s(x));
        expect(rows[0].eventCount).toBeGreaterThan(0);
        expect(rows[0].sum).not.toBe(rows[0].exactSum);
      }
    }
  });
});
