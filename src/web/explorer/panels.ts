/**
 * The explorer's panels as DOM, built from an ExplorerBlock: the element grid, the scale, each
 * format's bytes with its bit / trit diagram, the decoded values and the validator's findings.
 * Each function returns a fresh subtree; the view replaces the old one.
 */

import { type BlockFinding, QK_K, f32ToBits } from "../../../reference/codec/index.js";
import { binary, formatApprox, hexByte, signedTrit } from "../../explain/numbers.js";
import { h, specLink } from "../dom.js";
import { type ExplorerBlock, type FormatBlock, differingElements, f32BitsHex } from "./block-model.js";
import { bytesToHex } from "./hex.js";
import { FORMAT_LAYOUTS, TQ2_SHIFTS_DRAWN, byteRole, tq1ElementsOfByte, tq2ElementsOfByte } from "./layout.js";
import { scaleFacts } from "./scale-facts.js";
import { tritSteps } from "./tq1-decode.js";
import { formatValue } from "./values.js";

const GRID_SIDE = 16;
/** How many differing elements the decoded table lists. */
const MAX_DIFFERENCES_SHOWN = 16;

/** A code as the weight it stands for, for a cell: −1, 0, +1, or the raw code when it is 3. */
function codeLabel(code: number): string {
  return code <= 2 ? signedTrit(code).trim().replace("-", "−") : `c${code}`;
}

/** A paragraph of explanation. */
function explain(...children: (Node | string)[]): HTMLParagraphElement {
  return h("p", { class: "explain" }, ...children);
}

/** The 16×16 grid of inputs, coloured by the encoder's code; hover shows value, code, decoded values. */
export function elementGrid(block: ExplorerBlock): HTMLElement {
  const cells: HTMLElement[] = [];
  for (let e = 0; e < QK_K; e++) {
    const code = block.encoderCodes[e];
    const padding = e >= block.given;
    const title =
      `element ${e}: x = ${formatValue(block.input[e])}${padding ? " (padding)" : ""}, code ${code} (${codeLabel(code)})` +
      `\nTQ2_0 decodes ${formatValue(block.tq2_0.decoded[e])}, TQ1_0 decodes ${formatValue(block.tq1_0.decoded[e])}`;
    cells.push(
      h(
        "div",
        { class: `cell code-${Math.min(code, 3)}${padding ? " padding" : ""}`, "data-element": e, title },
        codeLabel(code),
      ),
    );
  }
  return h(
    "div",
    { class: "panel" },
    h("h2", {}, "1. The 256 elements"),
    explain(
      "Each weight becomes a trit code: code = lroundf(x·id) + 1 with id = 1/amax, so −amax, 0, +amax give codes 0, 1, 2 " +
        "(weights −1, 0, +1). Row r holds elements 16r … 16r+15. Hover a cell to see its value and where it is stored. ",
      specLink("formats", "3"),
      " ",
      specLink("formats", "2.4"),
    ),
    h(
      "div",
      {
        class: "element-grid",
        id: "explorer-elements",
        style: `grid-template-columns: 2.2rem repeat(${GRID_SIDE}, 1fr)`,
      },
      h("div", { class: "grid-label" }, ""),
      ...Array.from({ length: GRID_SIDE }, (_, c) => h("div", { class: "grid-label" }, `+${c}`)),
      ...Array.from({ length: GRID_SIDE }, (_, r) => [
        h("div", { class: "grid-label" }, String(r * GRID_SIDE)),
        ...cells.slice(r * GRID_SIDE, (r + 1) * GRID_SIDE),
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
      " code 2",
      block.given < QK_K ? h("span", { class: "cell padding code-1" }, "0") : null,
      block.given < QK_K ? " padding (not given)" : null,
    ),
  );
}

/** One scale's bit fields and value as table rows. */
function scaleRows(label: string, bits: number, amax: number | undefined): HTMLElement[] {
  const facts = scaleFacts(bits, amax);
  const { sign, exponent, mantissa } = facts.fields;
  return [
    h(
      "tr",
      {},
      h("th", {}, `${label} fp16 bits`),
      h(
        "td",
        { class: "mono" },
        `0x${facts.bitsHex}`,
        "  =  ",
        h("span", { class: "f16-sign" }, String(sign)),
        " | ",
        h("span", { class: "f16-exp" }, binary(exponent, 5)),
        " | ",
        h("span", { class: "f16-man" }, binary(mantissa, 10)),
        h("span", { class: "muted" }, `   sign ${sign}, exponent ${exponent}, mantissa ${mantissa}`),
      ),
    ),
    h("tr", {}, h("th", {}, `${label} fp16 value`), h("td", { class: "mono" }, formatValue(facts.value))),
    ...(facts.relativeError !== undefined
      ? [
          h(
            "tr",
            {},
            h("th", {}, "relative rounding error"),
            h("td", { class: "mono" }, `(d − amax)/amax = ${formatApprox(facts.relativeError)}`),
          ),
        ]
      : []),
    ...facts.notes.map((note) => h("tr", {}, h("th", {}, "note"), h("td", { class: "note" }, note))),
  ];
}

/** The scale panel: amax, d = fp16(amax) bit by bit; each format's stored scale once edited. */
export function scalePanel(block: ExplorerBlock): HTMLElement {
  const { amax, scaleBits } = block.scale;
  const edited = block.tq2_0.edited || block.tq1_0.edited;
  return h(
    "div",
    { class: "panel", id: "explorer-scale", "data-fp16-bits": block.tq2_0.scaleBits.toString(16).padStart(4, "0") },
    h("h2", {}, "2. The block scale d = fp16(amax)"),
    explain(
      "The encoder takes amax = max |x| over the block (float32), stores it as an IEEE half-precision float " +
        "(1 sign bit | 5 exponent bits | 10 mantissa bits, little-endian) and decodes every weight as (code − 1)·d. ",
      specLink("formats", "3"),
      " ",
      specLink("formats", "2.2"),
    ),
    h(
      "table",
      { class: "data scale-table" },
      h(
        "tr",
        {},
        h("th", {}, "amax (float32)"),
        h(
          "td",
          { class: "mono" },
          formatValue(amax),
          h("span", { class: "muted" }, `   bits 0x${f32ToBits(amax).toString(16).padStart(8, "0")}`),
        ),
      ),
      h("tr", {}, h("th", {}, "id = 1/amax (float32)"), h("td", { class: "mono" }, formatValue(block.scale.inverse))),
      ...scaleRows("encoded d", scaleBits, amax),
      ...(edited
        ? [
            h("tr", {}, h("th", { colspan: 2, class: "edited-heading" }, "Scales stored in the edited bytes")),
            ...scaleRows("TQ2_0 d", block.tq2_0.scaleBits, undefined),
            ...scaleRows("TQ1_0 d", block.tq1_0.scaleBits, undefined),
          ]
        : []),
    ),
  );
}

/** The hex cells of a block: `#explorer-bytes-<f>` with `data-hex`. */
function byteCells(fb: FormatBlock): HTMLElement {
  const { scaleOffset } = FORMAT_LAYOUTS[fb.format];
  return h(
    "div",
    { class: "byte-cells mono", id: `explorer-bytes-${fb.format}`, "data-hex": bytesToHex(fb.bytes) },
    Array.from(fb.bytes, (value, b) =>
      h(
        "span",
        {
          class: `byte-cell role-${byteRole(fb.format, b)}${b === scaleOffset ? " field-start" : ""}`,
          "data-format": fb.format,
          "data-byte-cell": b,
          title: `byte ${b} = ${hexByte(value)} = ${value} (${byteRole(fb.format, b)})`,
        },
        value.toString(16).padStart(2, "0"),
      ),
    ),
  );
}

/** A TQ2_0 byte drawn as four 2-bit groups, each labelled with its element. */
function tq2ByteCard(fb: FormatBlock, byte: number): HTMLElement {
  const value = fb.bytes[byte];
  const elements = tq2ElementsOfByte(byte);
  return h(
    "div",
    { class: "byte-card", "data-format": "tq2_0", "data-byte-card": byte },
    h("div", { class: "card-head mono" }, `qs[${byte}] = ${hexByte(value)}`),
    h(
      "div",
      { class: "groups" },
      TQ2_SHIFTS_DRAWN.map((shift) => {
        const e = elements[shift / 2];
        const code = (value >> shift) & 3;
        return h(
          "span",
          {
            class: `group code-${code}`,
            "data-element": e,
            "data-format": "tq2_0",
            "data-byte": byte,
            "data-shift": shift,
            title: `bits ${shift + 1}:${shift} = ${binary(code, 2)} → code ${code} → element ${e}`,
          },
          h("span", { class: "bits mono" }, binary(code, 2)),
          h("span", { class: "elabel" }, `e${e}`),
        );
      }),
    ),
  );
}

/** The TQ2_0 panel. */
export function tq2Panel(block: ExplorerBlock, onApply: (text: string) => void): HTMLElement {
  const fb = block.tq2_0;
  const s = fb.bytes;
  return h(
    "div",
    { class: "panel format-panel" },
    h("h2", {}, "3. TQ2_0: 66 bytes, four 2-bit codes a byte"),
    explain(
      "64 bytes qs of 2-bit codes, then d (fp16, low byte first). A byte holds four elements that are 32 apart, " +
        "lowest bits first: byte = (e / 128)·32 + e % 32, shift = 2·((e % 128) / 32), code = (qs[byte] >> shift) & 3. ",
      specLink("formats", "4.1"),
      " ",
      specLink("formats", "4.2"),
      " ",
      specLink("formats", "4.5"),
    ),
    byteCells(fb),
    h("h3", {}, "Bit diagram (bits 7:6 | 5:4 | 3:2 | 1:0)"),
    h(
      "div",
      { class: "card-grid" },
      Array.from({ length: FORMAT_LAYOUTS.tq2_0.scaleOffset }, (_, b) => tq2ByteCard(fb, b)),
      h(
        "div",
        { class: "byte-card scale-card", "data-format": "tq2_0", "data-byte-card": 64 },
        h("div", { class: "card-head mono" }, `d = bytes 64, 65 = ${hexByte(s[64])} ${hexByte(s[65])}`),
        h("div", { class: "mono" }, `→ 0x${fb.scaleBits.toString(16).padStart(4, "0")} = ${formatValue(fb.d)}`),
      ),
    ),
    ...formatFooter(block, fb, onApply),
  );
}

/** A TQ1_0 byte drawn as its five trits (n = 0 most significant), each labelled with its element. */
function tq1ByteCard(fb: FormatBlock, byte: number): HTMLElement {
  const value = fb.bytes[byte];
  const elements = tq1ElementsOfByte(byte);
  const isQh = byte >= 48;
  return h(
    "div",
    { class: `byte-card${isQh ? " qh-card" : ""}`, "data-format": "tq1_0", "data-byte-card": byte },
    h(
      "div",
      { class: "card-head mono" },
      `${isQh ? `qh[${byte - 48}]` : `qs[${byte}]`} = ${hexByte(value)} = ${value}`,
    ),
    h(
      "div",
      { class: "groups" },
      tritSteps(value).map(({ n, trit }) => {
        const e = elements[n];
        if (e === undefined) {
          return h(
            "span",
            {
              class: `group trit padding-trit code-${trit}`,
              title: `trit 4 of a qh byte: padding, ignored by decoders (the encoder writes 0)`,
            },
            h("span", { class: "bits mono" }, String(trit)),
            h("span", { class: "elabel" }, "pad"),
          );
        }
        return h(
          "span",
          {
            class: `group trit code-${trit}`,
            "data-element": e,
            "data-format": "tq1_0",
            "data-byte": byte,
            "data-trit": n,
            title: `trit n = ${n}: code ${trit} → element ${e}`,
          },
          h("span", { class: "bits mono" }, String(trit)),
          h("span", { class: "elabel" }, `e${e}`),
        );
      }),
    ),
  );
}

/** The worked decode of one TQ1_0 byte, as in §5.3. */
export function tq1WorkedDecode(fb: FormatBlock, byte: number): HTMLElement {
  const value = fb.bytes[byte];
  const elements = tq1ElementsOfByte(byte);
  return h(
    "div",
    { class: "worked", id: "explorer-tq1-worked" },
    h("h3", {}, `Worked decode of byte ${byte} = ${hexByte(value)} = ${value} (hover another byte or trit)`),
    h(
      "table",
      { class: "data mono" },
      h(
        "tr",
        {},
        h("th", {}, "n"),
        h("th", {}, "q = byte·3^n mod 256"),
        h("th", {}, "3q"),
        h("th", {}, "trit = 3q >> 8"),
        h("th", {}, "element"),
      ),
      tritSteps(value).map((step) => {
        const e = elements[step.n];
        return h(
          "tr",
          e === undefined ? {} : { "data-element": e },
          h("td", {}, String(step.n)),
          h("td", {}, `${value}·${step.power} = ${step.product} mod 256 = ${step.q}`),
          h("td", {}, String(step.tripled)),
          h("td", { class: `code-text-${step.trit}` }, String(step.trit)),
          h("td", {}, e === undefined ? "padding (ignored)" : `e${e}`),
        );
      }),
    ),
  );
}

/** The TQ1_0 panel. */
export function tq1Panel(block: ExplorerBlock, workedByte: number, onApply: (text: string) => void): HTMLElement {
  const fb = block.tq1_0;
  const s = fb.bytes;
  return h(
    "div",
    { class: "panel format-panel" },
    h("h2", {}, "4. TQ1_0: 54 bytes, five trits a byte"),
    explain(
      "48 qs bytes of five trits, 4 qh bytes of four trits (the 5th is padding), then d. A byte stores the five codes " +
        "as a base-3 fraction: byte = ceil(v·256/243) with v = c0·81 + c1·27 + c2·9 + c3·3 + c4. Decoding never divides: " +
        "multiply by 3^n mod 256 to shift trit n to the top, then take (3q) >> 8. ",
      specLink("formats", "5.1"),
      " ",
      specLink("formats", "5.2"),
      " ",
      specLink("formats", "5.3"),
      " ",
      specLink("formats", "5.6"),
    ),
    byteCells(fb),
    h("h3", {}, "Trit diagram (n = 0 most significant … n = 4)"),
    h(
      "div",
      { class: "card-grid" },
      Array.from({ length: FORMAT_LAYOUTS.tq1_0.scaleOffset }, (_, b) => tq1ByteCard(fb, b)),
      h(
        "div",
        { class: "byte-card scale-card", "data-format": "tq1_0", "data-byte-card": 52 },
        h("div", { class: "card-head mono" }, `d = bytes 52, 53 = ${hexByte(s[52])} ${hexByte(s[53])}`),
        h("div", { class: "mono" }, `→ 0x${fb.scaleBits.toString(16).padStart(4, "0")} = ${formatValue(fb.d)}`),
      ),
    ),
    tq1WorkedDecode(fb, workedByte),
    ...formatFooter(block, fb, onApply),
  );
}

/** Hex editor, decoded values and findings of a format. */
function formatFooter(block: ExplorerBlock, fb: FormatBlock, onApply: (text: string) => void): HTMLElement[] {
  const { name } = FORMAT_LAYOUTS[fb.format];
  const field = h("textarea", {
    id: `explorer-hex-${fb.format}`,
    class: "mono hex-edit",
    rows: 3,
    spellcheck: "false",
    onchange: () => onApply(field.value),
  });
  field.value = bytesToHex(fb.bytes, " ");
  return [
    h("h3", {}, `Edit the bytes${fb.edited ? " (edited: decoded from your bytes, not re-encoded)" : ""}`),
    explain(
      `Change any byte and press Apply: the ${name} block is decoded from these bytes as ggml would, and validated. `,
      specLink("formats", "10"),
    ),
    field,
    h(
      "div",
      {},
      h("button", { id: `explorer-apply-${fb.format}`, onclick: () => onApply(field.value) }, `Apply ${name} bytes`),
    ),
    decodedSection(block, fb),
    findingsList(fb),
  ];
}

/** Decoded values vs the input: `#explorer-decoded-<f>` with `data-f32-bits`. */
function decodedSection(block: ExplorerBlock, fb: FormatBlock): HTMLElement {
  const differing = differingElements(block.input, fb.decoded);
  const decodeLink = specLink("formats", fb.format === "tq2_0" ? "4.4" : "5.5");
  const verdict =
    differing.length === 0
      ? "Round trip exact: every decoded weight equals its input."
      : `${differing.length} of ${QK_K} decoded weights differ from the ` +
        `input${differing.length > MAX_DIFFERENCES_SHOWN ? ` (first ${MAX_DIFFERENCES_SHOWN} shown)` : ""}:`;
  return h(
    "div",
    { class: "decoded", id: `explorer-decoded-${fb.format}`, "data-f32-bits": f32BitsHex(fb.decoded) },
    h("h3", {}, "Decoded back: w = (code − 1)·f32(d)"),
    h("p", {}, verdict, " ", decodeLink),
    differing.length === 0
      ? null
      : h(
          "table",
          { class: "data mono" },
          h(
            "tr",
            {},
            h("th", { class: "num" }, "e"),
            h("th", { class: "num" }, "input x"),
            h("th", { class: "num" }, "code"),
            h("th", { class: "num" }, "decoded w"),
            h("th", { class: "num" }, "w − x"),
          ),
          differing
            .slice(0, MAX_DIFFERENCES_SHOWN)
            .map((e) =>
              h(
                "tr",
                { "data-element": e },
                h("td", { class: "num" }, String(e)),
                h("td", { class: "num" }, formatValue(block.input[e])),
                h("td", { class: "num" }, String(fb.codes[e])),
                h("td", { class: "num" }, formatValue(fb.decoded[e])),
                h("td", { class: "num" }, formatApprox(fb.decoded[e] - block.input[e])),
              ),
            ),
        ),
  );
}

/** The spec section a finding is about. */
function findingSection(finding: BlockFinding): string {
  if (finding.kind === "tq2-code-3") return "4.5";
  if (finding.kind === "tq1-alias-byte" || finding.kind === "tq1-qh-fifth-trit") return "5.6";
  return "3";
}

/** The validator's findings: `#explorer-findings-<f>`. */
function findingsList(fb: FormatBlock): HTMLElement {
  const items =
    fb.findings.length === 0
      ? [
          h(
            "li",
            { "data-severity": "none", class: "muted" },
            "No findings: this block is what ggml's encoder writes, and nothing is lost.",
          ),
        ]
      : fb.findings.map((finding) =>
          h(
            "li",
            {
              "data-severity": finding.severity,
              class: `severity-${finding.severity}`,
              ...(finding.element === undefined ? {} : { "data-element": finding.element }),
            },
            h("strong", {}, finding.severity),
            ` ${finding.kind}: ${finding.message} `,
            specLink("formats", "10"),
            " ",
            specLink("formats", findingSection(finding)),
          ),
        );
  return h(
    "div",
    { class: "findings" },
    h("h3", {}, `Validator findings (${FORMAT_LAYOUTS[fb.format].name})`),
    h("ul", { id: `explorer-findings-${fb.format}` }, items),
  );
}
