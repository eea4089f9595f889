/**
 * reference/model/kv-cache.ts — the key/value cache (spec/forward.md §7.1).
 *
 * Oracles: the layout of spec §7.1 (per layer, position p at [p·kvDim, (p+1)·kvDim)); float32
 * storage is exact; fp16 storage is round-to-nearest, ties-to-even, computed here independently
 * of the codec from the definition of binary16 (11 significant bits, exponent −14 … 15, subnormal
 * spacing 2^-24, values ≥ 65520 → ∞).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createKvCache, roundForCache, storeKeyValue } from "../../../reference/model/kv-cache.js";
import { checkProperty } from "../../support/property.js";
import { sameBits } from "../../support/tiny-model.js";

/** The binary16 value nearest to x (ties to even), as a number; from the definition, not the codec. */
function nearestF16(x: number): number {
  if (Number.isNaN(x) || x === 0 || !Number.isFinite(x)) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity; // 65520 = 65504 + half an ulp: ties go to the even "65536" = ∞
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  const spacing = 2 ** (Math.max(e, -14) - 10);
  const q = a / spacing; // exact: a division by a power of two
  const floor = Math.floor(q);
  const rest = q - floor;
  const n = rest > 0.5 ? floor + 1 : rest < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return Math.sign(x) * n * spacing;
}

/** float32 values from tiny (fp16-subnormal) to beyond the fp16 range, with exact ties. */
const cacheValue = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -7e4, max: 7e4 }),
  fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e-4), max: Math.fround(1e-4) }),
  fc.integer({ min: -4096, max: 4096 }).map((k) => Math.fround((k + 0.5) * 2 ** -10)), // ties at spacing 2^-10 … (k ≥ 1024: 2^-9)
  fc.constantFrom(65504, 65519.996, 65520, -65520, 2 ** -24, 2 ** -25, 3 * 2 ** -26),
);

describe("KV cache", () => {
  test("createKvCache holds nLayers zeroed arrays of contextLength × kvDim for keys and for values", () => {
    const cache = createKvCache(3, 16, 5, "f16");
    expect(cache.type).toBe("f16");
    expect(cache.kvDim).toBe(16);
    expect(cache.contextLength).toBe(5);
    for (const arrays of [cache.keys, cache.values]) {
      expect(arrays).toHaveLength(3);
      for (const a of arrays) {
        expect(a).toBeInstanceOf(Float32Array);
        expect(a.length).toBe(80);
        expect(a.every((v) => v === 0)).toBe(true);
      }
    }
    expect(new Set([...cache.keys, ...cache.values]).size).toBe(6); // no array shared
  });

  test("property: storeKeyValue writes k and v at [pos·kvDim, (pos+1)·kvDim) of that layer and nowhere else", () => {
    const arbitrary = fc
      .record({
        layers: fc.integer({ min: 1, max: 3 }),
        kvDim: fc.integer({ min: 1, max: 8 }),
        context: fc.integer({ min: 1, max: 6 }),
        type: fc.constantFrom("f32" as const, "f16" as const),
        seed: fc.nat(),
      })
      .chain((c) =>
        fc.tuple(
          fc.constant(c),
          fc.nat({ max: c.layers - 1 }),
          fc.nat({ max: c.context - 1 }),
          fc.float32Array({ minLength: c.kvDim, maxLength: c.kvDim, noNaN: true }),
          fc.float32Array({ minLength: c.kvDim, maxLength: c.kvDim, noNaN: true }),
        ),
      );
    checkProperty(
      "kv-cache: store layout",
      fc.property(arbitrary, ([{ layers, kvDim, context, type }, layer, pos, k, v]) => {
        const cache = createKvCache(layers, kvDim, context, type);
        storeKeyValue(cache, layer, pos, k, v);
        for (let l = 0; l < layers; l++) {
          for (const [arrays, source] of [
            [cache.keys, k],
            [cache.values, v],
          ] as const) {
            for (let p = 0; p < context; p++) {
              const slot = arrays[l].subarray(p * kvDim, (p + 1) * kvDim);
              if (l === layer && p === pos) {
                const expected = type === "f32" ? source : source.map(nearestF16);
                expect(sameBits(slot, expected)).toBe(true);
              } else {
                expect(slot.every((x) => x === 0)).toBe(true);
              }
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  test("property: an f16 cache rounds to the nearest fp16 value, ties to even; an f32 cache keeps every bit", () => {
    checkProperty(
      "kv-cache: f16 rounding",
      fc.property(fc.array(cacheValue, { minLength: 1, maxLength: 64 }), (list) => {
        const x = Float32Array.from(list);
        const rounded = roundForCache("f16", x);
        for (let i = 0; i < x.length; i++) expect(Object.is(rounded[i], nearestF16(x[i]))).toBe(true);
        expect(sameBits(roundForCache("f32", x), x)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test("worked examples of fp16 rounding (spec §7.1)", () => {
    const rounded = roundForCache(
      "f16",
      Float32Array.of(1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1, 65519, 65520, 2 ** -25, 3 * 2 ** -26),
    );
    // a tie rounds to even (1), the next tie up to even (1 + 2^-9), 0.1 → 0.0999755859375,
    // 65519 → 65504, 65520 → ∞, 2^-25 (half the smallest subnormal) → 0, 1.5·2^-25 → 2^-24
    expect(Array.from(rounded)).toEqual([1, 1 + 2 ** -9, 0.0999755859375, 65504, Infinity, 0, 2 ** -24]);
  });
});
