/**
 * The timing loop of `npm run bench`, kept pure so that it can be tested with a fake clock:
 * warm-up runs, then timed runs until a time budget is spent (within a minimum and maximum run
 * count), summarized by the median and the minimum.
 */

/** How to time one task. */
export interface MeasureOptions {
  /** Untimed runs first, so the JIT has compiled the hot paths. */
  readonly warmupRuns: number;
  /** Keep timing runs until their total reaches this many milliseconds… */
  readonly budgetMs: number;
  /** …but time at least this many runs… */
  readonly minRuns: number;
  /** …and at most this many. */
  readonly maxRuns: number;
  /** A monotonic clock in milliseconds (performance.now in Node and browsers). */
  readonly now: () => number;
}

/** What the timed runs of a task took, in milliseconds. */
export interface Measurement {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
}

/** The median of the samples (the mean of the middle two for an even count); RangeError if empty. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError("median of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The smallest sample; RangeError if empty. */
export function minimum(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError("minimum of no samples");
  return Math.min(...samples);
}

/** The duration of each timed run of `task`, after the warm-up runs (see MeasureOptions). */
export function timeRuns(task: () => void, options: MeasureOptions): number[] {
  for (let run = 0; run < options.warmupRuns; run++) task();
  const samples: number[] = [];
  let spentMs = 0;
  while (samples.length < options.maxRuns && (samples.length < options.minRuns || spentMs < options.budgetMs)) {
    const start = options.now();
    task();
    const sample = options.now() - start;
    samples.push(sample);
    spentMs += sample;
  }
  return samples;
}

/** Time `task` (see timeRuns) and summarize: run count, median and minimum. */
export function measure(task: () => void, options: MeasureOptions): Measurement {
  const samples = timeRuns(task, options);
  return { runs: samples.length, medianMs: median(samples), minMs: minimum(samples) };
}
