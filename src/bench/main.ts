/**
 * `npm run bench [-- --json]`: runs src/bench/bench.ts's benchmarks (the same as `trilm bench`).
 */

import { runBench } from "./bench.js";

const USAGE = "usage: npm run bench [-- --json]";

/** Whether to print JSON; exits with status 2 on an unknown argument. */
function parseArguments(args: readonly string[]): { json: boolean } {
  for (const arg of args) {
    if (arg === "--help" || arg === "-h") {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg !== "--json") {
      console.error(`bench: unknown argument '${arg}'\n${USAGE}`);
      process.exit(2);
    }
  }
  return { json: args.includes("--json") };
}

await runBench(parseArguments(process.argv.slice(2)), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTerminal: process.stderr.isTTY === true,
});
