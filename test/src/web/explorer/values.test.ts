import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f32ToBits } from "../../../../reference/codec/index.js";
import { formatValue, formatValues, parseValues } from "../../../../src/web/explorer/values.js";

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Math.floor(Math.random() * 0x7fffffff);

describe("parseValues", () => {
  test("pads to 256 with zeros and rounds to float32", () => {
    const parsed = parseValues("0.1, -2\n3e-2 ");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.given).toBe(3);
    expect(parsed.values.length).toBe(256);
    expect(parsed.values[0]).toBe(Math.fround(0.1));
    expect(parsed.values[0]).not.toBe(0.1);
    expect(parsed.values[1]).toBe(-2);
    expect(parsed.values[2]).toBe(Math.fround(0.03));
    expect(Array.from(parsed.values.subarray(3)).every((v) => Object.is(v, 0))).toBe(true);
  });

  test("accepts nan, inf and -inf in any case, and -0", () => {
    const parsed = parseValues("NaN inf -INF Inf -0");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(Number.isNaN(parsed.values[0])).toBe(true);
    expect(parsed.values[1]).toBe(Infinity);
    expect(parsed.values[2]).toBe(-Infinity);
    expect(parsed.values[3]).toBe(Infinity);
    expect(Object.is(parsed.values[4], -0)).toBe(true);
  });

  test("values beyond float32 range round to infinity", () => {
    const parsed = parseValues("1e39 -1e39");
    expect(parsed.ok && [parsed.values[0], parsed.values[1]]).toEqual([Infinity, -Infinity]);
  });

  test("empty text is a block of zeros", () => {
    const parsed = parseValues("  \n ");
    expect(parsed.ok && parsed.given).toBe(0);
  });

  test("an unparsable token is an error naming it and its position", () => {
    const parsed = parseValues("1 2 abc 4");
    expect(parsed).toEqual({ ok: false, error: expect.stringContaining("value 3 ('abc')") });
    for (const bad of ["0x10", "1..2", "1e", "--1", "infinit"]) {
      const result = parseValues(`0 ${bad}`);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.error).toContain(`value 2 ('${bad}')`);
    }
  });

  test("more than 256 values is an error naming the 257th", () => {
    const parsed = parseValues([...Array(256).fill("1"), "7", "8"].join(" "));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error).toContain("258 values");
      expect(parsed.error).toContain("value 257 is '7'");
      expect(parsed.error.includes("\n")).toBe(false);
    }
  });
});

describe("formatValue", () => {
  test("shortest digits, special values", () => {
    expect(formatValue(Math.fround(0.1))).toBe("0.1");
    expect(formatValue(-0)).toBe("-0");
    expect(formatValue(NaN)).toBe("nan");
    expect(formatValue(-Infinity)).toBe("-inf");
    expect(formatValue(2 ** -149)).toBe("1e-45");
  });

  test(`any float32 → text → the same float32 bits (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.float({ noDefaultInfinity: false, noNaN: false }), (x) => {
        const parsed = parseValues(formatValue(x));
        if (!parsed.ok) return false;
        const back = parsed.values[0];
        return Number.isNaN(x) ? Number.isNaN(back) : f32ToBits(back) === f32ToBits(x);
      }),
      { seed, numRuns: 5000 },
    );
  });

  test(`a whole block → text → the same block (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true }), { minLength: 256, maxLength: 256 }), (xs) => {
        const block = Float32Array.from(xs);
        const parsed = parseValues(formatValues(block));
        return parsed.ok && parsed.given === 256 && block.every((v, e) => f32ToBits(v) === f32ToBits(parsed.values[e]));
      }),
      { seed, numRuns: 50 },
    );
  });
});
