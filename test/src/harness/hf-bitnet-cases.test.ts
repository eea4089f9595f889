import { describe, expect, test } from "vitest";
import { hfBitnetCaseProblem } from "../../../src/harness/hf-bitnet-case.js";
import { hfBitnetBuiltinCases } from "../../../src/harness/hf-bitnet-cases.js";
import { HF_BITNET_HYPOTHESES, hfBitnetReference } from "../../../src/harness/hf-bitnet-judge.js";
import { hfBitnetOutputAccepted } from "../../../reference/tolerances/hf-bitnet-linear.js";

describe("hfBitnetBuiltinCases", () => {
  const cases = hfBitnetBuiltinCases(1);

  test("valid, both conventions, tokens 1, 3 and 4", () => {
    for (const c of cases) expect(hfBitnetCaseProblem(c), c.label).toBeUndefined();
    expect(new Set(cases.map((c) => c.convention))).toEqual(new Set(["multiply", "divide"]));
    expect(new Set(cases.map((c) => c.m))).toEqual(new Set([1, 2, 3, 4]));
  });

  test("every case with non-zero activations tells weight_scale multiplied from divided", () => {
    const convention = HF_BITNET_HYPOTHESES.find((h) => h.id === "scale-convention")!;
    for (const c of cases.filter((kc) => kc.x.some((v) => v !== 0))) {
      const reference = hfBitnetReference(c);
      const swapped = convention.outputs(c);
      expect(
        swapped.some((o, e) => !hfBitnetOutputAccepted(o.reference, reference[e])),
        c.label,
      ).toBe(true);
    }
  });

  test("the plane-corner cases tell planes from consecutive rows", () => {
    const rows = HF_BITNET_HYPOTHESES.find((h) => h.id === "consecutive-rows")!;
    for (const c of cases.filter((kc) => kc.label?.startsWith("plane corners"))) {
      const reference = hfBitnetReference(c);
      expect(rows.outputs(c).some((o, e) => !hfBitnetOutputAccepted(o.reference, reference[e]))).toBe(true);
    }
  });
});
