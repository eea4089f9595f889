/**
 * Everything the walk-through prints about one block, computed once from the reference codec:
 * the scale, each element's x·id and code, the packed block, and its decoding.
 * Pure: no Node or browser APIs.
 */

import {
  type BlockFinding,
  type TernaryBlockScale,
  chooseTernaryBlockScale,
  dequantizeTq1Block,
  dequantizeTq2Block,
  f16BitsToF32,
  QK_K,
  quantizeTq1Block,
  quantizeTq2Block,
  ternaryCode,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_QH_OFFSET,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
  unpackTq1Block,
  unpackTq2Block,
  validateTq1_0Row,
  validateTq2_0Row,
} from "../../reference/codec/index.js";
import type { ExplainFormat } from "./input.js";
import type { ByteField } from "./text.js";

/** The reference codec functions and spec sections of one format. */
export interface FormatCodec {
  readonly format: ExplainFormat;
  /** Upper-case name: `TQ2_0`. */
  readonly name: string;
  readonly blockBytes: number;
  /** The reference validator's name, as the walk-through mentions it. */
  readonly validatorName: string;
  /** The block's byte fields, in order: qs (and qh), then d. */
  readonly fields: readonly ByteField[];
  /** spec/formats.md sections: layout, element map, encode, decode, invalid encodings. */
  readonly spec: {
    readonly layout: string;
    readonly map: string;
    readonly encode: string;
    readonly decode: string;
    readonly invalid: string;
  };
  quantize(x: Float32Array): Uint8Array;
  dequantize(block: Uint8Array): Float32Array;
  unpack(block: Uint8Array): { codes: Uint8Array; scaleBits: number };
  validate(bytes: Uint8Array): BlockFinding[];
}

const SCALE_FIELD_NAME = "d";

/** The two formats' codecs. */
const FORMAT_CODECS: Readonly<Record<ExplainFormat, FormatCodec>> = {
  tq2_0: {
    format: "tq2_0",
    name: "TQ2_0",
    blockBytes: TQ2_0_BLOCK_BYTES,
    validatorName: "validateTq2_0Row",
    fields: [
      { start: 0, end: TQ2_0_SCALE_OFFSET, name: "qs" },
      { start: TQ2_0_SCALE_OFFSET, end: TQ2_0_BLOCK_BYTES, name: SCALE_FIELD_NAME },
    ],
    spec: { layout: "§4.1", map: "§4.2", encode: "§4.3", decode: "§4.4", invalid: "§4.5" },
    quantize: quantizeTq2Block,
    dequantize: dequantizeTq2Block,
    unpack: unpackTq2Block,
    validate: validateTq2_0Row,
  },
  tq1_0: {
    format: "tq1_0",
    name: "TQ1_0",
    blockBytes: TQ1_0_BLOCK_BYTES,
    validatorName: "validateTq1_0Row",
    fields: [
      { start: 0, end: TQ1_0_QH_OFFSET, name: "qs" },
      { start: TQ1_0_QH_OFFSET, end: TQ1_0_SCALE_OFFSET, name: "qh" },
      { start: TQ1_0_SCALE_OFFSET, end: TQ1_0_BLOCK_BYTES, name: SCALE_FIELD_NAME },
    ],
    spec: { layout: "§5.1", map: "§5.2", encode: "§5.4", decode: "§5.5", invalid: "§5.6" },
    quantize: quantizeTq1Block,
    dequantize: dequantizeTq1Block,
    unpack: unpackTq1Block,
    validate: validateTq1_0Row,
  },
};

/** The reference codec functions, byte fields and spec sections of a ternary format. */
export function formatCodec(format: ExplainFormat): FormatCodec {
  return FORMAT_CODECS[format];
}

/** Why an element is among the few shown in the tables. */
export type ShownReason = "first element" | "amax" | "first code 0" | "first code 1" | "first code 2" | "tie";

/** One block, quantized and decoded by the reference codec. */
export interface BlockWalk {
  readonly codec: FormatCodec;
  /** Float32Array[256]: the input. */
  readonly x: Float32Array;
  readonly scale: TernaryBlockScale;
  /** The stored scale as a float32 value: fp16_to_f32(d). */
  readonly d: number;
  /** Float32Array[256]: x·id rounded to float32, what lroundf sees. */
  readonly products: Float32Array;
  /** Uint8Array[256]: the encoder's codes, lroundf(x·id) + 1. */
  readonly codes: Uint8Array;
  /** The packed block (reference quantizer). */
  readonly block: Uint8Array;
  /** Uint8Array[256]: the codes read back out of the block. */
  readonly storedCodes: Uint8Array;
  /** Float32Array[256]: the block decoded (reference dequantizer). */
  readonly decoded: Float32Array;
  /** The first element with |x| = amax. */
  readonly amaxElement: number;
  /** Elements whose x·id is exactly ±0.5 (a rounding tie). */
  readonly ties: readonly number[];
  /** The few elements the tables show, ascending, with why each is shown. */
  readonly shown: ReadonlyMap<number, readonly ShownReason[]>;
}

/** How many ties the tables show at most. */
const MAX_TIES_SHOWN = 4;

/** Quantize and decode `x` (Float32Array[256]) with the reference codec of `format`. */
export function walkBlock(format: ExplainFormat, x: Float32Array): BlockWalk {
  const codec = FORMAT_CODECS[format];
  const scale = chooseTernaryBlockScale(x);
  const products = x.map((v) => Math.fround(v * scale.inverse));
  const codes = Uint8Array.from(x, (v) => ternaryCode(v, scale.inverse));
  const block = codec.quantize(x);
  const amaxElement = Math.max(
    0,
    x.findIndex((v) => Math.abs(v) === scale.amax),
  );
  const ties = elementsWhere(products, (p) => Math.abs(p) === 0.5);
  return {
    codec,
    x,
    scale,
    d: f16BitsToF32(scale.scaleBits),
    products,
    codes,
    block,
    storedCodes: codec.unpack(block).codes,
    decoded: codec.dequantize(block),
    amaxElement,
    ties,
    shown: shownElements(codes, amaxElement, ties),
  };
}

/** Indices e (0..255) of `values` for which `test(values[e])` holds. */
function elementsWhere(values: Float32Array, test: (v: number) => boolean): number[] {
  const found: number[] = [];
  for (let e = 0; e < QK_K; e++) if (test(values[e])) found.push(e);
  return found;
}

/** Element 0, the amax element, the first element of each code, and the first few ties. */
function shownElements(codes: Uint8Array, amaxElement: number, ties: readonly number[]): Map<number, ShownReason[]> {
  const reasons: [number, ShownReason][] = [
    [0, "first element"],
    [amaxElement, "amax"],
  ];
  for (const code of [0, 1, 2] as const) {
    const e = codes.indexOf(code);
    if (e >= 0) reasons.push([e, `first code ${code}`]);
  }
  for (const e of ties.slice(0, MAX_TIES_SHOWN)) reasons.push([e, "tie"]);
  const shown = new Map<number, ShownReason[]>();
  for (const [e, reason] of [...reasons].sort((a, b) => a[0] - b[0])) {
    shown.set(e, [...(shown.get(e) ?? []), reason]);
  }
  return shown;
}
