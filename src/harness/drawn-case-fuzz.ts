/**
 * The search half of the whole-matrix formats' fuzzers (src/harness/i2s-fuzz.ts, src/harness/trirun-fuzz.ts):
 * fast-check draws cases until the judge fails one, which is then shrunk. Exceptions the judge throws count as
 * failures; cases it finds unsupported are skipped (numUnsupported).
 */

import fc from "fast-check";
import { caseFailed, type CaseVerdict } from "./protocol.js";

/** How long to search and shrink, and whom to tell. */
export interface DrawnCaseFuzzOptions {
  /** Random cases to try before declaring success (default 100). */
  readonly runs?: number;
  /** fast-check seed; the same seed replays the same cases. */
  readonly seed: number;
  /** At most this many shrink tries (the shrinker's default when absent). */
  readonly maxShrinkTries?: number;
  /** Called before every case is judged. */
  readonly onProgress?: (progress: { readonly phase: "search" | "shrink"; readonly count: number }) => void;
}

/** The outcome of a fuzzing session over drawn cases. */
export interface DrawnCaseFuzzResult<C, V extends CaseVerdict> {
  /** True when no run failed and the kernel took at least one. */
  readonly passed: boolean;
  readonly seed: number;
  readonly numRuns: number;
  readonly numShrinks: number;
  readonly numUnsupported: number;
  readonly unsupportedReason?: string;
  readonly counterexample?: C;
  readonly verdict?: V;
  readonly firstCounterexample?: C;
  readonly firstVerdict?: V;
}

/**
 * Judge the cases of fast-check draws from `draws` until one fails, then shrink it with `shrink` (whose judge reports
 * shrink progress and turns exceptions into failures).
 */
export async function fuzzDrawnCases<D, C, V extends CaseVerdict>(
  draws: fc.Arbitrary<D>,
  caseOfDraw: (draw: D) => C,
  judge: (kernelCase: C) => Promise<V>,
  shrink: (
    failure: { kernelCase: C; verdict: V },
    judge: (kernelCase: C) => Promise<V>,
    maxTries: number | undefined,
  ) => Promise<{ kernelCase: C; verdict: V; steps: number }>,
  options: DrawnCaseFuzzOptions,
): Promise<DrawnCaseFuzzResult<C, V>> {
  const runs = options.runs ?? 100;
  const judgeSafely = async (kernelCase: C): Promise<V> => {
    try {
      return await judge(kernelCase);
    } catch (error) {
      return {
        passed: false,
        reason: `the kernel threw: ${error instanceof Error ? error.message : String(error)}`,
      } as V;
    }
  };
  let searched = 0;
  let unsupported = 0;
  let unsupportedReason: string | undefined;
  let first: { kernelCase: C; verdict: V } | undefined;
  const property = fc.asyncProperty(draws, async (draw) => {
    options.onProgress?.({ phase: "search", count: ++searched });
    const kernelCase = caseOfDraw(draw);
    const verdict = await judgeSafely(kernelCase);
    if (verdict.passed) return true;
    if (!caseFailed(verdict)) {
      unsupported++;
      unsupportedReason ??= verdict.reason;
      return true;
    }
    first = { kernelCase, verdict };
    return false;
  });
  const details = await fc.check(property, { numRuns: runs, seed: options.seed, endOnFailure: true });
  const skipped = { numUnsupported: unsupported, ...(unsupportedReason === undefined ? {} : { unsupportedReason }) };
  if (first === undefined)
    return {
      passed: unsupported < details.numRuns,
      seed: options.seed,
      numRuns: details.numRuns,
      numShrinks: 0,
      ...skipped,
    };
  let tries = 0;
  const reduced = await shrink(
    first,
    (kernelCase) => {
      options.onProgress?.({ phase: "shrink", count: ++tries });
      return judgeSafely(kernelCase);
    },
    options.maxShrinkTries,
  );
  return {
    passed: false,
    seed: options.seed,
    numRuns: details.numRuns,
    numShrinks: reduced.steps,
    ...skipped,
    counterexample: reduced.kernelCase,
    verdict: reduced.verdict,
    firstCounterexample: first.kernelCase,
    firstVerdict: first.verdict,
  };
}
