/**
 * The explorer's state: one input block, encoded by the reference codec into TQ2_0 and TQ1_0, and
 * each format's bytes decoded back and validated. A format's bytes may also come from the reader's
 * edits; they are then decoded as given, never re-encoded. Pure: no DOM, no Node APIs.
 */

import {
  type BlockFinding,
  type TernaryBlockScale,
  chooseTernaryBlockScale,
  f16BitsToF32,
  f32ToBits,
  ternaryCode,
} from "../../../reference/codec/index.js";
import { formatCodec } from "../../explain/walk.js";
import type { ExplorerFormat } from "./layout.js";

/** One format's block: its bytes and what the reference decoder and validator make of them. */
export interface FormatBlock {
  readonly format: ExplorerFormat;
  /** The block's bytes (66 for TQ2_0, 54 for TQ1_0). */
  readonly bytes: Uint8Array;
  /** Uint8Array[256]: the codes read from the bytes (TQ2_0 may hold 3). */
  readonly codes: Uint8Array;
  /** The stored fp16 scale bits. */
  readonly scaleBits: number;
  /** f32(d). */
  readonly d: number;
  /** Float32Array[256]: the reference decoder's output, w = (c − 1)·f32(d). */
  readonly decoded: Float32Array;
  /** The reference validator's findings. */
  readonly findings: readonly BlockFinding[];
  /** True when the bytes came from the reader's edit rather than the encoder. */
  readonly edited: boolean;
}

/** The input block and its two encodings. */
export interface ExplorerBlock {
  /** Float32Array[256]: the input. */
  readonly input: Float32Array;
  /** How many input values the reader gave (the rest are padding zeros); 256 for a drawn block. */
  readonly given: number;
  /** amax, id and the fp16 scale bits (spec §3). */
  readonly scale: TernaryBlockScale;
  /** Uint8Array[256]: the encoder's codes, lroundf(x·id) + 1 (spec §3). */
  readonly encoderCodes: Uint8Array;
  readonly tq2_0: FormatBlock;
  readonly tq1_0: FormatBlock;
}

/** Decode and validate `bytes` (exactly one block of `format`) with the reference codec (src/explain/walk.ts formatCodec). */
export function decodeFormatBlock(format: ExplorerFormat, bytes: Uint8Array, edited: boolean): FormatBlock {
  const functions = formatCodec(format);
  const { codes, scaleBits } = functions.unpack(bytes);
  return {
    format,
    bytes: Uint8Array.from(bytes),
    codes,
    scaleBits,
    d: f16BitsToF32(scaleBits),
    decoded: functions.dequantize(bytes),
    findings: functions.validate(bytes),
    edited,
  };
}

/** Encode `input` (Float32Array[256]) into both formats and decode them back. */
export function encodeExplorerBlock(input: Float32Array, given: number = input.length): ExplorerBlock {
  const scale = chooseTernaryBlockScale(input);
  return {
    input,
    given,
    scale,
    encoderCodes: Uint8Array.from(input, (x) => ternaryCode(x, scale.inverse) & 0xff),
    tq2_0: decodeFormatBlock("tq2_0", formatCodec("tq2_0").quantize(input), false),
    tq1_0: decodeFormatBlock("tq1_0", formatCodec("tq1_0").quantize(input), false),
  };
}

/** The block with one format's bytes replaced by the reader's (decoded as given, not re-encoded). */
export function withEditedBytes(block: ExplorerBlock, format: ExplorerFormat, bytes: Uint8Array): ExplorerBlock {
  const edited = decodeFormatBlock(format, bytes, true);
  return format === "tq2_0" ? { ...block, tq2_0: edited } : { ...block, tq1_0: edited };
}

/** The 256 values' float32 bit patterns, 8 lowercase hex digits each, concatenated (2048 characters). */
export function f32BitsHex(values: Float32Array): string {
  return Array.from(values, (v) => f32ToBits(v).toString(16).padStart(8, "0")).join("");
}

/** Are two float32 values the same bits (so −0 ≠ +0 and NaN = NaN of the same payload)? */
export function sameF32(a: number, b: number): boolean {
  return f32ToBits(a) === f32ToBits(b);
}

/** Elements whose decoded value differs from the input (bitwise), ascending. */
export function differingElements(input: Float32Array, decoded: Float32Array): number[] {
  const differing: number[] = [];
  for (let e = 0; e < input.length; e++) if (!sameF32(input[e], decoded[e])) differing.push(e);
  return differing;
}
