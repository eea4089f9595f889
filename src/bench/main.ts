/**
 * `npm run bench [-- options]`: runs src/bench/bench.ts's benchmarks (the same as `trilm bench`); the
 * options (src/bench/options.ts) select the parts, presets, backends and thread counts.
 */

import { InputError, UsageError } from "../errors.js";
import { runBench } from "./bench.js";
import { BENCH_USAGE, parseBenchArguments } from "./options.js";

try {
  const options = parseBenchArguments(process.argv.slice(2));
  if (options === "help") {
    console.log(BENCH_USAGE);
  } else {
    await runBench(options, {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
      errIsTerminal: process.stderr.isTTY === true,
    });
  }
} catch (error) {
  if (!(error instanceof UsageError || error instanceof InputError)) throw error;
  console.error(error.message);
  if (error instanceof UsageError) console.error(BENCH_USAGE);
  process.exitCode = 2;
}
