/**
 * The TQ1_0 decode of one byte written out step by step, as in spec/formats.md §5.3:
 * q = byte·3^n mod 256, trit = (3q) >> 8. Pure: no DOM, no Node APIs.
 */

import { tritOfByte } from "../../../reference/codec/index.js";
import { TRITS_PER_BYTE } from "./layout.js";

/** One row of the worked decode. */
export interface TritStep {
  /** Trit position, 0 = most significant. */
  readonly n: number;
  /** 3^n. */
  readonly power: number;
  /** byte·3^n before reducing mod 256. */
  readonly product: number;
  /** q = byte·3^n mod 256. */
  readonly q: number;
  /** 3q. */
  readonly tripled: number;
  /** (3q) >> 8, the trit code 0..2 (equal to the reference tritOfByte). */
  readonly trit: number;
}

/** The five decode steps of a byte value 0..255. */
export function tritSteps(byte: number): TritStep[] {
  return Array.from({ length: TRITS_PER_BYTE }, (_, n) => {
    const power = 3 ** n;
    const product = byte * power;
    const q = product % 256;
    return { n, power, product, q, tripled: 3 * q, trit: tritOfByte(byte, n) };
  });
}

/** v = Σ c_n·3^(4−n) of five codes (the base-3 number a byte stands for). */
export function base3Value(codes: readonly number[]): number {
  return codes.reduce((sum, code) => sum * 3 + code, 0);
}
