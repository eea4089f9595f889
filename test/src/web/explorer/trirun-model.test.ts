import { describe, expect, test } from "vitest";
import { packTrirun } from "../../../../reference/codec/trirun.js";
import { resolveTrirunStrip, STRIP_K, STRIP_N } from "../../../../src/explain/trirun-input.js";
import {
  formatTileCodes,
  packTrirunStrip,
  parseTileCodes,
  tileCodesOf,
  trirunElementFacts,
  withTileCodes,
} from "../../../../src/web/explorer/trirun-model.js";

/** The strip's codes embedded at k < 16, n < 64 of a 128 × 256 matrix (code 1 elsewhere), packed by packTrirun. */
function packedByReference(codes: Uint8Array): Int32Array {
  const k = 128;
  const n = 256;
  const matrix = new Uint8Array(k * n).fill(1);
  for (let kk = 0; kk < STRIP_K; kk++) matrix.set(codes.subarray(kk * STRIP_N, (kk + 1) * STRIP_N), kk * n);
  return packTrirun({ k, n, groupSize: -1, codes: matrix, scales: new Uint16Array(n).fill(0x3c00) }).B;
}

/** A strip with every code 0..3 present: seed 5's trits, with code 3 at every 7th element. */
function stripWithCode3(): Uint8Array {
  const codes = Uint8Array.from(resolveTrirunStrip({ seed: 5 }).codes);
  for (let i = 0; i < codes.length; i += 7) codes[i] = 3;
  return codes;
}

describe("packTrirunStrip", () => {
  test("the strip's 64 words are B[0][0..63] of packTrirun on a matrix holding the strip", () => {
    for (const codes of [resolveTrirunStrip({ seed: 1 }).codes, stripWithCode3()]) {
      const expected = packedByReference(codes).subarray(0, STRIP_N);
      expect(Array.from(packTrirunStrip(codes).words)).toEqual(Array.from(expected));
    }
  });
});

describe("trirunElementFacts", () => {
  const strip = packTrirunStrip(stripWithCode3());
  const all = Array.from({ length: STRIP_K * STRIP_N }, (_, i) =>
    trirunElementFacts(strip, Math.floor(i / STRIP_N), i % STRIP_N),
  );

  test("each element has its own (column, crumb), and its crumb of the word holds its code", () => {
    const places = new Set(all.map((f) => 16 * f.column + f.crumb));
    expect(places.size).toBe(STRIP_K * STRIP_N);
    for (const f of all) {
      expect(f.row).toBe(0);
      expect((f.word >>> (2 * f.crumb)) & 3).toBe(f.code);
      expect(f.crumbs[f.crumb]).toEqual({ crumb: f.crumb, k: f.k, n: f.n, code: f.code });
      expect(f.tile).toBe(Math.floor(f.n / 16));
    }
  });

  test("the word's 16 crumbs are elements whose own facts name the same word", () => {
    for (const f of all) {
      for (const c of f.crumbs) {
        const other = all[c.k * STRIP_N + c.n];
        expect([other.column, other.crumb, other.code]).toEqual([f.column, c.crumb, c.code]);
      }
    }
  });

  test("the kernel reads each element where the packer put it, and its dequant gives t = code − 1", () => {
    for (const f of all) {
      expect(f.kernelSource).toEqual({ column: f.column, crumb: f.crumb });
      expect(f.dequantCrumbs[2 * f.position.register + f.position.half]).toBe(f.crumb);
      expect(f.kernelValue).toBe(f.code - 1);
      expect(f.t).toBe(f.code - 1);
    }
  });

  test("(3, 21) of seed 1: lane, register, half, MMA call, fragment and shift by spec/trirun.md §4.3's formulas", () => {
    const f = trirunElementFacts(packTrirunStrip(resolveTrirunStrip({ seed: 1 }).codes), 3, 21);
    // lane = 4·(n mod 8) + (k mod 8)/2 = 4·5 + 1; register = (k mod 16)/8; half = k mod 2; j = (n mod 64)/16;
    // fragment = (n mod 16)/8; shift = 2·(j mod 2) + 8·fragment
    expect(f.position).toMatchObject({ lane: 21, register: 0, half: 1, mma: 1, fragment: 0, word: 0, shift: 2 });
  });
});

describe("tile codes", () => {
  test("withTileCodes replaces exactly the tile's 256 codes; tileCodesOf reads them back", () => {
    const codes = resolveTrirunStrip({ seed: 3 }).codes;
    const tileCodes = Array.from({ length: 256 }, (_, i) => (i * 7) % 4);
    for (let tile = 0; tile < 4; tile++) {
      const out = withTileCodes(codes, tile, tileCodes);
      expect(tileCodesOf(out, tile)).toEqual(tileCodes);
      for (let i = 0; i < codes.length; i++) {
        if (Math.floor((i % STRIP_N) / 16) !== tile) expect(out[i]).toBe(codes[i]);
      }
    }
  });

  test("text → codes → text; missing codes are 1", () => {
    const tileCodes = Array.from({ length: 256 }, (_, i) => (i * 5) % 4);
    const text = formatTileCodes(tileCodes);
    expect(text.split("\n")).toHaveLength(16);
    expect(parseTileCodes(text)).toEqual({ ok: true, codes: tileCodes, given: 256 });
    const short = parseTileCodes("0, 2\n3");
    expect(short.ok && short.codes.slice(0, 5)).toEqual([0, 2, 3, 1, 1]);
    expect(short.ok && short.given).toBe(3);
  });

  test("bad codes are one line naming the item; too many or none are refused", () => {
    expect(parseTileCodes("0 1 4 2")).toEqual({ ok: false, error: "codes: item 3 ('4') is not a code 0..3" });
    expect(parseTileCodes("0 -1")).toEqual({ ok: false, error: "codes: item 2 ('-1') is not a code 0..3" });
    expect(parseTileCodes(" \n ")).toEqual({ ok: false, error: "codes: none given; type 1 to 256 codes 0..3" });
    expect(parseTileCodes("1 ".repeat(257))).toEqual({
      ok: false,
      error: "codes: 257 codes given, a tile holds 1 to 256",
    });
  });
});
