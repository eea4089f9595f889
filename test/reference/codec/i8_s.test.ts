/**
 * I8_S activation quantization (spec/bitnet.md §3.1): merge-dev's quantize_row_i8_s — the 1e-5 floor, the scale
 * rounded from double to float, ties to even, the clamp and the sum, and its NaN behaviour. Bit-exactness against the
 * compiled C function is i2_s-external.test.ts.
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { I8S_MAX_FLOOR, i8sRowMax, quantizeRowI8s } from "../../../reference/codec/i8_s.js";
import { checkProperty } from "../../support/property.js";

describe("quantizeRowI8s", () => {
  test("halves round to even (the 12582912 trick), not up", () => {
    const row = quantizeRowI8s(Float32Array.of(127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5));
    expect(row.scale).toBe(1);
    expect(Array.from(row.q)).toEqual([127, 0, 2, 2, 0, -2, -2, 126]);
    expect(row.sum).toBe(127 + 2 + 2 - 2 - 2 + 126);
  });

  test("the scale is 127 / max computed in double and then rounded to float", () => {
    const row = quantizeRowI8s(Float32Array.of(0.75, -0.1));
    expect(row.scale).toBe(Math.fround(127 / 0.75));
    expect(row.scale).not.toBe(127 / 0.75);
    expect(Array.from(row.q)).toEqual([127, -17]);
  });

  test("all-zero and tiny rows use the 1e-5 floor: scale float(1.27e7), every q 0 for zeros", () => {
    const zero = quantizeRowI8s(new Float32Array(8));
    expect(zero.scale).toBe(Math.fround(127 / I8S_MAX_FLOOR));
    expect(Array.from(zero.q)).toEqual(new Array(8).fill(0));
    expect(zero.sum).toBe(0);
    expect(Array.from(quantizeRowI8s(Float32Array.of(2e-6, -4e-6)).q)).toEqual([25, -51]);
  });

  test("NaN: a NaN element replaces the running max, the next element replaces it; a NaN last makes the scale NaN", () => {
    expect(i8sRowMax(Float32Array.of(3, Number.NaN, 0.5))).toBe(0.5);
    const last = quantizeRowI8s(Float32Array.of(3, 1, Number.NaN));
    expect(last.scale).toBeNaN();
    expect(Array.from(last.q)).toEqual([0, 0, 0]); // nearest_int(NaN) is 0
    const inf = quantizeRowI8s(Float32Array.of(Infinity, 1));
    expect(inf.scale).toBe(0);
    expect(Array.from(inf.q)).toEqual([0, 0]);
  });

  test("q stays in −128..127, |x·s − q| ≤ 1/2 where not clamped, and the sum is Σq", () => {
    checkProperty(
      "i8_s quantization bounds",
      fc.property(fc.float32Array({ minLength: 1, maxLength: 64, noNaN: true, noDefaultInfinity: true }), (x) => {
        const row = quantizeRowI8s(x);
        let sum = 0;
        for (let i = 0; i < x.length; i++) {
          expect(Math.abs(row.q[i])).toBeLessThanOrEqual(128);
          if (Math.abs(row.q[i]) < 127)
            expect(Math.abs(Math.fround(x[i] * row.scale) - row.q[i])).toBeLessThanOrEqual(0.5);
          sum += row.q[i];
        }
        expect(row.sum).toBe(sum);
      }),
      { numRuns: 200 },
    );
  });
});
