#!/usr/bin/env node
/**
 * The browser tests, in Debian's Chromium (headless, WebGL through ANGLE + SwiftShader when there is
 * no GPU) driven by playwright-core, in two phases:
 *   differential  build the differential page (test/browser/build.mjs), serve it on 127.0.0.1 with
 *                 COOP/COEP (test/browser/server.mjs), run the backend-agnostic differential suite on
 *                 gpu.js (WebGL), tfjs-webgl and tfjs-wasm, then the packed-wasm engine on the 99m preset (on the
 *                 page's main thread, and in the runner's engine worker on 1 and N threads) against the reference
 *                 backend (bit for bit, tokens per second), streaming the page's log to stdout;
 *   web           build the teaching page (src/web) with Vite and serve it as `npm run web` does
 *                 (web-build.mjs), then click through it (web-tests.mjs) against the `trilm` CLI
 *                 (cli-bundle.mjs), saving a screenshot per view in test/browser/screenshots/.
 * Closes with `browser: N passed, N failed`. Exits 1 on any failure, when WebGL was not actually used
 * (gpu.js not in webgl/webgl2 mode, or tfjs not on its webgl backend), or when a wait times out;
 * 2 on bad arguments or when Chromium is missing.
 *
 *   node test/browser/run.mjs [--seed N] [--num-runs N] [--timeout SECONDS] [--chromium PATH] [--only a,b] [--phase P]
 *
 * --seed      seed of the differential suite and the smoke inputs (default: FC_SEED, else random)
 * --num-runs  runs per property of the differential suite (default: FC_NUM_RUNS, else 20)
 * --timeout   limit for the whole page run in the browser, seconds (default 600)
 * --chromium  the Chromium binary (default: TRILM_CHROMIUM, else /usr/bin/chromium)
 * --only      debug aid: only these checks (smoke-gpujs, gpujs-resident, smoke-tfjs-webgl, smoke-tfjs-wasm, gpujs,
 *             tfjs-webgl, tfjs-wasm, packed-wasm-99m); the WebGL-used check still applies
 * --phase     differential, web, or all (default)
 * --chromium-arg  one more Chromium switch (repeatable), e.g. --chromium-arg=--disable-webgl to see
 *             the WebGL-used check fail
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildPage, repoRoot } from "./build.mjs";
import { launchChromium } from "./chromium.mjs";
import { bundleCli } from "./cli-bundle.mjs";
import { startServer } from "./server.mjs";
import { buildAndServeWeb } from "./web-build.mjs";
import { runWebTests } from "./web-tests.mjs";

const t0 = Date.now();
const say = (line) => process.stdout.write(`${line}\n`);
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function usage(message) {
  process.stderr.write(
    `test/browser/run.mjs: ${message}\nusage: node test/browser/run.mjs [--seed N] [--num-runs N] ` +
      `[--timeout SECONDS] [--chromium PATH] [--only a,b] [--phase differential|web|all] [--chromium-arg ARG]\n`,
  );
  process.exit(2);
}

function intOption(name, raw) {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isSafeInteger(value))
    usage(`${name} needs an integer, got ${raw === undefined ? "nothing" : JSON.stringify(raw)}`);
  return value;
}

// --- arguments ---
const options = {
  seed: process.env.FC_SEED ? intOption("FC_SEED", process.env.FC_SEED) : Math.floor(Math.random() * 0x1_0000_0000) | 0,
  numRuns: process.env.FC_NUM_RUNS ? intOption("FC_NUM_RUNS", process.env.FC_NUM_RUNS) : 20,
  timeoutS: 600,
  chromiumPath: process.env.TRILM_CHROMIUM || "/usr/bin/chromium",
  only: "",
  phase: "all",
  extraArgs: [],
};
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes("=") ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--seed":
        options.seed = intOption("--seed", value()) | 0;
        break;
      case "--num-runs":
        options.numRuns = intOption("--num-runs", value());
        break;
      case "--timeout":
        options.timeoutS = intOption("--timeout", value());
        break;
      case "--chromium":
        options.chromiumPath = value() ?? usage("--chromium needs a path");
        break;
      case "--only":
        options.only = value() ?? "";
        break;
      case "--phase":
        options.phase = value() ?? usage("--phase needs a value");
        break;
      case "--chromium-arg":
        options.extraArgs.push(value() ?? usage("--chromium-arg needs a value"));
        break;
      case "-h":
      case "--help":
        say(readFileSync(new URL(import.meta.url), "utf8").split("*/")[0]);
        process.exit(0);
        break;
      default:
        usage(`unknown argument ${argv[i]}`);
    }
  }
  if (options.numRuns < 1 || options.timeoutS < 1) usage("--num-runs and --timeout must be positive");
  if (!["all", "differential", "web"].includes(options.phase))
    usage(`--phase must be differential, web or all, got ${JSON.stringify(options.phase)}`);
}

if (!existsSync(options.chromiumPath)) {
  say(`browser: Chromium not found at ${options.chromiumPath} (install it: test/browser/install-chromium.sh)`);
  say("browser: 0 passed, 1 failed");
  process.exit(2);
}

say(
  `browser: seed=${options.seed} numRuns=${options.numRuns} (replay: node test/browser/run.mjs --seed ${options.seed} --num-runs ${options.numRuns})`,
);

// --- cleanup, bounded, on every way out ---
let browser = null;
let server = null;
let web = null;
let cli = null;
let pageDir = null;
let cleaning = null;

function cleanup() {
  cleaning ??= (async () => {
    await browser?.close();
    await Promise.race([server?.close(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await Promise.race([web?.close(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    cli?.close();
    if (pageDir !== null) rmSync(pageDir, { recursive: true, force: true });
  })();
  return cleaning;
}

async function finish(code, passed, failed) {
  await cleanup();
  say(`browser: seed=${options.seed} (${elapsed()})`);
  say(`browser: ${passed} passed, ${failed} failed`);
  process.exit(code);
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    say(`browser: ${signal}, stopping`);
    void finish(1, 0, 1);
  });
}

/** Reject after ms with a message naming what timed out. */
function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
    }),
  ]);
}

/** Phase "differential": the backend-agnostic suite in its own page; returns { passed, failed }. */
async function runDifferentialPhase() {
  // 1. Build.
  const built = await withTimeout(buildPage(), 120_000, "esbuild bundle");
  pageDir = built.outDir;
  say(`browser: built page in ${built.ms} ms (${built.outDir})`);
  for (const note of built.stubbed) say(`browser: stubbed for the browser (empty module): ${note}`);
  for (const [what, path] of Object.entries(built.found))
    say(`browser: module ${what}: ${path ?? "(not present: skipped)"}`);

  // 2. Serve.
  server = await startServer({
    pageDir: built.outDir,
    wasmDir: join(repoRoot, "node_modules/@tensorflow/tfjs-backend-wasm/dist"),
    goldenDir: join(repoRoot, "golden/models"),
    log: say,
  });
  say(`browser: serving ${server.url}`);

  // 3. Run the page; stream its console.
  const page = await browser.context.newPage();
  let resolveResult;
  const resultPromise = new Promise((r) => (resolveResult = r));
  let resolveStarted;
  const startedPromise = new Promise((r) => (resolveStarted = r));
  page.on("console", (msg) => {
    const text = msg.text();
    if (text.startsWith("page: seed=")) resolveStarted();
    if (text.startsWith("TRILM_RESULT ")) {
      try {
        resolveResult(JSON.parse(text.slice("TRILM_RESULT ".length)));
      } catch (e) {
        resolveResult({ fatal: `unreadable TRILM_RESULT line: ${e}` });
      }
      return;
    }
    for (const line of text.split("\n")) say(`  page | ${msg.type() === "log" ? "" : `${msg.type()}: `}${line}`);
  });
  page.on("pageerror", (e) => say(`  page | PAGE-ERROR ${e.stack ?? e.message}`));
  page.on("crash", () => resolveResult({ fatal: "the page crashed" }));
  page.on("requestfailed", (r) => say(`  page | request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  const query = new URLSearchParams({
    seed: String(options.seed),
    numRuns: String(options.numRuns),
    only: options.only,
  });
  await page.goto(`${server.url}?${query}`, { waitUntil: "load", timeout: 30_000 });
  await withTimeout(
    Promise.race([startedPromise, resultPromise]),
    60_000,
    "the page's first log line (the bundle did not start)",
  );
  const result = await withTimeout(
    resultPromise,
    options.timeoutS * 1000,
    `the page run (--timeout ${options.timeoutS})`,
  );
  await page.close();

  // 4. Judge.
  if (result.fatal) {
    say(`browser: FATAL in page: ${result.fatal}`);
    return { passed: result.passed ?? 0, failed: (result.failed ?? 0) + 1 };
  }
  let { passed, failed } = result;
  say(`browser: WebGL renderer: ${result.renderer ?? "(none)"}`);
  say(`browser: WebGL version: ${result.webglVersion ?? "(none)"}`);
  say(`browser: gpu.js mode: ${result.gpujsMode ?? "(did not run)"}`);
  say(`browser: tfjs backends that ran: ${result.tfjsBackends.length ? result.tfjsBackends.join(", ") : "(none)"}`);
  say(`browser: crossOriginIsolated: ${result.crossOriginIsolated}`);
  for (const line of result.skipped) say(`browser: !!! ${line}`);
  if (!result.webglUsed) {
    failed++;
    say("browser: FAIL WebGL was not actually used (need gpu.js mode webgl/webgl2 and tfjs backend webgl)");
  }
  if (passed === 0 && failed === 0) {
    failed++;
    say("browser: FAIL nothing ran");
  }
  for (const f of result.failures) say(`browser: failure: ${f}`);
  return { passed, failed };
}

/** Phase "web": the teaching page, as `npm run web` serves it, against the CLI; returns { passed, failed }. */
async function runWebPhase() {
  cli = await withTimeout(bundleCli(), 60_000, "bundling the trilm CLI");
  web = await withTimeout(buildAndServeWeb({ log: say }), 120_000, "vite build of src/web");
  const page = await browser.context.newPage();
  page.on("pageerror", (e) => say(`  web page | PAGE-ERROR ${e.stack ?? e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") say(`  web page | ${m.type()}: ${m.text()}`);
  });
  page.on("requestfailed", (r) => say(`  web page | request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  const result = await withTimeout(
    runWebTests({
      page,
      url: web.url,
      cli: cli.cli,
      mulberry32: cli.mulberry32,
      tolerances: cli.tolerances,
      trirun: cli.trirun,
      trirunFragment: cli.trirunFragment,
      seed: options.seed,
      log: say,
    }),
    options.timeoutS * 1000,
    `the web page tests (--timeout ${options.timeoutS})`,
  );
  await page.close();
  say(
    `browser: web page WebGL renderer: ${result.renderer ?? "(none)"}; gpu.js mode: ${result.gpujsMode ?? "(did not run)"}`,
  );
  say(`browser: screenshots: ${result.screenshots.map((p) => p.slice(repoRoot.length + 1)).join(", ")}`);
  for (const f of result.failures) say(`browser: failure: ${f}`);
  return { passed: result.passed, failed: result.failed };
}

try {
  browser = await launchChromium({ executablePath: options.chromiumPath, extraArgs: options.extraArgs, log: say });
  say(
    `browser: launched ${options.chromiumPath} ${browser.context.browser()?.version() ?? "(version unknown)"} in ${elapsed()}`,
  );
  let passed = 0;
  let failed = 0;
  for (const [phase, run] of [
    ["differential", runDifferentialPhase],
    ["web", runWebPhase],
  ]) {
    if (options.phase !== "all" && options.phase !== phase) continue;
    say(`browser: --- phase ${phase} ---`);
    const counts = await run();
    say(`browser: phase ${phase}: ${counts.passed} passed, ${counts.failed} failed`);
    passed += counts.passed;
    failed += counts.failed;
  }
  await finish(failed === 0 ? 0 : 1, passed, failed);
} catch (e) {
  say(`browser: ERROR ${e instanceof Error ? (e.stack ?? e.message) : e}`);
  await finish(1, 0, 1);
}
