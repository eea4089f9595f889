/**
 * Part 1 of the walk-through: the input values, amax, the fp16 scale d bit by bit, and id.
 * Spec: spec/formats.md §3 (block scale) and §2.2 (fp16). Pure: no Node or browser APIs.
 */

import { QK_K } from "../../reference/codec/index.js";
import { binary, exactDecimal, f16Fields, formatApprox, formatF32, formatF32WithBits, hexHalfWord } from "./numbers.js";
import { heading, INDENT, wrap } from "./text.js";
import type { BlockWalk } from "./walk.js";

/** How many input values are listed. */
const VALUES_LISTED = 16;
const F16_EXPONENT_BIAS = 15;
const F16_MAX_EXPONENT_FIELD = 31;

/** The input, amax, d = fp16(amax) split into its fields, and id = 1/amax. */
export function valuesAndScaleSection(walk: BlockWalk, origin: readonly string[]): string[] {
  return [
    ...heading("1. The values and the block scale", "§3, §2.2"),
    ...origin.flatMap((line) => wrap(line)),
    ...valueListing(walk.x),
    "",
    ...wrap(`amax = max |x| = ${formatF32WithBits(walk.scale.amax)}, first at element ${walk.amaxElement}`),
    ...scaleLines(walk),
    ...wrap(
      `id = amax ? 1/amax : 0, in float32 = ${formatF32WithBits(walk.scale.inverse)}. It is computed from ` +
        "amax itself, not from the rounded d.",
    ),
  ];
}

/** `x[0..15] = …` wrapped, then how many more there are. */
function valueListing(x: Float32Array): string[] {
  const listed = Array.from(x.subarray(0, VALUES_LISTED), formatF32).join(", ");
  const prefix = `x[0..${VALUES_LISTED - 1}] = `;
  return [
    ...wrap(listed, INDENT + prefix, INDENT + " ".repeat(prefix.length)),
    `${INDENT}… and ${QK_K - VALUES_LISTED} more (${QK_K} in all)`,
  ];
}

/** d's 16 bits, its fields, its exact value, and whether rounding to fp16 changed amax. */
function scaleLines(walk: BlockWalk): string[] {
  const bits = walk.scale.scaleBits;
  const { sign, exponent, mantissa } = f16Fields(bits);
  const fieldBits = `${sign}_${binary(exponent, 5)}_${binary(mantissa, 10)}`;
  return [
    `${INDENT}d = fp16(amax), rounded to nearest even = ${hexHalfWord(bits)} = 0b${fieldBits}`,
    `${INDENT}    sign ${sign} | exponent ${binary(exponent, 5)} = ${exponent} | mantissa ${binary(mantissa, 10)} = ${mantissa}`,
    ...fp16ValueLines(exponent, mantissa),
    ...scaleChangeLines(walk.scale.amax, walk.d),
  ];
}

/** How the fields give d's value, written out for the normal, subnormal, zero and infinite cases. */
function fp16ValueLines(exponent: number, mantissa: number): string[] {
  const indent = `${INDENT}    `;
  if (exponent === F16_MAX_EXPONENT_FIELD) {
    return wrap(
      "exponent 11111 with mantissa 0 is +inf: amax ≥ 65520 rounds past 65504, the largest finite fp16",
      indent,
    );
  }
  if (exponent === 0 && mantissa === 0) return [`${indent}exponent 0 and mantissa 0: d = 0`];
  if (exponent === 0) {
    return [
      `${indent}exponent 0: a subnormal, d = (${mantissa}/1024) · 2^-14 = ${exactDecimal(mantissa, -24)} exactly`,
    ];
  }
  const power = exponent - F16_EXPONENT_BIAS;
  return [
    `${indent}d = (1 + ${mantissa}/1024) · 2^(${exponent} - ${F16_EXPONENT_BIAS}) = (1 + ${mantissa}/1024) · 2^${power}` +
      ` = ${exactDecimal(1024 + mantissa, power - 10)} exactly`,
  ];
}

/** Whether d = amax, and if not what that means for the decoded weights. */
function scaleChangeLines(amax: number, d: number): string[] {
  if (d === amax) return wrap("d equals amax exactly: rounding to fp16 did not change the scale.");
  if (d === Infinity) {
    return wrap("The scale overflowed fp16: non-zero weights decode as ±inf and zero weights as 0 · inf = NaN.");
  }
  if (d === 0) {
    return wrap(
      `amax = ${formatF32(amax)} is at most 2^-25, half the smallest fp16 subnormal, so d = 0: ` +
        "every weight decodes as 0.",
    );
  }
  return wrap(
    `Rounding to fp16 changed the scale: d - amax = ${formatApprox(d - amax)} ` +
      `(relative ${formatApprox((d - amax) / amax)}), so non-zero weights decode as ±d, not ±amax.`,
  );
}
