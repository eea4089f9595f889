/**
 * reference/tolerances/index.ts — the tolerances as one module: every file's exports, and
 * spec/formats.md §8.2's dot bound from reference/codec (one implementation, re-exported).
 */
import { describe, expect, test } from "vitest";
import * as codecDotTolerance from "../../../reference/codec/dot-tolerance.js";
import * as accuracy from "../../../reference/tolerances/accuracy.js";
import * as attention from "../../../reference/tolerances/attention.js";
import * as elementCheck from "../../../reference/tolerances/element-check.js";
import * as embedding from "../../../reference/tolerances/embedding.js";
import * as floatDot from "../../../reference/tolerances/float-dot.js";
import * as floatingPoint from "../../../reference/tolerances/floating-point.js";
import * as hfBitnetLinear from "../../../reference/tolerances/hf-bitnet-linear.js";
import * as i2sMatmul from "../../../reference/tolerances/i2s-matmul.js";
import * as tolerances from "../../../reference/tolerances/index.js";
import * as logits from "../../../reference/tolerances/logits.js";
import * as matmul from "../../../reference/tolerances/matmul.js";
import * as nmse from "../../../reference/tolerances/nmse.js";
import * as rmsnorm from "../../../reference/tolerances/rmsnorm.js";
import * as rope from "../../../reference/tolerances/rope.js";
import * as swiglu from "../../../reference/tolerances/swiglu.js";
import * as trirunMatmul from "../../../reference/tolerances/trirun-matmul.js";

describe("reference/tolerances/index.ts", () => {
  test("exports exactly the files' exports and formats §8.2's dot bound, overflow test and agreement rule, the same functions", () => {
    const files = [
      accuracy,
      attention,
      elementCheck,
      embedding,
      floatDot,
      floatingPoint,
      hfBitnetLinear,
      i2sMatmul,
      logits,
      matmul,
      nmse,
      rmsnorm,
      rope,
      swiglu,
      trirunMatmul,
    ];
    const expected = new Map<string, unknown>();
    for (const file of files) for (const [name, value] of Object.entries(file)) expected.set(name, value);
    expected.set("ternaryDotErrorBound", codecDotTolerance.ternaryDotErrorBound);
    expected.set("dotResultsAgree", codecDotTolerance.dotResultsAgree);
    expected.set("ternaryDotMayOverflow", codecDotTolerance.ternaryDotMayOverflow);
    expect(Object.keys(tolerances).sort()).toEqual([...expected.keys()].sort());
    for (const [name, value] of expected) expect((tolerances as Record<string, unknown>)[name], name).toBe(value);
  });
});
