/**
 * A seeded, replayable wrapper around fast-check for the property tests.
 *
 *   checkProperty("tq2 decode∘encode is the identity", fc.property(arb, (x) => { ... }), { numRuns: 100 });
 *
 * - The seed comes from the environment variable FC_SEED when it is set (an integer), otherwise a
 *   fresh random 32-bit seed is drawn for this run.
 * - Every run prints `[fast-check] <name> seed=<seed>` to stdout, so a failure seen in a CI log can
 *   be replayed even when the failure message itself was cut.
 * - On failure the error thrown carries the seed, the fast-check path, the shrunk counterexample,
 *   the original error, and the replay line `FC_SEED=<seed> npx vitest run <file>`.
 * - FC_NUM_RUNS (an integer), when set, overrides every property's numRuns (for a deep soak run).
 * - FC_PATH, when set together with FC_SEED, replays exactly the shrunk counterexample at that path.
 * - Unless FC_NUM_RUNS is set, a run (generation and shrinking together) is cut off after 10 s and
 *   then counts as a failure, so a slow shrink cannot stall the suite.
 */
import fc from "fast-check";
import { relative } from "node:path";
import { expect } from "vitest";

/** fast-check run parameters a caller may set; seed and path are owned by the wrapper. */
export type PropertyParams<Ts> = Omit<fc.Parameters<Ts>, "seed" | "path">;

/** Parse an integer environment variable; undefined when unset or empty, an error when malformed. */
function integerFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name}=${raw} is not an integer`);
  return value;
}

/** The seed for this run: FC_SEED, or a fresh random signed 32-bit integer. */
export function propertySeed(): number {
  return integerFromEnv("FC_SEED") ?? Math.floor(Math.random() * 0x1_0000_0000) | 0;
}

/** The test file currently running, relative to the working directory (for the replay line). */
function currentTestFile(): string {
  const testPath = expect.getState().testPath;
  return testPath === undefined ? "<test file>" : relative(process.cwd(), testPath);
}

/** The fast-check parameters of a run: the caller's, the seed, and the FC_NUM_RUNS / FC_PATH overrides. */
function runParameters<Ts>(name: string, params: PropertyParams<Ts>): fc.Parameters<Ts> {
  const seed = propertySeed();
  const numRunsOverride = integerFromEnv("FC_NUM_RUNS");
  const replayPath = process.env.FC_SEED !== undefined ? process.env.FC_PATH : undefined;
  process.stdout.write(`[fast-check] ${name} seed=${seed}\n`);
  return {
    // A guard, far above any normal run in this suite: a failing property on 256-element inputs can
    // shrink for minutes; stop after 10 s and report the smallest counterexample found so far as a
    // failure. Soak runs (FC_NUM_RUNS set) are not cut off.
    ...(numRunsOverride === undefined ? { interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true } : {}),
    ...params,
    seed,
    ...(numRunsOverride !== undefined ? { numRuns: numRunsOverride } : {}),
    ...(replayPath !== undefined && replayPath !== "" ? { path: replayPath } : {}),
  };
}

/** Throw the replayable failure report of a failed run; return when it passed. */
function reportFailure<Ts>(name: string, details: fc.RunDetails<Ts>): void {
  if (!details.failed) return;
  const file = currentTestFile();
  const lines = [
    `Property "${name}" failed after ${details.numRuns} run(s) and ${details.numShrinks} shrink(s).`,
    `  seed: ${details.seed}`,
    `  path: ${details.counterexamplePath ?? "(none)"}`,
    `  counterexample: ${details.counterexample === null ? "(none)" : fc.stringify(details.counterexample)}`,
    `  error: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
    `  replay: FC_SEED=${details.seed} npx vitest run ${file}`,
    `  replay this counterexample only: FC_SEED=${details.seed} FC_PATH="${details.counterexamplePath ?? ""}" npx vitest run ${file}`,
  ];
  if (details.interrupted) lines.push("  (the run was interrupted before it finished)");
  throw new Error(lines.join("\n"), { cause: details.errorInstance });
}

/**
 * Run a synchronous fast-check property with a printed, replayable seed; throws an Error whose
 * message says how to reproduce the failure (seed, path, counterexample, replay command).
 */
export function checkProperty<Ts>(name: string, property: fc.IProperty<Ts>, params: PropertyParams<Ts> = {}): void {
  reportFailure(name, fc.check(property, runParameters(name, params)));
}

/** checkProperty for an asynchronous property (fc.asyncProperty): same seed, overrides and failure report. */
export async function checkAsyncProperty<Ts>(
  name: string,
  property: fc.IAsyncProperty<Ts>,
  params: PropertyParams<Ts> = {},
): Promise<void> {
  reportFailure(name, await fc.check(property, runParameters(name, params)));
}
