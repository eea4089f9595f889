import { describe, expect, test } from "vitest";
import { trirunElementLocationClosedForm } from "../../../reference/codec/trirun.js";
import { explainTrirunTile } from "../../../src/explain/trirun.js";
import { resolveTrirunStrip, STRIP_K, STRIP_N } from "../../../src/explain/trirun-input.js";

/** The strip's 64 words packed with the closed form of spec/trirun.md §5.2 (not the table the walk-through uses). */
function wordsByClosedForm(codes: Uint8Array): number[] {
  const words = new Array<number>(STRIP_N).fill(0);
  for (let k = 0; k < STRIP_K; k++) {
    for (let n = 0; n < STRIP_N; n++) {
      const { column, crumb } = trirunElementLocationClosedForm(STRIP_N, k, n);
      words[column] = (words[column] | (codes[k * STRIP_N + n] << (2 * crumb))) >>> 0;
    }
  }
  return words;
}

const hex = (word: number): string => `0x${word.toString(16).padStart(8, "0")}`;
const lines = (text: string): string[] => text.split("\n").map((line) => line.trim());

describe("explainTrirunTile (spec/trirun.md §3–§7)", () => {
  test("every line fits in 100 columns and the text ends in a newline, for each tile", () => {
    for (const tile of [0, 1, 2, 3]) {
      const text = explainTrirunTile({ tile });
      expect(text.endsWith("\n")).toBe(true);
      for (const line of text.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(100);
    }
  });

  test("the words of the tile, in hex, equal an independent pack by the closed form (seed 9, tile 3)", () => {
    const strip = resolveTrirunStrip({ seed: 9, tile: 3 });
    const words = wordsByClosedForm(strip.codes);
    const text = lines(explainTrirunTile({ seed: 9, tile: 3 }));
    // Tile 3 (n = 48..63) lives in the odd columns: (n mod 64) / 32 = 1.
    const wordLines = text.filter((line) => /^B\[0\]\[[ \d]\d\] = /.test(line)).map((line) => line.slice(0, 21));
    expect(wordLines).toEqual(
      Array.from({ length: 32 }, (_, i) => 2 * i + 1).map((w) => `B[0][${String(w).padStart(2)}] = ${hex(words[w])}`),
    );
    expect(text).toContain(`B[0][1] = ${hex(words[1])} crumb by crumb:`);
  });

  test("crumb 2 of the first word is (8, n0): register b1's low half (§4.3), code read back from the word", () => {
    const strip = resolveTrirunStrip({ seed: 4, tile: 0 });
    const code = strip.codes[8 * STRIP_N + 0];
    const text = lines(explainTrirunTile({ seed: 4, tile: 0 }));
    const row = text.find((line) => line.startsWith("2  4-5 "))?.split(/ {2,}/);
    expect(row).toEqual([
      "2",
      "4-5",
      code.toString(2).padStart(2, "0"),
      `${code} (${["-1", "0", "+1"][code]})`,
      "(8, 0)",
      "0",
    ]);
  });

  test("the lane grid follows the PTX B fragment: lane = 4·(n mod 8) + (k mod 8)/2", () => {
    const text = lines(explainTrirunTile({ tile: 1 }));
    for (const k of [0, 3, 6, 9, 15]) {
      const lanes = Array.from({ length: 16 }, (_, c) => String(4 * ((16 + c) % 8) + ((k % 8) >> 1)).padStart(2));
      expect(text).toContain(`k=${String(k).padStart(2)} | ${lanes.join(" ")}`);
    }
  });

  test("dequant at shift 0 gives t = code − 1 of crumbs 0 and 8: (0, n0) and (1, n0) in frag_b[0]", () => {
    const strip = resolveTrirunStrip({ seed: 2, tile: 0 });
    const t = (k: number, n: number): number => strip.codes[k * STRIP_N + n] - 1;
    const text = lines(explainTrirunTile({ seed: 2, tile: 0 }));
    const index = text.findIndex((line) => line.startsWith("dequant(word >>  0): crumbs 0, 8, 2, 10"));
    expect(index).toBeGreaterThan(0);
    expect(text[index + 1].endsWith(`frag_b[0] = lo − 1025 = ${t(0, 0)}, ${t(1, 0)}`)).toBe(true);
    expect(text[index + 2].endsWith(`frag_b[1] = hi/16 − 65 = ${t(8, 0)}, ${t(9, 0)}`)).toBe(true);
  });

  test("--codes fill the chosen tile row by row; the rest of the strip is code 1", () => {
    const text = lines(explainTrirunTile({ codes: [2, 0, 3, 1, 0], tile: 2 }));
    expect(text).toContain(`k= 0 | ${[2, 0, 3, 1, 0, ...new Array<number>(11).fill(1)].map((c) => ` ${c}`).join(" ")}`);
    expect(text).toContain(`k= 1 | ${new Array<string>(16).fill(" 1").join(" ")}`);
  });
});
