/**
 * `trilm explain i2_s`: 256 weights quantized to bitnet.cpp's I2_S with `quantize_i2_s` and walked from codes to
 * bytes and back (spec/bitnet.md §2): the sign rule and the tensor scale, element → (byte, shift), one byte in
 * binary with its four elements, the first block's bytes, the float32 scale and the pad, decoding, and what the
 * other layouts read from the same bytes. Every number is computed by reference/codec/i2_s.ts.
 * Pure: no Node or browser APIs.
 */

import {
  I2S_LAYOUTS,
  I2S_TAIL_BYTES,
  type I2sLayout,
  type I2sShape,
  dequantizeI2s,
  i2sBlockElements,
  i2sByteElements,
  i2sElementLocation,
  i2sScaleOffset,
  quantizeI2s,
  unpackI2s,
} from "../../reference/codec/i2_s.js";
import { f32ToBits } from "../../reference/codec/float-bits.js";
import { UsageError } from "../errors.js";
import { binary, formatF32, hexByte, signedWeight } from "./numbers.js";
import { type TernaryInput, type TernaryWeights, resolveTernaryWeights } from "./ternary-input.js";
import { heading, hexDump, INDENT, table, wrap, walkTitle } from "./text.js";

const SPEC = "spec/bitnet.md";

/** What `trilm explain i2_s` takes: the weights and the layout (default x86, the Python converter's). */
export interface I2sExplainInput extends TernaryInput {
  readonly layout?: I2sLayout;
}

/** Parse `--layout x86|arm|1x4`; UsageError otherwise. */
export function parseI2sLayout(text: string): I2sLayout {
  const lower = text.trim().toLowerCase();
  const found = I2S_LAYOUTS.find((l) => l === lower);
  if (found === undefined) throw new UsageError(`--layout must be x86, arm or 1x4, got '${text}'`);
  return found;
}

/** The tensor shape of the walk: one row of 256 for the flattened layouts, 4 rows of 64 for 1x4 (rows % 4 = 0). */
export function i2sExplainShape(layout: I2sLayout): I2sShape {
  return layout === "1x4" ? { rows: 4, cols: 64 } : { rows: 1, cols: 256 };
}

/** The packed tensor and everything the walk reads from it. */
interface I2sWalk {
  readonly layout: I2sLayout;
  readonly shape: I2sShape;
  readonly weights: TernaryWeights;
  readonly bytes: Uint8Array;
  readonly codes: Uint8Array;
  readonly scale: number;
}

/**
 * The walk-through as plain text (lines ≤ 100 columns, ending in a newline): 1. the weights and the scale;
 * 2. element → (byte, shift); 3. one byte worked both ways; 4. the first bytes with their elements; 5. the tensor's
 * bytes, scale and pad; 6. decoding back and reading with the other layouts. UsageError (one line) for bad input.
 */
export function explainI2s(input: I2sExplainInput = {}): string {
  const layout = input.layout ?? "x86";
  const shape = i2sExplainShape(layout);
  const weights = resolveTernaryWeights(input);
  const bytes = quantizeI2s(layout, shape, weights.values);
  const tensor = unpackI2s(layout, shape, bytes);
  const walk: I2sWalk = { layout, shape, weights, bytes, codes: tensor.codes, scale: tensor.scale };
  const lines = [
    ...walkTitle(`I2_S (${layout} layout): 256 weights packed by quantize_i2_s, step by step`),
    ...wrap(weights.origin),
    ...weightsSection(walk),
    ...mapSection(walk),
    ...byteSection(walk),
    ...firstBytesSection(walk),
    ...dumpSection(walk),
    ...decodeSection(walk),
  ];
  return `${lines.join("\n")}\n`;
}

/** The element (row, col) of a flat index. */
const rowCol = (shape: I2sShape, e: number): string => `(${Math.floor(e / shape.cols)},${e % shape.cols})`;

/** 1. The weights as a grid, the scale and the sign rule. */
function weightsSection(walk: I2sWalk): string[] {
  const { shape, weights } = walk;
  const rows = Array.from({ length: 16 }, (_, r) => {
    const ts = Array.from(weights.trits.subarray(16 * r, 16 * r + 16), (t) => signedWeight(t).padStart(2)).join(" ");
    return `${INDENT}${String(16 * r).padStart(3)} | ${ts}`;
  });
  return [
    ...heading(`1. The weights: a ${shape.rows}×${shape.cols} tensor, one scale`, "§2.1, §2.3", SPEC),
    ...wrap(
      "t of the weights, 16 a line (element e = row·cols + col, the flattened order the x86 and arm layouts " +
        "block over):",
    ),
    ...rows,
    ...wrap(
      `quantize_i2_s takes scale = max |w| over the whole tensor = ${formatF32(walk.scale)} (float32 bits ` +
        `0x${f32ToBits(walk.scale).toString(16).padStart(8, "0")}), then keeps only signs: |w| < 1e-6 → code 1 (0), ` +
        "w·scale > 0 → code 2 (+1), else code 0 (−1). code = t + 1; code 3 is never written.",
    ),
  ];
}

/** 2. The element map of the layout. */
function mapSection(walk: I2sWalk): string[] {
  const { layout, shape } = walk;
  const qk = i2sBlockElements(layout);
  const examples = [0, 1, 31, 32, 100, 200].map((e) => {
    const row = Math.floor(e / shape.cols);
    const col = e % shape.cols;
    const { byte, shift } = i2sElementLocation(layout, shape, row, col) as { byte: number; shift: number };
    return [String(e), `(${row}, ${col})`, String(byte), String(shift), `${shift + 1}:${shift}`];
  });
  const rule =
    qk === undefined
      ? "1x4: byte = ⌊row/4⌋·cols + col, shift = 6 − 2·(row mod 4): a byte holds one column of 4 consecutive rows."
      : `${layout}: QK = ${qk}, g = QK/4 = ${qk / 4}; b = ⌊e/QK⌋, j = e mod QK: byte = g·b + (j mod g), ` +
        "shift = 6 − 2·⌊j/g⌋ — each quarter of a block is one bit pair of the block's g bytes, the first quarter in " +
        "bits 7:6.";
  return [
    ...heading("2. Element → (byte, shift)", "§2.2", SPEC),
    ...wrap(rule),
    ...table(["e", "(row, col)", "byte", "shift", "bits"], examples, ["right", "left", "right", "right", "left"]),
    ...(layout === "x86"
      ? wrap(
          "TQ2_0 puts the same four elements in the same byte, but element 0 in bits 1:0 (spec/formats.md §4.2): " +
            "the two are not interchangeable.",
        )
      : []),
  ];
}

/** 3. Byte 0 of the walk (the byte of element 0) worked both ways. */
function byteSection(walk: I2sWalk): string[] {
  const { layout, shape, bytes, codes, weights } = walk;
  const elements = i2sByteElements(layout, shape, 0);
  const value = bytes[0];
  const rows = elements.map((e, i) => {
    const shift = 6 - 2 * i;
    return [
      `${shift + 1}:${shift}`,
      `${e} ${rowCol(shape, e)}`,
      signedWeight(weights.trits[e]),
      String(codes[e]),
      binary(codes[e], 2),
      `${codes[e]} << ${shift} = ${hexByte(codes[e] << shift)}`,
    ];
  });
  return [
    ...heading("3. One byte: byte 0", "§2.2", SPEC),
    ...wrap(`Byte 0 holds elements ${elements.join(", ")}; bytes[0] = Σ code << shift:`),
    ...table(["bits", "element", "t", "code", "binary", "code << shift"], rows, [
      "left",
      "left",
      "right",
      "right",
      "left",
      "left",
    ]),
    `${INDENT}bytes[0] = ${binary(value, 8).replace(/(..)(?=.)/g, "$1|")} = ${hexByte(value)}; ` +
      `back: (${hexByte(value)} >> shift) & 3 = ${[6, 4, 2, 0].map((s) => (value >> s) & 3).join(", ")}`,
  ];
}

/** 4. The first block's bytes (at most 16) with their four elements each. */
function firstBytesSection(walk: I2sWalk): string[] {
  const { layout, shape, bytes, codes } = walk;
  const count = Math.min(16, (i2sBlockElements(layout) ?? 64) / 4);
  const rows = Array.from({ length: count }, (_, byte) => {
    const elements = i2sByteElements(layout, shape, byte);
    return [
      String(byte),
      elements.map((e) => String(e).padStart(3)).join(" "),
      elements.map((e) => codes[e]).join(" "),
      binary(bytes[byte], 8),
      hexByte(bytes[byte]),
    ];
  });
  return [
    ...heading(`4. The first ${count} bytes`, "§2.2", SPEC),
    ...wrap("Each byte's elements at bits 7:6, 5:4, 3:2, 1:0, their codes, and the byte:"),
    ...table(["byte", "elements", "codes", "binary", "hex"], rows, ["right", "left", "left", "left", "left"]),
  ];
}

/** 5. The tensor's bytes: codes, the float32 scale, the pad. */
function dumpSection(walk: I2sWalk): string[] {
  const { shape, bytes } = walk;
  const at = i2sScaleOffset(shape);
  const fields = [
    { start: 0, end: at, name: "codes" },
    { start: at, end: at + 4, name: "scale" },
    { start: at + 4, end: at + I2S_TAIL_BYTES, name: "pad" },
  ];
  const scaleText = `scale ${formatF32(walk.scale)} (float32, LE)`;
  return [
    ...heading(`5. The tensor: ⌊n/4⌋ + 32 = ${bytes.length} bytes`, "§2.1", SPEC),
    ...wrap(
      `Codes in bytes 0..${at - 1} (each line: its first byte's elements), the scale at ⌊n/4⌋ = ${at}, then 28 ` +
        "pad bytes (0 here; the C code leaves them).",
    ),
    ...hexDump(bytes, fields, (field, start) =>
      field.name === "codes"
        ? `byte ${start}: ${i2sByteElements(walk.layout, shape, start).join(", ")}`
        : field.name === "scale"
          ? scaleText
          : "pad",
    ),
  ];
}

/** 6. Decoding back, and the same bytes read with the other layouts (kernel-bugs B1). */
function decodeSection(walk: I2sWalk): string[] {
  const { layout, shape, bytes, weights } = walk;
  const decoded = dequantizeI2s(unpackI2s(layout, shape, bytes));
  const wrong = decoded.reduce((n, w, e) => n + (w === weights.values[e] ? 0 : 1), 0);
  const others = I2S_LAYOUTS.filter((l) => l !== layout && (l !== "1x4" || shape.rows % 4 === 0)).map((other) => {
    const read = unpackI2s(other, shape, bytes).codes;
    const moved = walk.codes.reduce((n, c, e) => n + (read[e] === c ? 0 : 1), 0);
    return `${INDENT}read as ${other}: ${moved} of 256 weights come out different (no error anywhere)`;
  });
  return [
    ...heading("6. Decoding, and reading with the wrong layout", "§2.1, §2.2", SPEC),
    ...wrap("w = (code − 1) · scale, exact in float32:"),
    `${INDENT}${wrong === 0 ? "all 256 weights decode to the input exactly" : `${wrong} of 256 weights differ`}`,
    ...wrap(
      "The file does not record the layout: the bytes of one build read by another are a permutation of the " +
        "weights (kernel-bugs B1):",
    ),
    ...others,
  ];
}
