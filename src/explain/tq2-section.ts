/**
 * Part 3 of the TQ2_0 walk-through: where each element's 2-bit code goes, and bit diagrams of
 * bytes 0..3 and 32 read from the packed block. Spec: spec/formats.md §4.1 and §4.2.
 * Pure: no Node or browser APIs.
 */

import { QK_K, tq2ElementPosition } from "../../reference/codec/index.js";
import { binary, hexByte, signedTrit } from "./numbers.js";
import { heading, INDENT, wrap } from "./text.js";
import type { BlockWalk } from "./walk.js";

/** The bytes whose bits are drawn. */
const DIAGRAM_BYTES = [0, 1, 2, 3, 32] as const;
/** Elements per group that share a byte range and a bit pair. */
const GROUP_ELEMENTS = 32;
const PAIRS_PER_BYTE = 4;

/** The element → (byte, bits) map, the consecutive-layout warning, and the byte diagrams. */
export function tq2PackingSection(walk: BlockWalk): string[] {
  return [
    ...heading("3. Where each code goes: element → (byte, bits)", `${walk.codec.spec.layout}, ${walk.codec.spec.map}`),
    ...wrap("Four 2-bit codes a byte in qs[64], then d. Element e (integer division throughout):"),
    `${INDENT}  byte = (e / 128)·32 + e % 32,   bits = 2·((e % 128) / 32) and the bit above`,
    ...elementGroupLines(),
    ...wrap("So byte m holds elements m, m+32, m+64, m+96 of its 128-element half, lowest bits first."),
    ...consecutiveLayoutWarning(walk),
    ...DIAGRAM_BYTES.flatMap((byte) => ["", ...byteDiagram(walk, byte)]),
  ];
}

/** One line per 32-element group: which bytes and which bit pair, from tq2ElementPosition. */
function elementGroupLines(): string[] {
  const lines: string[] = [];
  for (let first = 0; first < QK_K; first += GROUP_ELEMENTS) {
    const last = first + GROUP_ELEMENTS - 1;
    const from = tq2ElementPosition(first);
    const to = tq2ElementPosition(last);
    const elements = `${String(first).padStart(3)}..${String(last).padEnd(3)}`;
    const bytes = `${String(from.byte).padStart(2)}..${String(to.byte).padEnd(2)}`;
    lines.push(`${INDENT}  elements ${elements} → bytes ${bytes}, bits ${from.shift}-${from.shift + 1}`);
  }
  return lines;
}

/** The "4 consecutive elements per byte" bug, with how many of this block's codes it would misread. */
function consecutiveLayoutWarning(walk: BlockWalk): string[] {
  let misread = 0;
  for (let e = 0; e < QK_K; e++) {
    const wrongCode = (walk.block[Math.floor(e / PAIRS_PER_BYTE)] >> (2 * (e % PAIRS_PER_BYTE))) & 3;
    if (wrongCode !== walk.storedCodes[e]) misread++;
  }
  return wrap(
    'WARNING: it is NOT "4 consecutive elements per byte": byte 0 holds e0, e32, e64, e96, not ' +
      "e0..e3. Kernels that assumed the consecutive layout have shipped; on this block such a kernel would " +
      `misread ${misread} of the ${QK_K} codes.`,
  );
}

/**
 * `byte 0 = 0b10_01_00_10 = 0x92` and one line per bit pair, highest pair first, with a
 * leader from the pair to the element it holds:
 *
 *     byte 0 = 0b10_01_00_10 = 0x92
 *                 |  |  |  +- bits 0-1 = 10: e0    code 2 (+1)
 */
function byteDiagram(walk: BlockWalk, byte: number): string[] {
  const value = walk.block[byte];
  const pairs = [3, 2, 1, 0].map((pair) => binary((value >> (2 * pair)) & 3, 2));
  const head = `${INDENT}byte ${byte} = 0b`;
  const lines = [`${head}${pairs.join("_")} = ${hexByte(value)}`];
  const pairColumn = (pairFromTop: number): number => head.length + 3 * pairFromTop;
  for (let pair = 0; pair < PAIRS_PER_BYTE; pair++) {
    const pairFromTop = PAIRS_PER_BYTE - 1 - pair;
    let leader = "";
    for (let above = 0; above < pairFromTop; above++) leader = leader.padEnd(pairColumn(above)) + "|";
    leader = leader.padEnd(pairColumn(pairFromTop)) + "+" + "-".repeat(3 * pair + 1);
    lines.push(`${leader} ${pairLabel(walk, byte, pair)}`);
  }
  return lines;
}

/** "bits 0-1 = 10: e0    code 2 (+1)" for bit pair `pair` (0 = lowest) of `byte`. */
function pairLabel(walk: BlockWalk, byte: number, pair: number): string {
  const shift = 2 * pair;
  const e = elementAt(byte, shift);
  const code = walk.storedCodes[e];
  return `bits ${shift}-${shift + 1} = ${binary(code, 2)}: ${`e${e}`.padEnd(5)} code ${code} (${signedTrit(code)})`;
}

/** The element stored at (byte, shift), found through tq2ElementPosition. */
function elementAt(byte: number, shift: number): number {
  for (let e = 0; e < QK_K; e++) {
    const position = tq2ElementPosition(e);
    if (position.byte === byte && position.shift === shift) return e;
  }
  throw new RangeError(`no TQ2_0 element at byte ${byte}, bit ${shift}`);
}
