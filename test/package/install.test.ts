/**
 * The package as a user gets it: `npm pack`, then `npm install <tarball>` into an empty project
 * with production dependencies only (`--omit=dev --omit=optional`, so the accelerated backends'
 * optional packages are absent), and there: `npx trilm --version`, `trilm run` on the embedded
 * model, `trilm check` on the C example kernel, the one-line error of a backend whose package is
 * missing, every entry point of the public API imported and used from plain Node
 * (test/package/consumer.mjs) and type-checked from TypeScript. Needs the npm registry or npm's
 * cache (CI has just run `npm ci`, so `--prefer-offline` finds everything in the cache).
 */

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { evaluateSequence } from "../../reference/model/forward.js";
import { BACKEND_PACKAGES } from "../../src/backend/registry.js";
import { DEFAULT_PROMPT } from "../../src/model/default-prompt.js";
import { embeddedModelPath } from "../../src/model/embedded.js";
import { loadModel } from "../../src/model/load-model.js";
import { trilm } from "../src/cli/harness.js";
import { apiEntries, REPO_ROOT } from "./api-report.js";
import { HAS_CC } from "../support/toolchain.js";

/** Building, packing and installing take a while on 2 cores. */
const SETUP_TIMEOUT_MS = 600_000;
const TEST_TIMEOUT_MS = 180_000;

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, string | { types: string; import: string }>;
};

/** What `npm pack --json` says about the tarball. */
interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

/** A finished command: its status and output. */
interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `command args…` in `cwd` (no shell) and return status and output. */
function run(command: string, args: readonly string[], cwd: string): Run {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Run a command that must succeed; its stdout. */
function succeed(command: string, args: readonly string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} (in ${cwd}) exited ${result.status}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The lines of `trilm run`'s output that do not depend on where the model is or how fast it ran. */
function stableRunLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => !line.startsWith("model: ") && !/ ms\b/.test(line));
}

if (!HAS_CC) console.warn("\n*** test/package/install.test.ts: trilm check SKIPPED, no C compiler `cc` on PATH ***\n");

describe("the packed package, installed with production dependencies only", () => {
  let dir = "";
  let project = "";
  let packed: PackResult;
  const trilmInstalled = (...args: string[]): Run => run("npx", ["trilm", ...args], project);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-package-"));
    // Node resolves packages in every ancestor's node_modules: one there (e.g. a stray /tmp/node_modules) would let
    // the installed package find packages it must not see, and the missing-backend checks would test nothing.
    for (let at = dirname(dir); ; at = dirname(at)) {
      const stray = join(at, "node_modules");
      if (existsSync(stray) && existsSync(join(stray, "gpu.js"))) {
        throw new Error(`${stray} holds packages that the test's install in ${dir} would resolve: remove it`);
      }
      if (dirname(at) === at) break;
    }
    // `npm pack` would run `prepare` (the build) and mix its output into the JSON: build first, then pack without scripts.
    succeed("npm", ["run", "--silent", "build"], REPO_ROOT);
    const packOutput = succeed("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], REPO_ROOT);
    packed = (JSON.parse(packOutput) as PackResult[])[0];
    console.log(
      `trilm-oracle tarball: ${packed.filename}, ${(packed.size / 1e6).toFixed(2)} MB packed, ` +
        `${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${packed.entryCount} files`,
    );
    project = join(dir, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "project", private: true, type: "module" }));
    const install = ["install", "--omit=dev", "--omit=optional", "--prefer-offline", "--no-audit", "--no-fund"];
    succeed("npm", [...install, join(dir, packed.filename)], project);
  }, SETUP_TIMEOUT_MS);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  test("the tarball ships every entry point, the embedded model and the golden suites, and no sources or maps", () => {
    const paths = new Set(packed.files.map((f) => f.path));
    for (const target of Object.values(manifest.exports)) {
      for (const file of typeof target === "string" ? [target] : [target.types, target.import]) {
        expect(paths, file).toContain(file.slice(2));
      }
    }
    for (const file of [
      "dist/src/cli/main.js",
      "golden/models/trilm-tiny-tq2_0.gguf",
      "golden/schema/manifest.schema.json",
      "golden/suites/README.md",
      "spec/formats.md",
      "README.md",
    ]) {
      expect(paths, file).toContain(file);
    }
    const unwanted = [...paths].filter(
      (p) =>
        p.endsWith(".map") ||
        (p.endsWith(".ts") && !p.endsWith(".d.ts")) ||
        /^(dist\/src\/web|golden\/external|test|examples|node_modules)\//.test(p),
    );
    expect(unwanted).toEqual([]);
  });

  test("the runtime dependencies were installed and the optional ones were not", () => {
    const installed = (name: string): boolean => existsSync(join(project, "node_modules", name, "package.json"));
    expect(["commander", "fast-check"].filter(installed)).toEqual(["commander", "fast-check"]);
    const optional = [...new Set(Object.values(BACKEND_PACKAGES).flatMap((p) => Object.keys(p)))];
    expect(optional.filter(installed)).toEqual([]);
  });

  test(
    "npx trilm --version prints the package's version",
    () => {
      const result = trilmInstalled("--version");
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout.trim()).toBe(manifest.version);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "trilm run runs the embedded model as the sources do",
    async () => {
      const installed = trilmInstalled("run");
      expect(installed.stderr).toBe("");
      expect(installed.status).toBe(0);
      const fromSources = await trilm("run");
      expect(stableRunLines(installed.stdout)).toEqual(stableRunLines(fromSources.stdout));
      // the embedded model's vocabulary (GPT-NeoX cut to 512) turns the default prompt text into ids and generated ids into text
      expect(installed.stdout).toMatch(/^\s+0\s+48\s+\d+\s+-?\d+\.\d{4}\s+prompt\s+"O"$/m);
      expect(installed.stdout).toMatch(/^generated text: ".+"$/m);
      expect(installed.stdout).toContain(`model: embedded ${join(project, "node_modules", manifest.name, "golden")}`);
    },
    TEST_TIMEOUT_MS,
  );

  test.skipIf(!HAS_CC)(
    "trilm check passes the C example kernel",
    () => {
      const kernel = join(dir, "tq2_0_matmul");
      const source = join(REPO_ROOT, "examples/kernels/tq2_0_matmul.c");
      execFileSync("cc", ["-O2", "-Wall", "-Werror", "-o", kernel, source, "-lm"]);
      const result = trilmInstalled("check", "--kernel", kernel, "--op", "matmul", "--format", "tq2_0");
      expect(result.stderr).toBe("");
      expect(result.status, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/\b\d+ passed, 0 failed\b/);
    },
    TEST_TIMEOUT_MS,
  );

  test.each(Object.entries(BACKEND_PACKAGES))(
    "trilm run --backend %s without its optional package: one line, exit 2",
    (backend, packages) => {
      const result = trilmInstalled("run", "--backend", backend);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      const install = Object.entries(packages).map(([name, version]) => `${name}@${version}`);
      expect(result.stderr).toMatch(
        new RegExp(
          `^trilm: backend '${backend}' needs the package \\S+, an optional dependency of trilm-oracle that is not ` +
            `installed; install it with: npm install ${install.join(" ")}\\n$`,
        ),
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "every entry point imports and works from plain Node",
    () => {
      copyFileSync(join(REPO_ROOT, "test/package/consumer.mjs"), join(project, "consumer.mjs"));
      const out = JSON.parse(succeed(process.execPath, ["consumer.mjs"], project)) as Record<string, unknown>;
      const { config, weights } = loadModel(embeddedModelPath());
      const logits = evaluateSequence(config, weights, DEFAULT_PROMPT, { activations: "f32", kvCache: "f32" });
      const sha256 = (a: Float32Array): string => createHash("sha256").update(new Uint8Array(a.buffer)).digest("hex");
      const argmax = (a: Float32Array): number => a.indexOf(Math.max(...a));
      expect(out).toEqual({
        argmax: logits.map(argmax),
        logitsSha256: logits.map(sha256),
        backendNmse: 0,
        unavailable: {
          "packed-wasm": "created", // ships with trilm-oracle: dist/accelerated/packed-wasm/build/engine.wasm
          gpujs: "gpu.js",
          "tfjs-cpu": "@tensorflow/tfjs-core",
          "tfjs-wasm": "@tensorflow/tfjs-core",
        },
        tq2RoundTrip: true,
        ggufTensors: [3 + 9 * config.nLayers, 3 + 9 * config.nLayers],
        ggufRewriteIdentical: true,
        checkKernelPassed: true,
        rootExports: ["checkKernel", "dequantizeRow", "InputError", "UsageError"],
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    "every entry point type-checks from a TypeScript project (moduleResolution nodenext)",
    () => {
      const imports = apiEntries().map((entry, i) => `import * as entry${i} from "${entry.specifier}";`);
      const uses = apiEntries().map((_, i) => `entry${i}`);
      writeFileSync(
        join(project, "types.ts"),
        [
          ...imports,
          'import type { Backend } from "trilm-oracle/backends";',
          'import type { ForwardState } from "trilm-oracle/reference";',
          "export const all = [" + uses.join(", ") + "];",
          "export type Used = [Backend, ForwardState];",
          "",
        ].join("\n"),
      );
      const tsc = join(REPO_ROOT, "node_modules/typescript/bin/tsc");
      const options = ["--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext"];
      const types = ["--target", "es2022", "--typeRoots", join(REPO_ROOT, "node_modules/@types"), "--types", "node"];
      const result = run(process.execPath, [tsc, ...options, ...types, "types.ts"], project);
      expect(result.stdout + result.stderr).toBe("");
      expect(result.status).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
});
