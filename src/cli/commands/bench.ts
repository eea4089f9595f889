/**
 * `trilm bench [--json] [--only …] [--presets …] [--backends …] [--threads …] [--model-dir DIR] [--bandwidth-gbs N]`:
 * the benchmarks of `npm run bench` (src/bench/bench.ts) — codec throughput, the 4096 × 4096 TQ2_0 and TQ1_0 matmul
 * on every backend, and prefill/decode of the `tiny`, `99m`, `1.1b` and `3.9b` presets on every backend, each with its
 * speed-up over the reference and over packed-wasm on one thread. The options are src/bench/options.ts's.
 */

import type { Command } from "commander";
import { runBench } from "../../bench/bench.js";
import { parseBenchArguments } from "../../bench/options.js";
import type { CliIo } from "../cli-io.js";
import { isTerminal } from "./run.js";

const EXAMPLES = `Examples:
  $ trilm bench
  $ trilm bench --json > bench.json
      an array of {"name","backend","shape","ms_median","ms_min","runs"} records
  $ trilm bench --only models --presets 99m,3.9b --backends reference,packed-wasm --model-dir /tmp/models
      the model part only, reading (or first writing) /tmp/models/trilm-<preset>-tq2_0.gguf`;

/** The options `trilm bench` takes, as commander gives them (src/bench/options.ts parses their values). */
interface BenchCommandOptions {
  readonly json?: boolean;
  readonly only?: string;
  readonly presets?: string;
  readonly backends?: string;
  readonly threads?: string;
  readonly modelDir?: string;
  readonly bandwidthGbs?: string;
}

/** The `npm run bench` arguments that say the same as `options`. */
function benchArguments(options: BenchCommandOptions): string[] {
  const valued: Array<readonly [string, string | undefined]> = [
    ["--only", options.only],
    ["--presets", options.presets],
    ["--backends", options.backends],
    ["--threads", options.threads],
    ["--model-dir", options.modelDir],
    ["--bandwidth-gbs", options.bandwidthGbs],
  ];
  return [
    ...(options.json === true ? ["--json"] : []),
    ...valued.flatMap(([name, value]) => (value === undefined ? [] : [name, value])),
  ];
}

/** Register `bench` on the program. */
export function registerBench(program: Command, io: CliIo): void {
  program
    .command("bench")
    .summary("time the codecs, the ternary matmul and the forward pass on every backend")
    .description(
      "Time encode/decode of TQ1_0, TQ2_0 and Q8_K, y = x·Wᵀ for a 4096×4096 TQ2_0 and TQ1_0 matrix (batch 1 and " +
        "16, f32 and ggml-matmul), and prefill/decode of random TriLMs of the tiny, 99m, 1.1b and 3.9b presets, on " +
        "the reference and on every accelerated backend (packed-wasm per thread count, gpujs, tfjs-cpu, tfjs-wasm), " +
        "with the speed-up over the reference and over packed-wasm on one thread, and the memory-bandwidth bound of " +
        "decoding. Cases a backend cannot hold print why they are skipped. Under 15 minutes on 2 cores.",
    )
    .option(
      "--json",
      "print one JSON array of {name, backend, shape, ms_median, ms_min, runs} records instead of tables",
    )
    .option("--only <parts>", "comma-separated parts to run: codecs, matvec, models (default: all)")
    .option("--presets <names>", "comma-separated model presets: tiny, 99m, 1.1b, 3.9b (default: all)")
    .option("--backends <names>", "comma-separated compute backends (default: all; named ones also run the slow cases)")
    .option("--threads <counts>", "comma-separated packed-wasm thread counts (default: 1,2)")
    .option("--model-dir <dir>", "read trilm-<preset>-tq2_0.gguf from DIR (written there first if missing)")
    .option("--bandwidth-gbs <n>", "memory bandwidth in GB/s for the decode bound (default: a measured JS copy)")
    .addHelpText("after", `\n${EXAMPLES}`)
    .action(async (options: BenchCommandOptions) => {
      const parsed = parseBenchArguments(benchArguments(options));
      if (parsed === "help") return;
      await runBench(parsed, {
        out: (text) => io.stdout.write(text),
        err: (text) => io.stderr.write(text),
        errIsTerminal: isTerminal(io.stderr),
      });
    });
}
