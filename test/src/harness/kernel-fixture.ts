/**
 * Bundles test/src/harness/fixtures/node-kernel.ts into a temp dir so tests can run it as a kernel command.
 */

import { buildSync } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A bundled test kernel: `command(mode)` is the kernel command line; `dispose()` removes it. */
export interface TestKernel {
  readonly dir: string;
  command(mode: string): string;
  dispose(): void;
}

/** Bundle the test kernel test/src/harness/fixtures/<fixture> (default node-kernel.ts; a few hundred ms). */
export function bundleTestKernel(fixture = "node-kernel.ts"): TestKernel {
  const dir = mkdtempSync(join(tmpdir(), "trilm-kernel-"));
  const outfile = join(dir, "kernel.mjs");
  buildSync({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  return {
    dir,
    command: (mode) => `'${process.execPath}' '${outfile}' ${mode}`,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
