/** Scales and ticks of the runner's log plot. */
import { describe, expect, test } from "vitest";
import { logAxis, logY, positionTicks, positionX } from "../../../../src/web/runner/plot-scale.js";

describe("logAxis", () => {
  test("covers the values and the tolerance in whole decades", () => {
    // 3e-9 → floor(−8.52) = −9; 2e-3 → ceil(−2.70) = −2; 1e-6 inside
    expect(logAxis([3e-9, 2e-3], [1e-6], 8)).toEqual({
      minExp: -9,
      maxExp: -2,
      ticks: [-9, -8, -7, -6, -5, -4, -3, -2],
    });
  });
  test("ignores zeros, NaN and infinities; at least one decade", () => {
    expect(logAxis([0, NaN, Infinity, 1e-4])).toEqual({ minExp: -4, maxExp: -3, ticks: [-4, -3] });
    expect(logAxis([])).toEqual({ minExp: -8, maxExp: 0, ticks: [-8, -6, -4, -2, 0] });
  });
  test("thins the ticks to at most maxTicks, widening to multiples of the step", () => {
    // −20 … 0 is 20 decades; with 5 ticks step = ceil(20 / 4) = 5
    expect(logAxis([1e-20, 1], [], 5)).toEqual({ minExp: -20, maxExp: 0, ticks: [-20, -15, -10, -5, 0] });
    // −7 … 0 with 4 ticks: step ceil(7/3) = 3 → −9 … 0
    expect(logAxis([1e-7, 1], [], 4)).toEqual({ minExp: -9, maxExp: 0, ticks: [-9, -6, -3, 0] });
  });
});

describe("logY and positionX", () => {
  const axis = { minExp: -8, maxExp: 0, ticks: [] };
  test("decades map linearly onto the pixels", () => {
    expect(logY(1, axis, 10, 90)).toBe(10);
    expect(logY(1e-8, axis, 10, 90)).toBe(90);
    expect(logY(1e-4, axis, 10, 90)).toBeCloseTo(50, 10);
  });
  test("zeros and out-of-range values clamp; NaN has no point", () => {
    expect(logY(0, axis, 10, 90)).toBe(90);
    expect(logY(1e-30, axis, 10, 90)).toBe(90);
    expect(logY(1e5, axis, 10, 90)).toBe(10);
    expect(logY(NaN, axis, 10, 90)).toBeNull();
  });
  test("positions spread from left to right", () => {
    expect(positionX(0, 5, 100, 500)).toBe(100);
    expect(positionX(4, 5, 100, 500)).toBe(500);
    expect(positionX(1, 5, 100, 500)).toBe(200);
    expect(positionX(0, 1, 100, 500)).toBe(300);
  });
});

describe("positionTicks", () => {
  test("every position while few, then steps of 1, 2, 5, 10, 20, 50 …", () => {
    expect(positionTicks(8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(positionTicks(0)).toEqual([]);
    expect(positionTicks(20, 12)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(positionTicks(50, 12)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
    expect(positionTicks(100, 12)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(positionTicks(200, 12)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180]);
  });
});
