/**
 * The TriRun view (`#trirun`): one 16×64 strip of TriRun codes (four 16×16 tiles), one tile drawn as a grid. Click an
 * element (or move with the arrow keys) to see its B word and crumb, the word's other 15 elements, and the MMA lane,
 * register, half, call and fragment that consume it. The strip is drawn as `trilm explain trirun --seed N` draws it,
 * and a tile's codes can be typed; all numbers come from reference/codec through trirun-model.ts.
 */

import "./trirun.css";
import { DEFAULT_EXPLAIN_SEED } from "../../explain/input.js";
import { resolveTrirunStrip } from "../../explain/trirun-input.js";
import { h } from "../dom.js";
import type { View } from "../view.js";
import { code3Note, elementDetail, tileGrid } from "./trirun-panels.js";
import {
  type TrirunStripModel,
  formatTileCodes,
  packTrirunStrip,
  parseTileCodes,
  tileCodesOf,
  trirunElementFacts,
  withTileCodes,
} from "./trirun-model.js";

const MAX_SEED = 0xffffffff;
const SIDE = 16;
const TILES = 4;

/** Arrow keys and Home/End: the (Δk, Δc) they move the selection by within the tile, clamped at its edges. */
const KEY_MOVES: Readonly<Record<string, (k: number, c: number) => [number, number]>> = {
  ArrowUp: (k, c) => [k - 1, c],
  ArrowDown: (k, c) => [k + 1, c],
  ArrowLeft: (k, c) => [k, c - 1],
  ArrowRight: (k, c) => [k, c + 1],
  Home: (k) => [k, 0],
  End: (k) => [k, SIDE - 1],
};

/** Mount the view: the strip of seed 1, tile 0, element (0, 0) selected. */
export function mountTrirunView(root: HTMLElement): View {
  const tileSelect = h(
    "select",
    { id: "trirun-tile", "aria-label": "tile of the 64-column strip" },
    Array.from({ length: TILES }, (_, t) => h("option", { value: t }, `tile ${t} (n = ${SIDE * t}..${SIDE * t + 15})`)),
  );
  const seedInput = h("input", {
    id: "trirun-seed",
    type: "number",
    min: 0,
    max: MAX_SEED,
    step: 1,
    value: DEFAULT_EXPLAIN_SEED,
  });
  const codesInput = h("textarea", {
    id: "trirun-codes",
    class: "mono",
    rows: SIDE,
    spellcheck: "false",
    "aria-label": "the tile's 256 codes, row by row",
  });
  const error = h("p", { id: "trirun-error", class: "error", role: "alert" });
  const note = h("p", { class: "muted", id: "trirun-note" });
  const output = h("div", { class: "trirun-output" });

  let strip: TrirunStripModel = packTrirunStrip(resolveTrirunStrip({ seed: DEFAULT_EXPLAIN_SEED }).codes);
  let tile = 0;
  let selected = { k: 0, n: 0 };

  const render = (focusGrid: boolean): void => {
    const facts = trirunElementFacts(strip, selected.k, selected.n);
    output.replaceChildren(tileGrid(strip, tile, facts, select), elementDetail(facts, select));
    if (focusGrid) output.querySelector<HTMLElement>("#trirun-grid .selected")?.focus();
  };
  /** Select (k, n), switching to its tile when it lies in another one (a word spans two tiles). */
  function select(k: number, n: number): void {
    selected = { k, n };
    const tileOfN = Math.floor(n / SIDE);
    if (tileOfN !== tile) setTile(tileOfN);
    render(true);
  }
  const setTile = (next: number): void => {
    tile = next;
    tileSelect.value = String(tile);
    codesInput.value = formatTileCodes(tileCodesOf(strip.codes, tile));
  };
  const setError = (message: string): void => {
    error.textContent = message;
  };
  const random = (): void => {
    const text = seedInput.value.trim();
    const seed = /^\d+$/.test(text) && Number(text) <= MAX_SEED ? Number(text) : undefined;
    if (seed === undefined) return setError(`seed '${seedInput.value}' must be a whole number from 0 to ${MAX_SEED}`);
    setError("");
    strip = packTrirunStrip(resolveTrirunStrip({ seed }).codes);
    note.textContent = seedNote(seed);
    setTile(tile);
    render(false);
  };
  const applyCodes = (): void => {
    const parsed = parseTileCodes(codesInput.value);
    if (!parsed.ok) return setError(parsed.error);
    setError("");
    strip = packTrirunStrip(withTileCodes(strip.codes, tile, parsed.codes));
    const padded = parsed.given < SIDE * SIDE ? `; codes ${parsed.given + 1}..${SIDE * SIDE} are 1 (t = 0)` : "";
    note.textContent = [`${parsed.given} codes given for tile ${tile}${padded}.`, code3Note(parsed.codes)]
      .join(" ")
      .trim();
    render(false);
  };

  tileSelect.addEventListener("change", () => {
    setTile(Number(tileSelect.value));
    selected = { k: selected.k, n: SIDE * tile + (selected.n % SIDE) };
    render(false);
  });
  output.addEventListener("keydown", (event) => {
    const move = KEY_MOVES[event.key];
    const cell = event.target instanceof HTMLElement ? event.target.closest("#trirun-grid .cell") : null;
    if (move === undefined || cell === null) return;
    event.preventDefault();
    const [k, c] = move(selected.k, selected.n % SIDE);
    select(Math.min(SIDE - 1, Math.max(0, k)), SIDE * tile + Math.min(SIDE - 1, Math.max(0, c)));
  });

  root.append(
    h("h1", {}, "TriRun explorer: one 16×16 tile of a 16×64 strip"),
    h(
      "p",
      { class: "lead" },
      "TriRun (the Spectra-1.1 GPU kernel) cuts ternary codes into 16×16 tiles, gathers them through a permutation " +
        "that follows the tensor-core MMA fragment, and packs 16 codes into each int32 of B. Pick an element and see " +
        "which word and bit pair hold it, and which lane and register of the MMA read it back. ",
      h("code", {}, "trilm explain trirun"),
      " walks the same strip in text.",
    ),
    h(
      "div",
      { class: "panel input-panel" },
      h("h2", {}, "Input"),
      h(
        "div",
        { class: "input-row" },
        h("label", {}, "show ", tileSelect),
        h("span", { class: "spacer" }),
        h("label", {}, "seed ", seedInput),
        h("button", { id: "trirun-random", onclick: random }, "Random strip"),
      ),
      h(
        "p",
        { class: "explain" },
        "The shown tile's codes, row by row (k = 0..15), 0..3 separated by spaces, commas or newlines (code = t + 1; " +
          "missing codes are 1). Press Apply to repack the strip with them.",
      ),
      codesInput,
      h(
        "div",
        { class: "input-row" },
        h("button", { id: "trirun-apply", class: "primary", onclick: applyCodes }, "Apply codes"),
      ),
      error,
      note,
    ),
    output,
  );

  note.textContent = seedNote(DEFAULT_EXPLAIN_SEED);
  setTile(0);
  render(false);
  return { show: () => {} };
}

/** Where a seeded strip comes from. */
function seedNote(seed: number): string {
  return `Seed ${seed}: the 16×64 strip of random trits (P(0) = 1/3) that trilm explain trirun --seed ${seed} draws.`;
}
