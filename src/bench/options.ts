/**
 * The command line of `npm run bench`: which parts run (codecs, matvec, models), on which presets
 * and backends, with which packed-wasm thread counts, models read from a folder of GGUF files or
 * built in memory, and the memory bandwidth the bound is computed with. Pure: no Node APIs.
 */

import { NODE_BACKEND_NAMES, type NodeBackendName } from "../backend/registry.js";
import { UsageError } from "../errors.js";

/** The parts of the benchmark, in the order they run. */
export const BENCH_PARTS = ["codecs", "matvec", "models"] as const;

/** One part of the benchmark. */
export type BenchPart = (typeof BENCH_PARTS)[number];

/** The presets the model part can measure, smallest first. */
export const BENCH_PRESETS = ["tiny", "99m", "1.1b", "3.9b"] as const;

/** A preset the model part can measure. */
export type BenchPreset = (typeof BENCH_PRESETS)[number];

/** packed-wasm's thread counts when --threads is not given. */
export const DEFAULT_BENCH_THREADS: readonly number[] = [1, 2];

/** What `npm run bench` runs and how it reports. */
export interface BenchOptions {
  /** One JSON array of records instead of tables. */
  readonly json: boolean;
  /** The parts to run, in BENCH_PARTS order. */
  readonly parts: readonly BenchPart[];
  /** The model presets, in BENCH_PRESETS order. */
  readonly presets: readonly BenchPreset[];
  /** Whether the presets were named on the command line (then the large ones are built in memory without --model-dir). */
  readonly presetsChosen: boolean;
  /** The compute backends, in NODE_BACKEND_NAMES order (the codec part always runs the reference codecs). */
  readonly backends: readonly NodeBackendName[];
  /** Whether the backends were named on the command line (then cases skipped only for time run anyway). */
  readonly backendsChosen: boolean;
  /** packed-wasm's thread counts, ascending, each measured as its own backend. */
  readonly threads: readonly number[];
  /** A folder holding `trilm-<preset>-tq2_0.gguf` files to read instead of building the models in memory. */
  readonly modelDir?: string;
  /** Memory bandwidth in GB/s (10^9 bytes) for the decode bound; measured by a copy loop when absent. */
  readonly bandwidthGbs?: number;
}

/** The usage line of `npm run bench`. */
export const BENCH_USAGE =
  "usage: npm run bench [-- [--json] [--only codecs,matvec,models] [--presets tiny,99m,1.1b,3.9b] " +
  `[--backends ${NODE_BACKEND_NAMES.join(",")}] [--threads 1,2] [--model-dir DIR] [--bandwidth-gbs N]]`;

/** The comma-separated values of `option`, each one of `allowed`, in `allowed`'s order; UsageError otherwise. */
function chooseFrom<T extends string>(option: string, text: string, allowed: readonly T[]): T[] {
  const named = text.split(",").map((item) => item.trim());
  for (const item of named) {
    if (!(allowed as readonly string[]).includes(item))
      throw new UsageError(`bench: ${option} '${item}' is not one of ${allowed.join(", ")}`);
  }
  return allowed.filter((item) => named.includes(item));
}

/** Comma-separated whole thread counts 1..64, ascending and distinct; UsageError otherwise. */
function parseThreads(text: string): number[] {
  const counts = text.split(",").map((item) => {
    const count = Number(item.trim());
    if (!/^\d+$/.test(item.trim()) || count < 1 || count > 64)
      throw new UsageError(`bench: --threads '${item}' is not a whole number from 1 to 64`);
    return count;
  });
  return [...new Set(counts)].sort((a, b) => a - b);
}

/** A positive finite number of GB/s; UsageError otherwise. */
function parseBandwidth(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`bench: --bandwidth-gbs '${text}' is not a positive number`);
  return value;
}

/**
 * Parse the arguments after `npm run bench --`. Every option takes its value as the next argument or
 * after `=`; lists are comma-separated. Returns "help" for --help/-h; UsageError (one line) for an
 * unknown option, a missing value or a value not allowed.
 */
export function parseBenchArguments(args: readonly string[]): BenchOptions | "help" {
  let options: {
    -readonly [K in keyof BenchOptions]: BenchOptions[K];
  } = {
    json: false,
    parts: BENCH_PARTS,
    presets: BENCH_PRESETS,
    presetsChosen: false,
    backends: NODE_BACKEND_NAMES,
    backendsChosen: false,
    threads: DEFAULT_BENCH_THREADS,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--json") {
      options.json = true;
      continue;
    }
    const equals = arg.indexOf("=");
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const valueOf = (): string => {
      if (equals > 0) return arg.slice(equals + 1);
      const next = args[++i];
      if (next === undefined) throw new UsageError(`bench: ${name} needs a value`);
      return next;
    };
    switch (name) {
      case "--only":
        options = { ...options, parts: chooseFrom(name, valueOf(), BENCH_PARTS) };
        break;
      case "--presets":
        options = { ...options, presets: chooseFrom(name, valueOf(), BENCH_PRESETS), presetsChosen: true };
        break;
      case "--backends":
        options = { ...options, backends: chooseFrom(name, valueOf(), NODE_BACKEND_NAMES), backendsChosen: true };
        break;
      case "--threads":
        options = { ...options, threads: parseThreads(valueOf()) };
        break;
      case "--model-dir":
        options = { ...options, modelDir: valueOf() };
        break;
      case "--bandwidth-gbs":
        options = { ...options, bandwidthGbs: parseBandwidth(valueOf()) };
        break;
      default:
        throw new UsageError(`bench: unknown argument '${arg}'`);
    }
  }
  return options;
}
