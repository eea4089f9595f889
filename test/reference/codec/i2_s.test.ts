/**
 * I2_S (spec/bitnet.md §2): the element map of each layout and its inverse, pack/unpack, the x86-file-on-ARM
 * scramble (kernel-bugs B1), quantize_i2_s's sign rule and dropped tail, the Python converter's variant, validation.
 * Bit-exactness against bitnet.cpp itself is i2_s-external.test.ts.
 */

import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  dequantizeI2s,
  I2S_LAYOUTS,
  i2sByteElements,
  i2sElementLocation,
  i2sPythonScale,
  i2sScaleOffset,
  i2sSignCode,
  i2sStoredElements,
  i2sTensorBytes,
  packI2s,
  quantizeI2s,
  quantizeI2sPython,
  unpackI2s,
  validateI2s,
  type I2sLayout,
  type I2sShape,
} from "../../../reference/codec/i2_s.js";
import { checkProperty } from "../../support/property.js";

/** Small shapes each layout can hold: 1x4 needs rows % 4 = 0; the others include partial last blocks. */
const SHAPES: Record<I2sLayout, I2sShape[]> = {
  x86: [
    { rows: 1, cols: 128 },
    { rows: 2, cols: 256 },
    { rows: 3, cols: 128 },
    { rows: 1, cols: 200 },
    { rows: 5, cols: 100 },
  ],
  arm: [
    { rows: 1, cols: 64 },
    { rows: 3, cols: 128 },
    { rows: 1, cols: 100 },
    { rows: 7, cols: 36 },
  ],
  "1x4": [
    { rows: 4, cols: 1 },
    { rows: 4, cols: 128 },
    { rows: 8, cols: 52 },
  ],
};

describe("the element map", () => {
  test.each(I2S_LAYOUTS.flatMap((layout) => SHAPES[layout].map((shape) => [layout, shape.rows, shape.cols] as const)))(
    "%s %i×%i: every stored element has one (byte, shift), each used once, and i2sByteElements inverts it",
    (layout, rows, cols) => {
      const shape = { rows, cols };
      const stored = i2sStoredElements(layout, shape);
      const seen = new Map<string, number>();
      for (let e = 0; e < rows * cols; e++) {
        const location = i2sElementLocation(layout, shape, Math.floor(e / cols), e % cols);
        if (e >= stored) {
          expect(location, `element ${e} is past the last full block`).toBeUndefined();
          continue;
        }
        expect(location).toBeDefined();
        const { byte, shift } = location as { byte: number; shift: number };
        expect(byte).toBeLessThan(i2sScaleOffset(shape));
        expect([6, 4, 2, 0]).toContain(shift);
        expect(seen.has(`${byte}:${shift}`)).toBe(false);
        seen.set(`${byte}:${shift}`, e);
        expect(i2sByteElements(layout, shape, byte)[(6 - shift) / 2]).toBe(e);
      }
      expect(seen.size).toBe(stored);
    },
  );

  test("the worked examples: byte 0 holds elements {0, 32, 64, 96} (x86), {0, 16, 32, 48} (arm), rows 0..3 of column 0 (1x4)", () => {
    expect(i2sByteElements("x86", { rows: 1, cols: 256 }, 0)).toEqual([0, 32, 64, 96]);
    expect(i2sByteElements("x86", { rows: 1, cols: 256 }, 33)).toEqual([129, 161, 193, 225]);
    expect(i2sElementLocation("x86", { rows: 1, cols: 128 }, 0, 127)).toEqual({ byte: 31, shift: 0 });
    expect(i2sByteElements("arm", { rows: 1, cols: 128 }, 0)).toEqual([0, 16, 32, 48]);
    expect(i2sByteElements("1x4", { rows: 4, cols: 10 }, 3)).toEqual([3, 13, 23, 33]);
    expect(i2sElementLocation("1x4", { rows: 8, cols: 10 }, 5, 2)).toEqual({ byte: 12, shift: 4 });
  });

  test("tensor bytes are ⌊n/4⌋ + 32 with the scale at ⌊n/4⌋", () => {
    expect(i2sTensorBytes({ rows: 4, cols: 128 })).toBe(160);
    expect(i2sScaleOffset({ rows: 4, cols: 128 })).toBe(128);
    expect(i2sTensorBytes({ rows: 1, cols: 102 })).toBe(57);
    expect(i2sStoredElements("x86", { rows: 12, cols: 200 })).toBe(2304);
    expect(i2sStoredElements("arm", { rows: 12, cols: 200 })).toBe(2368);
    expect(i2sStoredElements("1x4", { rows: 12, cols: 200 })).toBe(2400);
  });

  test("the 1x4 layout refuses rows % 4 ≠ 0", () => {
    expect(() => packI2s("1x4", { rows: 3, cols: 8 }, new Uint8Array(24), 1)).toThrow(/rows % 4 = 0/);
  });
});

/** An arbitrary layout, a shape it holds, codes 0..2 for every element, and a finite float32 scale. */
const tensorArb = fc
  .constantFrom(...I2S_LAYOUTS)
  .chain((layout) =>
    fc
      .record({ rowGroups: fc.integer({ min: 1, max: 4 }), cols: fc.integer({ min: 1, max: 300 }) })
      .map(({ rowGroups, cols }) => ({ layout, shape: { rows: 4 * rowGroups, cols } })),
  )
  .chain(({ layout, shape }) =>
    fc.record({
      layout: fc.constant(layout),
      shape: fc.constant(shape),
      codes: fc.uint8Array({ minLength: shape.rows * shape.cols, maxLength: shape.rows * shape.cols, max: 2 }),
      scale: fc.float({ noNaN: true, noDefaultInfinity: true, min: 0 }),
    }),
  );

describe("pack and unpack", () => {
  test("unpack(pack(codes, scale)) gives back the stored codes and the scale, for every layout", () => {
    checkProperty(
      "i2_s unpack∘pack is the identity on stored elements",
      fc.property(tensorArb, ({ layout, shape, codes, scale }) => {
        const bytes = packI2s(layout, shape, codes, scale);
        expect(bytes.length).toBe(i2sTensorBytes(shape));
        const back = unpackI2s(layout, shape, bytes);
        expect(Array.from(back.codes)).toEqual(Array.from(codes.subarray(0, i2sStoredElements(layout, shape))));
        expect(back.scale).toBe(scale);
        expect(Array.from(bytes.subarray(i2sScaleOffset(shape) + 4))).toEqual(new Array(28).fill(0));
      }),
      { numRuns: 100 },
    );
  });

  test("pack(unpack(bytes)) gives back any valid byte string whose partial block and pad are zero", () => {
    checkProperty(
      "i2_s pack∘unpack is the identity on canonical bytes",
      fc.property(tensorArb, ({ layout, shape, codes, scale }) => {
        const bytes = packI2s(layout, shape, codes, scale);
        const tensor = unpackI2s(layout, shape, bytes);
        expect(Array.from(packI2s(layout, shape, tensor.codes, tensor.scale))).toEqual(Array.from(bytes));
      }),
      { numRuns: 100 },
    );
  });

  test("dequantize: code 0, 1, 2, 3 → −scale, 0, +scale, NaN", () => {
    const bytes = packI2s(
      "x86",
      { rows: 1, cols: 128 },
      Uint8Array.from({ length: 128 }, (_, e) => e % 4),
      0.75,
    );
    expect(Array.from(dequantizeI2s(unpackI2s("x86", { rows: 1, cols: 128 }, bytes)).subarray(0, 4))).toEqual([
      -0.75,
      0,
      0.75,
      Number.NaN,
    ]);
  });

  test("an x86-packed file read with the ARM layout is a different, scrambled tensor (kernel-bugs B1)", () => {
    checkProperty(
      "i2_s x86 bytes read as arm scramble the weights",
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((blocks) => fc.uint8Array({ minLength: 128 * blocks, maxLength: 128 * blocks, max: 2 })),
        (codes) => {
          const shape = { rows: 1, cols: codes.length };
          const misread = unpackI2s("arm", shape, packI2s("x86", shape, codes, 1)).codes;
          // The same multiset of codes, in other places: ARM element 16 is what x86 put at byte 0, bits 5:4 — element 32.
          expect(Array.from(misread).sort()).toEqual(Array.from(codes).sort());
          for (let e = 0; e < codes.length; e++) {
            const { byte, shift } = i2sElementLocation("arm", shape, 0, e) as { byte: number; shift: number };
            expect(misread[e]).toBe(codes[i2sByteElements("x86", shape, byte)[(6 - shift) / 2]]);
          }
          expect(misread[16]).toBe(codes[32]);
        },
      ),
      { numRuns: 50 },
    );
    // The permutation itself: ARM element e reads byte 16·⌊e/64⌋ + e%16 at shift 6 − 2·⌊(e%64)/16⌋, which x86 filled
    // with element 32·⌊b/32⌋ + b%32 + 32·plane.
    const shape = { rows: 1, cols: 128 };
    const moved = Array.from({ length: 128 }, (_, e) => {
      const { byte, shift } = i2sElementLocation("arm", shape, 0, e) as { byte: number; shift: number };
      return i2sByteElements("x86", shape, byte)[(6 - shift) / 2];
    });
    expect(moved.slice(0, 20)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 32, 33, 34, 35]);
    expect(moved.filter((x, e) => x !== e)).toHaveLength(96);
  });
});

describe("quantize_i2_s", () => {
  test("the code is the sign of w when |w| ≥ 1e-6, whatever its magnitude; NaN becomes −1", () => {
    expect([0.3, -0.3, 1e-6, 9e-7, 0, -0, Number.NaN].map((w) => i2sSignCode(w, 0.5))).toEqual([2, 0, 2, 1, 1, 1, 0]);
    expect(i2sSignCode(Math.fround(1e-6), 0.5)).toBe(1); // float32(1e-6) < 1e-6 in double
  });

  test("the scale is max |w| over the whole tensor (NaN ignored) and the tail after the last full block is dropped", () => {
    const shape = { rows: 1, cols: 200 };
    const w = Float32Array.from({ length: 200 }, (_, e) =>
      e === 7 ? Number.NaN : e === 151 ? 3 : e % 3 === 0 ? -0.5 : 0.25,
    );
    const bytes = quantizeI2s("x86", shape, w);
    const tensor = unpackI2s("x86", shape, bytes);
    expect(tensor.scale).toBe(3);
    expect(tensor.codes.length).toBe(128);
    expect(tensor.codes[7]).toBe(0);
    expect(tensor.codes[1]).toBe(2);
    expect(Array.from(bytes.subarray(32, 50))).toEqual(new Array(18).fill(0)); // the 72 tail weights: bytes left 0
  });

  test("the 1x4 layout stores every element of every row", () => {
    const shape = { rows: 4, cols: 3 };
    const w = Float32Array.of(1, 0, -1, -1, 1, 0, 0, -1, 1, 1, 1, 1);
    expect(Array.from(quantizeI2s("1x4", shape, w).subarray(0, 3))).toEqual([
      (2 << 6) | (0 << 4) | (1 << 2) | 2,
      (1 << 6) | (2 << 4) | (0 << 2) | 2,
      (0 << 6) | (1 << 4) | (2 << 2) | 2,
    ]);
  });
});

describe("quantize_to_i2_s (Python converter)", () => {
  test("the scale is the first |w| above float32(1e-6), not the largest", () => {
    expect(i2sPythonScale(Float32Array.of(0, 5e-7, -0.25, 2))).toBe(0.25);
    expect(i2sPythonScale(new Float32Array(4))).toBe(Math.fround(1e-5));
  });

  test("codes round w / scale half to even and clip, unlike the C sign rule", () => {
    const shape = { rows: 1, cols: 128 };
    const w = new Float32Array(128);
    w.set([1, 0.5, -0.5, 1.5, -2.5, 0.49, 0.51, Number.NaN]);
    const codes = unpackI2s("x86", shape, quantizeI2sPython(shape, w)).codes;
    expect(Array.from(codes.subarray(0, 8))).toEqual([2, 1, 1, 2, 0, 1, 2, 1]);
    const c = unpackI2s("x86", shape, quantizeI2s("x86", shape, w)).codes;
    expect(Array.from(c.subarray(0, 8))).toEqual([2, 2, 0, 2, 0, 2, 2, 0]);
  });

  test("with override_scale the weights are taken as ternary and the scale as given", () => {
    const shape = { rows: 1, cols: 128 };
    const t = Float32Array.from({ length: 128 }, (_, e) => (e % 3) - 1);
    const tensor = unpackI2s("x86", shape, quantizeI2sPython(shape, t, 0.0123));
    expect(tensor.scale).toBe(Math.fround(0.0123));
    expect(Array.from(tensor.codes.subarray(0, 3))).toEqual([0, 1, 2]);
  });

  test("it refuses n % 128 ≠ 0, as the converter raises", () => {
    expect(() => quantizeI2sPython({ rows: 1, cols: 100 }, new Float32Array(100))).toThrow(/not a multiple of 128/);
  });
});

describe("validateI2s", () => {
  test("a canonical tensor has no findings", () => {
    const shape = { rows: 2, cols: 128 };
    expect(validateI2s("x86", shape, packI2s("x86", shape, new Uint8Array(256).fill(2), 0.5))).toEqual([]);
  });

  test("code 3, a bad scale, a partial block and a non-zero pad byte are each named", () => {
    const shape = { rows: 1, cols: 200 };
    const bytes = packI2s("x86", shape, new Uint8Array(200).fill(1), Number.NaN);
    bytes[0] |= 0xc0; // element 0 → code 3
    bytes[i2sTensorBytes(shape) - 1] = 0x5a;
    const findings = validateI2s("x86", shape, bytes);
    expect(findings.map((f) => [f.kind, f.severity, f.byte, f.element])).toEqual([
      ["code-3", "invalid", 0, 0],
      ["scale-nan", "invalid", 50, -1],
      ["partial-block", "lossy", 32, 128],
      ["pad-nonzero", "non-canonical", 81, -1],
    ]);
    expect(findings[0].message).toBe("code 3 at row 0, col 0 (byte 0, bits 7:6): not a ternary weight");
    expect(findings[2].message).toMatch(/^72 weights after the last full 128-element block \(n = 200, n % 128 = 72\)/);
  });

  test("infinite and negative scales; findings are capped", () => {
    const shape = { rows: 1, cols: 128 };
    const kinds = (scale: number): string[] =>
      validateI2s("x86", shape, packI2s("x86", shape, new Uint8Array(128), scale)).map((f) => f.kind);
    expect(kinds(Infinity)).toEqual(["scale-infinite"]);
    expect(kinds(-2)).toEqual(["scale-negative"]);
    expect(kinds(-0)).toEqual([]);
    const all3 = packI2s("x86", shape, new Uint8Array(128).fill(3), 1);
    expect(validateI2s("x86", shape, all3, 5)).toHaveLength(5);
    expect(validateI2s("x86", shape, all3)).toHaveLength(64);
  });

  test("a wrong byte count is refused with the expected size", () => {
    expect(() => validateI2s("arm", { rows: 1, cols: 64 }, new Uint8Array(40))).toThrow(/expected ⌊n\/4⌋ \+ 32 = 48/);
  });
});
