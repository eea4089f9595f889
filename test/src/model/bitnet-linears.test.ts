/**
 * A BitNet model's linear layers as per-tensor ternary codes and scales (spec/forward.md §17.8): which scale changes
 * are exact, and the refusals that name the tensor.
 */

import { describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import {
  BitnetConversionRefusal,
  hasExactReciprocal,
  scaleValueFor,
  ternaryCodes,
} from "../../../src/model/bitnet-linears.js";

describe("hasExactReciprocal", () => {
  it("holds for powers of two whose reciprocal is a normal float32, and nothing else", () => {
    for (const s of [1, 2, 0.5, 2 ** -20, 2 ** 100, 2 ** 126]) expect(hasExactReciprocal(s), String(s)).toBe(true);
    for (const s of [3, 0.625, Math.fround(0.1), 2 ** 127, 2 ** -149, 0, Number.NaN, Infinity])
      expect(hasExactReciprocal(s), String(s)).toBe(false);
  });
});

describe("scaleValueFor", () => {
  it("keeps a scale in its own convention, inverts it exactly, or refuses naming the tensor", () => {
    expect(scaleValueFor({ value: 0.625, op: "divide" }, "divide", "w")).toBe(0.625);
    expect(scaleValueFor(undefined, "multiply", "w")).toBe(1);
    expect(scaleValueFor(undefined, "divide", "w")).toBe(1);
    expect(scaleValueFor({ value: 0.25, op: "divide" }, "multiply", "w")).toBe(4);
    expect(() => scaleValueFor({ value: 0.625, op: "multiply" }, "divide", "blk.0.attn_q.weight")).toThrow(
      new BitnetConversionRefusal(
        "tensor 'blk.0.attn_q.weight': its output multiplies by 0.625, whose reciprocal is not exact in float32, " +
          "so no divisor gives the same outputs (keep the convention: --weight-scale multiply)",
      ),
    );
  });
});

describe("ternaryCodes", () => {
  const matrix = (values: number[]) => ({
    type: GgmlType.F32,
    rows: 1,
    cols: values.length,
    data: quantizeRow(GgmlType.F32, Float32Array.from(values)),
  });

  it("reads ±1 and 0 of any type", () => {
    expect(Array.from(ternaryCodes(matrix([1, -1, 0, -0, 1]), "w"))).toEqual([1, -1, 0, 0, 1]);
  });

  it("refuses one magnitude other than 1, and several magnitudes", () => {
    expect(() => ternaryCodes(matrix([0.5, -0.5, 0]), "w")).toThrow(
      "tensor 'w' (F32): its weights are ±0.5, not ±1: moving that block scale into the per-tensor scale changes the float32 rounding",
    );
    expect(() => ternaryCodes(matrix([1, -2, 3, 4, 5, 6]), "w")).toThrow(
      "tensor 'w' (F32): its blocks carry different scales (1, 2, 3, 4, … (6 in all)), and a per-tensor format holds one",
    );
  });
});
