/**
 * `trilm bench [--json]`: the benchmarks of `npm run bench` (src/bench/bench.ts) — codec throughput,
 * the 4096 × 4096 TQ2_0 matmul on every backend, and prefill/decode of the `tiny` and `99m` presets
 * on every backend, each with its speed-up over the reference.
 */

import type { Command } from "commander";
import { runBench } from "../../bench/bench.js";
import type { CliIo } from "../cli-io.js";
import { isTerminal } from "./run.js";

const EXAMPLES = `Examples:
  $ trilm bench
  $ trilm bench --json > bench.json
      an array of {"name","backend","shape","ms_median","ms_min","runs"} records`;

/** Register `bench` on the program. */
export function registerBench(program: Command, io: CliIo): void {
  program
    .command("bench")
    .summary("time the codecs, the ternary matmul and the forward pass on every backend")
    .description(
      "Time encode/decode of TQ1_0, TQ2_0 and Q8_K, y = x·Wᵀ for a 4096×4096 TQ2_0 matrix (batch 1 and 16), and " +
        "prefill/decode of random TriLMs of the tiny and 99m presets, on the reference and on every accelerated " +
        "backend (gpujs, tfjs-cpu, tfjs-wasm), with the speed-up over the reference. Takes a few minutes on 2 cores.",
    )
    .option(
      "--json",
      "print one JSON array of {name, backend, shape, ms_median, ms_min, runs} records instead of tables",
    )
    .addHelpText("after", `\n${EXAMPLES}`)
    .action(async (options: { json?: boolean }) =>
      runBench(
        { json: options.json === true },
        {
          out: (text) => io.stdout.write(text),
          err: (text) => io.stderr.write(text),
          errIsTerminal: isTerminal(io.stderr),
        },
      ),
    );
}
