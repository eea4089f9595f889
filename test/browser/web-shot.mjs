#!/usr/bin/env node
/**
 * Development aid: build and serve the page, open one route in headless Chromium, wait until its
 * view is ready, optionally run a few clicks, and save a full-page screenshot.
 *
 *   node test/browser/web-shot.mjs <route> <out.png> [--wait MS] [--click SELECTOR]... [--hover SELECTOR]
 *
 * e.g. node test/browser/web-shot.mjs '#explorer' /tmp/explorer.png --click '#explorer-random' --hover '[data-element="64"]'
 * The page's console is printed, prefixed with "page |".
 */
import { buildAndServeWeb } from "./web-build.mjs";
import { launchChromium } from "./chromium.mjs";

const argv = process.argv.slice(2);
const [route, out] = argv;
if (!route || !out) {
  process.stderr.write(
    "usage: node test/browser/web-shot.mjs <route> <out.png> [--wait MS] [--click SELECTOR]... [--hover SELECTOR]\n",
  );
  process.exit(2);
}
const actions = [];
let waitMs = 0;
for (let i = 2; i < argv.length; i++) {
  if (argv[i] === "--wait") waitMs = Number(argv[++i]);
  else if (argv[i] === "--click" || argv[i] === "--hover") actions.push([argv[i].slice(2), argv[++i]]);
  else {
    process.stderr.write(`web-shot: unknown argument ${argv[i]}\n`);
    process.exit(2);
  }
}
const web = await buildAndServeWeb({ log: (l) => console.log(l) });
const browser = await launchChromium({ executablePath: process.env.TRILM_CHROMIUM || "/usr/bin/chromium" });
try {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on("console", (m) => console.log(`page | ${m.type() === "log" ? "" : m.type() + ": "}${m.text()}`));
  page.on("pageerror", (e) => console.log(`page | PAGE-ERROR ${e.stack ?? e.message}`));
  await page.goto(`${web.url}${route}`, { waitUntil: "load" });
  const view = route.replace(/^#/, "").split("/")[0] || "explorer";
  await page.waitForSelector(`#view-${view}[data-ready="true"], #view-${view}[data-ready="error"]`, {
    timeout: 60_000,
  });
  for (const [kind, selector] of actions) {
    if (kind === "click") await page.click(selector, { timeout: 30_000 });
    else await page.hover(selector, { timeout: 30_000 });
  }
  if (waitMs > 0) await page.waitForTimeout(waitMs);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`web-shot: wrote ${out}`);
} finally {
  await browser.close();
  await web.close();
}
