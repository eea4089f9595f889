/** The bench's timing loop, driven by a fake clock: no real time is measured here. */
import { describe, expect, test } from "vitest";
import { measure, median, minimum, type MeasureOptions, timeRuns } from "../../../src/bench/measure.js";

/** A fake clock and a task that advances it by the next of `durations` (cycling) on each call. */
function fakeTask(durations: readonly number[]): { task: () => void; now: () => number; calls: () => number } {
  let time = 0;
  let calls = 0;
  return {
    task: () => {
      time += durations[calls % durations.length];
      calls++;
    },
    now: () => time,
    calls: () => calls,
  };
}

function options(now: () => number, overrides: Partial<Omit<MeasureOptions, "now">> = {}): MeasureOptions {
  return { warmupRuns: 2, budgetMs: 100, minRuns: 3, maxRuns: 1000, now, ...overrides };
}

describe("median and minimum", () => {
  test("odd count: the middle sample, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
  });

  test("even count: the mean of the middle two", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test("minimum is the smallest sample", () => {
    expect(minimum([5, 1.5, 3])).toBe(1.5);
  });

  test("no samples is an error", () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => minimum([])).toThrow(RangeError);
  });

  test("median does not reorder its input", () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe("timing loop", () => {
  test("times runs until the budget is spent, after the untimed warm-up runs", () => {
    const fake = fakeTask([10]);
    const samples = timeRuns(fake.task, options(fake.now));
    expect(samples).toEqual(new Array<number>(10).fill(10));
    expect(fake.calls()).toBe(2 + 10);
  });

  test("at least minRuns, even when one run exceeds the budget", () => {
    const fake = fakeTask([500]);
    expect(timeRuns(fake.task, options(fake.now))).toEqual([500, 500, 500]);
  });

  test("at most maxRuns, even when runs take no time", () => {
    const fake = fakeTask([0]);
    expect(timeRuns(fake.task, options(fake.now, { maxRuns: 7 }))).toHaveLength(7);
  });

  test("measure summarizes the timed runs: count, median, minimum", () => {
    const fake = fakeTask([30, 10, 20, 50, 40]);
    const result = measure(fake.task, options(fake.now, { warmupRuns: 0, budgetMs: 150 }));
    expect(result).toEqual({ runs: 5, medianMs: 30, minMs: 10 });
  });

  test("warm-up runs shift which durations are timed", () => {
    const fake = fakeTask([1000, 1, 2, 3]);
    const result = measure(fake.task, options(fake.now, { warmupRuns: 1, budgetMs: 6, minRuns: 1 }));
    expect(result).toEqual({ runs: 3, medianMs: 2, minMs: 1 });
  });
});
