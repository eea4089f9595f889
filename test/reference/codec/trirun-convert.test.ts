import { describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../../../reference/codec/float16.js";
import { dequantizeRowTq1_0, quantizeRowTq1_0 } from "../../../reference/codec/tq1_0.js";
import { dequantizeRowTq2_0, packTq2Block, quantizeRowTq2_0 } from "../../../reference/codec/tq2_0.js";
import {
  regroupTrirun,
  ternaryValuesToTrirun,
  tqToTrirun,
  trirunToTq,
  type TqFormat,
  type TqMatrix,
} from "../../../reference/codec/trirun-convert.js";
import { packTrirun, trirunScaleBitsAt, unpackTrirun, type TrirunMatrix } from "../../../reference/codec/trirun.js";

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Ternary values [n, k]: each row's scale from `scaleOf(row, block)` (fp16 values), every 5th block all zero.
 */
function ternaryValues(
  n: number,
  k: number,
  seed: number,
  scaleOf: (row: number, block: number) => number,
): Float32Array {
  const next = random(seed);
  const values = new Float32Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const block = c >> 8;
      if ((r * 7 + block) % 5 === 0) continue;
      values[r * k + c] = (Math.floor(next() * 3) - 1) * scaleOf(r, block);
    }
  }
  return values;
}

const QUANTIZE = { tq2_0: quantizeRowTq2_0, tq1_0: quantizeRowTq1_0 };
const DEQUANTIZE = { tq2_0: dequantizeRowTq2_0, tq1_0: dequantizeRowTq1_0 };

/** Canonical TQ blocks of `values` [n, k], as ggml's quantizer writes them. */
function tqOf(format: TqFormat, values: Float32Array, n: number, k: number): TqMatrix {
  return { format, k, n, data: QUANTIZE[format](values) };
}

/** The decoded weights of a TriRun matrix in [n, k] order: (code − 1) · scale. */
function decodeTrirun(matrix: TrirunMatrix): Float32Array {
  const out = new Float32Array(matrix.k * matrix.n);
  for (let kIndex = 0; kIndex < matrix.k; kIndex++) {
    for (let nIndex = 0; nIndex < matrix.n; nIndex++) {
      const scale = f16BitsToF32(trirunScaleBitsAt(matrix, kIndex, nIndex));
      out[nIndex * matrix.k + kIndex] = (matrix.codes[kIndex * matrix.n + nIndex] - 1) * scale;
    }
  }
  return out;
}

/** Equal as numbers (±0 equal), element by element; returns the first index that differs, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) return i;
  return a.length === b.length ? -1 : a.length;
}

const fp16 = (x: number): number => f16BitsToF32(f32ToF16Bits(x));
const perBlockScale = (r: number, b: number): number => fp16(0.01 + 0.003 * ((r * 3 + b) % 11));
const perRowScale = (r: number): number => fp16(0.02 + 0.001 * (r % 13));

describe("TQ → TriRun → TQ", () => {
  for (const format of ["tq2_0", "tq1_0"] as const) {
    it(`${format}: groups of 128 keep every block's bits; back to ${format} byte for byte; decoded weights equal`, () => {
      const [n, k] = [256, 768];
      const tq = tqOf(format, ternaryValues(n, k, 1, perBlockScale), n, k);
      const { result: matrix, warnings } = tqToTrirun(tq, 128);
      expect(warnings).toEqual([]);
      expect(matrix.groupSize).toBe(128);
      expect(firstDifference(decodeTrirun(matrix), DEQUANTIZE[format](tq.data))).toBe(-1);
      const repacked = unpackTrirun(packTrirun(matrix));
      const back = trirunToTq(repacked, format).result;
      expect(Buffer.from(back.data).equals(Buffer.from(tq.data))).toBe(true);
    });

    it(`${format}: per column when each row has one scale (all-zero blocks' d = 0 ignored); back byte for byte`, () => {
      const [n, k] = [256, 512];
      const tq = tqOf(format, ternaryValues(n, k, 2, perRowScale), n, k);
      const auto = tqToTrirun(tq, "auto").result;
      expect(auto.groupSize).toBe(-1);
      const matrix = tqToTrirun(tq, -1).result;
      expect(matrix.scales[3]).toBe(f32ToF16Bits(perRowScale(3)));
      expect(firstDifference(decodeTrirun(matrix), DEQUANTIZE[format](tq.data))).toBe(-1);
      expect(Buffer.from(trirunToTq(matrix, format).result.data).equals(Buffer.from(tq.data))).toBe(true);
    });
  }

  it("refuses per column naming the row and the two blocks whose scales differ (row 0 block 0 is all zero: free); auto falls back to 128", () => {
    const [n, k] = [256, 512];
    const tq = tqOf("tq2_0", ternaryValues(n, k, 3, perBlockScale), n, k);
    expect(() => tqToTrirun(tq, -1)).toThrow(
      "output row n=1: block 0 (inputs 0..255) has scale 0x24dd (0.0189971923828125) but " +
        "output row n=1: block 1 (inputs 256..511) has 0x25a2 (0.022003173828125): " +
        "per-column TriRun keeps one scale per output column (use group size 128)",
    );
    expect(tqToTrirun(tq, "auto").result.groupSize).toBe(128);
  });

  it("refuses k not a multiple of 256 and n not a multiple of 256, naming the constraint", () => {
    expect(() => tqToTrirun({ format: "tq2_0", k: 128, n: 256, data: new Uint8Array(0) }, 128)).toThrow(
      "k = 128 must be a positive multiple of 256 (QK_K: a TQ block holds 256 inputs)",
    );
    const tq = tqOf("tq2_0", ternaryValues(128, 256, 4, perRowScale), 128, 256);
    expect(() => tqToTrirun(tq, 128)).toThrow("TriRun shape k=256, n=128: n = 128 must be a positive multiple of 256");
  });

  it("carries TQ2_0 code 3 over with a warning", () => {
    const codes = new Uint8Array(256).fill(1);
    codes[5] = 3;
    const block = packTq2Block(codes, 0x3c00);
    const data = new Uint8Array(256 * 66);
    for (let r = 0; r < 256; r++) data.set(r === 7 ? block : packTq2Block(new Uint8Array(256).fill(1), 0), r * 66);
    const { result, warnings } = tqToTrirun({ format: "tq2_0", k: 256, n: 256, data }, -1);
    expect(result.codes[5 * 256 + 7]).toBe(3);
    expect(warnings).toEqual([
      expect.stringMatching(/^1 code 3 \(\+2\) element\(s\), first at k=5, n=7: carried over/),
    ]);
    expect(Buffer.from(trirunToTq(result, "tq2_0").result.data).equals(Buffer.from(data))).toBe(true);
    expect(() => trirunToTq(result, "tq1_0")).toThrow(
      "element k=5, n=7 has code 3 (+2), which TQ1_0 cannot store (a trit holds codes 0..2)",
    );
  });
});

describe("TriRun → TQ", () => {
  it("refuses a block whose two 128-groups scale codes with different bits", () => {
    const [k, n] = [256, 256];
    const codes = new Uint8Array(k * n).fill(2);
    const scales = new Uint16Array(2 * n).fill(0x3c00);
    scales[n + 9] = 0x3800;
    expect(() => trirunToTq({ k, n, groupSize: 128, codes, scales }, "tq2_0")).toThrow(
      "output n=9, block 0: group 0 (inputs 0..127) has scale 0x3c00 (1) but " +
        "output n=9, block 0: group 1 (inputs 128..255) has 0x3800 (0.5): a TQ block holds one scale",
    );
  });

  it("a group whose codes are all zero yields to the other; an all-zero block gets d = +0", () => {
    const [k, n] = [256, 256];
    const codes = new Uint8Array(k * n).fill(1);
    for (let kIndex = 0; kIndex < 128; kIndex++) codes[kIndex * n] = 2; // column 0, group 0 only
    const scales = new Uint16Array(2 * n).fill(0x3800);
    scales[0] = 0x3c00;
    const tq = trirunToTq({ k, n, groupSize: 128, codes, scales }, "tq2_0").result;
    expect(tq.data[64] | (tq.data[65] << 8)).toBe(0x3c00);
    expect(tq.data[66 + 64] | (tq.data[66 + 65] << 8)).toBe(0);
  });

  it("refuses k = 128 (not whole TQ blocks)", () => {
    const matrix: TrirunMatrix = {
      k: 128,
      n: 256,
      groupSize: -1,
      codes: new Uint8Array(128 * 256),
      scales: new Uint16Array(256),
    };
    expect(() => trirunToTq(matrix, "tq1_0")).toThrow("k = 128 must be a positive multiple of 256");
  });
});

describe("regroupTrirun", () => {
  it("per column → 128 → per column gives the same matrix", () => {
    const values = ternaryValues(256, 256, 5, perRowScale);
    const perColumn = ternaryValuesToTrirun(values, 256, 256, -1);
    const grouped = regroupTrirun(perColumn, 128);
    expect(grouped.scales.length).toBe(2 * 256);
    expect(regroupTrirun(grouped, -1)).toEqual(perColumn);
  });

  it("refuses per column when two groups of a column differ, naming them", () => {
    const grouped = ternaryValuesToTrirun(ternaryValues(256, 512, 6, perBlockScale), 256, 512, 128);
    expect(() => regroupTrirun(grouped, -1)).toThrow(
      "output n=1: group 0 (inputs 0..127) has scale 0x24dd (0.0189971923828125) but output n=1: group 2 (inputs 256..383) has 0x25a2 (0.022003173828125)",
    );
  });
});

describe("ternaryValuesToTrirun (HF ternary)", () => {
  it("per column or grouped as the values allow; decoded weights equal the values", () => {
    const [n, k] = [256, 512];
    const perRow = ternaryValues(n, k, 7, perRowScale);
    const a = ternaryValuesToTrirun(perRow, n, k, "auto");
    expect(a.groupSize).toBe(-1);
    expect(firstDifference(decodeTrirun(a), perRow)).toBe(-1);
    const perBlock = ternaryValues(n, k, 8, perBlockScale);
    const b = ternaryValuesToTrirun(perBlock, n, k, "auto");
    expect(b.groupSize).toBe(128);
    expect(firstDifference(decodeTrirun(b), perBlock)).toBe(-1);
    expect(() => ternaryValuesToTrirun(perBlock, n, k, -1)).toThrow(
      /per-column TriRun keeps one scale per output column/,
    );
  });

  it("refuses two magnitudes in a group, a scale fp16 cannot hold, and a non-finite value", () => {
    const [n, k] = [256, 128];
    const values = new Float32Array(n * k);
    values[3] = 0.5;
    values[4] = -0.25;
    expect(() => ternaryValuesToTrirun(values, n, k, 128)).toThrow(
      "output row n=0, input k=4: |-0.25| differs from 0.5 earlier in inputs 0..127: not ternary (a group of 128 holds 0 and ±one scale)",
    );
    values[4] = 0;
    values[3] = Math.fround(0.1);
    expect(() => ternaryValuesToTrirun(values, n, k, 128)).toThrow(
      /^output row n=0, inputs 0\.\.127: scale 0\.10000000149011612 is not an fp16 value \(nearest 0\.0999755859375\)/,
    );
    values[3] = Infinity;
    expect(() => ternaryValuesToTrirun(values, n, k, 128)).toThrow(
      "output row n=0, input k=3: value Infinity is not finite",
    );
  });
});
