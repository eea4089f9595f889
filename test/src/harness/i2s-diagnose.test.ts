/**
 * Diagnosing I2_S-format failures by cause (spec/kernel-protocol.md §12.4): each hypothesis's own output is diagnosed
 * as that hypothesis on a case that separates them; the int16 overflow names the output, lane, block, exact and wrapped
 * values of the codec's emulation; the reference's output matches nothing.
 */

import { describe, expect, test } from "vitest";
import { i2sMatmul } from "../../../reference/codec/i2_s-matmul.js";
import { i2sCaseActivations, i2sCaseBytes, type I2sKernelCase } from "../../../src/harness/i2s-case.js";
import { i2sBuiltinCases, i2sCaseOf, randomI2sCase } from "../../../src/harness/i2s-cases.js";
import { diagnoseI2sMatmul, I2S_HYPOTHESES } from "../../../src/harness/i2s-diagnose.js";

/** The case each hypothesis is tried on. */
function caseFor(id: string): I2sKernelCase {
  if (id === "i2s-reads-x86-layout") return randomI2sCase("r", { layout: "arm", n: 8, k: 256, m: 2 }, 3);
  if (id === "i2s-int16-avx2-1x1" || id === "i2s-int16-neon-1x1")
    return i2sCaseOf(
      "w",
      { layout: id.endsWith("avx2-1x1") ? "x86" : "arm", n: 4, k: 2176, m: 1 },
      () => 2,
      0.25,
      () => 1,
    );
  if (id === "i2s-row-blocks-tail-skipped") return randomI2sCase("t", { layout: "x86", n: 4, k: 160, m: 1 }, 4);
  return randomI2sCase("r", { layout: "x86", n: 8, k: 256, m: 3 }, 3);
}

describe("diagnoseI2sMatmul", () => {
  for (const hypothesis of I2S_HYPOTHESES) {
    test(`${hypothesis.id}: its own output is diagnosed as it`, () => {
      const c = caseFor(hypothesis.id);
      const variant = hypothesis.evaluate(c);
      expect(variant).toBeDefined();
      const diagnosis = diagnoseI2sMatmul(c, variant!.y);
      const match = diagnosis.matches.find((m) => m.id === hypothesis.id);
      expect(match, JSON.stringify(diagnosis)).toMatchObject({ exact: true, ambiguous: false });
    });
  }

  test("the int16 overflow is described by the first wrapped lane; NEON wraps from k 1088", () => {
    const c = caseFor("i2s-int16-avx2-1x1");
    const y = I2S_HYPOTHESES.find((h) => h.id === "i2s-int16-avx2-1x1")!.evaluate(c)!.y;
    const description = diagnoseI2sMatmul(c, y).matches[0].description;
    expect(description).toBe(
      "int16 accumulator overflow (AVX2 _1x1's _mm256_add_epi16, kernel-bugs B6, microsoft/BitNet#629): " +
        "y[0,0] lane 0, block 16: exact 33528, kernel -32008", // 16 blocks · 8 · 254 = 32512, then + 4 · 254
    );
    const neon = i2sCaseOf(
      "n",
      { layout: "arm", n: 4, k: 1088, m: 1 },
      () => 2,
      0.25,
      () => 1,
    );
    expect(I2S_HYPOTHESES.find((h) => h.id === "i2s-int16-neon-1x1")!.evaluate(neon)?.detail).toBe(
      "y[0,0] lane 0, block 16: exact 33020, kernel -32516",
    );
  });

  test("the reference's output matches no hypothesis; the int16 ones are not tried without a wrap", () => {
    for (const c of i2sBuiltinCases("x86", 2).slice(0, 4)) {
      const y = i2sMatmul(c.layout, { rows: c.n, cols: c.k }, i2sCaseBytes(c), i2sCaseActivations(c)).y;
      const diagnosis = diagnoseI2sMatmul(c, y);
      expect(diagnosis.matches).toEqual([]);
      expect(diagnosis.tried).not.toContain("i2s-int16-avx2-1x1");
    }
  });
});
