/**
 * `trilm explain hf-bitnet`: 256 weights as a Hugging Face BitNet linear weight W [rows, cols], packed by
 * transformers' `pack_weights` and walked from codes to bytes and back (spec/bitnet.md §7): planar over output rows,
 * one byte in binary with the four rows it holds, the packed tensor, `unpack_weights`, and what `weight_scale` means
 * under each linear class. Every number is computed by reference/codec/hf-bitnet.ts. Pure: no Node or browser APIs.
 */

import {
  HF_BITNET_VALUES_PER_BYTE,
  hfBitnetElementAt,
  hfBitnetElementLocation,
  hfBitnetPackedRows,
  hfBitnetProblems,
  packHfBitnet,
  unpackHfBitnet,
} from "../../reference/codec/hf-bitnet.js";
import { UsageError } from "../errors.js";
import { binary, formatF32, hexByte, signedWeight } from "./numbers.js";
import { type TernaryInput, TERNARY_WEIGHTS, type TernaryWeights, resolveTernaryWeights } from "./ternary-input.js";
import { heading, hexDump, INDENT, table, wrap, walkTitle } from "./text.js";

const SPEC = "spec/bitnet.md";
/** The default output rows: 8 (R = 2 packed rows, so a byte's rows are visibly R apart). */
export const DEFAULT_HF_ROWS = 8;
const MAX_ROWS = 64;

/** What `trilm explain hf-bitnet` takes: the weights and W's output rows (cols = ⌈256 / rows⌉). */
export interface HfBitnetExplainInput extends TernaryInput {
  readonly rows?: number;
}

/** Parse `--rows R`, 1..64; UsageError otherwise. */
export function parseHfRows(text: string): number {
  const trimmed = text.trim();
  const rows = /^\d+$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(rows >= 1 && rows <= MAX_ROWS)) throw new UsageError(`--rows must be 1 to ${MAX_ROWS}, got '${trimmed}'`);
  return rows;
}

/** The packed weight and what the walk reads from it. */
interface HfWalk {
  readonly rows: number;
  readonly cols: number;
  readonly packedRows: number;
  /** Int8Array[rows·cols]: W row-major, the 256 weights first, the rest 0. */
  readonly w: Int8Array;
  readonly packed: Uint8Array;
  readonly weights: TernaryWeights;
}

/**
 * The walk-through as plain text (lines ≤ 100 columns, ending in a newline): 1. W and its codes; 2. rows → packed rows
 * and crumbs; 3. one byte worked both ways; 4. the packed tensor; 5. unpack_weights back; 6. weight_scale's two
 * meanings; 7. validation. UsageError (one line) for bad input.
 */
export function explainHfBitnet(input: HfBitnetExplainInput = {}): string {
  const rows = input.rows ?? DEFAULT_HF_ROWS;
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS)
    throw new UsageError(`--rows must be 1 to ${MAX_ROWS}, got '${rows}'`);
  const cols = Math.ceil(TERNARY_WEIGHTS / rows);
  const weights = resolveTernaryWeights(input);
  const w = new Int8Array(rows * cols);
  w.set(weights.trits);
  const walk: HfWalk = {
    rows,
    cols,
    packedRows: hfBitnetPackedRows(rows),
    w,
    packed: packHfBitnet(w, rows, cols),
    weights,
  };
  const padding = rows * cols > TERNARY_WEIGHTS ? `; W's last ${rows * cols - TERNARY_WEIGHTS} weights are 0` : "";
  const lines = [
    ...walkTitle(`Hugging Face BitNet: W [${rows}, ${cols}] packed by pack_weights, step by step`),
    ...wrap(weights.origin + padding),
    ...weightsSection(walk),
    ...planesSection(walk),
    ...byteSection(walk),
    ...dumpSection(walk),
    ...unpackSection(walk),
    ...scaleSection(walk),
    ...validationSection(walk),
  ];
  return `${lines.join("\n")}\n`;
}

/** 1. W's codes, a row per line (the first 16 columns when wider). */
function weightsSection(walk: HfWalk): string[] {
  const shown = Math.min(walk.cols, 32);
  const rows = Array.from({ length: walk.rows }, (_, r) => {
    const codes = Array.from(walk.w.subarray(r * walk.cols, r * walk.cols + shown), (t) => t + 1).join("");
    return `${INDENT}row ${String(r).padStart(2)} | ${codes}${shown < walk.cols ? " …" : ""}`;
  });
  return [
    ...heading(`1. W [out = ${walk.rows}, in = ${walk.cols}] as codes t + 1`, "§7.1", SPEC),
    ...wrap(`code = t + 1 ∈ {0, 1, 2} (code 3 unpacks to +2, never written); the first ${shown} columns:`),
    ...rows,
  ];
}

/** 2. Which rows each packed row holds, crumb by crumb. */
function planesSection(walk: HfWalk): string[] {
  const { rows, packedRows } = walk;
  const table4 = Array.from({ length: packedRows }, (_, p) => [
    String(p),
    ...[3, 2, 1, 0].map((crumb) => {
      const { row } = hfBitnetElementAt(packedRows, p, 0, crumb);
      return row < rows ? `row ${row}` : "(none: 0)";
    }),
  ]);
  const example = hfBitnetElementLocation(rows, rows - 1, 0);
  return [
    ...heading(`2. Planar over output rows: R = ⌈${rows}/4⌉ = ${packedRows} packed rows`, "§7.1", SPEC),
    ...wrap(
      `packed[p, c] bits 2i..2i+1 = code of W[i·R + p, c]: W[r, c] lives in packed[r mod R, c], crumb ⌊r/R⌋ — ` +
        `rows R apart share a byte, not adjacent rows, not adjacent inputs (I2_S and TQ2_0 pack along in). ` +
        `E.g. row ${rows - 1} → packed row ${example.packedRow}, crumb ${example.crumb}.`,
    ),
    ...table(["p", "bits 7:6", "bits 5:4", "bits 3:2", "bits 1:0"], table4, ["right", "left", "left", "left", "left"]),
  ];
}

/** 3. packed[0, 0] worked both ways. */
function byteSection(walk: HfWalk): string[] {
  const { rows, cols, packedRows, packed, w } = walk;
  const rowsOf = [3, 2, 1, 0].map((crumb) => ({ crumb, row: hfBitnetElementAt(packedRows, 0, 0, crumb).row }));
  const table4 = rowsOf.map(({ crumb, row }) => {
    const code = row < rows ? w[row * cols] + 1 : 0;
    return [
      `${2 * crumb + 1}:${2 * crumb}`,
      row < rows ? `W[${row}, 0]` : "(none)",
      row < rows ? signedWeight(w[row * cols]) : "",
      String(code),
      binary(code, 2),
      `${code} << ${2 * crumb} = ${hexByte(code << (2 * crumb))}`,
    ];
  });
  const value = packed[0];
  return [
    ...heading("3. One byte: packed[0, 0]", "§7.1", SPEC),
    ...wrap("pack_weights ORs code << 2i into the byte for i = 0..3 (the first plane in the low bits):"),
    ...table(["bits", "weight", "t", "code", "binary", "code << 2i"], table4, [
      "left",
      "left",
      "right",
      "right",
      "left",
      "left",
    ]),
    `${INDENT}packed[0, 0] = ${binary(value, 8).replace(/(..)(?=.)/g, "$1|")} = ${hexByte(value)} = ${value}; back: ` +
      `((${value} >> 2i) & 3) − 1 = ${[0, 1, 2, 3].map((i) => ((value >> (2 * i)) & 3) - 1).join(", ")} for i = 0..3`,
  ];
}

/** 4. The packed tensor in hex, a packed row at a time. */
function dumpSection(walk: HfWalk): string[] {
  const { packedRows, cols, packed } = walk;
  const fields = Array.from({ length: packedRows }, (_, p) => ({
    start: p * cols,
    end: (p + 1) * cols,
    name: `p${p}`,
  }));
  return [
    ...heading(`4. The packed tensor: uint8 [${packedRows}, ${cols}], ${packed.length} bytes`, "§7.1", SPEC),
    ...hexDump(packed, fields, (field, start) => {
      const p = Number(field.name.slice(1));
      const held = [0, 1, 2, 3].map((i) => hfBitnetElementAt(packedRows, p, 0, i).row).filter((r) => r < walk.rows);
      return `p ${p} = W rows ${held.join(",")}; col ${start - field.start}..`;
    }),
  ];
}

/** 5. unpack_weights back: 4R rows. */
function unpackSection(walk: HfWalk): string[] {
  const { rows, cols, packedRows, packed, w } = walk;
  const unpacked = unpackHfBitnet(packed, packedRows, cols);
  const same = w.every((t, i) => unpacked[i] === t);
  const extra = HF_BITNET_VALUES_PER_BYTE * packedRows - rows;
  return [
    ...heading("5. unpack_weights: back to [4R, in]", "§7.1, §7.2", SPEC),
    ...wrap(`row i·R + p = ((packed[p, c] >> 2i) & 3) − 1 gives ${4 * packedRows} rows of ${cols}.`),
    `${INDENT}rows 0..${rows - 1}: ${same ? "equal to W, every weight" : "DIFFER from W"}`,
    ...(extra > 0
      ? wrap(
          `rows ${rows}..${rows + extra - 1}: all −1 (their crumbs were left 0, code 0). With out mod 4 ≠ 0 ` +
            "transformers cannot load what it packed (hazard H2, §7.2).",
        )
      : []),
  ];
}

/** 6. What weight_scale means: a multiplier (AutoBitLinear) or a divisor (BitLinear). */
function scaleSection(walk: HfWalk): string[] {
  const s = walk.weights.scale;
  const times = Math.fround(s);
  const over = Math.fround(1 / s);
  return [
    ...heading("6. weight_scale: multiplied or divided", "§7.3", SPEC),
    ...wrap(
      `weight_scale s = ${formatF32(s)} is a separate one-element tensor. quantization_config.linear_class ` +
        "decides what it means:",
    ),
    `${INDENT}"autobitlinear" (AutoBitLinear): y = (x̂ · Wᵀ) · s        a +1 weight counts as ${formatF32(times)}`,
    `${INDENT}"bitlinear" (BitLinear, default): y = (x_q · Wᵀ) / (s · σ)  a +1 weight counts as ${formatF32(over)}`,
    ...wrap(
      "The same number means W·s in one and W/s in the other; the convention is read from config.json, never " +
        "guessed from the values.",
    ),
  ];
}

/** 7. hfBitnetProblems on the packed weight. */
function validationSection(walk: HfWalk): string[] {
  const problems = hfBitnetProblems(walk.packed, walk.rows, walk.cols, walk.weights.scale);
  return [
    ...heading("7. Validation", "§7.4", SPEC),
    ...(problems.length === 0
      ? wrap("transformers would load and run it as a ternary weight: no problems.")
      : problems.flatMap((p) => wrap(`problem: ${p}`))),
  ];
}
