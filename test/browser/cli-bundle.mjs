/**
 * The `trilm` command line, bundled fresh from src/cli/main.ts with esbuild (packages stay external,
 * except their package.json files, which Node's ESM loader would refuse without an import attribute),
 * so the browser tests compare the page with the CLI of the current sources rather than with a
 * possibly stale dist/. The bundle sits in test/tmp-browser-cli-<pid>/ (gitignored) so that the
 * CLI finds the repository's package.json and golden/models/ two levels up, as from src/cli/.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { repoRoot } from "./build.mjs";

/** Bare imports (packages) stay external, except JSON files of packages (gpu.js/package.json), which are inlined. */
const packagesExternalExceptJson = {
  name: "packages-external-except-json",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.endsWith(".json") ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * Bundle the CLI (and src/random's mulberry32, which the tests draw their inputs with, and
 * reference/tolerances, whose NMSE and argmax rule judge the runner's logits, and reference/codec's trirun.ts and
 * trirun-fragment.ts, which place TriRun elements); resolves with
 * { cli(args) → stdout, mulberry32, tolerances, trirun, trirunFragment, close() }. cli throws with the CLI's stderr on a non-zero exit.
 */
export async function bundleCli() {
  const dir = join(repoRoot, "test", `tmp-browser-cli-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, "main.mjs");
  await build({
    entryPoints: {
      main: join(repoRoot, "src/cli/main.ts"),
      mulberry32: join(repoRoot, "src/random/mulberry32.ts"),
      tolerances: join(repoRoot, "reference/tolerances/index.ts"),
      trirun: join(repoRoot, "reference/codec/trirun.ts"),
      trirunFragment: join(repoRoot, "reference/codec/trirun-fragment.ts"),
    },
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    plugins: [packagesExternalExceptJson],
    outdir: dir,
    logLevel: "warning",
  });
  const { mulberry32 } = await import(pathToFileURL(join(dir, "mulberry32.mjs")).href);
  const tolerances = await import(pathToFileURL(join(dir, "tolerances.mjs")).href);
  const trirun = await import(pathToFileURL(join(dir, "trirun.mjs")).href);
  const trirunFragment = await import(pathToFileURL(join(dir, "trirunFragment.mjs")).href);
  return {
    mulberry32,
    tolerances,
    trirun,
    trirunFragment,
    cli(args) {
      try {
        return execFileSync(process.execPath, [outfile, ...args], {
          cwd: repoRoot,
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
          maxBuffer: 64 << 20,
        });
      } catch (e) {
        const stderr = e && typeof e === "object" && "stderr" in e ? String(e.stderr).trim() : "";
        throw new Error(`trilm ${args.join(" ")} failed: ${stderr || e}`);
      }
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
