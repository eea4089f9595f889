/**
 * The Rosetta view (`#rosetta`): the same 256 ternary weights in every layout side by side — TQ2_0, TQ1_0, I2_S (x86,
 * arm, 1x4), Hugging Face packed, TriRun, W2A8. The 256 are a 16×16 grid of buttons; each layout draws the bytes
 * that hold them, each byte with the elements its fields hold. Clicking an element (or arrow-keying the grid), or a
 * field of any layout's byte, selects that element in every layout at once. The pattern is a single +1 at the
 * selected element, a seed's trits (as `trilm explain rosetta --seed N`) or typed codes; the 256 sit in one row or a
 * 16×16 corner. Every number comes from the codecs through src/explain/rosetta-layouts.ts.
 */

import "./rosetta.css";
import { DEFAULT_EXPLAIN_SEED } from "../../explain/input.js";
import { hexByte } from "../../explain/numbers.js";
import {
  ROSETTA_ELEMENTS,
  type RosettaArrangement,
  type RosettaInput,
  resolveRosettaPattern,
} from "../../explain/rosetta-input.js";
import { type RosettaLayout, type RosettaModel, rosettaModel } from "../../explain/rosetta-layouts.js";
import { h, SPEC_DOCUMENTS, specLink } from "../dom.js";
import type { View } from "../view.js";
import { parseRosettaCodesText, rosettaByteCells, rosettaSelection } from "./rosetta-model.js";

const MAX_SEED = 0xffffffff;
const SIDE = 16;

/** Arrow keys and Home/End: the element they move the selection to, clamped to the grid. */
const KEY_MOVES: Readonly<Record<string, (e: number) => number>> = {
  ArrowUp: (e) => (e >= SIDE ? e - SIDE : e),
  ArrowDown: (e) => (e + SIDE < ROSETTA_ELEMENTS ? e + SIDE : e),
  ArrowLeft: (e) => (e % SIDE > 0 ? e - 1 : e),
  ArrowRight: (e) => (e % SIDE < SIDE - 1 ? e + 1 : e),
  Home: (e) => e - (e % SIDE),
  End: (e) => e - (e % SIDE) + SIDE - 1,
};

/** How the pattern is made: a walking +1 (follows the selection), a seed, or typed codes. */
type PatternSource =
  | { readonly kind: "walk" }
  | { readonly kind: "seed"; readonly seed: number }
  | { readonly kind: "codes"; readonly codes: readonly number[] };

/** Mount the view: a single +1 at element 0, the row arrangement. */
export function mountRosettaView(root: HTMLElement): View {
  const seedInput = h("input", {
    id: "rosetta-seed",
    type: "number",
    min: 0,
    max: MAX_SEED,
    step: 1,
    value: DEFAULT_EXPLAIN_SEED,
  });
  const shapeSelect = h(
    "select",
    { id: "rosetta-shape", "aria-label": "where the 256 weights sit" },
    h("option", { value: "row" }, "row: W[0][0..255]"),
    h("option", { value: "square" }, "square: W[0..15][0..15]"),
  );
  const codesInput = h("textarea", {
    id: "rosetta-codes",
    class: "mono",
    rows: 4,
    spellcheck: "false",
    "aria-label": "the 256 codes 0..2 (t + 1)",
  });
  const error = h("p", { id: "rosetta-error", class: "error", role: "alert" });
  const note = h("p", { class: "muted", id: "rosetta-note" });
  const output = h("div", { class: "rosetta-output" });

  let source: PatternSource = { kind: "walk" };
  let arrangement: RosettaArrangement = "row";
  let element = 0;
  let model: RosettaModel = build();

  function build(): RosettaModel {
    const input: RosettaInput =
      source.kind === "seed"
        ? { seed: source.seed, element, arrangement }
        : source.kind === "codes"
          ? { codes: source.codes, element, arrangement }
          : { element, arrangement };
    return rosettaModel(resolveRosettaPattern(input));
  }
  const redraw = (): void => {
    model = build();
    note.textContent = model.pattern.origin;
    output.replaceChildren(elementGrid(model, choose), ...model.layouts.map((l) => layoutPanel(l, choose)));
    highlight(false);
  };
  /** Mark the selected element in the grid and in every layout, and fill each layout's place line. */
  const highlight = (focusGrid: boolean): void => {
    output.querySelectorAll(".sel").forEach((el) => el.classList.remove("sel"));
    output.querySelectorAll(`[data-e="${element}"]`).forEach((el) => el.classList.add("sel"));
    for (const cell of output.querySelectorAll<HTMLElement>("#rosetta-grid .cell")) {
      const selected = cell.dataset.e === String(element);
      cell.tabIndex = selected ? 0 : -1;
      cell.setAttribute("aria-pressed", selected ? "true" : "false");
    }
    for (const s of rosettaSelection(model, element)) {
      const place = output.querySelector<HTMLElement>(`.rosetta-layout[data-layout="${s.layout}"] .place`);
      if (place === null) continue;
      const layout = model.layouts.find((l) => l.id === s.layout) as RosettaLayout;
      place.dataset.byte = String(s.place.byte);
      place.dataset.field = String(s.place.field);
      place.dataset.code = String(s.code);
      place.textContent =
        `element ${element}: ${s.place.where} — byte ${s.place.byte} = ${hexByte(layout.bytes[s.place.byte])}, ` +
        `code ${s.code} (${layout.codeRule})`;
    }
    for (const field of output.querySelectorAll<HTMLElement>(".rosetta-layout .field.sel")) {
      const box = field.closest<HTMLElement>(".bytes");
      if (box !== null) box.scrollTop = field.offsetTop - box.offsetTop - box.clientHeight / 2;
    }
    if (focusGrid) output.querySelector<HTMLElement>("#rosetta-grid .cell.sel")?.focus();
  };
  /** Select element e (from the grid or from a layout's field); a walking +1 moves with it. */
  function choose(e: number, focusGrid = true): void {
    element = e;
    if (source.kind === "walk") redraw();
    highlight(focusGrid);
  }
  const setError = (message: string): void => {
    error.textContent = message;
  };
  const walk = (): void => {
    setError("");
    source = { kind: "walk" };
    redraw();
  };
  const random = (): void => {
    const text = seedInput.value.trim();
    const seed = /^\d+$/.test(text) && Number(text) <= MAX_SEED ? Number(text) : undefined;
    if (seed === undefined) return setError(`seed '${seedInput.value}' must be a whole number from 0 to ${MAX_SEED}`);
    setError("");
    source = { kind: "seed", seed };
    redraw();
  };
  const applyCodes = (): void => {
    const parsed = parseRosettaCodesText(codesInput.value);
    if (!parsed.ok) return setError(parsed.error);
    setError("");
    source = { kind: "codes", codes: parsed.codes };
    redraw();
  };

  shapeSelect.addEventListener("change", () => {
    arrangement = shapeSelect.value === "square" ? "square" : "row";
    redraw();
  });
  output.addEventListener("keydown", (event) => {
    const move = KEY_MOVES[event.key];
    const cell = event.target instanceof HTMLElement ? event.target.closest("#rosetta-grid .cell") : null;
    if (move === undefined || cell === null) return;
    event.preventDefault();
    choose(move(element));
  });

  root.append(
    h("h1", {}, "Rosetta stone: the same 256 ternary weights in every layout"),
    h(
      "p",
      { class: "lead" },
      "TQ2_0 and TQ1_0 (llama.cpp), I2_S (bitnet.cpp's three builds), Hugging Face's packed uint8, TriRun and " +
        "BitNet's GPU W2A8 all store t ∈ {−1, 0, +1} in 2 bits (TQ1_0: a base-3 digit), each in its own order. " +
        "Click an element, or any field of any layout, to see where it lands everywhere at once. ",
      h("code", {}, "trilm explain rosetta"),
      " prints the same tables.",
    ),
    h(
      "div",
      { class: "panel input-panel" },
      h("h2", {}, "Pattern"),
      h(
        "div",
        { class: "input-row" },
        h("button", { id: "rosetta-walk", onclick: walk }, "Single +1 (follows the selection)"),
        h("label", {}, "seed ", seedInput),
        h("button", { id: "rosetta-random", onclick: random }, "Random trits"),
        h("span", { class: "spacer" }),
        h("label", {}, "the 256 sit in ", shapeSelect),
      ),
      h(
        "p",
        { class: "explain" },
        "Or type up to 256 codes 0..2 (code = t + 1; the rest are 1, t = 0) and press Apply.",
      ),
      codesInput,
      h("div", { class: "input-row" }, h("button", { id: "rosetta-apply", onclick: applyCodes }, "Apply codes")),
      error,
      note,
    ),
    output,
  );
  redraw();
  return { show: () => {} };
}

/** The 256 as a 16×16 grid of buttons (`data-e`), coloured by t. */
function elementGrid(model: RosettaModel, onSelect: (e: number) => void): HTMLElement {
  const cell = (e: number): HTMLElement => {
    const t = model.pattern.trits[e];
    const label = t > 0 ? "+1" : t === 0 ? "0" : "−1";
    return h(
      "button",
      {
        type: "button",
        class: `cell t-${t + 1}`,
        "data-e": e,
        tabindex: -1,
        "aria-label": `element ${e}: t = ${label}`,
        title: `element ${e}: t = ${label}`,
        onclick: () => onSelect(e),
      },
      label,
    );
  };
  const where = model.pattern.arrangement === "row" ? "W[0][e]" : "W[⌊e/16⌋][e mod 16]";
  return h(
    "div",
    { class: "panel" },
    h("h2", {}, `The 256 weights (element e = ${where}), 16 a row`),
    h(
      "div",
      {
        class: "element-grid",
        id: "rosetta-grid",
        role: "group",
        "aria-label": "the 256 weights; arrow keys move, Enter selects",
        style: `grid-template-columns: 2.6rem repeat(${SIDE}, 1fr)`,
      },
      ...Array.from({ length: SIDE }, (_, r) => [
        h("div", { class: "grid-label" }, String(SIDE * r)),
        ...Array.from({ length: SIDE }, (_, c) => cell(SIDE * r + c)),
      ]).flat(),
    ),
  );
}

/** One layout: what it packs, the selected element's place, and its bytes with the element each field holds. */
function layoutPanel(layout: RosettaLayout, onSelect: (e: number, focusGrid: boolean) => void): HTMLElement {
  const bytes = rosettaByteCells(layout).map((cell) =>
    h(
      "div",
      { class: "byte", "data-byte": cell.byte, title: `byte ${cell.byte} = ${hexByte(cell.value)}` },
      h("span", { class: "hex" }, cell.value.toString(16).padStart(2, "0")),
      h(
        "span",
        { class: "fields" },
        cell.fields.map((f) =>
          f.element === undefined
            ? h("span", { class: "field other", title: "a weight outside the 256" }, "·")
            : h(
                "button",
                {
                  type: "button",
                  class: `field c-${layout.codeOf(0) === f.code ? "zero" : "set"}`,
                  "data-e": f.element,
                  "data-field": f.field,
                  title: `element ${f.element}: code ${f.code}`,
                  onclick: () => onSelect(f.element as number, false),
                },
                String(f.element),
              ),
        ),
      ),
    ),
  );
  return h(
    "div",
    { class: "panel rosetta-layout", "data-layout": layout.id },
    h("h2", {}, `${layout.name}: code ${layout.codeRule}, matrix ${layout.matrix} (out × in)`),
    h("p", { class: "explain" }, `${layout.placement}. Scale: ${layout.scale}. `, layoutSpecLink(layout.spec)),
    h("p", { class: "place mono" }),
    h("div", { class: "bytes mono" }, bytes),
  );
}

/** `spec/bitnet.md §2.2` as a link into the spec reader (plain text if it names no page document). */
function layoutSpecLink(citation: string): Node | string {
  const match = /^spec\/([\w-]+)\.md §([\d.]+)$/.exec(citation);
  const document = SPEC_DOCUMENTS.find((d) => d === match?.[1]);
  return match === null || document === undefined ? citation : specLink(document, match[2]);
}
