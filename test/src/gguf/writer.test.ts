/**
 * The writer and the in-memory model (spec/gguf.md §2, §4, §6): llama.cpp's files are rewritten
 * byte for byte, every value type survives a write and a read, the layout follows the alignment,
 * and GgufFile refuses what GGUF cannot hold.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import { GgufFile, type GgufTensor } from "../../../src/gguf/gguf-file.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { GgufValueType as T, type GgufKeyValue, type GgufValue } from "../../../src/gguf/value.js";
import { serializeGguf } from "../../../src/gguf/writer.js";

const llamaBytes = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../../../golden/external/llama/${name}`, import.meta.url)));
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Offset of the first byte where `a` and `b` differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Deterministic pseudo-random bytes. */
function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out[i] = s >>> 16;
  }
  return out;
}

const entry = (key: string, value: GgufValue): GgufKeyValue => ({ key, value });

/** A Float32Array whose element 1 is the signalling NaN 0x7fa00001 and element 2 is -0. */
function floatsWithOddBits(): Float32Array {
  const bits = new Uint32Array([0x3f800000, 0x7fa00001, 0x80000000, 0xff800000]);
  return new Float32Array(bits.buffer);
}

const EVERY_VALUE_TYPE: GgufKeyValue[] = [
  entry("general.alignment", { type: T.UINT32, value: 64 }),
  entry("u8", { type: T.UINT8, value: 255 }),
  entry("i8", { type: T.INT8, value: -128 }),
  entry("u16", { type: T.UINT16, value: 65535 }),
  entry("i16", { type: T.INT16, value: -32768 }),
  entry("u32", { type: T.UINT32, value: 4294967295 }),
  entry("i32", { type: T.INT32, value: -2147483648 }),
  entry("f32", { type: T.FLOAT32, value: Math.fround(3.14159) }),
  entry("f32.nan", { type: T.FLOAT32, value: NaN }),
  entry("f32.-inf", { type: T.FLOAT32, value: -Infinity }),
  entry("f32.-0", { type: T.FLOAT32, value: -0 }),
  entry("bool.true", { type: T.BOOL, value: true }),
  entry("bool.false", { type: T.BOOL, value: false }),
  entry("str.empty", { type: T.STRING, value: "" }),
  entry("str.unicode", { type: T.STRING, value: "héllo ✓ 😀 \u0000 end" }),
  entry("str.bom", { type: T.STRING, value: "\uFEFFkept" }),
  entry("u64", { type: T.UINT64, value: 2n ** 64n - 1n }),
  entry("i64", { type: T.INT64, value: -(2n ** 63n) }),
  entry("f64", { type: T.FLOAT64, value: Math.PI }),
  entry("f64.nan", { type: T.FLOAT64, value: NaN }),
  entry("arr.u8.empty", { type: T.ARRAY, elementType: T.UINT8, values: new Uint8Array(0) }),
  entry("arr.i8", { type: T.ARRAY, elementType: T.INT8, values: Int8Array.from([-128, 0, 127]) }),
  entry("arr.u16", { type: T.ARRAY, elementType: T.UINT16, values: Uint16Array.from([0, 65535]) }),
  entry("arr.i16", { type: T.ARRAY, elementType: T.INT16, values: Int16Array.from([-32768, 32767]) }),
  entry("arr.u32", { type: T.ARRAY, elementType: T.UINT32, values: Uint32Array.from([1, 4294967295]) }),
  entry("arr.i32", { type: T.ARRAY, elementType: T.INT32, values: Int32Array.from([-1, 2]) }),
  entry("arr.f32", { type: T.ARRAY, elementType: T.FLOAT32, values: floatsWithOddBits() }),
  entry("arr.f64", { type: T.ARRAY, elementType: T.FLOAT64, values: Float64Array.from([0.1, -1e300]) }),
  entry("arr.u64", { type: T.ARRAY, elementType: T.UINT64, values: BigUint64Array.from([0n, 2n ** 64n - 1n]) }),
  entry("arr.i64", { type: T.ARRAY, elementType: T.INT64, values: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) }),
  entry("arr.bool", { type: T.ARRAY, elementType: T.BOOL, values: [true, false, true] }),
  entry("arr.str", { type: T.ARRAY, elementType: T.STRING, values: ["", "a", "😀"] }),
  entry("arr.str.empty", { type: T.ARRAY, elementType: T.STRING, values: [] }),
  entry("arr.arr", {
    type: T.ARRAY,
    elementType: T.ARRAY,
    values: [
      { type: T.ARRAY, elementType: T.UINT8, values: Uint8Array.from([1, 2]) },
      { type: T.ARRAY, elementType: T.STRING, values: ["x"] },
      { type: T.ARRAY, elementType: T.BOOL, values: [] },
      {
        type: T.ARRAY,
        elementType: T.ARRAY,
        values: [{ type: T.ARRAY, elementType: T.INT64, values: BigInt64Array.from([-5n]) }],
      },
    ],
  }),
  entry("arr.arr.empty", { type: T.ARRAY, elementType: T.ARRAY, values: [] }),
];

const EVERY_TENSOR_TYPE: GgufTensor[] = [
  { name: "f32", type: GgmlType.F32, ne: [3], data: bytesOf(12, 1) },
  { name: "f16", type: GgmlType.F16, ne: [2, 2], data: bytesOf(8, 2) },
  { name: "bf16", type: GgmlType.BF16, ne: [5, 1, 1, 1], data: bytesOf(10, 3) },
  { name: "q8_0", type: GgmlType.Q8_0, ne: [32, 2], data: bytesOf(68, 4) },
  { name: "q8_K", type: GgmlType.Q8_K, ne: [256], data: bytesOf(292, 5) },
  { name: "tq1_0", type: GgmlType.TQ1_0, ne: [256, 2], data: bytesOf(108, 6) },
  { name: "tq2_0", type: GgmlType.TQ2_0, ne: [256, 1, 2], data: bytesOf(132, 7) },
  { name: "empty", type: GgmlType.F32, ne: [0, 7], data: new Uint8Array(0) },
];

describe("llama.cpp's files are rewritten byte for byte", () => {
  for (const name of ["tiny-f32.gguf", "tiny-tq2_0.gguf", "tiny-tq1_0.gguf"]) {
    test(name, () => {
      const original = llamaBytes(name);
      const rewritten = serializeGguf(parseGguf(original, name));
      expect(firstDifference(rewritten, original), "first differing offset").toBe(-1);
      expect(sha256(rewritten)).toBe(sha256(original));
    });
  }
});

describe("every value type and tensor type survives a write and a read", () => {
  const file = GgufFile.create("made.gguf", EVERY_VALUE_TYPE, EVERY_TENSOR_TYPE);
  const bytes = serializeGguf(file);
  const reread = parseGguf(bytes, "made.gguf");

  test("metadata comes back equal, in order", () => {
    expect(reread.metadata.map((kv) => kv.key)).toEqual(EVERY_VALUE_TYPE.map((kv) => kv.key));
    for (const [i, { key, value }] of EVERY_VALUE_TYPE.entries()) {
      expect(reread.metadata[i].value, key).toEqual(value);
    }
    const negativeZero = reread.get("f32.-0");
    expect(negativeZero?.type === T.FLOAT32 && Object.is(negativeZero.value, -0)).toBe(true);
    expect(reread.getString("str.bom")).toBe("\uFEFFkept");
    expect(reread.get("u64")).toEqual({ type: T.UINT64, value: 18446744073709551615n });
  });

  test("float array bits survive exactly, a signalling NaN included", () => {
    const floats = reread.getArray("arr.f32", T.FLOAT32);
    if (floats === undefined) throw new Error("missing arr.f32");
    expect(Array.from(new Uint32Array(floats.buffer, floats.byteOffset, floats.length))).toEqual([
      0x3f800000, 0x7fa00001, 0x80000000, 0xff800000,
    ]);
  });

  test("tensors come back with their types, shapes and bytes", () => {
    expect(reread.tensors.map((t) => ({ name: t.name, type: t.type, ne: t.ne }))).toEqual(
      EVERY_TENSOR_TYPE.map((t) => ({ name: t.name, type: t.type, ne: t.ne })),
    );
    for (const t of EVERY_TENSOR_TYPE) expect(reread.tensor(t.name)?.data, t.name).toEqual(t.data);
  });

  test("writing what was read gives the same bytes", () => {
    expect(firstDifference(serializeGguf(reread), bytes)).toBe(-1);
  });

  test("layout: header padded to 64, each tensor at a multiple of 64, zero padding, file ends padded", () => {
    expect(file.alignment).toBe(64);
    expect(file.dataOffset % 64).toBe(0);
    expect(bytes.length).toBe(file.byteLength);
    expect(bytes.length % 64).toBe(0);
    let expected = 0;
    for (const t of file.tensors) {
      expect(t.offset, t.name).toBe(expected);
      const end = file.dataOffset + t.offset + t.byteSize;
      expect(bytes.subarray(file.dataOffset + t.offset, end)).toEqual(t.data);
      expected = Math.ceil((t.offset + t.byteSize) / 64) * 64;
      expect(
        bytes.subarray(end, file.dataOffset + expected).every((b) => b === 0),
        `padding after ${t.name}`,
      ).toBe(true);
    }
    expect(file.byteLength).toBe(file.dataOffset + expected);
  });

  test("scalar NaNs are written as the canonical quiet NaN", () => {
    const nan = GgufFile.create("nan.gguf", [entry("x", { type: T.FLOAT32, value: NaN })], []);
    const written = serializeGguf(nan);
    const view = new DataView(written.buffer);
    expect(view.getUint32(24 + 8 + 1 + 4, true)).toBe(0x7fc00000);
  });
});

test("a file without tensors: the header is still padded to the alignment", () => {
  const file = GgufFile.create("empty.gguf", [entry("general.architecture", { type: T.STRING, value: "llama" })], []);
  const bytes = serializeGguf(file);
  expect(bytes.length).toBe(96);
  expect(file.dataOffset).toBe(96);
  expect(bytes.subarray(69).every((b) => b === 0)).toBe(true);
  expect(parseGguf(bytes, "empty.gguf").metadata).toEqual(file.metadata);
});

describe("GgufFile refuses what GGUF cannot hold, with an InputError naming the file", () => {
  const tensor: GgufTensor = { name: "t", type: GgmlType.F32, ne: [2], data: new Uint8Array(8) };
  const cases: [string, GgufKeyValue[], GgufTensor[], RegExp][] = [
    ["an empty key", [entry("", { type: T.UINT8, value: 0 })], [], /^a metadata key is empty$/],
    [
      "a duplicate key",
      [entry("k", { type: T.UINT8, value: 0 }), entry("k", { type: T.UINT8, value: 1 })],
      [],
      /^duplicate metadata key 'k'$/,
    ],
    [
      "alignment 3",
      [entry("general.alignment", { type: T.UINT32, value: 3 })],
      [],
      /'general.alignment' is 3, which is not a power of two/,
    ],
    [
      "alignment as u64",
      [entry("general.alignment", { type: T.UINT64, value: 32n })],
      [],
      /'general.alignment' has type u64, but it must be u32/,
    ],
    [
      "u8 out of range",
      [entry("k", { type: T.UINT8, value: 256 })],
      [],
      /^key 'k': u8 value 256 is not an integer in \[0, 255\]$/,
    ],
    ["a fractional i32", [entry("k", { type: T.INT32, value: 1.5 })], [], /i32 value 1.5 is not an integer/],
    [
      "an f32 value that is not a float32",
      [entry("k", { type: T.FLOAT32, value: 0.1 })],
      [],
      /f32 value 0.1 is not exactly a float32/,
    ],
    ["u64 out of range", [entry("k", { type: T.UINT64, value: -1n })], [], /u64 value -1 is not a bigint/],
    ["a lone surrogate", [entry("k", { type: T.STRING, value: "a\uD800b" })], [], /lone UTF-16 surrogate/],
    [
      "a mistyped array",
      [entry("k", { type: T.ARRAY, elementType: T.UINT16, values: new Uint8Array(2) as unknown as Uint16Array })],
      [],
      /arr\[u16\] values are not a typed array of 2-byte elements/,
    ],
    ["a duplicate tensor name", [], [tensor, tensor], /^duplicate tensor name 't'$/],
    ["a long tensor name", [], [{ ...tensor, name: "n".repeat(64) }], /is 64 bytes long; ggml allows at most 63/],
    ["no dimensions", [], [{ ...tensor, ne: [] }], /^tensor 't' has 0 dimensions/],
    ["a negative dimension", [], [{ ...tensor, ne: [2, -1] }], /dimension 1 is -1, not a non-negative safe integer/],
    [
      "an unknown type",
      [],
      [{ ...tensor, type: 3 as GgmlType }],
      /^tensor 't' has ggml type id 3, which the oracle does not implement/,
    ],
    [
      "a partial block",
      [],
      [{ ...tensor, type: GgmlType.Q8_0, ne: [16], data: new Uint8Array(17) }],
      /16 elements per row \(ne\[0\]\), not a multiple of the q8_0 block size 32/,
    ],
    [
      "data of the wrong length",
      [],
      [{ ...tensor, data: new Uint8Array(7) }],
      /^tensor 't' has 7 bytes of data, but f32 \[2\] takes 8$/,
    ],
  ];
  test.each(cases)("%s", (_, metadata, tensors, message) => {
    let caught: unknown;
    try {
      GgufFile.create("made.gguf", metadata, tensors);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).file).toBe("made.gguf");
    expect((caught as InputError).problem).toMatch(message);
  });
});

describe("typed getters", () => {
  const file = GgufFile.create("g.gguf", EVERY_VALUE_TYPE, []);

  test("return the value of the right type, undefined when absent", () => {
    expect(file.getUint32("u32")).toBe(4294967295);
    expect(file.getFloat32("f32")).toBe(Math.fround(3.14159));
    expect(file.getBool("bool.false")).toBe(false);
    expect(file.getString("str.empty")).toBe("");
    expect(file.getArray("arr.str", T.STRING)).toEqual(["", "a", "😀"]);
    expect(file.getArray("arr.i64", T.INT64)).toBeInstanceOf(BigInt64Array);
    expect(file.getUint32("absent")).toBeUndefined();
    expect(file.tensor("absent")).toBeUndefined();
  });

  test("raise an InputError naming the key and both types otherwise", () => {
    expect(() => file.getUint32("i32")).toThrow(new InputError("g.gguf", "key 'i32' has type i32, expected u32"));
    expect(() => file.getString("arr.str")).toThrow(
      new InputError("g.gguf", "key 'arr.str' has type arr[str], expected str"),
    );
    expect(() => file.getArray("arr.u16", T.UINT32)).toThrow(
      new InputError("g.gguf", "key 'arr.u16' has type arr[u16], expected arr[u32]"),
    );
    expect(() => file.getFloat32("f64")).toThrow(/has type f64, expected f32/);
    expect(() => file.getBool("u8")).toThrow(/has type u8, expected bool/);
  });
});
