/**
 * Long fuzzing campaigns over every parser: `npm run fuzz -- --runs N [--seed S]`.
 * Prints progress on a TTY (stderr), per-parser counts, each failure with the seed and index that
 * replay it, the inputs tried and the run time; exits 1 on any failure. See spec/gguf.md §9.
 */

import { runFuzz, type FuzzReport } from "./engine.js";
import { loadSeeds } from "./node-seeds.js";
import { fuzzTargets } from "./targets.js";

interface Args {
  runs: number;
  seed: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 20000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 0x100000000) >>> 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === "--runs" || flag === "--seed") && value !== undefined && /^\d+$/.test(value)) {
      if (flag === "--runs") args.runs = Number(value);
      else args.seed = Number(value) >>> 0;
      i++;
    } else {
      process.stderr.write(`usage: fuzz [--runs N] [--seed S]  (bad argument '${flag}')\n`);
      process.exit(2);
    }
  }
  return args;
}

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function print(report: FuzzReport): void {
  const lines = [
    `seed ${report.seed}: ${report.inputs} inputs in ${(report.elapsedMs / 1000).toFixed(1)} s (slowest ${report.slowestMs.toFixed(1)} ms)`,
  ];
  for (const [name, c] of Object.entries(report.counts)) {
    lines.push(
      `  ${name.padEnd(12)} ${String(c.inputs).padStart(7)} inputs  ` +
        `${String(c.accepted).padStart(6)} accepted  ${String(c.rejected).padStart(7)} rejected  ${c.failed} failed`,
    );
  }
  for (const f of report.failures.slice(0, 50)) {
    lines.push(`FAIL ${f.target} seed ${f.seed} index ${f.index} (${f.size} bytes, ${f.description}): ${f.problem}`);
  }
  if (report.failures.length > 50) lines.push(`… and ${report.failures.length - 50} more failures`);
  lines.push(report.failures.length === 0 ? "no failures" : `${report.failures.length} failures`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const targets = fuzzTargets(loadSeeds());
  const tty = process.stderr.isTTY;
  let lastShown = 0;
  const report = runFuzz(targets, {
    seed: args.seed,
    runs: args.runs,
    now: () => performance.now(),
    memory,
    onProgress: (done, failures) => {
      if (!tty || (done !== args.runs && performance.now() - lastShown < 200)) return;
      lastShown = performance.now();
      process.stderr.write(`\r${done}/${args.runs} inputs, ${failures} failures`);
      if (done === args.runs) process.stderr.write("\n");
    },
  });
  print(report);
  process.exitCode = report.failures.length === 0 ? 0 : 1;
}

main();
