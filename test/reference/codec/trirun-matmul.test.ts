/**
 * reference/codec/trirun-matmul.ts — TriRun's matmul (spec/trirun.md §8.1, §8.2). Oracles: hand-computed
 * products and fp16 roundings (ties included) on single-weight cases, and an independent matmul that reads
 * the *packed* B through the kernel's decode (trirunDequantWord on the word shifted as matmul() shifts it)
 * and the permuted s through unpermuteTrirunScales, compared bit for bit on random matrices.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { f16BitsToF32, f32ToF16Bits, roundToF16 } from "../../../reference/codec/float16.js";
import {
  packTrirun,
  TrirunShapeError,
  trirunElementLocation,
  unpermuteTrirunScales,
  type TrirunGroupSize,
  type TrirunMatrix,
  type TrirunPacked,
} from "../../../reference/codec/trirun.js";
import { trirunDequantCrumbs, trirunDequantWord } from "../../../reference/codec/trirun-dequant.js";
import { trirunEffectiveWeights, trirunMatmul, trirunMatmulExact } from "../../../reference/codec/trirun-matmul.js";
import { checkProperty } from "../../support/property.js";

const ONE = f32ToF16Bits(1);

/** A k × n matrix with every code 1 (t = 0) and every scale 1, then `edit` applied. */
function matrix(
  k: number,
  n: number,
  groupSize: TrirunGroupSize,
  edit: (codes: Uint8Array, scales: Uint16Array) => void,
): TrirunMatrix {
  const codes = new Uint8Array(k * n).fill(1);
  const scales = new Uint16Array((groupSize === -1 ? 1 : k / 128) * n).fill(ONE);
  edit(codes, scales);
  return { k, n, groupSize, codes, scales };
}

/** fp16 bits of the given values, rounded to fp16. */
const f16 = (values: readonly number[]): Uint16Array => Uint16Array.from(values, f32ToF16Bits);

/** One row x [1 × k] with x[i] = value for the given entries, 0 elsewhere. */
function row(k: number, entries: Record<number, number>): Uint16Array {
  const x = new Uint16Array(k);
  for (const [i, value] of Object.entries(entries)) x[Number(i)] = f32ToF16Bits(value);
  return x;
}

/** The (shift, fragment position) whose dequant call consumes `crumb` (matmul() line 466: >> 2·(j%2), then >> 8). */
function dequantSlot(crumb: number): { shift: number; position: number } {
  for (const shift of [0, 2, 8, 10]) {
    const position = trirunDequantCrumbs(shift).indexOf(crumb);
    if (position >= 0) return { shift, position };
  }
  throw new Error(`crumb ${crumb} is read by no dequant call`);
}

/** An independent TriRun matmul over the packed tensors: decode each weight as the kernel does, k-order fp32 sum. */
function matmulFromPacked(packed: TrirunPacked, x: Uint16Array, m: number): Uint16Array {
  const { k, n } = packed;
  const perColumn = packed.s.length === n; // one scale row: per column arithmetic (spec/trirun.md §6)
  const scales = unpermuteTrirunScales(packed, packed.s);
  const y = new Uint16Array(m * n);
  for (let b = 0; b < m; b++) {
    for (let nIndex = 0; nIndex < n; nIndex++) {
      let acc = 0;
      for (let kIndex = 0; kIndex < k; kIndex++) {
        const { word, crumb } = trirunElementLocation(n, kIndex, nIndex);
        const { shift, position } = dequantSlot(crumb);
        const t = f16BitsToF32(trirunDequantWord(packed.B[word] >> shift)[position]);
        const w = perColumn ? t : roundToF16(t * f16BitsToF32(scales[Math.floor(kIndex / 128) * n + nIndex]));
        acc = Math.fround(acc + f16BitsToF32(x[b * k + kIndex]) * w);
      }
      y[b * n + nIndex] = perColumn ? f32ToF16Bits(roundToF16(acc) * f16BitsToF32(scales[nIndex])) : f32ToF16Bits(acc);
    }
  }
  return y;
}

describe("trirunMatmul, per column (spec/trirun.md §8.1)", () => {
  test("a single nonzero weight: y = x·t·s in its column, 0 elsewhere (k = 128, n = 256)", () => {
    for (const [code, t] of [
      [0, -1],
      [2, 1],
      [3, 2],
    ]) {
      const w = matrix(128, 256, -1, (codes, scales) => {
        codes[5 * 256 + 37] = code;
        scales[37] = f32ToF16Bits(0.25);
      });
      const y = trirunMatmul(w, row(128, { 5: 3.5, 6: 100 }), 1);
      const expected = new Uint16Array(256);
      expected[37] = f32ToF16Bits(3.5 * t * 0.25);
      expect(Array.from(y)).toEqual(Array.from(expected));
    }
  });

  test("the sum is rounded to fp16 (ties to even) before the scale: 2049 → 2048, 2051 → 2052", () => {
    const w = matrix(128, 256, -1, (codes) => {
      codes[0 * 256 + 0] = 2;
      codes[1 * 256 + 0] = 2;
    });
    expect(f16BitsToF32(trirunMatmul(w, row(128, { 0: 2048, 1: 1 }), 1)[0])).toBe(2048);
    expect(f16BitsToF32(trirunMatmul(w, row(128, { 0: 2048, 1: 3 }), 1)[0])).toBe(2052);
  });

  test("two fp16 roundings, fp16(fp16(acc)·s): acc 2049, s 1.5 gives 3072, not fp16(3073.5) = 3074", () => {
    const w = matrix(128, 256, -1, (codes, scales) => {
      codes[0 * 256 + 9] = 2;
      codes[1 * 256 + 9] = 2;
      scales[9] = f32ToF16Bits(1.5);
    });
    expect(f16BitsToF32(trirunMatmul(w, row(128, { 0: 2048, 1: 1 }), 1)[9])).toBe(3072);
    expect(roundToF16(2049 * 1.5)).toBe(3074);
  });

  test("the output product is rounded once, ties to even: 3 · (1 + 2^-10) → 3 + 2^-8", () => {
    const w = matrix(128, 256, -1, (codes, scales) => {
      codes[0 * 256 + 1] = 2;
      scales[1] = 0x3c01; // 1 + 2^-10
    });
    // 3·(1 + 2^-10) = 3 + 1.5·2^-9 lies halfway between 3 + 2^-9 (odd mantissa) and 3 + 2^-8 (even).
    expect(f16BitsToF32(trirunMatmul(w, row(128, { 0: 3 }), 1)[1])).toBe(3 + 2 ** -8);
  });

  test("float32 accumulation in k order: 60000 + 2^-10 − 60000 is 0, the exact centre 2^-10", () => {
    const w = matrix(128, 256, -1, (codes) => {
      codes[0 * 256 + 0] = 2;
      codes[1 * 256 + 0] = 2;
      codes[2 * 256 + 0] = 0;
    });
    const x = row(128, { 0: 60000, 1: 2 ** -10, 2: 60000 });
    expect(f16BitsToF32(trirunMatmul(w, x, 1)[0])).toBe(0);
    expect(trirunMatmulExact(w, x, 1)[0]).toBe(2 ** -10);
  });

  test("rows of x are independent outputs rows (m = 3)", () => {
    const w = matrix(128, 256, -1, (codes) => (codes[7 * 256 + 200] = 0));
    const x = new Uint16Array(3 * 128);
    x.set(row(128, { 7: 1 }), 0);
    x.set(row(128, { 7: -2 }), 128);
    x.set(row(128, { 8: 5 }), 256);
    const y = trirunMatmul(w, x, 3);
    expect([y[200], y[256 + 200], y[512 + 200]].map(f16BitsToF32)).toEqual([-1, 2, 0]);
  });
});

describe("trirunMatmul, grouped (spec/trirun.md §8.2)", () => {
  test("each group's scale multiplies its own 128 inputs: 1·0.5 + 1·3 − 2·0.25 = 3", () => {
    const w = matrix(384, 256, 128, (codes, scales) => {
      codes[0 * 256 + 40] = 2;
      codes[128 * 256 + 40] = 2;
      codes[300 * 256 + 40] = 0;
      scales[0 * 256 + 40] = f32ToF16Bits(0.5);
      scales[1 * 256 + 40] = f32ToF16Bits(3);
      scales[2 * 256 + 40] = f32ToF16Bits(0.25);
    });
    const y = trirunMatmul(w, row(384, { 0: 1, 128: 1, 300: 2 }), 1);
    expect(f16BitsToF32(y[40])).toBe(3);
    expect(y.filter((v, i) => i !== 40 && v !== 0).length).toBe(0);
  });

  test("the weight is rounded to fp16 before the product (scale(): __hmul2); code 3 with 2·s ≥ 65520 is +inf", () => {
    const w = matrix(256, 256, 128, (codes, scales) => {
      codes[0 * 256 + 3] = 3;
      scales[3] = f32ToF16Bits(40000);
    });
    expect(trirunEffectiveWeights(w)[3]).toBe(Infinity);
    expect(f16BitsToF32(trirunMatmul(w, row(256, { 0: 1 }), 1)[3])).toBe(Infinity);
  });

  test("the output is fp16(acc), one rounding, ties to even", () => {
    const w = matrix(128, 256, 128, (codes) => {
      codes[0 * 256 + 2] = 2;
      codes[1 * 256 + 2] = 2;
    });
    expect(f16BitsToF32(trirunMatmul(w, row(128, { 0: 2048, 1: 1 }), 1)[2])).toBe(2048);
    expect(trirunMatmulExact(w, row(128, { 0: 2048, 1: 1 }), 1)[2]).toBe(2049);
  });
});

describe("trirunMatmul against the packed tensors decoded as the kernel decodes them", () => {
  test("bit-identical on random matrices, both scale modes", () => {
    const scaleBits = fc.integer({ min: 0x1400, max: 0x5000 }); // about 2^-10 .. 32
    const inputBits = fc
      .integer({ min: 0, max: 0xffff })
      .filter((h) => (h & 0x7c00) !== 0x7c00 && (h & 0x7fff) < 0x5800);
    const testCase = fc.record({
      groupSize: fc.constantFrom<TrirunGroupSize>(-1, 128),
      kBlocks: fc.integer({ min: 1, max: 2 }),
      m: fc.constantFrom(1, 2),
    });
    checkProperty(
      "trirun matmul equals the packed decode",
      fc.property(
        testCase.chain(({ groupSize, kBlocks, m }) => {
          const k = 128 * kBlocks;
          const n = 256;
          return fc.record({
            groupSize: fc.constant(groupSize),
            k: fc.constant(k),
            m: fc.constant(m),
            codes: fc.uint8Array({ minLength: k * n, maxLength: k * n, max: 3 }),
            scales: fc.array(scaleBits, {
              minLength: (groupSize === -1 ? 1 : kBlocks) * n,
              maxLength: (groupSize === -1 ? 1 : kBlocks) * n,
            }),
            x: fc.array(inputBits, { minLength: m * k, maxLength: m * k }),
          });
        }),
        ({ groupSize, k, m, codes, scales, x }) => {
          const weights: TrirunMatrix = { k, n: 256, groupSize, codes, scales: Uint16Array.from(scales) };
          const xBits = Uint16Array.from(x);
          expect(Array.from(trirunMatmul(weights, xBits, m))).toEqual(
            Array.from(matmulFromPacked(packTrirun(weights), xBits, m)),
          );
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("operand checks", () => {
  test("x of the wrong length, bad m, wrong scale count and a shape TriRun refuses are errors", () => {
    const w = matrix(128, 256, -1, () => undefined);
    expect(() => trirunMatmul(w, new Uint16Array(127), 1)).toThrow(/x has 127 values, expected m·k = 128/);
    expect(() => trirunMatmul(w, new Uint16Array(128), 1.5)).toThrow(RangeError);
    expect(() => trirunMatmulExact({ ...w, scales: new Uint16Array(3) }, new Uint16Array(128), 1)).toThrow(
      /scales has 3 entries/,
    );
    expect(() =>
      trirunMatmul(
        { ...w, n: 100, codes: new Uint8Array(12800), scales: f16(new Array(100).fill(1)) },
        new Uint16Array(128),
        1,
      ),
    ).toThrow(TrirunShapeError);
  });
});

test("k = 128 with groups of 128 has one scale row, so TriRun applies it per column (after the fp16 sum)", () => {
  // x = [1, 2^-11, …]: fp16(1 + 2^-11) ties to 1 before ×s per column, but grouped arithmetic would keep 1 + 2^-11.
  const build = (groupSize: TrirunGroupSize): TrirunMatrix =>
    matrix(128, 256, groupSize, (codes, scales) => {
      codes[0] = 2;
      codes[256] = 2;
      scales[0] = f32ToF16Bits(3);
    });
  const x = new Uint16Array(128);
  x[0] = ONE;
  x[1] = f32ToF16Bits(2 ** -11);
  const grouped = trirunMatmul(build(128), x, 1);
  expect(grouped).toEqual(trirunMatmul(build(-1), x, 1));
  expect(f16BitsToF32(grouped[0])).toBe(3); // fp16(fp16(1 + 2^-11)·3) = 3, not fp16(3 + 3·2^-11)
});
