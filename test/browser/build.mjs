#!/usr/bin/env node
/**
 * Build the browser test page: an esbuild bundle of test/browser/page/page.ts plus a generated
 * entry that imports whichever project modules exist right now:
 *   accelerated/gpujs/index.ts        createGpujsBackend()
 *   accelerated/tfjs/index.ts         createTfjsBackend("cpu" | "wasm" | "webgl")
 *   src/backend/reference-backend.ts  createReferenceBackend()
 *   test/differential/**.ts           runDifferentialSuite(candidate, reference, { seed, numRuns, log })
 * A module that is absent is passed as null (the page says so loudly); a module that exists but
 * does not bundle for the browser fails the build. The packed-wasm engine's module
 * (accelerated/packed-wasm/build/engine.wasm) is copied beside the bundle, and the runner's engine worker
 * (src/web/runner/engine-worker.ts) is bundled beside it as engine-worker.js.
 *
 *   node test/browser/build.mjs [outDir]      (default: a fresh temporary directory)
 */
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The first of `candidates` (repo-relative) that exists, or null. */
function firstExisting(candidates) {
  for (const c of candidates) if (existsSync(join(repoRoot, c))) return c;
  return null;
}

/** All .ts files under dir (repo-relative), test files excluded. */
function tsFilesUnder(dir) {
  const abs = join(repoRoot, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts"))
        out.push(relative(repoRoot, p));
    }
  };
  walk(abs);
  return out;
}

/** The file of test/differential that exports runDifferentialSuite (index.ts preferred), or null. */
function findDifferential() {
  const files = tsFilesUnder("test/differential");
  const exporting = files.filter((f) =>
    /export\s+(async\s+)?function\s+runDifferentialSuite\b|export\s+(const|let)\s+runDifferentialSuite\b|export\s*\{[^}]*\brunDifferentialSuite\b/.test(
      readFileSync(join(repoRoot, f), "utf8"),
    ),
  );
  const preferred =
    exporting.find((f) => /\/index\.ts$/.test(f)) ?? exporting.find((f) => /suite/i.test(f)) ?? exporting[0];
  return preferred ?? null;
}

/** Which project modules exist now (repo-relative paths or null). */
export function discoverModules() {
  return {
    gpujs: firstExisting(["accelerated/gpujs/index.ts"]),
    tfjs: firstExisting(["accelerated/tfjs/index.ts"]),
    reference: firstExisting(["src/backend/reference-backend.ts"]),
    // TRILM_BROWSER_DIFFERENTIAL: another module exporting runDifferentialSuite (to try the wiring)
    differential: process.env.TRILM_BROWSER_DIFFERENTIAL
      ? resolve(process.env.TRILM_BROWSER_DIFFERENTIAL)
      : findDifferential(),
  };
}

/** The generated entry: loaders for what exists, then runPage, then one TRILM_RESULT line. */
function entrySource(found) {
  const loader = (key) =>
    found[key] === null
      ? "null"
      : `() => import(${JSON.stringify(found[key].startsWith("/") ? found[key] : "./" + found[key])})`;
  return `
import { runPage } from "./test/browser/page/page.ts";
const modules = {
  gpujs: ${loader("gpujs")},
  tfjs: ${loader("tfjs")},
  reference: ${loader("reference")},
  differential: ${loader("differential")},
  found: ${JSON.stringify(found)},
};
window.addEventListener("error", (e) => console.log("PAGE-ERROR " + (e.error && e.error.stack ? e.error.stack : e.message)));
window.addEventListener("unhandledrejection", (e) =>
  console.log("PAGE-UNHANDLED-REJECTION " + (e.reason && e.reason.stack ? e.reason.stack : String(e.reason))),
);
runPage(modules).then(
  (result) => { window.__trilmResult = result; console.log("TRILM_RESULT " + JSON.stringify(result)); },
  (error) => {
    const r = { fatal: String(error && error.stack ? error.stack : error) };
    window.__trilmResult = r;
    console.log("TRILM_RESULT " + JSON.stringify(r));
  },
);
`;
}

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>trilm-oracle browser differential tests</title></head>
<body><pre id="log"></pre><script type="module" src="/bundle.js"></script></body></html>
`;

/**
 * Node built-ins imported by the project's sources (e.g. accelerated/tfjs/node-wasm-paths.ts, loaded
 * only behind an `isNode` check) become an empty module in the browser: a browser path that really
 * used one fails at run time (undefined is not a function), which fails the page. Each is logged.
 */
function nodeBuiltinStubs(notes) {
  return {
    name: "node-builtin-stubs",
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => {
        notes.push(`${args.path} (imported by ${relative(repoRoot, args.importer)})`);
        return { path: args.path, namespace: "node-builtin-stub" };
      });
      b.onLoad({ filter: /.*/, namespace: "node-builtin-stub" }, () => ({
        contents: "module.exports = {};",
        loader: "js",
      }));
    },
  };
}

/** Bundle the page into outDir (created when absent); returns { outDir, found, ms }. */
export async function buildPage(outDir = mkdtempSync(join(tmpdir(), "trilm-browser-page-"))) {
  const t0 = Date.now();
  const found = discoverModules();
  const stubbed = [];
  await build({
    plugins: [nodeBuiltinStubs(stubbed)],
    stdin: {
      contents: entrySource(found),
      resolveDir: repoRoot,
      sourcefile: "browser-entry.generated.js",
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(outDir, "bundle.js"),
    sourcemap: "inline",
    logLevel: "warning",
    // The sources use NodeNext ".js" specifiers for ".ts" files; esbuild maps them itself.
    define: { "process.env.NODE_ENV": '"production"' },
  });
  // The runner's engine worker (src/web/runner/engine-worker.ts: the packed-wasm session in a module Web Worker), which
  // the page starts as /engine-worker.js; the Vite build of src/web bundles it from its `new Worker(new URL(…))`.
  await build({
    plugins: [nodeBuiltinStubs(stubbed)],
    entryPoints: [join(repoRoot, "src/web/runner/engine-worker.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(outDir, "engine-worker.js"),
    sourcemap: "inline",
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  writeFileSync(join(outDir, "index.html"), INDEX_HTML);
  // The packed-wasm engine's module (npm run build:wasm), fetched by the page as /engine.wasm; absent: the page's
  // packed-wasm check fails with a line naming the command.
  const engineWasm = join(repoRoot, "accelerated/packed-wasm/build/engine.wasm");
  if (existsSync(engineWasm)) copyFileSync(engineWasm, join(outDir, "engine.wasm"));
  return { outDir, found, stubbed: [...new Set(stubbed)], ms: Date.now() - t0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : undefined;
  const { outDir: dir, found, ms } = await buildPage(outDir);
  console.log(`built ${join(dir, "bundle.js")} in ${ms} ms; modules: ${JSON.stringify(found)}`);
}
