/**
 * reference/tolerances/logits.ts — the whole-model criteria (spec/tolerances.md §9.1, §9.2): the NMSE
 * threshold per mode and the argmax rule with its near-tie exception, on hand-computed cases.
 */
import { describe, expect, test } from "vitest";
import {
  allowedRms,
  argmaxAgreement,
  argmaxOf,
  NMSE_TOLERANCE,
  nmseCriterion,
} from "../../../reference/tolerances/logits.js";

describe("the NMSE criterion", () => {
  test("τ = 1e-6 (spec/tolerances.md §9.1, the criterion of spec/forward.md §9.2)", () => {
    expect(NMSE_TOLERANCE).toBe(1e-6);
  });
  test("1e-6 in f32 mode, max(1e-6, quantization effect) with Q8_K activations (§9.2)", () => {
    expect(nmseCriterion("f32", 1e-3)).toBe(1e-6);
    expect(nmseCriterion("ggml-matmul", 2e-4)).toBe(2e-4);
    expect(nmseCriterion("ggml-exact", 2e-4)).toBe(2e-4);
    expect(nmseCriterion("ggml-matmul", 1e-9)).toBe(1e-6);
  });
});

describe("argmaxOf", () => {
  test("takes the first of ties; NaN or empty → -1", () => {
    expect(argmaxOf([1, 3, 3, 2])).toBe(1);
    expect(argmaxOf([-5, -1, -2])).toBe(1);
    expect(argmaxOf([])).toBe(-1);
    expect(argmaxOf([1, NaN])).toBe(-1);
  });
});

describe("argmax agreement (§9.1)", () => {
  // reference r = (10, 9.9, 0, 0): mean r² = (100 + 98.01) / 4 = 49.5025; τ = 1e-2 → rms = √0.495025 ≈ 0.70358, 2·rms ≈ 1.40716
  const reference = [10, 9.9, 0, 0];
  test("the allowed RMS error √(τ · mean r²)", () => {
    expect(allowedRms(reference, 1e-2)).toBeCloseTo(Math.sqrt(0.495025), 12);
    expect(allowedRms([], 1e-2)).toBe(0);
  });
  test("same argmax → agree", () => {
    expect(argmaxAgreement([9, 1, 0, 0], reference, 1e-6)).toBe("agree");
  });
  test("a flip with r[b] − r[a] ≤ 2·rms → near-tie", () => {
    // gap 0.1 ≤ 1.407
    expect(argmaxAgreement([9, 10, 0, 0], reference, 1e-2)).toBe("near-tie");
  });
  test("a flip beyond 2·rms → disagree, judged by the gap to the candidate's token, not the top two", () => {
    // τ = 1e-6: 2·rms = 2·√(49.5025e-6) ≈ 0.01407 < gap 0.1
    expect(argmaxAgreement([9, 10, 0, 0], reference, 1e-6)).toBe("disagree");
    // a far-away token: the top two are 0.1 apart, but r[0] − r[2] = 10 > 1.407
    expect(argmaxAgreement([0, 0, 11, 0], reference, 1e-2)).toBe("disagree");
  });
  test("a NaN row disagrees", () => {
    expect(argmaxAgreement([NaN, 0, 0, 0], reference, 1)).toBe("disagree");
    expect(argmaxAgreement([1, 0, 0, 0], [NaN, 0, 0, 0], 1)).toBe("disagree");
  });
});
