/**
 * Part 3 of the TQ1_0 walk-through: five trits a byte as a base-3 fixed-point fraction, worked
 * out for byte 0, byte 32 and qh byte 48, each packed and then decoded step by step.
 * Spec: spec/formats.md §5.1–§5.5. Pure: no Node or browser APIs.
 */

import { packTritsToByte, QK_K, TQ1_0_QH_OFFSET, tq1ElementPosition, tritOfByte } from "../../reference/codec/index.js";
import { hexByte } from "./numbers.js";
import { heading, INDENT, wrap } from "./text.js";
import type { BlockWalk } from "./walk.js";

/** The bytes worked out: the first of each of the three element ranges. */
const WORKED_BYTES = [0, 32, TQ1_0_QH_OFFSET] as const;
const TRITS_PER_BYTE = 5;
/** The weight 3^(4−n) of trit n (n = 0 is the most significant). */
const TRIT_WEIGHTS = [81, 27, 9, 3, 1] as const;
const POWERS_OF_3 = [1, 3, 9, 27, 81] as const;

/** The element map, why the ceiling, and the three worked bytes. */
export function tq1PackingSection(walk: BlockWalk): string[] {
  const spec = walk.codec.spec;
  return [
    ...heading("3. Five trits a byte: element → (byte, trit n)", `${spec.layout}, ${spec.map}, §5.3, ${spec.encode}`),
    ...wrap(
      "qs[48] and qh[4] hold the codes, then d. Trit n = 0 is the most significant of a byte's " +
        "five (integer division throughout):",
    ),
    ...elementRangeLines(),
    ...wrap(
      "A byte stores v = Σ code_n·3^(4-n), a base-3 number 0..242, as the fraction v/243 of 256 " +
        "rounded UP: byte = ceil(v·256/243). Multiplying the byte by 3 (mod 256) then shifts the next trit " +
        "into the top; rounding up keeps every product just above a trit boundary, never just below " +
        "(see spec/formats.md §5.3).",
    ),
    ...WORKED_BYTES.flatMap((byte) => ["", ...workedByte(walk, byte)]),
  ];
}

/** The three element ranges with their byte ranges, read off tq1ElementPosition. */
function elementRangeLines(): string[] {
  const ranges = [
    { first: 0, last: 159, field: "qs", rule: "byte = e % 32,              n = e / 32" },
    { first: 160, last: 239, field: "qs", rule: "byte = 32 + (e - 160) % 16, n = (e - 160) / 16" },
    { first: 240, last: 255, field: "qh", rule: "byte = 48 + (e - 240) % 4,  n = (e - 240) / 4, 5th trit 0" },
  ];
  return ranges.map(({ first, last, field, rule }) => {
    const bytes = byteRange(first, last);
    const elements = `${String(first).padStart(3)}..${String(last).padEnd(3)}`;
    const byteSpan = `${String(bytes.min).padStart(2)}..${String(bytes.max).padEnd(2)}`;
    return `${INDENT}  elements ${elements} → ${field} bytes ${byteSpan}: ${rule}`;
  });
}

/** The lowest and highest byte holding elements first..last. */
function byteRange(first: number, last: number): { min: number; max: number } {
  const bytes = Array.from({ length: last - first + 1 }, (_, i) => tq1ElementPosition(first + i).byte);
  return { min: Math.min(...bytes), max: Math.max(...bytes) };
}

/** The elements stored in `byte`, indexed by trit position n (4 of them for a qh byte). */
function elementsOfByte(byte: number): number[] {
  const elements: number[] = [];
  for (let e = 0; e < QK_K; e++) {
    const position = tq1ElementPosition(e);
    if (position.byte === byte) elements[position.trit] = e;
  }
  return elements;
}

/** Pack one byte's codes (v, then the ceiling), compare with the block, then decode it back. */
function workedByte(walk: BlockWalk, byte: number): string[] {
  const elements = elementsOfByte(byte);
  const isQh = elements.length < TRITS_PER_BYTE;
  const codes = Array.from({ length: TRITS_PER_BYTE }, (_, n) => (n < elements.length ? walk.codes[elements[n]] : 0));
  const v = codes.reduce((sum, code, n) => sum + code * TRIT_WEIGHTS[n], 0);
  const packed = packTritsToByte(codes);
  const stored = walk.block[byte];
  const fifthTrit = isQh ? " and a 5th trit that is always 0" : "";
  return [
    `${INDENT}${isQh ? "qh byte" : "byte"} ${byte} holds elements ${elements.join(", ")} as trits n = 0..${elements.length - 1}` +
      fifthTrit,
    `${INDENT}  codes: ${codes.map((code, n) => `${n < elements.length ? `e${elements[n]}` : "5th"}=${code}`).join("  ")}`,
    `${INDENT}  v    = ${codes.map((code, n) => `${code}·${TRIT_WEIGHTS[n]}`).join(" + ")} = ${v}`,
    `${INDENT}  byte = ceil(${v}·256/243) = ceil(${((v * 256) / 243).toFixed(3)}) = (${v}·256 + 242) div 243` +
      ` = ${v * 256 + 242} div 243 = ${packed}`,
    `${INDENT}  block byte ${byte} = ${stored} = ${hexByte(stored)}${stored === packed ? ", as computed" : `, NOT ${packed}`}`,
    `${INDENT}  decode: q = byte·3^n mod 256, code = q·3 >> 8`,
    ...elements.map((e, n) => decodeStep(stored, n, `e${e}`)),
    ...(isQh ? [decodeStep(stored, TRITS_PER_BYTE - 1, "the 5th trit, ignored by decoders")] : []),
  ];
}

/** "    n = 1: q = 188·3  mod 256 =  52, code =  156 >> 8 = 0 → e32" */
function decodeStep(byte: number, n: number, target: string): string {
  const q = (byte * POWERS_OF_3[n]) % 256;
  const multiplier = `${byte}·${POWERS_OF_3[n]}`.padEnd(6);
  return (
    `${INDENT}    n = ${n}: q = ${multiplier} mod 256 = ${String(q).padStart(3)}, code = ` +
    `${String(q * 3).padStart(3)} >> 8 = ${tritOfByte(byte, n)} → ${target}`
  );
}
