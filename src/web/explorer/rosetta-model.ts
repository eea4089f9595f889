/**
 * The Rosetta view's model (`#rosetta`): the pattern packed in every layout (src/explain/rosetta-layouts.ts, the same
 * model `trilm explain rosetta` prints), the byte cells each layout draws, and the selection both ways — an element to
 * its place in every layout, and a clicked field of any layout back to its element. Pure: no DOM, no Node APIs.
 */

import {
  type RosettaLayout,
  type RosettaLayoutId,
  type RosettaModel,
  type RosettaPlace,
  rosettaBytesShown,
  rosettaCodeAt,
  rosettaFieldsOfByte,
} from "../../explain/rosetta-layouts.js";

/** One field of a drawn byte: which element of the 256 it holds (undefined: a weight outside them) and its code. */
export interface RosettaFieldCell {
  readonly field: number;
  readonly element: number | undefined;
  readonly code: number;
}

/** One drawn byte of a layout. */
export interface RosettaByteCell {
  readonly byte: number;
  readonly value: number;
  /** Its fields in drawn order: shifts 6, 4, 2, 0 (TQ1_0: trits 0..4). */
  readonly fields: readonly RosettaFieldCell[];
}

/** The bytes of a layout that hold the 256, each with its fields. */
export function rosettaByteCells(layout: RosettaLayout): RosettaByteCell[] {
  const probe = (byte: number, field: number): number =>
    rosettaCodeAt(layout, { byte, field, where: "" } satisfies RosettaPlace);
  return rosettaBytesShown(layout).map((byte) => ({
    byte,
    value: layout.bytes[byte],
    fields: rosettaFieldsOfByte(layout).map((field) => ({
      field,
      element: layout.elementAt(byte, field),
      code: probe(byte, field),
    })),
  }));
}

/** Where the selected element is in one layout, and the code read there. */
export interface RosettaSelection {
  readonly layout: RosettaLayoutId;
  readonly place: RosettaPlace;
  readonly code: number;
}

/** The element's place and code in every layout, in the model's order. */
export function rosettaSelection(model: RosettaModel, element: number): RosettaSelection[] {
  return model.layouts.map((layout) => {
    const place = layout.places[element];
    return { layout: layout.id, place, code: rosettaCodeAt(layout, place) };
  });
}

/** The element a click on (byte, field) of a layout selects: the layout's inverse map (undefined outside the 256). */
export function rosettaElementOfField(
  model: RosettaModel,
  layout: RosettaLayoutId,
  byte: number,
  field: number,
): number | undefined {
  return model.layouts.find((l) => l.id === layout)?.elementAt(byte, field);
}

/** Parsed codes of the pattern: 1..256 codes 0..2 (the rest 1, t = 0). */
export type ParsedRosettaCodes =
  { readonly ok: true; readonly codes: number[] } | { readonly ok: false; readonly error: string };

/** Parse 1..256 codes 0..2 separated by spaces, commas or newlines (as `--codes` takes them). */
export function parseRosettaCodesText(text: string): ParsedRosettaCodes {
  const tokens = text.split(/[\s,]+/).filter((t) => t !== "");
  if (tokens.length === 0) return { ok: false, error: "codes: none given; type 1 to 256 codes 0..2 (t + 1)" };
  if (tokens.length > 256)
    return { ok: false, error: `codes: ${tokens.length} codes given, the pattern holds 1 to 256` };
  const bad = tokens.findIndex((t) => !/^[0-2]$/.test(t));
  if (bad >= 0) return { ok: false, error: `codes: item ${bad + 1} ('${tokens[bad]}') is not a code 0..2 (t + 1)` };
  return { ok: true, codes: tokens.map(Number) };
}
