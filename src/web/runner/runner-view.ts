/**
 * The model runner view (`#runner`): load a TriLM (the embedded tiny model, or a GGUF file picked or
 * dropped on the page), run a prompt one token per step on the reference and on the accelerated
 * backends the browser offers (the packed-wasm engine, gpu.js on WebGL, tfjs on WebGL and on wasm), and show how far each
 * backend's logits are from the reference's (spec/tolerances.md §9) and how long each step took.
 *
 * A model with a tokenizer (the embedded one has GPT-NeoX's, cut to 512 tokens) also takes text: it is
 * tokenized in the page as `trilm tokenize` does, its ids fill the token field, and after the run the
 * reference generates tokens greedily, showing their text as it streams.
 *
 * A random model of a published shape (`99m`, …) can also be made in the page, as `trilm make-model` makes it.
 *
 * DOM contract (test/browser): #runner-model-file, #runner-preset, #runner-make, #runner-model[data-model-name][data-ready],
 * #runner-error, #runner-text, #runner-text-ids, #runner-tokens, #runner-generate,
 * input[name=runner-backend], #runner-activations, #runner-threads, #runner-run, #runner-status[data-state],
 * #runner-generated[data-state], #runner-timings, #runner-argmax, #runner-plot, #runner-env, and
 * window.trilmRunner.lastRun.
 */
import modelUrl from "../../../golden/models/trilm-tiny-tq2_0.gguf?url";
import { GgmlType } from "../../../reference/codec/index.js";
import { createForwardState, forward } from "../../../reference/model/forward.js";
import {
  BITNET_PRESETS,
  parameterCount,
  ternaryParameterCount,
  TRILM_PRESETS,
  type TrilmPreset,
} from "../../../reference/model/presets.js";
import { nmse, nmseCriterion, type ArgmaxAgreement } from "../../../reference/tolerances/index.js";
import type { Backend } from "../../backend/backend.js";
import { median } from "../../bench/measure.js";
import { referenceModeOf } from "../../backend/comparison-modes.js";
import type { GgufFile } from "../../gguf/gguf-file.js";
import { parseGguf } from "../../gguf/reader.js";
import { DEFAULT_GENERATE, DEFAULT_PROMPT, DEFAULT_PROMPT_TEXT } from "../../model/default-prompt.js";
import { modelFromGguf, type LoadedModel } from "../../model/gguf-model.js";
import { randomTrilm } from "../../model/random-model.js";
import { clear, h, specLink } from "../dom.js";
import type { View } from "../view.js";
import { comparePositions } from "./compare.js";
import { drawDiffPlot, type PlotSeries } from "./diff-plot.js";
import { countGpujsKernelRuns, gpujsKernelRunsNow, gpujsModeSince, probeWebgl, type WebglInfo } from "./environment.js";
import {
  errorText,
  nextTask,
  runBackends,
  type BackendFactory,
  type BackendRun,
  type RunnerActivations,
} from "./run-loop.js";
import { parseTokenIds } from "./tokens.js";
import { fileTokenizer, generateGreedy, tokenizeText, type FileTokenizer } from "./prompt-text.js";
import "./runner.css";

/** One backend's part of the test hook's lastRun. */
export interface RunnerBackendResult {
  name: string;
  description: string;
  prepareMs: number;
  msPerToken: number[];
  /** [token][vocab] */
  logits: number[][];
  error: string | null;
}

/** The last finished run, as the automated browser test reads it. */
export interface RunnerLastRun {
  modelName: string;
  tokens: number[];
  activations: RunnerActivations;
  renderer: string | null;
  webglVersion: string | null;
  /** The mode gpu.js's kernels actually ran in, e.g. "webgl2"; null when gpujs did not run. */
  gpujsMode: string | null;
  crossOriginIsolated: boolean;
  /** The NMSE criterion the run was judged by (spec/tolerances.md §9.1/§9.2). */
  nmseCriterion: number;
  backends: RunnerBackendResult[];
  /** The reference's greedy continuation and its text; null when nothing was generated. */
  generated: { tokens: number[]; text: string } | null;
}

declare global {
  interface Window {
    /** Test hook of the model runner view. */
    trilmRunner: { lastRun: RunnerLastRun | null };
  }
}

/** Files above this size are refused before they are read. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;
/** Presets whose random TQ2_0 file is larger than this (estimated: presetBytes) are not offered. */
const MAX_PRESET_BYTES = 256 * 1024 * 1024;
/** The seed of the random models the runner makes (`trilm make-model --preset <name> --seed 1`). */
const PRESET_SEED = 1;
/** The preset selected at first. */
const DEFAULT_PRESET = "99m";
/** The embedded model's file name (golden/models/). */
const EMBEDDED_NAME = "trilm-tiny-tq2_0.gguf";
/** Accelerated backends offered, in run order. */
const ACCELERATED = ["packed-wasm", "gpujs", "tfjs-webgl", "tfjs-wasm"] as const;
/** Line colours of the backends in the plot and tables. */
const BACKEND_COLORS: Readonly<Record<string, string>> = {
  reference: "#1d2330",
  "packed-wasm": "#7c3aed",
  gpujs: "#2457c5",
  "tfjs-webgl": "#c2410c",
  "tfjs-wasm": "#047857",
};

/** A model the runner holds. */
interface RunnerModel {
  readonly name: string;
  readonly byteLength: number;
  readonly file: GgufFile;
  readonly model: LoadedModel;
  /** The file's own tokenizer, or why it has none. */
  readonly tokenizer: FileTokenizer;
}

/** Everything the view keeps between events. */
interface RunnerState {
  model: RunnerModel | null;
  running: boolean;
  webgl: WebglInfo;
  gpujsMode: string | null;
  tfjsBackends: string[];
}

/** The elements the view updates. */
interface RunnerElements {
  readonly fileInput: HTMLInputElement;
  readonly preset: HTMLSelectElement;
  readonly make: HTMLButtonElement;
  readonly model: HTMLElement;
  readonly error: HTMLElement;
  readonly text: HTMLInputElement;
  readonly textIds: HTMLElement;
  readonly tokens: HTMLInputElement;
  readonly generate: HTMLInputElement;
  readonly generated: HTMLElement;
  readonly backends: HTMLInputElement[];
  readonly activations: HTMLSelectElement;
  /** Threads of the packed-wasm engine (its Web Worker and threads − 1 more). */
  readonly threads: HTMLSelectElement;
  readonly run: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly env: HTMLElement;
  readonly timings: HTMLTableElement;
  readonly argmax: HTMLTableElement;
  readonly plot: SVGSVGElement;
  readonly plotLegend: HTMLElement;
  readonly summary: HTMLElement;
}

/** Mount the model runner into `root`; resolves once the embedded model is loaded. */
export async function mountRunner(root: HTMLElement): Promise<View> {
  window.trilmRunner = { lastRun: null };
  countGpujsKernelRuns();
  const state: RunnerState = { model: null, running: false, webgl: probeWebgl(), gpujsMode: null, tfjsBackends: [] };
  const el = buildView(root, state);
  renderEnvironment(el, state);
  acceptDrops(root, el, state);
  try {
    const response = await fetch(modelUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    loadModelBytes(el, state, new Uint8Array(await response.arrayBuffer()), EMBEDDED_NAME);
  } catch (error) {
    showError(el, `${EMBEDDED_NAME}: could not fetch the embedded model: ${errorText(error)}`);
  }
  return { show: () => {} };
}

/** Create the view's DOM and wire its controls. */
function buildView(root: HTMLElement, state: RunnerState): RunnerElements {
  const svgPlot = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svgPlot.id = "runner-plot";
  const el: RunnerElements = {
    fileInput: h("input", { id: "runner-model-file", type: "file", accept: ".gguf" }),
    preset: h(
      "select",
      { id: "runner-preset", "aria-label": "preset" },
      [...TRILM_PRESETS, ...BITNET_PRESETS]
        .filter((p) => presetBytes(p) <= MAX_PRESET_BYTES)
        .map((p) =>
          h(
            "option",
            { value: p.name, selected: p.name === DEFAULT_PRESET },
            `${p.name} (≈ ${Math.round(presetBytes(p) / 2 ** 20)} MiB)`,
          ),
        ),
    ),
    make: h("button", { id: "runner-make", type: "button" }, "Make"),
    model: h("div", { id: "runner-model", "data-ready": "false" }, "Loading the embedded model…"),
    error: h("p", { id: "runner-error", class: "error", role: "alert" }),
    text: h("input", {
      id: "runner-text",
      type: "text",
      value: DEFAULT_PROMPT_TEXT,
      size: 48,
      "aria-label": "prompt text",
    }),
    textIds: h("span", { id: "runner-text-ids", class: "mono muted" }),
    generate: h("input", {
      id: "runner-generate",
      type: "number",
      min: "0",
      max: "256",
      value: String(DEFAULT_GENERATE),
      "aria-label": "tokens to generate",
    }),
    generated: h("pre", { id: "runner-generated", "data-state": "idle", class: "runner-generated" }),
    tokens: h("input", {
      id: "runner-tokens",
      type: "text",
      class: "mono",
      value: DEFAULT_PROMPT.join(", "),
      size: 48,
      "aria-label": "prompt token ids",
    }),
    backends: ["reference", ...ACCELERATED].map((name) =>
      h("input", {
        type: "checkbox",
        name: "runner-backend",
        value: name,
        checked: true,
        disabled: name === "reference",
      }),
    ),
    activations: h(
      "select",
      { id: "runner-activations" },
      h("option", { value: "f32", selected: true }, "f32 — float activations"),
      h("option", { value: "ggml" }, "ggml — reference ggml-exact (llama.cpp's x86 arithmetic), backends ggml-matmul"),
    ),
    threads: h(
      "select",
      { id: "runner-threads", "aria-label": "packed-wasm threads" },
      Array.from({ length: pageThreads() }, (_, i) =>
        h("option", { value: String(i + 1), selected: i + 1 === pageThreads() }, String(i + 1)),
      ),
    ),
    run: h("button", { id: "runner-run", class: "primary", type: "button" }, "Run"),
    status: h(
      "span",
      { id: "runner-status", "data-state": "idle", role: "status" },
      "Idle: load a model, pick backends, press Run.",
    ),
    env: h("div", { id: "runner-env" }),
    timings: h("table", { id: "runner-timings", class: "data" }),
    argmax: h("table", { id: "runner-argmax", class: "data" }),
    plot: svgPlot,
    plotLegend: h("div", { class: "runner-legend" }),
    summary: h("div", { class: "runner-summary" }),
  };
  el.fileInput.addEventListener("change", () => {
    const file = el.fileInput.files?.[0];
    if (file !== undefined) void loadModelFile(el, state, file);
    el.fileInput.value = "";
  });
  el.make.addEventListener("click", () => void makePresetModel(el, state, el.preset.value));
  el.run.addEventListener("click", () => void runClicked(el, state));
  el.tokens.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void runClicked(el, state);
  });
  el.text.addEventListener("input", () => applyText(el, state));
  el.text.addEventListener("keydown", (event) => {
    if (event.key === "Enter") void runClicked(el, state);
  });
  root.append(...layout(el));
  drawDiffPlot(el.plot, [], 0, nmseCriterion("f32", 0));
  el.plotLegend.append(h("span", { class: "muted" }, "No run yet: press Run."));
  return el;
}

/** The view's panels, top to bottom. */
function layout(el: RunnerElements): HTMLElement[] {
  return [
    h("h1", {}, "Model runner"),
    h(
      "p",
      { class: "lead" },
      "Run a ternary LLM token by token in your browser — on the reference interpreter and on " +
        "accelerated backends (the packed-wasm engine on the packed weights, gpu.js and TensorFlow.js on WebGL, TensorFlow.js on WebAssembly) — " +
        "and see how far each backend's logits drift from the reference's, and how fast each one is.",
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "1. The model"),
      h(
        "p",
        { class: "muted" },
        "The page starts with the embedded tiny random TriLM (TQ2_0 weights). Pick another GGUF " +
          "file, or drop one anywhere on this view. The file is parsed in the page (",
        specLink("gguf", "", "spec/gguf.md"),
        "), then mapped onto the llama tensors (",
        specLink("forward", "10.1"),
        "). Or make a random TQ2_0 model of a published shape in the page, the bytes of ",
        h("code", {}, "trilm make-model --preset <name> --seed 1"),
        ".",
      ),
      h("label", { class: "runner-file" }, "GGUF file: ", el.fileInput),
      h("label", { class: "runner-file" }, " Random model of preset ", el.preset, " ", el.make),
      el.error,
      el.model,
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "2. The run"),
      h(
        "p",
        { class: "muted" },
        "Text, tokenized in the page with the model file's own tokenizer as llama-tokenize does (",
        specLink("tokenizer", "9"),
        "), fills the token ids; or type ids separated by commas or spaces. Each backend runs them one token per step with its KV cache (",
        specLink("forward", "8.1"),
        "); the activation mode is ",
        specLink("forward", "3.1", "§3.1 f32"),
        " or ",
        specLink("forward", "3.2", "§3.2 ggml"),
        ".",
      ),
      h(
        "div",
        { class: "runner-controls" },
        h("label", {}, "Prompt text ", el.text),
        h("div", {}, el.textIds),
        h("label", {}, "Prompt tokens ", el.tokens),
        h("label", {}, "Then generate ", el.generate, " tokens (reference, greedy)"),
        h(
          "fieldset",
          {},
          h("legend", {}, "Backends"),
          ...el.backends.map((box) =>
            h(
              "label",
              { class: "runner-backend" },
              box,
              ` ${box.value}`,
              box.value === "reference" ? h("span", { class: "muted" }, " (always: the ground truth)") : null,
            ),
          ),
        ),
        h("label", {}, "Activations ", el.activations),
        h("label", {}, " packed-wasm threads ", el.threads),
        el.run,
      ),
      h("p", {}, el.status),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Generated text"),
      h(
        "p",
        { class: "muted" },
        "The prompt's text, then the reference's greedy continuation (f32, as `trilm run --generate N`), " +
          "each token's piece shown as it is chosen (",
        specLink("tokenizer", "10"),
        "). A random model writes real tokens in a random order.",
      ),
      el.generated,
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Environment"),
      h(
        "p",
        { class: "muted" },
        "What actually ran: the GPU behind WebGL, the mode gpu.js's kernels ran in (counted per kernel call), the tfjs backends.",
      ),
      el.env,
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Difference from the reference"),
      explanation(),
      el.plotLegend,
      h("div", { class: "runner-plot-wrap" }, el.plot),
      el.summary,
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Greedy token per position"),
      h(
        "p",
        { class: "muted" },
        "The argmax of each backend's logits. ✓ same as the reference; ≈ a different token where " +
          "the reference's top two logits are closer than the allowed error (a legitimate flip); ✗ a real disagreement.",
      ),
      el.argmax,
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Timings"),
      h(
        "p",
        { class: "muted" },
        "Wall time (performance.now) of creating the backend and taking the weights in, then of " +
          "each step. The first step of a GPU backend includes compiling its shaders.",
      ),
      el.timings,
    ),
  ];
}

/** The short explanation above the plot. */
function explanation(): HTMLElement {
  return h(
    "p",
    { class: "muted" },
    "For every position p, NMSE = Σⱼ(ĉⱼ − rⱼ)² / Σⱼ rⱼ² compares a backend's logits ĉ with the " +
      "reference's r; max|Δ| is the largest single difference. A correct float32 backend stays far below the criterion NMSE ≤ 10⁻⁶ (",
    specLink("tolerances", "9.1"),
    "); a real bug gives 10⁻² or more. With ggml activations (the reference in ggml-exact mode, the " +
      "other backends in ggml-matmul mode) the criterion is the larger of 10⁻⁶ and the whole effect of Q8_K quantization (",
    specLink("tolerances", "9.2"),
    "). The forward pass itself: ",
    specLink("forward", "8"),
    ". A backend identical to the reference has no logarithm: its points sit on the bottom edge.",
  );
}

/** Show `message` as the one-line error (empty string: no error). */
function showError(el: RunnerElements, message: string): void {
  el.error.textContent = message;
}

/** Set the status line. */
function setStatus(el: RunnerElements, state: "idle" | "running" | "done" | "error", text: string): void {
  el.status.dataset.state = state;
  el.status.textContent = text;
}

/** Accept a GGUF file dropped anywhere on the view. */
function acceptDrops(root: HTMLElement, el: RunnerElements, state: RunnerState): void {
  root.addEventListener("dragover", (event) => {
    event.preventDefault();
    root.classList.add("runner-drop");
  });
  root.addEventListener("dragleave", () => root.classList.remove("runner-drop"));
  root.addEventListener("drop", (event) => {
    event.preventDefault();
    root.classList.remove("runner-drop");
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) void loadModelFile(el, state, file);
  });
}

/** Read a picked or dropped file (refusing huge ones before reading) and load it. */
async function loadModelFile(el: RunnerElements, state: RunnerState, file: File): Promise<void> {
  if (state.running) return showError(el, `${file.name}: a run is in progress; load the model when it has finished`);
  if (file.size > MAX_FILE_BYTES) {
    return showError(
      el,
      `${file.name}: ${(file.size / 2 ** 20).toFixed(0)} MiB is more than the page loads (512 MiB); use the trilm CLI for big models`,
    );
  }
  try {
    loadModelBytes(el, state, new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (error) {
    showError(el, `${file.name}: ${errorText(error)}`);
  }
}

/** Parse `bytes` as a GGUF TriLM; on success it becomes the model, otherwise the previous one stays. */
function loadModelBytes(el: RunnerElements, state: RunnerState, bytes: Uint8Array, name: string): void {
  let loaded: RunnerModel;
  try {
    const file = parseGguf(bytes, name);
    loaded = { name, byteLength: bytes.length, file, model: modelFromGguf(file), tokenizer: fileTokenizer(file) };
  } catch (error) {
    const message = errorText(error);
    showError(el, message.startsWith(`${name}: `) ? message : `${name}: ${message}`);
    return;
  }
  useModel(el, state, loaded);
}

/** Threads the packed-wasm engine is offered, the default last: the logical cores the browser reports. */
function pageThreads(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/** The size of `preset`'s random TQ2_0 file, estimated: 66 bytes per 256 ternary weights, 2 per F16 or F32 value. */
function presetBytes(preset: TrilmPreset): number {
  const ternary = ternaryParameterCount(preset.config);
  return (ternary / 256) * 66 + (parameterCount(preset.config) - ternary) * 2;
}

/**
 * Make the random TQ2_0 model of preset `name` in the page (src/model/random-model.ts: the bytes of
 * `trilm make-model --preset <name> --seed 1`) and load it; the previous model stays on failure.
 */
async function makePresetModel(el: RunnerElements, state: RunnerState, name: string): Promise<void> {
  if (state.running) return showError(el, `preset ${name}: a run is in progress; make the model when it has finished`);
  el.make.disabled = true;
  setStatus(el, "idle", `Making a random ${name} model…`);
  await nextTask();
  try {
    const file = randomTrilm(name, PRESET_SEED, "tq2_0");
    const fileName = `${file.getString("general.name") ?? name}.gguf`;
    useModel(el, state, {
      name: fileName,
      byteLength: file.byteLength,
      file,
      model: modelFromGguf(file),
      tokenizer: fileTokenizer(file),
    });
    setStatus(el, "idle", `Made ${fileName}: pick backends, press Run.`);
  } catch (error) {
    showError(el, `preset ${name}: ${errorText(error)}`);
  } finally {
    el.make.disabled = false;
  }
}

/** `loaded` becomes the model. */
function useModel(el: RunnerElements, state: RunnerState, loaded: RunnerModel): void {
  state.model = loaded;
  showError(el, "");
  renderModel(el, loaded);
  applyText(el, state);
}

/** Tokenize the text field with the model's tokenizer: its ids fill the token field and show under the text. */
function applyText(el: RunnerElements, state: RunnerState): void {
  const loaded = state.model;
  if (loaded === null) return;
  if ("error" in loaded.tokenizer) {
    el.text.disabled = true;
    el.textIds.textContent = loaded.tokenizer.error;
    return;
  }
  el.text.disabled = false;
  const result = tokenizeText(loaded.tokenizer.tokenizer, el.text.value, loaded.model.config.contextLength);
  el.textIds.textContent = result.ok ? `${result.tokens.length} tokens: ${result.tokens.join(", ")}` : result.error;
  if (result.ok) el.tokens.value = result.tokens.join(", ");
}

/** The text of `ids` with the model's tokenizer (empty without one), decoded as the bytes arrive. */
function pieceWriter(loaded: RunnerModel): (id: number) => string {
  const decoder = new TextDecoder();
  return (id) =>
    "tokenizer" in loaded.tokenizer
      ? decoder.decode(loaded.tokenizer.tokenizer.tokenToPiece(id), { stream: true })
      : "";
}

/** Stream the reference's greedy continuation of `tokens` into #runner-generated; its tokens and text. */
async function streamGenerated(
  el: RunnerElements,
  loaded: RunnerModel,
  tokens: readonly number[],
): Promise<{ tokens: number[]; text: string } | null> {
  const count = Math.max(0, Math.min(256, Math.floor(Number(el.generate.value) || 0)));
  const piece = pieceWriter(loaded);
  const promptText = tokens.map(piece).join("");
  clear(el.generated);
  const generatedSpan = h("span", { class: "runner-generated-new" });
  el.generated.append(h("span", { class: "muted" }, promptText), generatedSpan);
  if (count === 0) {
    el.generated.dataset.state = "done";
    return null;
  }
  el.generated.dataset.state = "running";
  const generated: number[] = [];
  let text = "";
  const { config, weights } = loaded.model;
  for await (const token of generateGreedy(config, weights, tokens, count)) {
    generated.push(token);
    text += piece(token);
    generatedSpan.textContent = text;
    setStatus(el, "running", `Generating: token ${generated.length} of ${count}…`);
  }
  // the whole continuation decoded at once, as `trilm run` prints "generated text:"
  const whole =
    "tokenizer" in loaded.tokenizer ? new TextDecoder().decode(loaded.tokenizer.tokenizer.pieces(generated)) : "";
  generatedSpan.textContent = whole;
  el.generated.dataset.state = "done";
  return { tokens: generated, text: whole };
}

/** Count the tensors by type: "TQ2_0 × 14, F32 × 5". */
function tensorTypes(file: GgufFile): string {
  const counts = new Map<string, number>();
  for (const t of file.tensors)
    counts.set(GgmlType[t.type] ?? `type ${t.type}`, (counts.get(GgmlType[t.type] ?? `type ${t.type}`) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type} × ${n}`).join(", ");
}

/** A byte count for people. */
function formatBytes(n: number): string {
  return n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KiB (${n} bytes)` : `${(n / 2 ** 20).toFixed(1)} MiB (${n} bytes)`;
}

/** A two-column table of label → value. */
function keyValueTable(rows: readonly (readonly [string, string | Node])[]): HTMLTableElement {
  return h(
    "table",
    { class: "data runner-kv" },
    h(
      "tbody",
      {},
      rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v))),
    ),
  );
}

/** Fill #runner-model with the loaded model's shape. */
function renderModel(el: RunnerElements, m: RunnerModel): void {
  const c = m.model.config;
  clear(el.model);
  el.model.dataset.modelName = m.name;
  el.model.dataset.ready = "true";
  el.model.append(
    keyValueTable([
      ["file", h("span", { class: "mono" }, m.name)],
      ["size", formatBytes(m.byteLength)],
      ["architecture", m.file.getString("general.architecture") ?? "?"],
      ["dim", String(c.dim)],
      ["layers", String(c.nLayers)],
      ["heads / kv heads", `${c.nHeads} / ${c.nKvHeads} (head dim ${c.headDim})`],
      ["ffn", String(c.hiddenDim)],
      ["vocab", String(c.vocabSize)],
      ["context", String(c.contextLength)],
      ["tensor types", tensorTypes(m.file)],
    ]),
  );
}

/** Fill #runner-env. */
function renderEnvironment(el: RunnerElements, state: RunnerState): void {
  clear(el.env);
  el.env.append(
    keyValueTable([
      ["WebGL renderer", state.webgl.renderer ?? "no WebGL context"],
      ["WebGL version", state.webgl.version ?? "—"],
      ["gpu.js mode (kernels that ran)", state.gpujsMode ?? "not run yet"],
      [
        "tfjs backends",
        state.tfjsBackends.length === 0
          ? "not run yet"
          : h(
              "div",
              {},
              state.tfjsBackends.map((d) => h("div", { class: "mono" }, d)),
            ),
      ],
      [
        "crossOriginIsolated",
        String(window.crossOriginIsolated === true) +
          (window.crossOriginIsolated
            ? " (SharedArrayBuffer available: tfjs-wasm may use threads)"
            : " (no SharedArrayBuffer: tfjs-wasm runs one thread)"),
      ],
      ["CPU cores", String(navigator.hardwareConcurrency ?? "?")],
    ]),
  );
}

/** The backends the user ticked, as factories (reference first). */
function chosenFactories(el: RunnerElements, state: RunnerState): BackendFactory[] {
  const wasmPaths = new URL("tfjs-wasm/", location.href).href;
  const withTfjsName = async (make: () => Promise<Backend>): Promise<Backend> => {
    const backend = await make();
    const tf = await import("@tensorflow/tfjs-core");
    state.tfjsBackends.push(`${backend.name}: tf.getBackend() = "${tf.getBackend()}" — ${backend.describe()}`);
    return backend;
  };
  const all: Record<string, BackendFactory> = {
    reference: { name: "reference", referenceModel: true },
    "packed-wasm": {
      name: "packed-wasm",
      startStepper: async (run) => {
        const loaded = state.model;
        if (loaded === null) throw new Error("no model loaded");
        const threads = Number(el.threads.value);
        return (await import("./packed-wasm.js")).startPagePackedWasm(run, loaded.file, loaded.name, threads);
      },
    },
    gpujs: {
      name: "gpujs",
      create: async () => (await import("../../../accelerated/gpujs/index.js")).createGpujsBackend(),
    },
    "tfjs-webgl": {
      name: "tfjs-webgl",
      create: () =>
        withTfjsName(async () => (await import("../../../accelerated/tfjs/index.js")).createTfjsBackend("webgl")),
    },
    "tfjs-wasm": {
      name: "tfjs-wasm",
      create: () =>
        withTfjsName(async () =>
          (await import("../../../accelerated/tfjs/index.js")).createTfjsBackend("wasm", {
            wasmPaths,
            wasmThreads: Math.max(1, navigator.hardwareConcurrency || 1),
          }),
        ),
    },
  };
  return el.backends.filter((box) => box.checked || box.value === "reference").map((box) => all[box.value]);
}

/** Run button: check the prompt, run every chosen backend, publish the result. */
async function runClicked(el: RunnerElements, state: RunnerState): Promise<void> {
  if (state.running) return;
  const loaded = state.model;
  if (loaded === null) return setStatus(el, "error", "No model loaded.");
  const { config, weights } = loaded.model;
  const parsed = parseTokenIds(el.tokens.value, config.vocabSize, config.contextLength);
  if (!parsed.ok) {
    showError(el, parsed.error);
    setStatus(el, "error", "Not run: fix the token list.");
    return;
  }
  showError(el, "");
  const tokens = parsed.tokens;
  const activations = el.activations.value === "ggml" ? "ggml" : "f32";
  state.running = true;
  state.tfjsBackends = [];
  el.run.disabled = true;
  setStatus(el, "running", "Starting…");
  try {
    const gpujsBefore = gpujsKernelRunsNow();
    let criterion = nmseCriterion(referenceModeOf(activations), 0);
    const runs = await runBackends({
      config,
      weights,
      tokens,
      activations,
      factories: chosenFactories(el, state),
      onProgress: (sofar, progress) => {
        const what =
          progress.kind === "prepare"
            ? "creating the backend and taking the weights in"
            : progress.kind === "token"
              ? `token ${progress.position + 1} of ${tokens.length}`
              : "done";
        setStatus(el, "running", `Running ${progress.backend}: ${what}…`);
        if (progress.kind !== "prepare") renderResults(el, sofar, tokens, criterion);
      },
    });
    if (activations === "ggml")
      criterion = nmseCriterion("ggml-exact", quantizationEffect(loaded.model, tokens, runs[0]));
    state.gpujsMode = gpujsModeSince(gpujsBefore);
    renderResults(el, runs, tokens, criterion);
    renderEnvironment(el, state);
    const generated = await streamGenerated(el, loaded, tokens);
    window.trilmRunner.lastRun = { ...lastRunOf(loaded, tokens, activations, state, criterion, runs), generated };
    const failed = runs.filter((r) => r.error !== null).map((r) => r.name);
    setStatus(
      el,
      "done",
      `Done: ${runs.length} backend${runs.length === 1 ? "" : "s"} × ${tokens.length} tokens${failed.length > 0 ? ` (failed: ${failed.join(", ")})` : ""}.`,
    );
  } catch (error) {
    setStatus(el, "error", `Run failed: ${errorText(error)}`);
  } finally {
    state.running = false;
    el.run.disabled = false;
  }
}

/** NMSE(reference f32, reference ggml-exact) for the ggml criterion of spec/tolerances.md §9.2 (∞ when the reference failed). */
function quantizationEffect(model: LoadedModel, tokens: readonly number[], referenceGgml: BackendRun): number {
  if (referenceGgml.error !== null) return Infinity;
  const state = createForwardState({ ...model.config, contextLength: tokens.length }, model.weights, {
    activations: "f32",
    kvCache: "f32",
  });
  const f32 = tokens.map((token, pos) => forward(state, token, pos));
  return nmse(referenceGgml.logits, f32);
}

/** The test hook's record of a finished run. */
function lastRunOf(
  m: RunnerModel,
  tokens: number[],
  activations: RunnerActivations,
  state: RunnerState,
  criterion: number,
  runs: readonly BackendRun[],
): RunnerLastRun {
  return {
    modelName: m.name,
    tokens,
    activations,
    renderer: state.webgl.renderer,
    webglVersion: state.webgl.version,
    gpujsMode: state.gpujsMode,
    crossOriginIsolated: window.crossOriginIsolated === true,
    nmseCriterion: criterion,
    generated: null,
    backends: runs.map((r) => ({
      name: r.name,
      description: r.description,
      prepareMs: r.prepareMs,
      msPerToken: [...r.msPerToken],
      logits: r.logits.map((row) => Array.from(row)),
      error: r.error,
    })),
  };
}

/** Milliseconds for a table cell. */
function ms(value: number): string {
  return Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(1)) : "—";
}

/** A backend name with its colour swatch. */
function backendLabel(name: string): HTMLElement {
  return h(
    "span",
    { class: "runner-backend-name" },
    h("span", { class: "swatch", style: `background:${BACKEND_COLORS[name] ?? "#888"}` }),
    name,
  );
}

/** Redraw the timings, argmax, plot and summary from the runs so far. */
function renderResults(
  el: RunnerElements,
  runs: readonly BackendRun[],
  tokens: readonly number[],
  criterion: number,
): void {
  const reference = runs.find((r) => r.name === "reference");
  const others = runs.filter((r) => r.name !== "reference");
  renderTimings(el.timings, runs, tokens);
  const comparisons = others.map((r) => ({
    run: r,
    rows: reference === undefined ? [] : comparePositions(r.logits, reference.logits, criterion),
  }));
  renderArgmax(el.argmax, reference, comparisons, tokens);
  const series: PlotSeries[] = comparisons.map(({ run, rows }) => ({
    name: run.name,
    color: BACKEND_COLORS[run.name] ?? "#888",
    maxAbs: rows.map((c) => c.maxAbs),
    nmse: rows.map((c) => c.nmse),
  }));
  drawDiffPlot(el.plot, series, tokens.length, criterion);
  clear(el.plotLegend);
  el.plotLegend.append(
    ...series.map((s) => backendLabel(s.name)),
    h("span", { class: "muted" }, ` — dashed: the NMSE criterion ${criterion.toExponential(1)}`),
  );
  clear(el.summary);
  if (reference !== undefined) el.summary.append(summaryTable(others, reference, criterion));
}

/** Backend × token ms, plus the median. */
function renderTimings(table: HTMLTableElement, runs: readonly BackendRun[], tokens: readonly number[]): void {
  clear(table);
  table.append(
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "backend"),
        h("th", { class: "num" }, "prepare ms"),
        tokens.map((t, p) => h("th", { class: "num", title: `token ${t}` }, `#${p}`)),
        h("th", { class: "num" }, "median ms/token"),
      ),
    ),
    h(
      "tbody",
      {},
      runs.map((r) =>
        h(
          "tr",
          { "data-backend": r.name },
          h(
            "td",
            {},
            backendLabel(r.name),
            h(
              "div",
              { class: "muted small" },
              r.error !== null ? h("span", { class: "error" }, `error: ${r.error}`) : r.description,
            ),
          ),
          h("td", { class: "num" }, ms(r.prepareMs)),
          tokens.map((_, p) => h("td", { class: "num" }, p < r.msPerToken.length ? ms(r.msPerToken[p]) : "")),
          h("td", { class: "num strong" }, ms(r.msPerToken.length > 0 ? median(r.msPerToken) : NaN)),
        ),
      ),
    ),
  );
}

const AGREEMENT_MARK: Readonly<Record<ArgmaxAgreement, string>> = { agree: "✓", "near-tie": "≈", disagree: "✗" };

/** Position × backend argmax with agreement marks. */
function renderArgmax(
  table: HTMLTableElement,
  reference: BackendRun | undefined,
  comparisons: readonly { run: BackendRun; rows: ReturnType<typeof comparePositions> }[],
  tokens: readonly number[],
): void {
  clear(table);
  const refArgmax =
    reference === undefined ? [] : comparePositions(reference.logits, reference.logits, 0).map((c) => c.argmax);
  table.append(
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { class: "num" }, "position"),
        h("th", { class: "num" }, "input token"),
        h("th", { class: "num" }, backendLabel("reference")),
        comparisons.map(({ run }) => h("th", { class: "num" }, backendLabel(run.name))),
      ),
    ),
    h(
      "tbody",
      {},
      tokens.map((token, p) =>
        h(
          "tr",
          {},
          h("td", { class: "num" }, String(p)),
          h("td", { class: "num mono" }, String(token)),
          h("td", { class: "num mono" }, p < refArgmax.length ? String(refArgmax[p]) : ""),
          comparisons.map(({ run, rows }) => {
            const c = rows[p];
            if (c === undefined) return h("td", { class: "num" }, run.error !== null ? "—" : "");
            return h(
              "td",
              { class: `num mono agreement-${c.agreement}`, "data-agreement": c.agreement },
              `${c.argmax} ${AGREEMENT_MARK[c.agreement]}`,
            );
          }),
        ),
      ),
    ),
  );
}

/** NMSE over all positions per backend, against the criterion. */
function summaryTable(others: readonly BackendRun[], reference: BackendRun, criterion: number): HTMLTableElement {
  return h(
    "table",
    { class: "data" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", {}, "backend"),
        h("th", { class: "num" }, "NMSE, all positions"),
        h("th", { class: "num" }, "worst max|Δ|"),
        h("th", {}, "verdict"),
      ),
    ),
    h(
      "tbody",
      {},
      others.map((r) => {
        const n = Math.min(r.logits.length, reference.logits.length);
        const error = n === 0 ? NaN : nmse(r.logits.slice(0, n), reference.logits.slice(0, n));
        const worst = Math.max(0, ...comparePositions(r.logits, reference.logits, criterion).map((c) => c.maxAbs));
        const verdict =
          r.error !== null
            ? "failed to run"
            : n === 0
              ? "—"
              : error <= criterion
                ? `within the criterion (≤ ${criterion.toExponential(1)})`
                : `ABOVE the criterion ${criterion.toExponential(1)}`;
        return h(
          "tr",
          {},
          h("td", {}, backendLabel(r.name)),
          h("td", { class: "num mono" }, Number.isNaN(error) ? "—" : error.toExponential(2)),
          h("td", { class: "num mono" }, n === 0 ? "—" : worst.toExponential(2)),
          h("td", { class: error <= criterion ? "ok" : "error" }, verdict),
        );
      }),
    ),
  );
}
