/**
 * The Format explorer (`#explorer`): one 256-element block, its TQ2_0 and TQ1_0 encodings bit by
 * bit, decoded back and validated, with hover linking between elements and bytes. All numbers come
 * from the reference codec (reference/codec) through the pure modules next to this file.
 */

import "./explorer.css";
import { DEFAULT_EXPLAIN_SEED, drawTriLmBlock } from "../../explain/input.js";
import { h } from "../dom.js";
import type { View } from "../view.js";
import { type ExplorerBlock, encodeExplorerBlock, withEditedBytes } from "./block-model.js";
import { parseHexBytes } from "./hex.js";
import { type HoverTarget, clearHighlights, highlight, hoverTargetOf } from "./hover.js";
import { type ExplorerFormat, FORMAT_LAYOUTS, elementPlace } from "./layout.js";
import { elementGrid, scalePanel, tq1Panel, tq1WorkedDecode, tq2Panel } from "./panels.js";
import { formatValues, parseValues } from "./values.js";

const MAX_SEED = 0xffffffff;

/** The input controls. */
interface Controls {
  readonly values: HTMLTextAreaElement;
  readonly seed: HTMLInputElement;
  readonly error: HTMLElement;
  readonly note: HTMLElement;
}

/** Mount the view: build the controls, encode the default block (seed 1), wire hover linking. */
export function mountExplorer(root: HTMLElement): View {
  const controls: Controls = {
    values: h("textarea", { id: "explorer-values", class: "mono", rows: 8, spellcheck: "false" }),
    seed: h("input", {
      id: "explorer-seed",
      type: "number",
      min: 0,
      max: MAX_SEED,
      step: 1,
      value: DEFAULT_EXPLAIN_SEED,
    }),
    error: h("p", { id: "explorer-error", class: "error", role: "alert" }),
    note: h("p", { class: "muted", id: "explorer-note" }),
  };
  const output = h("div", { class: "explorer-output" });
  let block: ExplorerBlock = encodeExplorerBlock(drawTriLmBlock(DEFAULT_EXPLAIN_SEED).values);
  let workedByte = 0;

  const render = (): void => {
    output.replaceChildren(
      elementGrid(block),
      scalePanel(block),
      tq2Panel(block, (text) => applyBytes("tq2_0", text)),
      tq1Panel(block, workedByte, (text) => applyBytes("tq1_0", text)),
    );
  };
  const setError = (message: string): void => {
    controls.error.textContent = message;
  };
  const encode = (): void => {
    const parsed = parseValues(controls.values.value);
    if (!parsed.ok) return setError(parsed.error);
    setError("");
    block = encodeExplorerBlock(parsed.values, parsed.given);
    controls.note.textContent = paddingNote(parsed.given);
    render();
  };
  const random = (): void => {
    const seed = parseSeedText(controls.seed.value);
    if (seed === undefined)
      return setError(`seed '${controls.seed.value}' must be a whole number from 0 to ${MAX_SEED}`);
    controls.values.value = formatValues(drawTriLmBlock(seed).values);
    encode();
    controls.note.textContent = `Random TriLM block, seed ${seed}: 256 trits (P(0) = 1/3) times one scale.`;
  };
  const applyBytes = (format: ExplorerFormat, text: string): void => {
    const parsed = parseHexBytes(text, FORMAT_LAYOUTS[format].blockBytes, FORMAT_LAYOUTS[format].name);
    if (!parsed.ok) return setError(parsed.error);
    setError("");
    block = withEditedBytes(block, format, parsed.bytes);
    render();
  };
  const showWorkedByte = (byte: number): void => {
    if (byte === workedByte || byte >= FORMAT_LAYOUTS.tq1_0.scaleOffset) return;
    workedByte = byte;
    root.querySelector("#explorer-tq1-worked")?.replaceWith(tq1WorkedDecode(block.tq1_0, byte));
  };

  root.append(
    h("h1", {}, "Format explorer: one block of 256 ternary weights"),
    h(
      "p",
      { class: "lead" },
      "Type up to 256 numbers (or draw a random TriLM-like block) and watch them become a 66-byte TQ2_0 " +
        "block and a 54-byte TQ1_0 block, bit by bit. Hover anything to see where an element lives; edit the bytes to see " +
        "what a decoder makes of them.",
    ),
    h(
      "div",
      { class: "panel input-panel" },
      h("h2", {}, "Input"),
      h(
        "p",
        { class: "explain" },
        "Numbers separated by spaces, commas or newlines; each is rounded to float32. nan, inf and -inf are accepted. " +
          "Missing values are 0.",
      ),
      controls.values,
      h(
        "div",
        { class: "input-row" },
        h("button", { id: "explorer-encode", class: "primary", onclick: encode }, "Encode"),
        h("span", { class: "spacer" }),
        h("label", {}, "seed ", controls.seed),
        h("button", { id: "explorer-random", onclick: random }, "Random TriLM block"),
      ),
      controls.error,
      controls.note,
    ),
    output,
  );

  root.addEventListener("mouseover", (event) => {
    const target = hoverTargetOf(event.target);
    if (target === undefined) return clearHighlights(root);
    const workedByteOf = tq1ByteOfHover(target, event.target);
    if (workedByteOf !== undefined) showWorkedByte(workedByteOf);
    highlight(root, target);
  });
  root.addEventListener("mouseleave", () => clearHighlights(root));

  controls.values.value = formatValues(block.input);
  controls.note.textContent = `Random TriLM block, seed ${DEFAULT_EXPLAIN_SEED}: 256 trits (P(0) = 1/3) times one scale.`;
  render();
  return { show: () => {} };
}

/** The TQ1_0 byte whose worked decode a hover should show: a hovered TQ1_0 byte, or the byte of a hovered trit. */
function tq1ByteOfHover(target: HoverTarget, node: EventTarget | null): number | undefined {
  if (target.kind === "byte") return target.format === "tq1_0" ? target.byte : undefined;
  const inTq1 = node instanceof Element && node.closest('[data-format="tq1_0"]') !== null;
  return inTq1 ? elementPlace(target.element).tq1.byte : undefined;
}

/** "N values given: elements N … 255 are 0", or "" for a full block. */
function paddingNote(given: number): string {
  if (given >= 256) return "256 values given.";
  return `${given} value${given === 1 ? "" : "s"} given: elements ${given} … 255 are 0 (padding).`;
}

/** A seed typed in the seed box, or undefined unless it is a whole number 0..2^32−1. */
function parseSeedText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const seed = Number(trimmed);
  return seed <= MAX_SEED ? seed : undefined;
}
