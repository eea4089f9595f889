/**
 * Greedy shrinking of a failing kernel case, shared by the whole-matrix formats' fuzzers (src/harness/i2s-fuzz.ts,
 * src/harness/trirun-fuzz.ts): a smaller candidate is kept whenever the judge still finds it failing, within a budget
 * of tries.
 */

import { caseFailed, type CaseVerdict } from "./protocol.js";

/** Greedy shrinking state: the current failure and the budget left. */
export interface Shrinker<C, V extends CaseVerdict> {
  /** The smallest failing case found so far and its verdict. */
  current: { kernelCase: C; verdict: V };
  /** Successful shrink steps. */
  steps: number;
  /** Judge calls left. */
  triesLeft: number;
  /** Judges a candidate. */
  readonly judge: (kernelCase: C) => Promise<V>;
  /** Candidates this rejects are skipped without a try (default: none are). */
  readonly admissible?: (kernelCase: C) => boolean;
}

/** Judge `candidate`; keep it when it still fails. */
export async function tryCandidate<C, V extends CaseVerdict>(shrinker: Shrinker<C, V>, candidate: C): Promise<boolean> {
  if (shrinker.triesLeft <= 0 || (shrinker.admissible !== undefined && !shrinker.admissible(candidate))) return false;
  shrinker.triesLeft--;
  const verdict = await shrinker.judge(candidate);
  if (!caseFailed(verdict)) return false;
  shrinker.current = { kernelCase: candidate, verdict };
  shrinker.steps++;
  return true;
}

/**
 * Simplify the groups of `items` (each a list of indices) by `apply`, in chunks halving from half of them down
 * to one group (as delta debugging does): a chunk whose simplification still fails is kept simplified.
 */
export async function simplifyChunks<C, V extends CaseVerdict>(
  shrinker: Shrinker<C, V>,
  items: readonly (readonly number[])[],
  apply: (kernelCase: C, indices: readonly number[]) => C,
): Promise<boolean> {
  let remaining = [...items];
  let progressed = false;
  for (let size = Math.ceil(remaining.length / 2); size >= 1 && remaining.length > 0; size = Math.floor(size / 2)) {
    for (let start = 0; start < remaining.length;) {
      const chunk = remaining.slice(start, start + size);
      if (await tryCandidate(shrinker, apply(shrinker.current.kernelCase, chunk.flat()))) {
        remaining = [...remaining.slice(0, start), ...remaining.slice(start + size)];
        progressed = true;
      } else start += size;
    }
    if (size === 1) break;
  }
  return progressed;
}

/** simplifyChunks over single indices: each of `indices` a group of its own. */
export function simplifyEach<C, V extends CaseVerdict>(
  shrinker: Shrinker<C, V>,
  indices: readonly number[],
  apply: (kernelCase: C, indices: readonly number[]) => C,
): Promise<boolean> {
  return simplifyChunks(
    shrinker,
    indices.map((i) => [i]),
    apply,
  );
}

/**
 * Take the first still-failing candidate of `candidates(current)`, again and again, until none fails; true when any
 * was taken.
 */
export async function shrinkStructurally<C, V extends CaseVerdict>(
  shrinker: Shrinker<C, V>,
  candidates: (kernelCase: C) => Iterable<C>,
): Promise<boolean> {
  let progressed = false;
  for (let again = true; again;) {
    again = false;
    for (const candidate of candidates(shrinker.current.kernelCase)) {
      if (await tryCandidate(shrinker, candidate)) {
        again = progressed = true;
        break;
      }
    }
  }
  return progressed;
}

/** Repeat `pass` (true when it made progress) until it makes none or the tries run out. */
export async function shrinkGreedily<C, V extends CaseVerdict>(
  failure: { kernelCase: C; verdict: V },
  judge: (kernelCase: C) => Promise<V>,
  maxTries: number,
  pass: (shrinker: Shrinker<C, V>) => Promise<boolean>,
  admissible?: (kernelCase: C) => boolean,
): Promise<{ kernelCase: C; verdict: V; steps: number }> {
  const shrinker: Shrinker<C, V> = {
    current: failure,
    steps: 0,
    triesLeft: maxTries,
    judge,
    ...(admissible === undefined ? {} : { admissible }),
  };
  while (shrinker.triesLeft > 0 && (await pass(shrinker)));
  return { ...shrinker.current, steps: shrinker.steps };
}
