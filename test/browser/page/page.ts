/**
 * The browser page of `npm run test:browser` (test/browser/run.mjs): bundled by test/browser/build.mjs
 * together with a generated entry that hands it loaders for whichever project modules exist
 * (accelerated/gpujs, accelerated/tfjs, src/backend/reference-backend.ts, test/differential/**).
 *
 * It always runs built-in smoke checks (WebGL context + renderer string, a gpu.js kernel and a
 * tfjs-webgl and tfjs-wasm matMul against plain JS), then, for every browser backend that exists
 * (gpujs in WebGL mode, tfjs-webgl, tfjs-wasm), the differential suite against the reference, and last the
 * packed-wasm engine on the 99m preset against the reference backend (packed-wasm-preset.ts).
 *
 * Every log line goes out through console.log (the runner streams them); the result is one
 * console line `TRILM_RESULT {json}`. This file is typechecked with the project's tsconfig (lib
 * ES2022, no DOM), so the few browser globals it touches are declared locally below.
 */
import { GPU } from "gpu.js";
import { mulberry32 } from "../../../src/random/mulberry32.js";
import {
  countGpujsKernelRuns,
  gpujsKernelMode,
  gpujsKernelRunsNow,
  gpujsKernelRunsSince,
} from "../../../accelerated/gpujs/kernel-runs.js";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgl";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Backend } from "../../../src/backend/backend.js";
import { GgmlType } from "../../../reference/codec/index.js";
import { decodeMatrixRow, packMatrix } from "../../../reference/model/packed-matrix.js";
import { checkGpujsResidentWeights } from "./gpujs-resident.js";
import { checkPackedWasmPreset } from "./packed-wasm-preset.js";

/** The differential suite's result, as test/differential exports it. */
export interface SuiteResult {
  passed: number;
  failed: number;
  failures: unknown[];
}
/** runDifferentialSuite(candidate, reference, options), browser-safe. */
export type RunDifferentialSuite = (
  candidate: Backend,
  reference: Backend,
  options: {
    seed: number;
    numRuns: number;
    log: (line: string) => void;
    accuracy?: unknown;
    embeddedModel?: Uint8Array;
  },
) => Promise<SuiteResult>;

/** What the generated entry passes in: a loader per module, null where the file does not exist. */
export interface PageModules {
  gpujs: null | (() => Promise<{ createGpujsBackend: () => Backend | Promise<Backend> }>);
  tfjs:
    | null
    | (() => Promise<{
        createTfjsBackend: (
          kind: "cpu" | "wasm" | "webgl",
          options?: { wasmPaths?: string },
        ) => Backend | Promise<Backend>;
      }>);
  reference: null | (() => Promise<{ createReferenceBackend: () => Backend | Promise<Backend> }>);
  differential: null | (() => Promise<{ runDifferentialSuite: RunDifferentialSuite; WEBGL_ACCURACY?: unknown }>);
  /** Paths (relative to the repository) the build found, for the log. */
  found: Record<string, string | null>;
}

/** The result the runner reads. */
export interface PageResult {
  seed: number;
  numRuns: number;
  passed: number;
  failed: number;
  skipped: string[];
  failures: string[];
  renderer: string | null;
  webglVersion: string | null;
  gpujsMode: string | null;
  tfjsBackends: string[];
  crossOriginIsolated: boolean;
  webglUsed: boolean;
}

// --- the browser globals this file uses (no DOM lib in the project tsconfig) ---
interface GlContext {
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number; UNMASKED_VENDOR_WEBGL: number } | null;
  getParameter(p: number): unknown;
  readonly VERSION: number;
  readonly RENDERER: number;
}
interface CanvasLike {
  getContext(kind: string): GlContext | null;
}
interface BrowserGlobals {
  document: { createElement(tag: "canvas"): CanvasLike };
  location: { search: string };
  crossOriginIsolated?: boolean;
  navigator: { userAgent: string; hardwareConcurrency?: number };
}
const g = globalThis as unknown as BrowserGlobals;

function log(line: string): void {
  console.log(line);
}

function errText(e: unknown): string {
  if (e instanceof Error)
    return `${e.name}: ${e.message}${e.stack ? `\n${e.stack.split("\n").slice(1, 6).join("\n")}` : ""}`;
  return String(e);
}

/** y[r] = Σ_c W[r,c]·x[c] in float64, for the smoke checks. */
function jsMatVec(w: Float32Array, x: Float32Array, rows: number, cols: number): Float64Array {
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
    y[r] = s;
  }
  return y;
}

function maxRelErr(got: ArrayLike<number>, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  }
  return worst;
}

/** Run the whole page; resolves with the result (also logged as `TRILM_RESULT {json}`). */
export async function runPage(modules: PageModules): Promise<PageResult> {
  const params = new URLSearchParams(g.location.search);
  const seed = Number(params.get("seed") ?? "1") | 0;
  const numRuns = Math.max(1, Number(params.get("numRuns") ?? "20") | 0);
  const only = (params.get("only") ?? "").split(",").filter((s) => s !== "");
  const result: PageResult = {
    seed,
    numRuns,
    passed: 0,
    failed: 0,
    skipped: [],
    failures: [],
    renderer: null,
    webglVersion: null,
    gpujsMode: null,
    tfjsBackends: [],
    crossOriginIsolated: g.crossOriginIsolated === true,
    webglUsed: false,
  };
  const pass = (name: string, detail = ""): void => {
    result.passed++;
    log(`PASS ${name}${detail ? ` — ${detail}` : ""}`);
  };
  const fail = (name: string, why: string): void => {
    result.failed++;
    result.failures.push(`${name}: ${why}`);
    log(`FAIL ${name} — ${why}`);
  };
  const wanted = (name: string): boolean => only.length === 0 || only.includes(name);
  countGpujsKernelRuns();

  log(
    `page: seed=${seed} numRuns=${numRuns} crossOriginIsolated=${result.crossOriginIsolated} cores=${g.navigator.hardwareConcurrency ?? "?"}`,
  );
  log(`page: userAgent ${g.navigator.userAgent}`);
  for (const [what, path] of Object.entries(modules.found)) log(`page: module ${what}: ${path ?? "(not present)"}`);

  // 1. WebGL context and renderer string.
  let webglOk = false;
  try {
    const canvas = g.document.createElement("canvas");
    const gl = canvas.getContext("webgl2") ?? canvas.getContext("webgl");
    if (gl === null) throw new Error("no webgl2 or webgl context");
    const dbg = gl.getExtension("WEBGL_debug_renderer_info");
    result.renderer = String(dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
    result.webglVersion = String(gl.getParameter(gl.VERSION));
    log(`webgl: version "${result.webglVersion}"`);
    log(`webgl: renderer "${result.renderer}"${dbg ? "" : " (WEBGL_debug_renderer_info missing: masked RENDERER)"}`);
    webglOk = true;
    pass("smoke webgl-context", result.webglVersion);
  } catch (e) {
    fail("smoke webgl-context", errText(e));
  }

  // 2. gpu.js kernel vs JS: which mode really ran.
  const rand = mulberry32(seed);
  const rows = 64;
  const cols = 256;
  const w = new Float32Array(rows * cols).map(() => Math.round(rand() * 2) - 1); // ternary weights
  const x = new Float32Array(cols).map(() => rand() * 2 - 1);
  const want = jsMatVec(w, x, rows, cols);
  if (wanted("smoke-gpujs")) {
    let gpu: GPU | null = null;
    try {
      gpu = new GPU({ mode: "gpu" });
      const kernel = gpu
        .createKernel(function (
          this: { thread: { x: number }; constants: { cols: number } },
          wa: number[],
          xa: number[],
        ) {
          let s = 0;
          for (let c = 0; c < this.constants.cols; c++) s += wa[this.thread.x * this.constants.cols + c] * xa[c];
          return s;
        })
        .setConstants({ cols })
        .setOutput([rows])
        .setPrecision("single");
      const got = kernel(w, x) as Float32Array;
      const k = kernel.kernel as unknown;
      const mode = gpujsKernelMode(k);
      result.gpujsMode = mode;
      log(`gpujs: smoke kernel ran in mode ${mode} (GPU.mode=${gpu.mode})`);
      const err = maxRelErr(got, want);
      if (mode !== "webgl2" && mode !== "webgl")
        fail("smoke gpujs-webgl", `gpu.js ran in mode ${mode}, not webgl/webgl2`);
      else if (err > 1e-5) fail("smoke gpujs-webgl", `max rel error ${err} vs JS`);
      else pass("smoke gpujs-webgl", `mode ${mode}, max rel err ${err.toExponential(2)}`);
    } catch (e) {
      fail("smoke gpujs-webgl", errText(e));
    } finally {
      try {
        await gpu?.destroy();
      } catch {
        /* ignore */
      }
    }
  }

  // 2b. The gpujs backend keeps prepared weights in textures: a matmul call uploads less than the packed matrix.
  if (modules.gpujs !== null && wanted("gpujs-resident")) {
    let backend: Backend | null = null;
    try {
      backend = await (await modules.gpujs()).createGpujsBackend();
      const check = checkGpujsResidentWeights(backend, rand);
      const detail = `${check.uploadedBytes} bytes uploaded by a matmul call, packed matrix ${check.packedBytes} bytes`;
      if (check.resident) pass("gpujs resident weights", detail);
      else fail("gpujs resident weights", `the weights were uploaded again: ${detail}`);
    } catch (e) {
      fail("gpujs resident weights", errText(e));
    } finally {
      backend?.dispose();
    }
  }

  // 3. tfjs webgl and wasm matMul vs JS: which backend really ran.
  setWasmPaths("/tfjs-wasm/");
  for (const backendName of ["webgl", "wasm"] as const) {
    if (!wanted(`smoke-tfjs-${backendName}`)) continue;
    const name = `smoke tfjs-${backendName}`;
    try {
      const ok = await tf.setBackend(backendName);
      await tf.ready();
      const actual = tf.getBackend();
      log(`tfjs: setBackend("${backendName}") → ${ok}, getBackend() = "${actual}"`);
      if (!ok || actual !== backendName) {
        fail(name, `tfjs backend is "${actual}", not ${backendName}`);
        continue;
      }
      if (backendName === "webgl") {
        log(
          `tfjs: webgl WEBGL_VERSION=${tf.env().get("WEBGL_VERSION")} WEBGL_RENDER_FLOAT32_ENABLED=${tf.env().get("WEBGL_RENDER_FLOAT32_ENABLED")}`,
        );
        const tgl = (tf.backend() as unknown as { gpgpu?: { gl?: GlContext } }).gpgpu?.gl;
        const tdbg = tgl?.getExtension("WEBGL_debug_renderer_info");
        log(
          `tfjs: webgl context renderer ` +
            `"${tgl ? String(tdbg ? tgl.getParameter(tdbg.UNMASKED_RENDERER_WEBGL) : tgl.getParameter(tgl.RENDERER)) : "(no gpgpu.gl)"}"`,
        );
      } else {
        log(
          `tfjs: wasm WASM_HAS_SIMD_SUPPORT=${tf.env().get("WASM_HAS_SIMD_SUPPORT")} ` +
            `WASM_HAS_MULTITHREAD_SUPPORT=${tf.env().get("WASM_HAS_MULTITHREAD_SUPPORT")}`,
        );
      }
      const got = tf.tidy(() => tf.matMul(tf.tensor2d(w, [rows, cols]), tf.tensor2d(x, [cols, 1]))).dataSync();
      const err = maxRelErr(got, want);
      if (err > 1e-4) fail(name, `max rel error ${err} vs JS`);
      else {
        pass(name, `backend ${actual}, max rel err ${err.toExponential(2)}`);
        if (!result.tfjsBackends.includes(actual)) result.tfjsBackends.push(actual);
      }
    } catch (e) {
      fail(name, errText(e));
    }
  }

  // 4. The differential suite, per browser backend, when the project has it.
  const missing: string[] = [];
  if (modules.differential === null) missing.push("test/differential (runDifferentialSuite)");
  if (modules.reference === null) missing.push("src/backend/reference-backend.ts");
  const candidates: {
    name: string;
    webgl: boolean;
    make: () => Promise<Backend>;
    check: (b: Backend) => string | null;
  }[] = [];
  if (modules.gpujs !== null) {
    const load = modules.gpujs;
    candidates.push({
      name: "gpujs",
      webgl: true,
      make: async () => (await load()).createGpujsBackend(),
      check: () => null, // judged by the gpu.js kernel runs it made (below)
    });
  } else missing.push("accelerated/gpujs");
  if (modules.tfjs !== null) {
    const load = modules.tfjs;
    for (const kind of ["webgl", "wasm"] as const) {
      candidates.push({
        name: `tfjs-${kind}`,
        webgl: kind === "webgl",
        make: async () => (await load()).createTfjsBackend(kind, { wasmPaths: "/tfjs-wasm/" }),
        check: () =>
          tf.getBackend() === kind ? null : `tfjs backend is "${tf.getBackend()}" after createTfjsBackend("${kind}")`,
      });
    }
  } else missing.push("accelerated/tfjs");
  if (missing.length > 0) {
    const line = `SKIPPED (not present yet): ${missing.join(", ")}`;
    result.skipped.push(line);
    log(`!!!!!!!! ${line} — only the smoke checks ran for what is missing !!!!!!!!`);
  }
  let runSuite: RunDifferentialSuite | null = null;
  let reference: Backend | null = null;
  let webglAccuracy: unknown = undefined;
  let embeddedModel: Uint8Array | undefined = undefined;
  if (modules.differential !== null && modules.reference !== null) {
    try {
      const differential = await modules.differential();
      runSuite = differential.runDifferentialSuite;
      webglAccuracy = differential.WEBGL_ACCURACY;
      log(
        `suite: WebGL candidates run with ` +
          `${webglAccuracy === undefined ? "the suite's default accuracy (no WEBGL_ACCURACY export)" : `WEBGL_ACCURACY ${JSON.stringify(webglAccuracy)}`}`,
      );
      const response = await fetch("/golden/trilm-tiny-tq2_0.gguf");
      if (!response.ok) throw new Error(`fetching the embedded model: HTTP ${response.status}`);
      embeddedModel = new Uint8Array(await response.arrayBuffer());
      log(`suite: embedded model golden/models/trilm-tiny-tq2_0.gguf (${embeddedModel.length} bytes)`);
      reference = await (await modules.reference()).createReferenceBackend();
      log(`reference: ${reference.describe()}`);
    } catch (e) {
      fail("differential setup", errText(e));
    }
  }
  // Every backend that exists is created, smoke-tested (one TQ2_0 matmul vs JS) and checked for
  // what actually ran; then the differential suite runs on it when the suite exists.
  const smokeRows = 8;
  const smokeCols = 512;
  const smokeW = packMatrix(
    GgmlType.TQ2_0,
    smokeRows,
    smokeCols,
    new Float32Array(smokeRows * smokeCols).map(() => (Math.round(rand() * 2) - 1) * 0.03125),
  );
  const smokeX = new Float32Array(2 * smokeCols).map(() => rand() * 2 - 1);
  const smokeWant = new Float64Array(2 * smokeRows);
  for (let b = 0; b < 2; b++) {
    for (let r = 0; r < smokeRows; r++) {
      const row = decodeMatrixRow(smokeW, r);
      let sum = 0;
      for (let c = 0; c < smokeCols; c++) sum += row[c] * smokeX[b * smokeCols + c];
      smokeWant[b * smokeRows + r] = sum;
    }
  }
  for (const c of candidates) {
    if (!wanted(c.name)) continue;
    let backend: Backend | null = null;
    const t0 = performance.now();
    const runsBefore = gpujsKernelRunsNow();
    try {
      backend = await c.make();
      const desc = backend.describe();
      log(`backend ${c.name}: ${desc}`);
      if (c.name.startsWith("tfjs-")) log(`backend ${c.name}: tf.getBackend() = "${tf.getBackend()}"`);
      const wrong = c.check(backend);
      if (wrong !== null) {
        fail(`backend ${c.name} mode`, wrong);
        continue;
      }
      const prepared = backend.prepareMatrix(smokeW);
      const got = backend.matmul(prepared, smokeX, 2, "f32");
      prepared.dispose();
      const err = maxRelErr(got, smokeWant);
      if (got.length !== smokeWant.length)
        fail(`backend ${c.name} smoke matmul`, `length ${got.length}, want ${smokeWant.length}`);
      else if (err > 1e-4)
        fail(`backend ${c.name} smoke matmul`, `max rel error ${err} vs JS (TQ2_0 8×512, batch 2, f32)`);
      else pass(`backend ${c.name} smoke matmul`, `max rel err ${err.toExponential(2)}`);
      if (runSuite !== null && reference !== null) {
        log(`suite ${c.name}: seed=${seed} numRuns=${numRuns}`);
        const r = await runSuite(backend, reference, {
          seed,
          numRuns,
          log: (line) => log(`  [${c.name}] ${line}`),
          ...(embeddedModel !== undefined ? { embeddedModel } : {}),
          ...(c.webgl && webglAccuracy !== undefined ? { accuracy: webglAccuracy } : {}),
        });
        result.passed += r.passed;
        result.failed += r.failed;
        for (const f of r.failures) result.failures.push(`${c.name}: ${typeof f === "string" ? f : JSON.stringify(f)}`);
        log(
          `suite ${c.name}: ${r.passed} passed, ${r.failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
      }
      // What actually ran.
      if (c.name === "gpujs") {
        const runs = gpujsKernelRunsSince(runsBefore);
        const webgl = (runs.webgl2 ?? 0) + (runs.webgl ?? 0);
        const other = Object.entries(runs).filter(([k]) => k !== "webgl" && k !== "webgl2");
        log(`backend gpujs: gpu.js kernel runs by actual mode: ${JSON.stringify(runs)}`);
        if (webgl === 0)
          fail(
            "backend gpujs mode",
            `no gpu.js kernel ran in WebGL (runs: ${JSON.stringify(runs)}; describe() = "${desc}")`,
          );
        else if (other.length > 0)
          fail(
            "backend gpujs mode",
            `gpu.js kernels also ran outside WebGL: ${JSON.stringify(Object.fromEntries(other))}`,
          );
        else {
          const mode = (runs.webgl2 ?? 0) > 0 ? ((runs.webgl ?? 0) > 0 ? "webgl2+webgl" : "webgl2") : "webgl";
          result.gpujsMode = mode;
          pass("backend gpujs mode", `${mode} (${webgl} kernel runs)`);
        }
      } else {
        const kind = c.name.slice("tfjs-".length);
        if (tf.getBackend() !== kind)
          fail(`backend ${c.name} mode`, `tfjs backend is "${tf.getBackend()}" after the run, not ${kind}`);
        else {
          if (!result.tfjsBackends.includes(kind)) result.tfjsBackends.push(kind);
          pass(`backend ${c.name} mode`, `tf.getBackend() = "${kind}"`);
        }
      }
    } catch (e) {
      fail(`backend ${c.name}`, errText(e));
    } finally {
      try {
        backend?.dispose();
      } catch (e) {
        log(`backend ${c.name}: dispose threw ${errText(e)}`);
      }
    }
  }
  reference?.dispose();

  // 5. The packed-wasm engine on the 99m preset, on the page's main thread and in the runner's engine worker on 1 and
  // N threads: bit-identical to the reference backend in ggml-matmul mode, whatever the thread.
  if (wanted("packed-wasm-99m")) {
    const tokens = [1, 17, 300, 42, 5, 6];
    const many = Math.max(2, g.navigator.hardwareConcurrency ?? 1);
    try {
      const check = await checkPackedWasmPreset("/engine.wasm", "/engine-worker.js", "99m", tokens, [1, many]);
      const speed = (r: { tokensPerSecond: number; prepareMs: number }): string =>
        `${r.tokensPerSecond.toFixed(2)} tokens/s (prepare ${r.prepareMs.toFixed(0)} ms)`;
      log(`packed-wasm 99m: made the random 99m model in the page in ${check.makeMs.toFixed(0)} ms`);
      log(`packed-wasm 99m: reference backend: ${speed(check.reference)}`);
      for (const engine of check.engines) {
        log(`packed-wasm 99m: ${engine.description}: ${speed(engine)}`);
        const name = `packed-wasm 99m ggml-matmul logits = reference backend's, bit for bit: ${engine.description}`;
        const detail =
          `${tokens.length} tokens × ${check.reference.logits[0]?.length ?? 0} logits; ` +
          `packed-wasm ${engine.tokensPerSecond.toFixed(2)} tokens/s, reference ${check.reference.tokensPerSecond.toFixed(2)} tokens/s`;
        if (engine.mismatches === 0) pass(name, detail);
        else fail(name, `${engine.mismatches} logits differ (first: ${engine.firstMismatch}); ${detail}`);
      }
    } catch (e) {
      fail("packed-wasm 99m ggml-matmul logits = reference backend's, bit for bit", errText(e));
    }
  }

  result.webglUsed =
    webglOk && (result.gpujsMode === "webgl" || result.gpujsMode === "webgl2") && result.tfjsBackends.includes("webgl");
  return result;
}
