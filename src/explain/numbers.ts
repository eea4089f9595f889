/**
 * How the walk-through writes numbers: float32 values in their shortest round-tripping form,
 * fp16 scales exactly, bytes in hex and binary. Pure: no Node or browser APIs.
 */

import { f32ToBits } from "../../reference/codec/index.js";

/** The fields of an fp16 value: sign bit, 5 exponent bits, 10 mantissa bits (spec/formats.md §2.2). */
export interface F16Fields {
  readonly sign: number;
  readonly exponent: number;
  readonly mantissa: number;
}

/** Split 16 fp16 bits into sign, exponent and mantissa. */
export function f16Fields(bits: number): F16Fields {
  return { sign: (bits >>> 15) & 1, exponent: (bits >>> 10) & 0x1f, mantissa: bits & 0x3ff };
}

/**
 * The shortest decimal that rounds back to the same float32 (`0.1` for fround(0.1), not
 * 0.10000000149011612); `-0` for negative zero.
 */
export function formatF32(x: number): string {
  if (Object.is(x, -0)) return "-0";
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(Number(x.toPrecision(9)));
}

/** A float32 value and its 32 bits: `0.05 (0x3d4ccccd)`. */
export function formatF32WithBits(x: number): string {
  return `${formatF32(x)} (float32 0x${f32ToBits(x).toString(16).padStart(8, "0")})`;
}

/** An error or ratio with 3 significant digits: `0.25`, `-0.00458`, `3.04e-5` (exponent below 0.001). */
export function formatApprox(x: number): string {
  if (x !== 0 && Number.isFinite(x) && Math.abs(x) < 1e-3) return x.toExponential(2);
  return String(Number(x.toPrecision(3)));
}

/**
 * The exact decimal expansion of significand · 2^exponent (significand a non-negative integer):
 * every binary fraction has a finite decimal expansion, since 2^-k = 5^k / 10^k.
 */
export function exactDecimal(significand: number, exponent: number): string {
  if (exponent >= 0) return (BigInt(significand) << BigInt(exponent)).toString();
  const fractionDigits = -exponent;
  const digits = (BigInt(significand) * 5n ** BigInt(fractionDigits)).toString().padStart(fractionDigits + 1, "0");
  const integerPart = digits.slice(0, digits.length - fractionDigits);
  const fractionPart = digits.slice(digits.length - fractionDigits).replace(/0+$/, "");
  return fractionPart === "" ? integerPart : `${integerPart}.${fractionPart}`;
}

/** `0x92` */
export function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

/** `0x2a0b` */
export function hexHalfWord(bits: number): string {
  return `0x${bits.toString(16).padStart(4, "0")}`;
}

/** `value` as `width` binary digits, most significant first. */
export function binary(value: number, width: number): string {
  return value.toString(2).padStart(width, "0");
}

/** A trit code 0..2 as the weight it stands for: `-1`, ` 0`, `+1` (t = code − 1). */
export function signedTrit(code: number): string {
  const t = code - 1;
  return t > 0 ? `+${t}` : t === 0 ? " 0" : String(t);
}

/** A weight t as `+1`, `0` or `-1` (any positive t as `+1`, any negative as `-1`). */
export function signedWeight(t: number): string {
  return t > 0 ? "+1" : t === 0 ? "0" : "-1";
}
