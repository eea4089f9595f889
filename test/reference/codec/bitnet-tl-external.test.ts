/**
 * TL1 and TL2 against microsoft/BitNet's own converter: golden/external/bitnet-tl/ holds what
 * `transform_to_tl1` / `transform_to_tl2` (utils/convert-hf-to-gguf-bitnet.py, 16da220a) wrote for
 * pseudo-random ternary matrices (provenance, seeds and sha256 in its PROVENANCE.md). Spec/bitnet.md §4, §5:
 * encodeTl1/encodeTl2 must give every byte (for the preset shapes kept as a hash only, the sha256 of the
 * whole output), decode must give the weights back, and the scale tensor must be the converter's.
 */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { decodeTl1, encodeTl1, tl1Scale } from "../../../reference/codec/tl1.js";
import { decodeTl2, encodeTl2 } from "../../../reference/codec/tl2.js";
import { expectShaTableMatches, firstDifference, hashedTernary, sha256Hex } from "../../support/bitnet-external.js";

const GOLDEN = new URL("../../../golden/external/bitnet-tl/", import.meta.url);

/** One case of cases.json. */
interface TlCase {
  readonly kind: "tl1" | "tl2";
  readonly id: string;
  readonly m: number;
  readonly k: number;
  readonly BM: number;
  readonly BK: number;
  readonly bm: number;
  readonly seed: number;
  readonly scale: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly file: string | null;
}

const MANIFEST = JSON.parse(readFileSync(new URL("cases.json", GOLDEN), "utf8")) as { alpha: number; cases: TlCase[] };

describe("golden/external/bitnet-tl: bitnet.cpp's converter", () => {
  test("every file matches the sha256 list in PROVENANCE.md, and every file is listed", () => {
    expectShaTableMatches(GOLDEN);
  });

  test("has small and preset shapes of both kinds, and a TL2 remainder", () => {
    for (const kind of ["tl1", "tl2"]) {
      const cases = MANIFEST.cases.filter((c) => c.kind === kind);
      expect(cases.filter((c) => c.m * c.k >= 1 << 20).length).toBeGreaterThanOrEqual(2);
      expect(cases.filter((c) => c.file !== null).length).toBeGreaterThanOrEqual(5);
    }
    expect(MANIFEST.cases.some((c) => c.kind === "tl2" && c.k % c.BK !== 0)).toBe(true);
  });

  test.each(MANIFEST.cases.map((c) => [c.id, c] as const))(
    "%s: encode gives the converter's bytes, decode the weights",
    (_id, c) => {
      const config = { m: c.m, k: c.k, BM: c.BM, BK: c.BK, bm: c.bm };
      const weights = hashedTernary(c.seed, c.m, c.k);
      const bytes = c.kind === "tl1" ? encodeTl1(weights, config) : encodeTl2(weights, config);
      expect(bytes.length).toBe(c.bytes);
      expect(sha256Hex(bytes)).toBe(c.sha256);
      if (c.file !== null) {
        const expected = new Uint8Array(readFileSync(new URL(c.file, GOLDEN)));
        expect(firstDifference(bytes, expected), `${c.id}: first byte that differs`).toBe(-1);
        const decoded = c.kind === "tl1" ? decodeTl1(expected, config) : decodeTl2(expected, config);
        expect(firstDifference(decoded, weights), `${c.id}: first weight that differs`).toBe(-1);
      }
      const floats = Float32Array.from(weights, (t) => t * MANIFEST.alpha);
      expect(tl1Scale(floats)).toBe(c.scale);
    },
  );
});
