/**
 * Launching Debian's Chromium for the browser tests: headless, WebGL through ANGLE + SwiftShader
 * when there is no GPU (no --disable-gpu), a fresh profile directory, none of Chromium's
 * background networking. Shared by run.mjs (the differential suite and the web page tests) and
 * web-shot.mjs (screenshots while developing the page).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

/** The Chromium switches every browser test uses. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--use-gl=angle",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
  "--ignore-gpu-blocklist",
  "--enable-webgl",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-quic",
  "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider",
];

/**
 * Launch Chromium with a fresh profile; resolves with { context, userDataDir, close() }. close()
 * closes the context (bounded to 10 s), kills any Chromium process still naming the profile
 * directory, and removes it.
 * @param {{ executablePath: string, extraArgs?: string[], viewport?: { width: number, height: number }, log?: (line: string) => void }} options
 */
export async function launchChromium({
  executablePath,
  extraArgs = [],
  viewport = { width: 1400, height: 1000 },
  log = () => {},
}) {
  const userDataDir = mkdtempSync(join(tmpdir(), "trilm-chromium-profile-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
    viewport,
    timeout: 60_000,
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  let closing = null;
  const close = () =>
    (closing ??= (async () => {
      await Promise.race([context.close().catch(() => {}), new Promise((r) => setTimeout(r, 10_000).unref())]);
      const killed = killProcessesNaming(userDataDir);
      if (killed > 0) log(`browser: killed ${killed} leftover Chromium process(es)`);
      rmSync(userDataDir, { recursive: true, force: true });
    })());
  return { context, userDataDir, close };
}

/** SIGKILL every process whose command line contains `marker` (our profile dir); returns how many. */
function killProcessesNaming(marker) {
  let pids = [];
  try {
    pids = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
        } catch {
          return false;
        }
      });
  } catch {
    return 0; // no /proc: rely on playwright's own exit handler
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  return pids.length;
}
