/**
 * Which elements each byte of a TQ2_0 / TQ1_0 block holds, read off the reference codec's
 * element → position maps (spec/formats.md §4.2 and §5.2). Pure: no DOM, no Node APIs.
 */

import {
  QK_K,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_QH_OFFSET,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
  tq1ElementPosition,
  tq2ElementPosition,
} from "../../../reference/codec/index.js";

/** The two formats the explorer shows (ggml's lower-case names, as in the DOM contract). */
export type ExplorerFormat = "tq2_0" | "tq1_0";

/** Both formats, in the order the page shows them. */
export const EXPLORER_FORMATS: readonly ExplorerFormat[] = ["tq2_0", "tq1_0"];

/** The shifts of a TQ2_0 byte's four 2-bit groups, in the order drawn (bits 7:6 first). */
export const TQ2_SHIFTS_DRAWN = [6, 4, 2, 0] as const;
/** Trits per TQ1_0 byte. */
export const TRITS_PER_BYTE = 5;

/** What one byte of a block holds. */
export type ByteRole = "qs" | "qh" | "d-low" | "d-high";

/** Block size and scale offset of a format. */
export interface FormatLayout {
  readonly format: ExplorerFormat;
  /** Upper-case name: `TQ2_0`. */
  readonly name: string;
  readonly blockBytes: number;
  readonly scaleOffset: number;
}

/** The two layouts. */
export const FORMAT_LAYOUTS: Readonly<Record<ExplorerFormat, FormatLayout>> = {
  tq2_0: { format: "tq2_0", name: "TQ2_0", blockBytes: TQ2_0_BLOCK_BYTES, scaleOffset: TQ2_0_SCALE_OFFSET },
  tq1_0: { format: "tq1_0", name: "TQ1_0", blockBytes: TQ1_0_BLOCK_BYTES, scaleOffset: TQ1_0_SCALE_OFFSET },
};

/** The role of byte `byte` in a block of `format`. */
export function byteRole(format: ExplorerFormat, byte: number): ByteRole {
  const { scaleOffset } = FORMAT_LAYOUTS[format];
  if (byte === scaleOffset) return "d-low";
  if (byte === scaleOffset + 1) return "d-high";
  return format === "tq1_0" && byte >= TQ1_0_QH_OFFSET ? "qh" : "qs";
}

/** Where element e sits in each format. */
export interface ElementPlace {
  readonly tq2: { readonly byte: number; readonly shift: number };
  readonly tq1: { readonly byte: number; readonly trit: number };
}

/** Element e's place in both formats (the reference maps). */
export function elementPlace(e: number): ElementPlace {
  return { tq2: tq2ElementPosition(e), tq1: tq1ElementPosition(e) };
}

/**
 * The elements of a TQ2_0 byte, indexed by shift / 2 (index 0 = bits 1:0); empty for the scale bytes.
 */
export function tq2ElementsOfByte(byte: number): number[] {
  const elements: number[] = [];
  for (let e = 0; e < QK_K; e++) {
    const { byte: b, shift } = tq2ElementPosition(e);
    if (b === byte) elements[shift / 2] = e;
  }
  return elements;
}

/**
 * The elements of a TQ1_0 byte, indexed by trit n (n = 0 most significant): 5 for a qs byte,
 * 4 for a qh byte (its 5th trit is padding), none for the scale bytes.
 */
export function tq1ElementsOfByte(byte: number): number[] {
  const elements: number[] = [];
  for (let e = 0; e < QK_K; e++) {
    const { byte: b, trit } = tq1ElementPosition(e);
    if (b === byte) elements[trit] = e;
  }
  return elements;
}

/** The elements a byte holds, in either format, ascending. */
export function elementsOfByte(format: ExplorerFormat, byte: number): number[] {
  const elements = format === "tq2_0" ? tq2ElementsOfByte(byte) : tq1ElementsOfByte(byte);
  return [...elements].sort((a, b) => a - b);
}
