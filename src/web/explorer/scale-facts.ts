/**
 * What the scale panel says about a block's fp16 scale: amax, d, its bit fields, the rounding error
 * and notes for the special cases (spec/formats.md §2.2 and §3). Pure: no DOM, no Node APIs.
 */

import { f16BitsToF32, isF16Subnormal } from "../../../reference/codec/index.js";
import { type F16Fields, f16Fields } from "../../explain/numbers.js";

/** The facts about one fp16 scale. */
export interface ScaleFacts {
  /** The fp16 bits. */
  readonly bits: number;
  /** 4 lowercase hex digits. */
  readonly bitsHex: string;
  readonly fields: F16Fields;
  /** f32(d). */
  readonly value: number;
  /** (d − amax)/amax, or undefined when amax is 0 or not finite or d is not finite. */
  readonly relativeError: number | undefined;
  /** Sentences about subnormal, infinite, NaN, zero or negative scales. */
  readonly notes: readonly string[];
}

/** Facts about the fp16 scale `bits`, compared with the block's float32 `amax` when given. */
export function scaleFacts(bits: number, amax?: number): ScaleFacts {
  const value = f16BitsToF32(bits);
  const fields = f16Fields(bits);
  const comparable = amax !== undefined && amax !== 0 && Number.isFinite(amax) && Number.isFinite(value);
  return {
    bits,
    bitsHex: bits.toString(16).padStart(4, "0"),
    fields,
    value,
    relativeError: comparable ? (value - amax) / amax : undefined,
    notes: scaleNotes(bits, value, amax),
  };
}

/** The notes for the special cases. */
function scaleNotes(bits: number, value: number, amax: number | undefined): string[] {
  const notes: string[] = [];
  if (Number.isNaN(value)) notes.push("NaN scale: every weight decodes to NaN.");
  else if (!Number.isFinite(value))
    notes.push(
      "Infinite scale: amax ≥ 65520 rounds past 65504, the largest finite fp16; ±1 weights decode to ±inf and 0 weights to 0·inf = NaN.",
    );
  else if (value === 0 && amax !== undefined && amax !== 0)
    notes.push("Zero scale: amax ≤ 2^-25 rounds to fp16 zero, so every weight decodes to ±0.");
  else if (value === 0) notes.push("Zero scale: every weight decodes to ±0.");
  if (isF16Subnormal(bits))
    notes.push("Subnormal fp16 (exponent field 0): d = mantissa/1024 · 2^-14, with fewer than 11 significant bits.");
  if (bits & 0x8000) notes.push("Sign bit set: the encoder never writes a negative scale (amax = |x| ≥ 0).");
  return notes;
}
