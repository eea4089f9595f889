/**
 * The teaching page's tests in a real browser (M6). Driven by run.mjs after the differential page:
 * the page is the one `npm run web` serves (Vite build + `vite preview`, web-build.mjs), and every
 * expected value comes from the `trilm` command line (src/cli, bundled fresh by cli-bundle.mjs) or
 * from the formulas of spec/formats.md, never from the page itself.
 *
 *   explorer  typed values and the random block → the bytes shown equal `trilm encode`'s, the decoded
 *             values shown equal `trilm decode`'s; hovering an element highlights the byte/bits that
 *             spec/formats.md §4.2/§5.2 assign it; edited bytes (TQ2_0 code 3, TQ1_0 alias) are decoded
 *             as `trilm decode` does and flagged with the severity `trilm decode --validate` reports
 *   runner    the embedded model on reference, packed-wasm, gpu.js (WebGL), tfjs-webgl and tfjs-wasm: the page's
 *             reference logits equal `trilm run --logits`'s bit for bit, every backend is within
 *             spec/tolerances.md §9.1 (NMSE ≤ 1e-6, argmax rule); gpu.js really ran WebGL kernels;
 *             a dropped GGUF (llama.cpp's tiny-tq1_0.gguf, ggml mode) equals `trilm run` on it; a bad
 *             file gives a one-line error naming it; a random 99m model made in the page runs on the
 *             packed-wasm engine within the run's criterion, with tokens per second logged
 *   golden    suites listed = golden/suites; a suite's cases and a case's flags/result = its manifest;
 *             the case's files verified by sha256 in the page
 *   trirun    clicking an element of a TriRun tile shows the word, crumb, lane, register and half that
 *             reference/codec gives, and the word `trilm explain trirun` prints (web-trirun-tests.mjs)
 *   rosetta   clicking an element, or a field of any layout, selects it in every layout at the byte and
 *             code `trilm explain rosetta` prints (web-rosetta-tests.mjs)
 *   spec      a spec link in the explorer opens that section of the spec reader
 * Each view is saved as a screenshot in test/browser/screenshots/.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./build.mjs";
import { runRosettaWebTests } from "./web-rosetta-tests.mjs";
import { runTrirunWebTests } from "./web-trirun-tests.mjs";

/** Where the screenshots go (gitignored). */
export const SCREENSHOT_DIR = join(repoRoot, "test/browser/screenshots");

const EMBEDDED_MODEL = join(repoRoot, "golden/models/trilm-tiny-tq2_0.gguf");
const DROPPED_MODEL = join(repoRoot, "golden/external/llama/tiny-tq1_0.gguf");
const RUN_TIMEOUT_MS = 8 * 60_000;

// ---------------------------------------------------------------------------------------------
// Independent helpers (Node side)

/** The shortest decimal text that parses back to the float32 x (NaN, ±Infinity as words). */
function float32Text(x) {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Math.fround(Number(text)) === x) return text;
  }
  throw new Error(`no 9-digit text for ${x}`);
}

/** Test blocks: each 256 float32 values and a name. Ties, signed zeros, odd scales, NaN. */
function explorerBlocks(seed, mulberry32) {
  const random = mulberry32(seed);
  const blocks = [];
  const make = (name, f) => blocks.push({ name, values: Float32Array.from({ length: 256 }, (_, i) => f(i)) });
  make("seeded normal-ish", () => Math.fround((random() - 0.5) * 4 * random()));
  // ties: x·(1/amax) lands on ±0.5 exactly for amax = 2 (lroundf rounds half away from zero, §2.4)
  make("ties at ±0.5·amax", (i) => (i === 7 ? 2 : [1, -1, 0.5, -0.5, 0, -0][i % 6]));
  make("ternary ±0.0371 with −0", (i) => (i === 0 ? 0.0371 : [0.0371, -0.0371, 0, -0][Math.floor(random() * 4)]));
  make("subnormal fp16 scale (amax 1e-5)", () => Math.fround((random() * 2 - 1) * 1e-5));
  make("infinite fp16 scale (amax ≥ 65520)", (i) => (i === 3 ? 70000 : Math.fround((random() * 2 - 1) * 50000)));
  make("one NaN element (index 100)", (i) => (i === 100 ? NaN : Math.fround((random() * 2 - 1) * 0.5)));
  return blocks;
}

/** Lowercase hex of bytes. */
const hex = (bytes) => Buffer.from(bytes).toString("hex");

/** The float32 data of a little-endian float32 .npy (v1–v3), as a Float32Array copy. */
function readNpyFloat32(path) {
  const bytes = readFileSync(path);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLength;
  const header = bytes.subarray(major === 1 ? 10 : 12, start).toString("latin1");
  if (!header.includes("'<f4'")) throw new Error(`${path}: not a float32 .npy (${header.trim()})`);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
}

/** float32 bit patterns as 8-digit hex each (NaN payloads kept). */
function f32BitsHex(values) {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length), (b) =>
    b.toString(16).padStart(8, "0"),
  ).join("");
}

/** Compare two float32 bit-hex strings: equal, except that any NaN equals any NaN. Returns the first differing index or -1. */
function firstBitsDifference(a, b) {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length / 8; i++) {
    const x = a.slice(8 * i, 8 * i + 8);
    const y = b.slice(8 * i, 8 * i + 8);
    if (x === y) continue;
    const isNan = (h) => (parseInt(h, 16) & 0x7f800000) === 0x7f800000 && (parseInt(h, 16) & 0x7fffff) !== 0;
    if (isNan(x) && isNan(y)) continue;
    return i;
  }
  return -1;
}

/**
 * Argmax agreement per spec/tolerances.md §9.1, by reference/tolerances' rule: one line per position
 * where the candidate's argmax differs beyond a near tie.
 */
function argmaxProblems(tolerances, candidate, reference, tau) {
  const problems = [];
  for (let p = 0; p < reference.length; p++) {
    if (tolerances.argmaxAgreement(candidate[p], reference[p], tau) === "disagree")
      problems.push(
        `position ${p}: argmax ${tolerances.argmaxOf(candidate[p])} vs reference ${tolerances.argmaxOf(reference[p])}`,
      );
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The tests

/**
 * Run the page tests. `page` is a playwright Page on a fresh context, `url` the served page,
 * `cli(args)` runs the bundled trilm CLI and returns stdout, `mulberry32` is src/random's generator
 * (the test's inputs are drawn with it), `tolerances` is reference/tolerances (NMSE, the argmax
 * rule), `trirun` and `trirunFragment` are reference/codec/trirun.ts and trirun-fragment.ts, all bundled with
 * the CLI. Resolves with { passed, failed, failures, renderer, gpujsMode, screenshots }.
 */
export async function runWebTests({ page, url, cli, mulberry32, tolerances, trirun, trirunFragment, seed, log }) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "trilm-web-test-"));
  const result = { passed: 0, failed: 0, failures: [], renderer: null, gpujsMode: null, screenshots: [] };
  const check = (name, ok, detail = "") => {
    if (ok) result.passed++;
    else {
      result.failed++;
      result.failures.push(`${name}${detail ? `: ${detail}` : ""}`);
    }
    log(`web: ${ok ? "ok  " : "FAIL"} ${name}${!ok && detail ? ` — ${detail}` : ""}`);
  };
  const shoot = async (name) => {
    const path = join(SCREENSHOT_DIR, `${name}.png`);
    // a sticky header would be painted where the viewport was scrolled to, mid-page
    await page.addStyleTag({ content: ".site-header { position: static !important; }" });
    await page.screenshot({ path, fullPage: true });
    result.screenshots.push(path);
    log(`web: screenshot ${path}`);
  };
  /** Run one named step; an exception fails it (with its message) and the run goes on. */
  const step = async (name, f) => {
    try {
      await f();
    } catch (e) {
      check(name, false, e instanceof Error ? e.message.split("\n")[0] : String(e));
    }
  };
  const open = async (route, view) => {
    await page.goto(`${url}${route}`, { waitUntil: "load" });
    await page.waitForSelector(`#view-${view}[data-ready="true"]`, { timeout: 60_000 });
  };
  const attr = (selector, name) => page.getAttribute(selector, name, { timeout: 30_000 });
  const cliEncode = (format, values) => {
    const input = join(work, "in.f32");
    const output = join(work, `out.${format}`);
    writeFileSync(input, Buffer.from(values.buffer, values.byteOffset, values.byteLength));
    cli(["encode", format, input, output]);
    return readFileSync(output);
  };
  const cliDecode = (format, bytes) => {
    const input = join(work, `block.${format}`);
    const output = join(work, "decoded.npy");
    writeFileSync(input, bytes);
    rmSync(output, { force: true });
    const report = cli(["decode", format, input, output, "--validate"]);
    return { bits: f32BitsHex(readNpyFloat32(output)), report };
  };

  try {
    // --- explorer: typed values ---
    await open("#explorer", "explorer");
    await page.waitForSelector("#explorer-bytes-tq2_0[data-hex]", { timeout: 30_000 });
    for (const block of explorerBlocks(seed, mulberry32)) {
      await step(`explorer: ${block.name}`, async () => {
        const text = Array.from(block.values, float32Text).join(" ");
        await page.fill("#explorer-values", text);
        await page.click("#explorer-encode");
        const error = (await page.textContent("#explorer-error")) ?? "";
        if (error.trim() !== "") throw new Error(`the page refused the values: ${error.trim()}`);
        for (const format of ["tq2_0", "tq1_0"]) {
          const expected = cliEncode(format, block.values);
          const shown = await attr(`#explorer-bytes-${format}`, "data-hex");
          check(
            `explorer: ${block.name}: ${format} bytes = trilm encode`,
            shown === hex(expected),
            `page ${shown?.slice(0, 40)}… cli ${hex(expected).slice(0, 40)}…`,
          );
          const decoded = await attr(`#explorer-decoded-${format}`, "data-f32-bits");
          const diff = firstBitsDifference(decoded ?? "", cliDecode(format, expected).bits);
          check(
            `explorer: ${block.name}: ${format} decoded = trilm decode`,
            diff === -1,
            `first difference at element ${diff}`,
          );
        }
        const scaleBits = await attr("#explorer-scale", "data-fp16-bits");
        const expected = cliEncode("tq2_0", block.values);
        check(
          `explorer: ${block.name}: fp16 scale bits`,
          scaleBits === hex([expected[65], expected[64]]),
          `page ${scaleBits}, cli ${hex([expected[65], expected[64]])}`,
        );
      });
    }

    // --- explorer: the random block button ---
    await step("explorer: random block", async () => {
      await page.fill("#explorer-seed", String(seed >>> 0));
      await page.click("#explorer-random");
      await page.waitForFunction(() => (document.querySelector("#explorer-error")?.textContent ?? "").trim() === "");
      const text = await page.inputValue("#explorer-values");
      const tokens = text.split(/[\s,]+/).filter((t) => t !== "");
      check("explorer: random block has 256 values", tokens.length === 256, `${tokens.length} values`);
      const values = Float32Array.from(tokens, (t) => Math.fround(Number(t)));
      for (const format of ["tq2_0", "tq1_0"]) {
        const shown = await attr(`#explorer-bytes-${format}`, "data-hex");
        check(
          `explorer: random block (seed ${seed >>> 0}): ${format} bytes = trilm encode of the values shown`,
          shown === hex(cliEncode(format, values)),
        );
      }
    });

    // --- explorer: hover linking, positions from spec/formats.md §4.2 and §5.2 ---
    const random = mulberry32(seed ^ 0x5eed);
    const elements = [0, 64, 200, 250, ...Array.from({ length: 4 }, () => Math.floor(random() * 256))];
    for (const e of elements) {
      await step(`explorer: hover element ${e}`, async () => {
        await page.hover(`#explorer-elements [data-element="${e}"]`);
        const lit = await page.$$eval(".hl[data-format]", (nodes) =>
          nodes.map((n) => ({
            format: n.getAttribute("data-format"),
            byte: n.getAttribute("data-byte"),
            shift: n.getAttribute("data-shift"),
            trit: n.getAttribute("data-trit"),
            element: n.getAttribute("data-element"),
          })),
        );
        const tq2 = lit.filter((n) => n.format === "tq2_0" && n.element === String(e) && n.shift !== null);
        const tq1 = lit.filter((n) => n.format === "tq1_0" && n.element === String(e) && n.trit !== null);
        const byte2 = Math.floor(e / 128) * 32 + (e % 32); // §4.2
        const shift2 = 2 * Math.floor((e % 128) / 32);
        const [byte1, trit1] =
          e < 160
            ? [e % 32, Math.floor(e / 32)]
            : e < 240
              ? [32 + ((e - 160) % 16), Math.floor((e - 160) / 16)]
              : [48 + ((e - 240) % 4), Math.floor((e - 240) / 4)]; // §5.2
        check(
          `explorer: hover element ${e} lights TQ2_0 byte ${byte2} bits ${shift2 + 1}:${shift2}`,
          tq2.length === 1 && tq2[0].byte === String(byte2) && tq2[0].shift === String(shift2),
          JSON.stringify(tq2),
        );
        check(
          `explorer: hover element ${e} lights TQ1_0 byte ${byte1} trit ${trit1}`,
          tq1.length === 1 && tq1[0].byte === String(byte1) && tq1[0].trit === String(trit1),
          JSON.stringify(tq1),
        );
      });
    }
    await step("explorer: hover a byte lights its elements", async () => {
      await page.hover('[data-format="tq2_0"][data-byte-cell="33"]');
      const lit = await page.$$eval("#explorer-elements .hl[data-element]", (nodes) =>
        nodes.map((n) => Number(n.getAttribute("data-element"))).sort((a, b) => a - b),
      );
      check(
        "explorer: hover TQ2_0 byte 33 lights elements 129, 161, 193, 225 (§4.2)",
        JSON.stringify(lit) === JSON.stringify([129, 161, 193, 225]),
        JSON.stringify(lit),
      );
    });
    await page.hover(`#explorer-elements [data-element="64"]`);
    await shoot("explorer");

    // --- explorer: edited bytes ---
    const edits = [
      { format: "tq2_0", byte: 5, value: 0xff, severity: "invalid", why: "code 3 (§4.5)" },
      { format: "tq1_0", byte: 0, value: 0x01, severity: "non-canonical", why: "alias byte 1 (§5.6)" },
      { format: "tq1_0", byte: 49, value: 0x02, severity: "non-canonical", why: "qh byte with a 5th trit (§5.6)" },
    ];
    for (const edit of edits) {
      await step(`explorer: edit ${edit.format} byte ${edit.byte}`, async () => {
        await page.click("#explorer-encode");
        const bytes = Buffer.from((await attr(`#explorer-bytes-${edit.format}`, "data-hex")) ?? "", "hex");
        bytes[edit.byte] = edit.value;
        await page.fill(
          `#explorer-hex-${edit.format}`,
          Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" "),
        );
        await page.click(`#explorer-apply-${edit.format}`);
        const shown = await attr(`#explorer-bytes-${edit.format}`, "data-hex");
        check(`explorer: edited ${edit.format} bytes are kept as typed, not re-encoded`, shown === hex(bytes));
        const { bits, report } = cliDecode(edit.format, bytes);
        const diff = firstBitsDifference((await attr(`#explorer-decoded-${edit.format}`, "data-f32-bits")) ?? "", bits);
        check(`explorer: ${edit.why}: decoded = trilm decode`, diff === -1, `first difference at element ${diff}`);
        const severities = await page.$$eval(`#explorer-findings-${edit.format} li`, (nodes) =>
          nodes.map((n) => n.getAttribute("data-severity")),
        );
        check(
          `explorer: ${edit.why}: flagged ${edit.severity} (trilm decode --validate: ${report.includes(edit.severity) ? edit.severity : "?"})`,
          severities.includes(edit.severity) && report.includes(edit.severity),
          `page ${JSON.stringify(severities)}; cli: ${report.trim().split("\n")[0]}`,
        );
      });
    }
    await shoot("explorer-edited");

    // --- spec link from the explorer ---
    await step("spec: a link from the explorer opens the section", async () => {
      await page.click('#view-explorer a.spec-link[href="#spec/formats/5.3"]');
      await page.waitForSelector('#view-spec[data-ready="true"][data-section="5.3"]', { timeout: 30_000 });
      const inView = await page.$eval("#spec-formats-5\\.3", (el) => {
        const r = el.getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight && el.classList.contains("target");
      });
      check("spec: §5.3 heading is on screen and marked as the target", inView);
      await page.screenshot({ path: join(SCREENSHOT_DIR, "spec.png") });
      result.screenshots.push(join(SCREENSHOT_DIR, "spec.png"));
    });

    // --- TriRun view (web-trirun-tests.mjs) ---
    await runTrirunWebTests({ page, cli, mulberry32, trirun, trirunFragment, seed, open, check, step, shoot, attr });
    await runRosettaWebTests({ page, cli, mulberry32, seed, open, check, step, shoot }); // web-rosetta-tests.mjs

    // --- golden viewer ---
    await step("golden: suites and a case", async () => {
      await open("#golden", "golden");
      const suites = (
        await page.$$eval("#golden-suites a[data-suite]", (n) => n.map((a) => a.getAttribute("data-suite")))
      ).sort();
      const onDisk = readdirSync(join(repoRoot, "golden/suites"), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
      check(
        "golden: the suites listed are golden/suites/*",
        JSON.stringify(suites) === JSON.stringify(onDisk),
        `${suites} vs ${onDisk}`,
      );
      const manifest = JSON.parse(readFileSync(join(repoRoot, "golden/suites/codecs/manifest.json"), "utf8"));
      const tests = manifest.testGroups.flatMap((g) => g.tests);
      await page.click('#golden-suites a[data-suite="codecs"]');
      await page.waitForSelector('#view-golden[data-route="codecs"]', { timeout: 30_000 });
      const rows = await page.$$eval("tr[data-tcid]", (n) => n.length);
      check(`golden: codecs shows its ${tests.length} cases`, rows === tests.length, `${rows} rows`);
      await shoot("golden-suite");
      const flagged = tests.find((t) => t.flags.length > 0 && t.result !== "valid") ?? tests[0];
      await page.click(`tr[data-tcid="${flagged.tcId}"] a`);
      await page.waitForSelector(`#golden-case[data-tcid="${flagged.tcId}"]`, { timeout: 30_000 });
      const shownFlags = (await attr("#golden-case", "data-flags")) ?? "";
      check(
        `golden: case ${flagged.tcId} flags = manifest`,
        shownFlags.split(",").filter(Boolean).sort().join(",") === [...flagged.flags].sort().join(","),
        `${shownFlags} vs ${flagged.flags}`,
      );
      check(
        `golden: case ${flagged.tcId} result = manifest (${flagged.result})`,
        (await attr("#golden-case", "data-result")) === flagged.result,
      );
      const files = Object.keys(flagged.files ?? {}).length || 1;
      await page.waitForFunction((n) => document.querySelectorAll("[data-file][data-sha256-ok]").length >= n, files, {
        timeout: 30_000,
      });
      const verdicts = await page.$$eval("[data-file][data-sha256-ok]", (n) =>
        n.map((e) => e.getAttribute("data-sha256-ok")),
      );
      check(
        `golden: case ${flagged.tcId}: ${verdicts.length} file(s) verified by sha256 in the page`,
        verdicts.length > 0 && verdicts.every((v) => v === "true"),
        JSON.stringify(verdicts),
      );
      await shoot("golden-case");
    });

    // --- runner: embedded model, all backends, f32 ---
    await step("runner: embedded model on every backend", async () => {
      await open("#runner", "runner");
      await page.waitForSelector('#runner-model[data-ready="true"]', { timeout: 60_000 });
      check(
        "runner: the embedded model is loaded by default",
        (await attr("#runner-model", "data-model-name")) === "trilm-tiny-tq2_0.gguf",
      );
      await page.selectOption("#runner-activations", "f32");
      await page.click("#runner-run");
      await page.waitForSelector('#runner-status[data-state="done"], #runner-status[data-state="error"]', {
        timeout: RUN_TIMEOUT_MS,
      });
      const run = await page.evaluate(() => window.trilmRunner?.lastRun ?? null);
      if (run === null) throw new Error(`no run recorded; status: ${await page.textContent("#runner-status")}`);
      result.renderer = run.renderer;
      result.gpujsMode = run.gpujsMode;
      log(`web: runner WebGL renderer: ${run.renderer}`);
      log(
        `web: runner WebGL version: ${run.webglVersion}; gpu.js mode: ${run.gpujsMode}; crossOriginIsolated: ${run.crossOriginIsolated}`,
      );
      const logitsPath = join(work, "logits.npy");
      cli(["run", EMBEDDED_MODEL, "--tokens", run.tokens.join(","), "--logits", logitsPath, "--activations", "f32"]);
      const flat = readNpyFloat32(logitsPath);
      const vocab = flat.length / run.tokens.length;
      const expected = Array.from({ length: run.tokens.length }, (_, p) =>
        Array.from(flat.subarray(p * vocab, (p + 1) * vocab)),
      );
      const names = run.backends.map((b) => b.name);
      check(
        "runner: ran reference, packed-wasm, gpujs, tfjs-webgl, tfjs-wasm",
        ["reference", "packed-wasm", "gpujs", "tfjs-webgl", "tfjs-wasm"].every((n) => names.includes(n)),
        JSON.stringify(names),
      );
      for (const backend of run.backends) {
        const ms = backend.msPerToken.map((t) => t.toFixed(1)).join(" ");
        log(
          `web: runner ${backend.name}: ${backend.description}; prepare ${backend.prepareMs.toFixed(0)} ms; ms/token ${ms}`,
        );
        if (backend.error !== null) {
          check(`runner: ${backend.name} ran`, false, backend.error);
          continue;
        }
        if (backend.name === "reference") {
          const same = backend.logits.every((row, p) => row.every((v, j) => Object.is(Math.fround(v), expected[p][j])));
          check("runner: the page's reference logits = trilm run --logits, bit for bit", same);
        } else {
          const tau = tolerances.NMSE_TOLERANCE;
          const e = tolerances.nmse(backend.logits, expected);
          log(`web: runner ${backend.name}: NMSE vs trilm run = ${e.toExponential(2)}`);
          check(
            `runner: ${backend.name} NMSE ${e.toExponential(2)} ≤ ${tau.toExponential(0)} (spec/tolerances.md §9.1)`,
            e <= tau,
          );
          const problems = argmaxProblems(tolerances, backend.logits, expected, tau);
          check(`runner: ${backend.name} argmax agrees (§9.1)`, problems.length === 0, problems.join("; "));
        }
      }
      check(
        `runner: gpu.js ran WebGL kernels (mode ${run.gpujsMode})`,
        run.gpujsMode === "webgl" || run.gpujsMode === "webgl2",
      );
      check("runner: a WebGL renderer was reported", typeof run.renderer === "string" && run.renderer.length > 0);
      await shoot("runner");
    });

    // --- runner: text in, text out (the embedded model's GPT-NeoX vocabulary, cut to 512) ---
    await step("runner: text is tokenized in the page and generated text streams", async () => {
      const text = "Hello, ternary world: 10 émojis 🙂 and 中文";
      const expectedIds = JSON.parse(cli(["tokenize", EMBEDDED_MODEL, text]).trim());
      await page.fill("#runner-text", text); // its input event tokenizes at once
      const pageIds = await page.inputValue("#runner-tokens");
      check("runner: the page tokenizes text as trilm tokenize does", pageIds === expectedIds.join(", "), pageIds);
      const shownIds = ((await page.textContent("#runner-text-ids")) ?? "").trim();
      check(
        "runner: the ids are shown under the text",
        shownIds === `${expectedIds.length} tokens: ${expectedIds.join(", ")}`,
        shownIds,
      );
      for (const name of ["gpujs", "tfjs-webgl", "tfjs-wasm"])
        await page.uncheck(`input[name="runner-backend"][value="${name}"]`);
      await page.selectOption("#runner-activations", "f32");
      await page.fill("#runner-generate", "8");
      await page.click("#runner-run");
      await page.waitForSelector('#runner-status[data-state="done"], #runner-status[data-state="error"]', {
        timeout: RUN_TIMEOUT_MS,
      });
      const run = await page.evaluate(() => window.trilmRunner?.lastRun ?? null);
      const out = cli(["run", EMBEDDED_MODEL, "--prompt", text, "--generate", "8"]);
      const ids = /^generated \(greedy \(temperature 0\)\): (.*)$/m.exec(out)?.[1].split(" ").map(Number);
      const cliText = JSON.parse(/^generated text: (.*)$/m.exec(out)?.[1] ?? "null");
      check(
        "runner: the page generates the tokens trilm run --prompt --generate 8 generates",
        run !== null && JSON.stringify(run.generated?.tokens) === JSON.stringify(ids),
        JSON.stringify({ page: run?.generated?.tokens, cli: ids }),
      );
      check(
        "runner: and the same text, shown in #runner-generated",
        run?.generated?.text === cliText &&
          (await attr("#runner-generated", "data-state")) === "done" &&
          ((await page.textContent("#runner-generated")) ?? "").endsWith(cliText),
        JSON.stringify({ page: run?.generated?.text, cli: cliText }),
      );
      await shoot("runner-text");
    });

    // --- runner: a dropped GGUF, and a bad one ---
    await step("runner: a GGUF picked by the user", async () => {
      await page.setInputFiles("#runner-model-file", DROPPED_MODEL);
      await page.waitForSelector('#runner-model[data-model-name="tiny-tq1_0.gguf"]', { timeout: 60_000 });
      for (const name of ["gpujs", "tfjs-webgl", "tfjs-wasm"])
        await page.uncheck(`input[name="runner-backend"][value="${name}"]`);
      await page.selectOption("#runner-activations", "ggml");
      await page.fill("#runner-tokens", "1 17 300 42");
      await page.click("#runner-run");
      await page.waitForSelector('#runner-status[data-state="done"], #runner-status[data-state="error"]', {
        timeout: RUN_TIMEOUT_MS,
      });
      const run = await page.evaluate(() => window.trilmRunner?.lastRun ?? null);
      const logitsPath = join(work, "logits-dropped.npy");
      cli(["run", DROPPED_MODEL, "--tokens", "1,17,300,42", "--logits", logitsPath, "--activations", "ggml"]);
      const flat = readNpyFloat32(logitsPath);
      const reference = run?.backends.find((b) => b.name === "reference");
      const vocab = flat.length / 4;
      const same =
        reference !== undefined &&
        reference.error === null &&
        reference.logits.every((row, p) => row.every((v, j) => Object.is(Math.fround(v), flat[p * vocab + j])));
      check(
        "runner: llama.cpp's tiny-tq1_0.gguf, ggml mode: page logits = trilm run --logits, bit for bit",
        same && run.modelName === "tiny-tq1_0.gguf",
      );
      const bad = join(work, "not-a-model.gguf");
      writeFileSync(bad, Buffer.from("GGUF\x03\x00\x00\x00 this is not a model"));
      await page.setInputFiles("#runner-model-file", bad);
      await page.waitForFunction(
        () => (document.querySelector("#runner-error")?.textContent ?? "").trim() !== "",
        undefined,
        { timeout: 30_000 },
      );
      const error = ((await page.textContent("#runner-error")) ?? "").trim();
      check(
        "runner: a bad GGUF gives one line naming the file",
        error.startsWith("not-a-model.gguf: ") && !error.includes("\n") && error.length < 300,
        JSON.stringify(error),
      );
      check(
        "runner: the previous model stays loaded",
        (await attr("#runner-model", "data-model-name")) === "tiny-tq1_0.gguf",
      );
    });

    // --- runner: the packed-wasm engine on a random 99m model made in the page ---
    await step("runner: packed-wasm on the 99m preset", async () => {
      const modelName = "TriLM-99m-random-seed1.gguf";
      await page.selectOption("#runner-preset", "99m");
      await page.click("#runner-make");
      await page.waitForSelector(`#runner-model[data-model-name="${modelName}"]`, { timeout: 180_000 });
      for (const name of ["gpujs", "tfjs-webgl", "tfjs-wasm"])
        await page.uncheck(`input[name="runner-backend"][value="${name}"]`);
      await page.check('input[name="runner-backend"][value="packed-wasm"]');
      await page.selectOption("#runner-activations", "ggml");
      await page.fill("#runner-tokens", "1 17 300");
      await page.fill("#runner-generate", "0");
      await page.click("#runner-run");
      await page.waitForSelector('#runner-status[data-state="done"], #runner-status[data-state="error"]', {
        timeout: RUN_TIMEOUT_MS,
      });
      const run = await page.evaluate(() => window.trilmRunner?.lastRun ?? null);
      const reference = run?.backends.find((b) => b.name === "reference");
      const engine = run?.backends.find((b) => b.name === "packed-wasm");
      for (const backend of [reference, engine]) {
        if (backend === undefined) continue;
        const ms = backend.msPerToken.reduce((a, b) => a + b, 0);
        log(
          `web: runner 99m ${backend.name}: ${backend.description}; prepare ${backend.prepareMs.toFixed(0)} ms; ` +
            `${((1000 * backend.msPerToken.length) / ms).toFixed(2)} tokens/s` +
            (backend.error === null ? "" : `; error: ${backend.error}`),
        );
      }
      const ran = run?.modelName === modelName && reference?.error === null && engine?.error === null;
      check(
        "runner: the 99m preset ran on reference and packed-wasm (ggml mode)",
        ran,
        JSON.stringify(run?.backends.map((b) => [b.name, b.error])),
      );
      if (!ran) return;
      // The runner runs the engine in its Web Worker (src/web/runner/engine-worker.ts), on the threads the page offers
      // by default (navigator.hardwareConcurrency); the main-thread fallback says "could not start".
      const threads = await page.evaluate(() => navigator.hardwareConcurrency || 1);
      check(
        `runner: 99m packed-wasm ran in its Web Worker on ${threads} thread(s)`,
        engine.description.endsWith(`${threads} thread${threads === 1 ? "" : "s"}) in a Web Worker`),
        engine.description,
      );
      // The runner's reference is reference/model in ggml-exact mode; packed-wasm runs ggml-matmul (its bits are the
      // reference backend's: the differential page checks them), so the runner's own criterion (§9.2) applies.
      const e = tolerances.nmse(engine.logits, reference.logits);
      log(
        `web: runner 99m packed-wasm: NMSE vs the reference = ${e.toExponential(2)} (criterion ${run.nmseCriterion.toExponential(2)})`,
      );
      check(
        `runner: 99m packed-wasm NMSE ${e.toExponential(2)} ≤ the run's criterion (spec/tolerances.md §9.2)`,
        e <= run.nmseCriterion,
      );
      const problems = argmaxProblems(tolerances, engine.logits, reference.logits, run.nmseCriterion);
      check("runner: 99m packed-wasm argmax agrees (§9.2)", problems.length === 0, problems.join("; "));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return result;
}
