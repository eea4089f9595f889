/**
 * Exact rational arithmetic on floating-point values for the derivation checks of
 * test/reference/tolerances (mathjs fractions, as test/reference/codec/tq1_0.test.ts uses them).
 */
import { abs, add, fraction, multiply, subtract, type Fraction } from "mathjs";

/** The exact value of a finite float64 (hence also of any float32) as a fraction: mantissa · 2^exponent. */
export function exactFraction(x: number): Fraction {
  if (!Number.isFinite(x)) throw new RangeError(`exactFraction: ${x} is not finite`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n === 1n ? -1n : 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fractionBits = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fractionBits : fractionBits | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return exponent >= 0
    ? fraction(sign * mantissa * 2n ** BigInt(exponent), 1n)
    : fraction(sign * mantissa, 2n ** BigInt(-exponent));
}

/** Σ a_i · b_i, exactly. */
export function exactDot(a: ArrayLike<number>, b: ArrayLike<number>): Fraction {
  let sum = fraction(0);
  for (let i = 0; i < a.length; i++) sum = add(sum, multiply(exactFraction(a[i]), exactFraction(b[i]))) as Fraction;
  return sum;
}

/** |computed − exact|, exactly. */
export function exactError(computed: number, exact: Fraction): Fraction {
  return abs(subtract(exactFraction(computed), exact)) as Fraction;
}
