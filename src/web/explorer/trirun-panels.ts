/**
 * The TriRun view's panels as DOM: the 16×16 grid of one tile's codes (cells are buttons, so the grid is reachable
 * by keyboard) and the selected element's word, crumb and consumer. Each function returns a fresh subtree; the view
 * replaces the old one. Numbers come from trirun-model.ts (reference/codec).
 */

import { binary, hexHalfWord, signedTrit } from "../../explain/numbers.js";
import { STRIP_N } from "../../explain/trirun-input.js";
import { h, specLink } from "../dom.js";
import { TILE_CODES, type TrirunElementFacts, type TrirunStripModel } from "./trirun-model.js";

const SIDE = 16;
/** The k rows of the m16n8k16 B fragment each register holds, and the dequant mask that fills it (spec §4.3, §7). */
const REGISTER_ROWS = ["LO mask, k rows 0..7", "HI mask, k rows 8..15"] as const;

/** `0x1234abcd` */
export function hexWord(word: number): string {
  return `0x${(word >>> 0).toString(16).padStart(8, "0")}`;
}

/** A code as the weight it stands for: −1, 0, +1, or c3 (code 3, invalid). */
function codeLabel(code: number): string {
  return code <= 2 ? signedTrit(code).trim().replace("-", "−") : `c${code}`;
}

/** A paragraph of explanation. */
function explain(...children: (Node | string)[]): HTMLParagraphElement {
  return h("p", { class: "explain" }, ...children);
}

/** t as the page writes it: −1, 0, +1, or "+2 (not ternary)" for code 3 (spec §2). */
function weightLabel(t: number): string {
  return t < 0 ? `−${-t}` : t === 0 ? "0" : t === 1 ? "+1" : `+${t} (not ternary)`;
}

/** "b0.lo" for a register and half. */
function registerHalf(register: number, half: number): string {
  return `b${register}.${half === 0 ? "lo" : "hi"}`;
}

/**
 * The grid of tile `tile`: cell (k, c) is a button for element (k, 16·tile + c), coloured by code, with `data-k`,
 * `data-n`; the selected element is `.selected` (aria-pressed) and the only cell in the tab order, and the
 * elements that share its word are `.share`. `onSelect(k, n)` is called on click (Enter and Space click a button).
 */
export function tileGrid(
  strip: TrirunStripModel,
  tile: number,
  selected: TrirunElementFacts,
  onSelect: (k: number, n: number) => void,
): HTMLElement {
  const n0 = SIDE * tile;
  const sharers = new Set(selected.crumbs.map(({ k, n }) => k * STRIP_N + n));
  const cell = (k: number, n: number): HTMLElement => {
    const code = strip.codes[k * STRIP_N + n];
    const isSelected = k === selected.k && n === selected.n;
    const classes = ["cell", `code-${code}`, sharers.has(k * STRIP_N + n) ? "share" : "", isSelected ? "selected" : ""];
    return h(
      "button",
      {
        type: "button",
        class: classes.filter(Boolean).join(" "),
        "data-k": k,
        "data-n": n,
        tabindex: isSelected ? 0 : -1,
        "aria-pressed": isSelected ? "true" : "false",
        "aria-label": `k ${k}, n ${n}: code ${code} (${codeLabel(code)})`,
        title: `(k, n) = (${k}, ${n}): code ${code} (${codeLabel(code)})`,
        onclick: () => onSelect(k, n),
      },
      codeLabel(code),
    );
  };
  return h(
    "div",
    { class: "panel" },
    h("h2", {}, `1. Tile ${tile}: k = 0..15 down, n = ${n0}..${n0 + 15} across`),
    explain(
      "Each cell is one weight's code (code = t + 1). Click a cell, or move with the arrow keys and press Enter, to see " +
        "where TriRun stores it. The cells outlined are the other codes of the same B word: a word holds 16 codes, " +
        "8 from this tile and 8 from the tile 16 columns away. ",
      specLink("trirun", "2"),
      " ",
      specLink("trirun", "3"),
    ),
    h(
      "div",
      {
        class: "element-grid",
        id: "trirun-grid",
        role: "group",
        "aria-label": `tile ${tile} codes; arrow keys move, Enter selects`,
        "data-tile": tile,
        style: `grid-template-columns: 2.6rem repeat(${SIDE}, 1fr)`,
      },
      h("div", { class: "grid-label" }, ""),
      ...Array.from({ length: SIDE }, (_, c) => h("div", { class: "grid-label" }, `n=${n0 + c}`)),
      ...Array.from({ length: SIDE }, (_, k) => [
        h("div", { class: "grid-label" }, `k=${k}`),
        ...Array.from({ length: SIDE }, (_, c) => cell(k, n0 + c)),
      ]).flat(),
    ),
    h(
      "p",
      { class: "legend" },
      h("span", { class: "cell code-0" }, "−1"),
      " code 0  ",
      h("span", { class: "cell code-1" }, "0"),
      " code 1  ",
      h("span", { class: "cell code-2" }, "+1"),
      " code 2  ",
      h("span", { class: "cell code-3" }, "c3"),
      " code 3 (not ternary)  ",
      h("span", { class: "cell share code-1" }, "0"),
      " shares the selected word",
    ),
  );
}

/** The word's 32 bits, crumb 15 (bits 31:30) first, each crumb a span; the selected crumb is `.crumb-selected`. */
function wordBits(facts: TrirunElementFacts): HTMLElement {
  return h(
    "div",
    { class: "word-bits mono", id: "trirun-word-binary", "data-binary": binary(facts.word >>> 0, 32) },
    Array.from({ length: 16 }, (_, i) => {
      const c = 15 - i;
      const { code } = facts.crumbs[c];
      return h(
        "span",
        {
          class: `crumb code-text-${code}${c === facts.crumb ? " crumb-selected" : ""}`,
          "data-crumb": c,
          title: `crumb ${c}: bits ${2 * c + 1}:${2 * c} = ${binary(code, 2)}`,
        },
        h("span", { class: "bits" }, binary(code, 2)),
        h("span", { class: "clabel" }, String(c)),
      );
    }),
  );
}

/** The word's 16 crumbs as a table: crumb, bits, code, (k, n), tile; a row's button selects that element. */
function crumbTable(facts: TrirunElementFacts, onSelect: (k: number, n: number) => void): HTMLElement {
  return h(
    "table",
    { class: "data mono crumb-table", id: "trirun-crumbs" },
    h(
      "tr",
      {},
      h("th", {}, "crumb"),
      h("th", {}, "bits"),
      h("th", {}, "code (t)"),
      h("th", {}, "(k, n)"),
      h("th", {}, "tile"),
    ),
    facts.crumbs.map(({ crumb, k, n, code }) =>
      h(
        "tr",
        { class: crumb === facts.crumb ? "crumb-selected" : "", "data-crumb": crumb, "data-k": k, "data-n": n },
        h("td", { class: "num" }, String(crumb)),
        h("td", {}, `${2 * crumb + 1}:${2 * crumb}`),
        h("td", { class: `code-text-${code}` }, `${binary(code, 2)} = ${code} (${codeLabel(code)})`),
        h(
          "td",
          {},
          h("button", { type: "button", class: "link-button", onclick: () => onSelect(k, n) }, `(${k}, ${n})`),
        ),
        h("td", { class: "num" }, String(Math.floor(n / SIDE))),
      ),
    ),
  );
}

/** One fact as a table row. */
function factRow(label: string, ...value: (Node | string)[]): HTMLElement {
  return h("tr", {}, h("th", {}, label), h("td", { class: "mono" }, ...value));
}

/**
 * The selected element: `#trirun-detail`, with data attributes for each number shown (k, n, row, column, crumb,
 * word, lane, register, half, mma, fragment, shift, lane-word).
 */
export function elementDetail(facts: TrirunElementFacts, onSelect: (k: number, n: number) => void): HTMLElement {
  const p = facts.position;
  const columnInStrip = facts.column % 64;
  const sameAsPacker = facts.kernelSource.column === columnInStrip && facts.kernelSource.crumb === facts.crumb;
  const fragmentIndex = 2 * p.register + p.half;
  const subTile = 2 * p.mma + p.fragment;
  const subTileN0 = 64 * Math.floor(facts.n / 64) + 8 * subTile;
  return h(
    "div",
    {
      class: "panel",
      id: "trirun-detail",
      "aria-live": "polite",
      "data-k": facts.k,
      "data-n": facts.n,
      "data-row": facts.row,
      "data-column": facts.column,
      "data-crumb": facts.crumb,
      "data-word": hexWord(facts.word),
      "data-lane": p.lane,
      "data-lane-word": p.word,
      "data-mma": p.mma,
      "data-fragment": p.fragment,
      "data-register": p.register,
      "data-half": p.half,
      "data-shift": p.shift,
    },
    h("h2", {}, `2. Element (k, n) = (${facts.k}, ${facts.n}): code ${facts.code}, t = ${weightLabel(facts.t)}`),
    h("h3", {}, "Where it is stored"),
    explain(
      "B is k/16 × n int32 words; element (k, n) goes to row k / 16, a column of its 64-column strip given by the " +
        "permutation, and one crumb (2-bit field) of that word, crumb 0 in the lowest bits. ",
      specLink("trirun", "5.1"),
      " ",
      specLink("trirun", "5.2"),
    ),
    h(
      "table",
      { class: "data facts" },
      factRow("B word", `B[${facts.row}][${facts.column}]  (row ${facts.row}, column ${facts.column})`),
      factRow(
        "crumb",
        `${facts.crumb}: bits ${2 * facts.crumb}..${2 * facts.crumb + 1}, code = (word >> ${2 * facts.crumb}) & 3 = ${facts.code}`,
      ),
      factRow("word (hex)", hexWord(facts.word)),
    ),
    h("h3", {}, "The word bit by bit (crumb 15 … crumb 0; the element's crumb is marked)"),
    wordBits(facts),
    h("h3", {}, "The 16 elements of this word (outlined in the grid where they are in this tile)"),
    crumbTable(facts, onSelect),
    h("h3", {}, "Who consumes it in the kernel"),
    explain(
      "A warp reads the strip's 64 columns: lane l loads columns 2l and 2l+1 as one int2. MMA call j (0..3) takes int " +
        "j / 2 of it, shifted right by 2·(j mod 2), and by 8 more for its second fragment; dequant then takes four crumbs " +
        "into the m16n8k16 B registers b0 and b1, each two fp16 halves. ",
      specLink("trirun", "4.3"),
      " ",
      specLink("trirun", "7"),
    ),
    h(
      "table",
      { class: "data facts", id: "trirun-consumer" },
      factRow(
        "lane",
        `${p.lane} = 4·(n mod 8) + (k mod 8)/2  (groupID ${p.lane >> 2}, threadID_in_group ${p.lane & 3}); ` +
          `it loads columns ${2 * p.lane}, ${2 * p.lane + 1} of the strip, this word is int ${p.word} of its int2`,
      ),
      factRow(
        "MMA call, fragment",
        `j = ${p.mma}, frag_b${p.fragment}: the n8 sub-tile ${subTile} of the strip (n = ${subTileN0}..${subTileN0 + 7})`,
      ),
      factRow(
        "dequant shift",
        `${p.shift} = 2·(j mod 2) + 8·fragment; dequant(word >> ${p.shift}) reads crumbs ` +
          `${facts.dequantCrumbs.join(", ")} into b0.lo, b0.hi, b1.lo, b1.hi`,
      ),
      factRow(
        "register, half",
        `${registerHalf(p.register, p.half)}: register b${p.register} (frag_b[${p.register}], ${REGISTER_ROWS[p.register]}), ` +
          `${p.half === 0 ? "low" : "high"} fp16 half (${p.half === 0 ? "even" : "odd"} k)`,
      ),
      factRow(
        "decoded",
        `dequant(word >> ${p.shift})[${fragmentIndex}] = ${hexHalfWord(facts.kernelBits)} = ${facts.kernelValue}` +
          ` ${facts.kernelValue === facts.t ? "= t" : `≠ t = ${facts.t}`}`,
      ),
      factRow(
        "check",
        sameAsPacker
          ? `the kernel reads column ${facts.kernelSource.column}, crumb ${facts.kernelSource.crumb}: where the packer put it`
          : `the kernel reads column ${facts.kernelSource.column}, crumb ${facts.kernelSource.crumb}, not column ${columnInStrip}, crumb ${facts.crumb}`,
      ),
    ),
  );
}

/** How many codes of the tile are 3 (not ternary): a note for the input panel, or "". */
export function code3Note(tileCodes: readonly number[]): string {
  const count = tileCodes.filter((c) => c === 3).length;
  if (count === 0) return "";
  return `${count} of ${TILE_CODES} codes are 3: TriRun's dequant decodes code 3 to t = +2, which is not ternary (spec/trirun.md §2).`;
}
