/**
 * Fuzzing the kernels of the BitNet linear-layer formats, hf-bitnet and w2a8 (spec/kernel-protocol.md §13.3, §14.4):
 * random cases (run r draws its case from seed + r) are judged until one fails; the failure is then shrunk greedily —
 * a smaller candidate is kept whenever it still fails: one token, halves of the outputs and inputs, whole rows of W
 * zeroed, then single weights, then activations.
 */

import { caseFailed, type CaseVerdict } from "./protocol.js";

/** What the fuzzer needs of a format: a random case per seed and the smaller cases to try from a failing one. */
export interface BitlinearFuzzFormat<C> {
  /** The case of run seed `seed`. */
  readonly randomCase: (seed: number) => C;
  /** Smaller or simpler cases, most promising first. */
  readonly shrinkCandidates: (kernelCase: C) => Iterable<C>;
}

/** What to fuzz and how long. */
export interface BitlinearFuzzOptions {
  /** Random cases to try before declaring success (default 100). */
  readonly runs?: number;
  /** The first run's seed; the same seed replays the same cases. */
  readonly seed: number;
  /** At most this many shrink tries (default 2000). */
  readonly maxShrinkTries?: number;
  /** Called before every case is judged. */
  readonly onProgress?: (progress: { readonly phase: "search" | "shrink"; readonly count: number }) => void;
}

/** The outcome of a fuzzing session. */
export interface BitlinearFuzzResult<C> {
  /** True when no run failed and the kernel took at least one. */
  readonly passed: boolean;
  readonly seed: number;
  /** Runs made before the first failure (or all of them). */
  readonly numRuns: number;
  /** Successful shrink steps. */
  readonly numShrinks: number;
  /** Runs the kernel declined as unsupported. */
  readonly numUnsupported: number;
  readonly unsupportedReason?: string;
  /** The minimal failing case and its verdict. */
  readonly counterexample?: C;
  readonly verdict?: CaseVerdict;
  /** The first failing case, before shrinking, and its verdict. */
  readonly firstCounterexample?: C;
  readonly firstVerdict?: CaseVerdict;
}

/** Fuzz `judge` on random cases of `format`, shrinking the first failure. */
export async function fuzzBitlinearCases<C>(
  format: BitlinearFuzzFormat<C>,
  judge: (kernelCase: C) => Promise<CaseVerdict>,
  options: BitlinearFuzzOptions,
): Promise<BitlinearFuzzResult<C>> {
  const runs = options.runs ?? 100;
  let numUnsupported = 0;
  let unsupportedReason: string | undefined;
  for (let run = 0; run < runs; run++) {
    options.onProgress?.({ phase: "search", count: run + 1 });
    const kernelCase = format.randomCase((options.seed + run) >>> 0);
    const verdict = await judge(kernelCase);
    if (verdict.unsupported === true) {
      numUnsupported++;
      unsupportedReason ??= verdict.reason;
      continue;
    }
    if (!caseFailed(verdict)) continue;
    const shrunk = await shrink(format, judge, kernelCase, verdict, options);
    return {
      passed: false,
      seed: options.seed,
      numRuns: run + 1,
      numShrinks: shrunk.steps,
      numUnsupported,
      ...(unsupportedReason === undefined ? {} : { unsupportedReason }),
      counterexample: shrunk.kernelCase,
      verdict: shrunk.verdict,
      firstCounterexample: kernelCase,
      firstVerdict: verdict,
    };
  }
  return {
    passed: numUnsupported < runs,
    seed: options.seed,
    numRuns: runs,
    numShrinks: 0,
    numUnsupported,
    ...(unsupportedReason === undefined ? {} : { unsupportedReason }),
  };
}

/** Greedy shrinking: take the first candidate that still fails, until none does or the tries run out. */
async function shrink<C>(
  format: BitlinearFuzzFormat<C>,
  judge: (kernelCase: C) => Promise<CaseVerdict>,
  kernelCase: C,
  verdict: CaseVerdict,
  options: BitlinearFuzzOptions,
): Promise<{ kernelCase: C; verdict: CaseVerdict; steps: number }> {
  const maxTries = options.maxShrinkTries ?? 2000;
  let current = { kernelCase, verdict };
  let steps = 0;
  let tries = 0;
  let improved = true;
  while (improved && tries < maxTries) {
    improved = false;
    for (const candidate of format.shrinkCandidates(current.kernelCase)) {
      if (tries >= maxTries) break;
      tries++;
      options.onProgress?.({ phase: "shrink", count: tries });
      const candidateVerdict = await judge(candidate);
      if (!caseFailed(candidateVerdict)) continue;
      current = { kernelCase: candidate, verdict: candidateVerdict };
      steps++;
      improved = true;
      break;
    }
  }
  return { ...current, steps };
}

/** Candidate rows (or tokens) to keep: each half of `count` items when count > `minimum`, then the first item alone. */
export function halves(count: number, step: number, minimum: number): number[][] {
  if (count <= minimum) return [];
  const half = Math.max(minimum, Math.floor(count / 2 / step) * step);
  const first = Array.from({ length: half }, (_, i) => i);
  const second = Array.from({ length: half }, (_, i) => count - half + i);
  return half < count ? [first, second] : [];
}

/**
 * The weight-zeroing shrink candidates of a case with ternary weights [n, k] (row-major): each row with a non-zero
 * weight zeroed (when more than one has any), then each non-zero weight zeroed (when there are 2 to 64).
 */
export function* zeroedWeightCandidates<C extends { readonly weights: Int8Array }>(
  kernelCase: C,
  n: number,
  k: number,
): Generator<C> {
  const nonZero = Array.from({ length: n }, (_, r) => r).filter((r) =>
    kernelCase.weights.subarray(r * k, (r + 1) * k).some((t) => t !== 0),
  );
  if (nonZero.length > 1)
    for (const r of nonZero) {
      const weights = kernelCase.weights.slice();
      weights.fill(0, r * k, (r + 1) * k);
      yield { ...kernelCase, weights };
    }
  const single = Array.from({ length: n * k }, (_, e) => e).filter((e) => kernelCase.weights[e] !== 0);
  if (single.length > 1 && single.length <= 64)
    for (const e of single) {
      const weights = kernelCase.weights.slice();
      weights[e] = 0;
      yield { ...kernelCase, weights };
    }
}
