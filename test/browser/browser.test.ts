/**
 * `npm test` runs the browser tests (test/browser/run.mjs: the differential suite, then the teaching
 * page of src/web against the CLI) when Chromium is installed.
 * Without Chromium it says so loudly and skips — unless TRILM_REQUIRE_BROWSER=1 (CI), where a
 * missing Chromium is a failure. The seed is FC_SEED when set (printed either way by the runner).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const chromiumPath = process.env.TRILM_CHROMIUM || "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
const required = process.env.TRILM_REQUIRE_BROWSER === "1";
const PAGE_TIMEOUT_S = 600;

if (!haveChromium) {
  const banner = "!".repeat(100);
  const message = required
    ? `BROWSER TESTS CANNOT RUN: ${chromiumPath} is missing and TRILM_REQUIRE_BROWSER=1 — install it with test/browser/install-chromium.sh`
    : `BROWSER TESTS SKIPPED: ${chromiumPath} is missing, so the gpu.js/tfjs WebGL and wasm ` +
      `backends and the teaching page (src/web) were NOT tested in a browser. Install it with ` +
      `test/browser/install-chromium.sh (set TRILM_REQUIRE_BROWSER=1 to make this a failure).`;
  process.stderr.write(`\n${banner}\n${message}\n${banner}\n\n`);
}

/** Run the runner; resolves with its exit code and output (forwarded line by line as it comes). */
function runRunner(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "run.mjs"), "--timeout", String(PAGE_TIMEOUT_S)], {
      cwd: join(here, "../.."),
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const forward = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      output += text;
      process.stdout.write(text);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

test.skipIf(!haveChromium && !required)(
  "browser: differential suite and teaching page in headless Chromium (WebGL + wasm)",
  async () => {
    if (!haveChromium)
      throw new Error(`TRILM_REQUIRE_BROWSER=1 but ${chromiumPath} is missing; run test/browser/install-chromium.sh`);
    const { code, output } = await runRunner();
    const closing = output
      .trim()
      .split("\n")
      .filter((l) => /^browser: \d+ passed, \d+ failed$/.test(l))
      .pop();
    if (code !== 0) {
      const tail = output.trim().split("\n").slice(-40).join("\n");
      throw new Error(`test/browser/run.mjs exited ${code} (${closing ?? "no closing line"}); last lines:\n${tail}`);
    }
    expect(closing).toMatch(/^browser: [1-9]\d* passed, 0 failed$/);
  },
  (2 * PAGE_TIMEOUT_S + 180) * 1000,
); // two phases, each under run.mjs's --timeout, plus builds and launch
