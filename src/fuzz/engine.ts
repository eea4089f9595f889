/**
 * The fuzzing loop: for input k of a run seeded S, target k mod T gets a mutation drawn from
 * mulberry32(deriveSeed(S, "<target>/<k>")), so any single input can be replayed from (S, k).
 * Each input must end in the parser's typed error or a result that passes the target's check,
 * within the time limit and the allocation bound. Pure apart from the injected clock and memory gauge.
 */

import { deriveSeed } from "../random/index.js";
import { FuzzRng } from "./rng.js";
import type { FuzzTarget, FuzzTargetName } from "./targets.js";

/**
 * The allocation bound for a parse of a `size`-byte input (spec/gguf.md §9).
 *
 * Binary formats (GGUF, `.npy`): 8 × size + 1 MiB. Their parsers keep views into the input (no
 * copy), copy it at most once into a typed array (parseNpy's data), decode each string once (≤ 2
 * bytes of heap per byte) and check every count against the bytes left before allocating; so a
 * small multiple of the size covers any honest parse, while a count trusted from the file (2^32
 * elements of an 8-byte array) overshoots it by orders of magnitude.
 *
 * JSON formats (safetensors headers, manifests, case.json): 128 × size + 4 MiB. JSON.parse builds
 * a tree whose nodes take 16–64 bytes each for as little as 2 bytes of text (`1,`, `[`), and the
 * gauge also sees the parse's garbage (error messages, schema-walk paths) that no GC has collected
 * yet; measured growth reaches ~120 × size on degenerate texts. Still, it is linear in the text:
 * what it catches is allocation driven by a number in the file (a shape product, a claimed length).
 *
 * The constant absorbs fixed costs and noise (the gauge sees all heap growth, the harness's included).
 */
export function allocationBound(size: number, family: "binary" | "json" = "binary"): number {
  return family === "binary" ? 8 * size + 1024 * 1024 : 128 * size + 4 * 1024 * 1024;
}

/** Longest one input may take, in milliseconds. */
export const TIME_LIMIT_MS = 2000;

/** How an input went wrong. */
export interface FuzzFailure {
  readonly target: FuzzTargetName;
  /** The run seed and input index that replay it. */
  readonly seed: number;
  readonly index: number;
  readonly size: number;
  readonly description: string;
  readonly problem: string;
}

/** Per-parser tallies. */
export interface TargetCounts {
  inputs: number;
  accepted: number;
  rejected: number;
  failed: number;
}

/** What a run did. */
export interface FuzzReport {
  readonly seed: number;
  readonly inputs: number;
  readonly elapsedMs: number;
  readonly counts: Readonly<Record<string, TargetCounts>>;
  readonly failures: readonly FuzzFailure[];
  /** The slowest input, in ms. */
  readonly slowestMs: number;
}

/** Options of a run. */
export interface FuzzRunOptions {
  readonly seed: number;
  /** Inputs to try in all (spread round-robin over the targets). */
  readonly runs: number;
  /** Milliseconds clock (performance.now). */
  readonly now: () => number;
  /** Bytes of heap + array buffers in use, or undefined to skip the allocation check. */
  readonly memory?: () => number;
  /** Stop early after this many ms (the inputs tried so far are reported). */
  readonly budgetMs?: number;
  /** Called after each input. */
  readonly onProgress?: (done: number, failures: number) => void;
  /** Only these targets, by index k as for the full list (to replay one input). */
  readonly only?: (k: number) => boolean;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message.slice(0, 300)}`;
  return `non-Error thrown: ${String(error).slice(0, 300)}`;
}

/** Try one input `k` of the run; return its problem, or undefined when it passed, plus accept/time. */
export function tryInput(
  target: FuzzTarget,
  seed: number,
  k: number,
  options: Pick<FuzzRunOptions, "now" | "memory">,
): { problem?: string; accepted: boolean; ms: number; size: number; description: string } {
  const rng = new FuzzRng(deriveSeed(seed, `${target.name}/${k}`));
  const input = target.mutate(rng);
  const size = input.bytes.length;
  const before = options.memory?.() ?? 0;
  const start = options.now();
  let result: unknown;
  let thrown: unknown;
  let threw = false;
  try {
    result = target.parse(input.bytes);
  } catch (error) {
    thrown = error;
    threw = true;
  }
  const ms = options.now() - start;
  const grown = options.memory === undefined ? 0 : options.memory() - before;
  let problem: string | undefined;
  if (threw && !target.isTypedError(thrown)) problem = `leaked ${describe(thrown)}`;
  else if (ms > TIME_LIMIT_MS) problem = `took ${ms.toFixed(0)} ms (limit ${TIME_LIMIT_MS})`;
  else if (grown > allocationBound(size, target.family))
    problem = `memory grew ${grown} bytes, more than the ${target.family} bound ${allocationBound(size, target.family)} for ${size} bytes`;
  else if (!threw && target.checkAccepted !== undefined) problem = target.checkAccepted(result, input.bytes);
  result = undefined;
  return { ...(problem === undefined ? {} : { problem }), accepted: !threw, ms, size, description: input.description };
}

/** Run `options.runs` inputs over `targets`, round-robin. */
export function runFuzz(targets: readonly FuzzTarget[], options: FuzzRunOptions): FuzzReport {
  const counts: Record<string, TargetCounts> = {};
  for (const t of targets) counts[t.name] = { inputs: 0, accepted: 0, rejected: 0, failed: 0 };
  const failures: FuzzFailure[] = [];
  const start = options.now();
  let slowestMs = 0;
  let done = 0;
  for (let k = 0; k < options.runs; k++) {
    if (options.budgetMs !== undefined && options.now() - start > options.budgetMs) break;
    if (options.only !== undefined && !options.only(k)) continue;
    const target = targets[k % targets.length];
    const outcome = tryInput(target, options.seed, k, options);
    const c = counts[target.name];
    c.inputs++;
    if (outcome.accepted) c.accepted++;
    else c.rejected++;
    slowestMs = Math.max(slowestMs, outcome.ms);
    if (outcome.problem !== undefined) {
      c.failed++;
      failures.push({
        target: target.name,
        seed: options.seed,
        index: k,
        size: outcome.size,
        description: outcome.description,
        problem: outcome.problem,
      });
    }
    done++;
    options.onProgress?.(done, failures.length);
  }
  return { seed: options.seed, inputs: done, elapsedMs: options.now() - start, counts, failures, slowestMs };
}
