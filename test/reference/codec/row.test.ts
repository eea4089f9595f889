/**
 * reference/codec/row.ts — a row is its blocks, concatenated (spec/formats.md §1).
 * Exercised with toy block codecs whose output depends on the position and content of each block.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { mapBlocks, mapBlocksBack } from "../../../reference/codec/row.js";
import { checkProperty } from "../../support/property.js";

/** A toy encoder: blockBytes bytes, byte k = (sum of the block + k·7 + first element) mod 256. */
const toyEncoder =
  (blockBytes: number) =>
  (x: Float32Array): Uint8Array =>
    Uint8Array.from({ length: blockBytes }, (_, k) => (x.reduce((a, b) => a + b, 0) + 7 * k + (x[0] ?? 0)) & 0xff);
/** A toy decoder: blockSize floats, element k = block[0] · 1000 + block[last] + k. */
const toyDecoder =
  (blockSize: number) =>
  (bytes: Uint8Array): Float32Array =>
    Float32Array.from({ length: blockSize }, (_, k) => bytes[0] * 1000 + bytes[bytes.length - 1] + k);

describe("mapBlocks", () => {
  test("hands each block to the encoder as a view of the row, in order, and concatenates the results", () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const seen: Array<{ values: number[]; offset: number; sameBuffer: boolean }> = [];
    const out = mapBlocks(x, 3, 2, (block) => {
      seen.push({ values: Array.from(block), offset: block.byteOffset, sameBuffer: block.buffer === x.buffer });
      return Uint8Array.from([block[0], block[2]]);
    });
    expect(seen).toEqual([
      { values: [1, 2, 3], offset: 0, sameBuffer: true },
      { values: [4, 5, 6], offset: 12, sameBuffer: true },
    ]);
    expect(Array.from(out)).toEqual([1, 3, 4, 6]);
  });

  test("an empty row gives no bytes and never calls the encoder", () => {
    let calls = 0;
    expect(mapBlocks(new Float32Array(0), 256, 66, () => (calls++, new Uint8Array(66))).length).toBe(0);
    expect(calls).toBe(0);
  });

  test.each([
    [5, 3],
    [1, 2],
    [255, 256],
    [257, 256],
  ])("a row of %i elements with block size %i throws RangeError naming both", (n, blockSize) => {
    expect(() => mapBlocks(new Float32Array(n), blockSize, 1, () => new Uint8Array(1))).toThrow(RangeError);
    expect(() => mapBlocks(new Float32Array(n), blockSize, 1, () => new Uint8Array(1))).toThrow(
      new RegExp(`${n}.*${blockSize}`),
    );
  });

  test("equals the concatenation of the encoded blocks for any geometry (property)", () => {
    checkProperty(
      "mapBlocks = concat(encode(block_i))",
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 1000 }),
        (blockSize, blockBytes, nb, seed) => {
          const x = Float32Array.from({ length: blockSize * nb }, (_, i) => (i * 37 + seed) % 101);
          const encode = toyEncoder(blockBytes);
          const expected: number[] = [];
          for (let b = 0; b < nb; b++) expected.push(...encode(x.slice(b * blockSize, (b + 1) * blockSize)));
          expect(Array.from(mapBlocks(x, blockSize, blockBytes, encode))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("mapBlocksBack", () => {
  test("hands each block of bytes to the decoder as a view, in order, and concatenates the results", () => {
    const bytes = Uint8Array.from([9, 8, 7, 6, 5, 4]);
    const seen: Array<{ values: number[]; offset: number }> = [];
    const out = mapBlocksBack(bytes, 2, 1, (block) => {
      seen.push({ values: Array.from(block), offset: block.byteOffset });
      return Float32Array.from([block[0] - block[1]]);
    });
    expect(seen).toEqual([
      { values: [9, 8], offset: 0 },
      { values: [7, 6], offset: 2 },
      { values: [5, 4], offset: 4 },
    ]);
    expect(Array.from(out)).toEqual([1, 1, 1]);
  });

  test.each([
    [65, 66],
    [67, 66],
    [291, 292],
    [1, 34],
  ])("%i bytes with %i-byte blocks throws RangeError naming both", (n, blockBytes) => {
    expect(() => mapBlocksBack(new Uint8Array(n), blockBytes, 1, () => new Float32Array(1))).toThrow(RangeError);
    expect(() => mapBlocksBack(new Uint8Array(n), blockBytes, 1, () => new Float32Array(1))).toThrow(
      new RegExp(`${n}.*${blockBytes}`),
    );
  });

  test("equals the concatenation of the decoded blocks for any geometry (property)", () => {
    checkProperty(
      "mapBlocksBack = concat(decode(block_i))",
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc
          .integer({ min: 0, max: 6 })
          .chain((nb) => fc.tuple(fc.constant(nb), fc.uint8Array({ minLength: 64 * nb, maxLength: 64 * nb }))),
        (blockSize, blockBytes, [nb, pool]) => {
          const bytes = pool.slice(0, blockBytes * nb);
          const decode = toyDecoder(blockSize);
          const expected: number[] = [];
          for (let b = 0; b < nb; b++) expected.push(...decode(bytes.slice(b * blockBytes, (b + 1) * blockBytes)));
          expect(Array.from(mapBlocksBack(bytes, blockBytes, blockSize, decode))).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});
