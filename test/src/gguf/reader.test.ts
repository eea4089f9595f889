/**
 * The strict GGUF reader (spec/gguf.md §5): the three files llama.cpp wrote, a cross-check with
 * @huggingface/gguf, and one hand-made bad file per rule, each of which must raise an InputError
 * naming the file and the problem — and nothing else.
 */

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gguf as hfGguf } from "@huggingface/gguf";
import { describe, expect, test } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import { ByteReader } from "../../../src/gguf/byte-reader.js";
import { parseGguf } from "../../../src/gguf/reader.js";
import { elementCount, tensorToFloat32 } from "../../../src/gguf/tensor-data.js";
import { GgufValueType, type GgufValue } from "../../../src/gguf/value.js";

const LLAMA_DIR = new URL("../../../golden/external/llama/", import.meta.url);
const llamaPath = (name: string): string => fileURLToPath(new URL(name, LLAMA_DIR));
const llamaBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(llamaPath(name)));

// ---------------------------------------------------------------------------------------------
// A byte builder for hand-made files.

class RawBytes {
  private readonly parts: number[] = [];

  get length(): number {
    return this.parts.length;
  }

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }

  u32(v: number): this {
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }

  u64(v: bigint | number): this {
    const big = BigInt.asUintN(64, BigInt(v));
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((big >> (8n * i)) & 0xffn));
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.parts.push(bytes[i]);
    return this;
  }

  string(s: string): this {
    const bytes = new TextEncoder().encode(s);
    return this.u64(bytes.length).raw(bytes);
  }

  padTo(alignment: number): this {
    while (this.parts.length % alignment !== 0) this.parts.push(0);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** A key/value pair written by hand: the key, then whatever `write` puts (type tag and value). */
type RawKeyValue = (b: RawBytes) => void;

const u32Entry =
  (key: string, value: number): RawKeyValue =>
  (b) =>
    b.string(key).u32(GgufValueType.UINT32).u32(value);

interface RawTensor {
  name: string;
  ne: (number | bigint)[];
  nDims?: number;
  type: number;
  offset: number | bigint;
}

interface RawFile {
  version?: number;
  tensorCount?: bigint | number;
  kvCount?: bigint | number;
  kvs?: RawKeyValue[];
  tensors?: RawTensor[];
  alignment?: number;
  data?: ArrayLike<number>;
}

/** A GGUF file as given, valid or not: magic, version, counts, kvs, infos, padding, data. */
function rawGguf(file: RawFile): Uint8Array {
  const kvs = file.kvs ?? [];
  const tensors = file.tensors ?? [];
  const b = new RawBytes().raw([0x47, 0x47, 0x55, 0x46]).u32(file.version ?? 3);
  b.u64(file.tensorCount ?? tensors.length).u64(file.kvCount ?? kvs.length);
  for (const kv of kvs) kv(b);
  for (const t of tensors) {
    b.string(t.name).u32(t.nDims ?? t.ne.length);
    for (const n of t.ne) b.u64(n);
    b.u32(t.type).u64(t.offset);
  }
  b.padTo(file.alignment ?? 32);
  return b.raw(file.data ?? []).bytes();
}

/** One f32 tensor `name` of 8 elements at `offset`. */
const f32Tensor = (name: string, offset: number | bigint = 0): RawTensor => ({
  name,
  ne: [8],
  type: GgmlType.F32,
  offset,
});

/** A valid small file: two f32 tensors of 8 elements (32 bytes each, so no padding between). */
function twoTensorFile(overrides: Partial<RawFile> = {}): Uint8Array {
  return rawGguf({
    kvs: [u32Entry("general.alignment", 32)],
    tensors: [f32Tensor("a", 0), f32Tensor("b", 32)],
    data: new Uint8Array(64).fill(0x3f),
    ...overrides,
  });
}

/** The InputError parsing `bytes` raises (failing the test if it raises anything else or nothing). */
function parseError(bytes: Uint8Array): InputError {
  try {
    parseGguf(bytes, "bad.gguf");
  } catch (error) {
    if (!(error instanceof InputError)) throw new Error(`expected an InputError, got ${String(error)}`);
    expect(error.file).toBe("bad.gguf");
    expect(error.message).toBe(`bad.gguf: ${error.problem}`);
    return error;
  }
  throw new Error("expected an InputError, but the file parsed");
}

/** Plain JavaScript form of a value, as @huggingface/gguf gives it. */
function plain(value: GgufValue): unknown {
  if (value.type !== GgufValueType.ARRAY) return value.value;
  if (value.elementType === GgufValueType.ARRAY) return value.values.map((inner) => plain(inner));
  return Array.from(value.values as ArrayLike<unknown>);
}

// ---------------------------------------------------------------------------------------------

describe("the three files llama.cpp wrote", () => {
  test("tiny-f32.gguf: header, metadata values and tensor table", () => {
    const file = parseGguf(llamaBytes("tiny-f32.gguf"), "tiny-f32.gguf");
    expect(file.version).toBe(3);
    expect(file.alignment).toBe(32);
    expect(file.dataOffset).toBe(13184);
    expect(file.byteLength).toBe(7358336);
    expect(file.metadata.map((kv) => kv.key)).toEqual([
      "general.architecture",
      "llama.context_length",
      "llama.embedding_length",
      "llama.block_count",
      "llama.feed_forward_length",
      "llama.attention.head_count",
      "llama.attention.head_count_kv",
      "llama.attention.layer_norm_rms_epsilon",
      "llama.rope.freq_base",
      "llama.rope.dimension_count",
      "llama.vocab_size",
      "general.file_type",
      "tokenizer.ggml.model",
      "tokenizer.ggml.tokens",
      "tokenizer.ggml.scores",
      "tokenizer.ggml.token_type",
      "tokenizer.ggml.bos_token_id",
      "tokenizer.ggml.eos_token_id",
      "tokenizer.ggml.unknown_token_id",
    ]);
    expect(file.getString("general.architecture")).toBe("llama");
    expect(file.getUint32("llama.block_count")).toBe(2);
    expect(file.getUint32("llama.feed_forward_length")).toBe(768);
    expect(file.getUint32("general.file_type")).toBe(0);
    expect(file.getFloat32("llama.attention.layer_norm_rms_epsilon")).toBe(Math.fround(1e-5));
    expect(file.getFloat32("llama.rope.freq_base")).toBe(10000);
    const tokens = file.getArray("tokenizer.ggml.tokens", GgufValueType.STRING);
    expect(tokens?.length).toBe(512);
    expect(tokens?.slice(0, 5)).toEqual(["<unk>", "<s>", "</s>", "<0x00>", "<0x01>"]);
    const scores = file.getArray("tokenizer.ggml.scores", GgufValueType.FLOAT32);
    expect(scores).toBeInstanceOf(Float32Array);
    expect(scores?.length).toBe(512);
    const tokenTypes = file.getArray("tokenizer.ggml.token_type", GgufValueType.INT32);
    expect(Array.from(tokenTypes?.subarray(0, 5) ?? [])).toEqual([2, 3, 3, 6, 6]);

    expect(file.tensors).toHaveLength(21);
    expect(file.tensors.every((t) => t.type === GgmlType.F32)).toBe(true);
    expect(file.tensors[0].name).toBe("token_embd.weight");
    const attnK = file.tensor("blk.0.attn_k.weight");
    expect(attnK).toMatchObject({ type: GgmlType.F32, ne: [256, 128], offset: 787456, byteSize: 256 * 128 * 4 });
    expect(attnK?.data.byteOffset).toBe(13184 + 787456);
    expect(file.tensor("output_norm.weight")?.ne).toEqual([256]);
  });

  test("tiny-tq2_0.gguf: TQ2_0 matrices, F16 embeddings, file_type 37 last", () => {
    const file = parseGguf(llamaBytes("tiny-tq2_0.gguf"), "tiny-tq2_0.gguf");
    expect(file.metadata).toHaveLength(20);
    expect(file.metadata.slice(-2)).toEqual([
      { key: "general.quantization_version", value: { type: GgufValueType.UINT32, value: 2 } },
      { key: "general.file_type", value: { type: GgufValueType.UINT32, value: 37 } },
    ]);
    expect(file.dataOffset).toBe(13248);
    expect(file.tensors.map((t) => t.name).slice(0, 4)).toEqual([
      "output.weight",
      "output_norm.weight",
      "token_embd.weight",
      "blk.0.attn_k.weight",
    ]);
    expect(file.tensors.filter((t) => t.type === GgmlType.TQ2_0)).toHaveLength(14);
    expect(file.tensor("token_embd.weight")?.type).toBe(GgmlType.F16);
    expect(file.tensor("blk.1.ffn_down.weight")).toMatchObject({
      type: 35,
      ne: [768, 256],
      byteSize: 3 * 256 * 66,
      offset: 781824,
    });
  });

  test("tiny-tq1_0.gguf: TQ1_0 matrices, file_type 36", () => {
    const file = parseGguf(llamaBytes("tiny-tq1_0.gguf"), "tiny-tq1_0.gguf");
    expect(file.getUint32("general.file_type")).toBe(36);
    expect(file.tensors.filter((t) => t.type === GgmlType.TQ1_0)).toHaveLength(14);
    expect(file.tensor("blk.0.attn_q.weight")).toMatchObject({
      type: 34,
      ne: [256, 256],
      byteSize: 256 * 54,
      offset: 547072,
    });
  });

  test("tensorToFloat32: f32 tensors decode to their bytes; tq1_0 and tq2_0 decode to the same ternary values", () => {
    const f32 = parseGguf(llamaBytes("tiny-f32.gguf"), "f32");
    const tq1 = parseGguf(llamaBytes("tiny-tq1_0.gguf"), "tq1");
    const tq2 = parseGguf(llamaBytes("tiny-tq2_0.gguf"), "tq2");
    const norm = f32.tensor("blk.0.attn_norm.weight");
    if (norm === undefined) throw new Error("missing tensor");
    const view = new DataView(norm.data.buffer, norm.data.byteOffset, norm.data.byteLength);
    expect(Array.from(tensorToFloat32(norm))).toEqual(
      Array.from({ length: 256 }, (_, i) => view.getFloat32(4 * i, true)),
    );
    for (const t of tq2.tensors.filter((t) => t.type === GgmlType.TQ2_0)) {
      const decoded2 = tensorToFloat32(t);
      const other = tq1.tensor(t.name);
      if (other === undefined) throw new Error(`missing ${t.name}`);
      expect(decoded2.length).toBe(elementCount(t.ne));
      expect(Buffer.from(tensorToFloat32(other).buffer).equals(Buffer.from(decoded2.buffer)), t.name).toBe(true);
      expect(new Set(Array.from(decoded2, Math.abs)).size).toBeLessThanOrEqual(2);
    }
  });
});

describe("agrees with @huggingface/gguf", () => {
  for (const name of ["tiny-f32.gguf", "tiny-tq2_0.gguf", "tiny-tq1_0.gguf"]) {
    test(name, async () => {
      const ours = parseGguf(llamaBytes(name), name);
      const theirs = await hfGguf(llamaPath(name), { allowLocalFile: true, typedMetadata: true });
      const { version, tensor_count, kv_count, ...theirKeys } = theirs.typedMetadata;
      expect(version.value).toBe(ours.version);
      expect(tensor_count.value).toBe(BigInt(ours.tensors.length));
      expect(kv_count.value).toBe(BigInt(ours.metadata.length));
      expect(Object.keys(theirKeys)).toEqual(ours.metadata.map((kv) => kv.key));
      for (const { key, value } of ours.metadata) {
        expect(theirKeys[key].type, key).toBe(value.type);
        if (value.type === GgufValueType.ARRAY) expect(theirKeys[key].subType, key).toBe(value.elementType);
        expect(theirKeys[key].value, key).toEqual(plain(value));
      }
      expect(theirs.tensorDataOffset).toBe(BigInt(ours.dataOffset));
      expect(theirs.tensorInfos).toEqual(
        ours.tensors.map((t) => ({
          name: t.name,
          n_dims: t.ne.length,
          shape: t.ne.map(BigInt),
          dtype: t.type,
          offset: BigInt(t.offset),
        })),
      );
    });
  }
});

describe("every bad file is an InputError naming the file and the problem", () => {
  test("a valid hand-made file parses (so the cases below fail for the reason they name)", () => {
    const file = parseGguf(twoTensorFile(), "good.gguf");
    expect(file.tensors.map((t) => [t.name, t.offset, t.byteSize])).toEqual([
      ["a", 0, 32],
      ["b", 32, 32],
    ]);
  });

  test("truncated at every byte of a small file", () => {
    const whole = twoTensorFile();
    for (let end = 0; end < whole.length; end++) {
      expect(parseError(whole.subarray(0, end)).problem, `cut at ${end}`).toMatch(/truncated|past the end|cannot fit/);
    }
  });

  test("truncated at many points of tiny-tq2_0.gguf", () => {
    const whole = llamaBytes("tiny-tq2_0.gguf");
    const cuts = [...Array.from({ length: 13300 / 7 }, (_, i) => 7 * i), 20000, 500000, whole.length - 1];
    for (const end of cuts) {
      expect(parseError(whole.subarray(0, end)).problem, `cut at ${end}`).toMatch(/truncated|past the end|cannot fit/);
    }
  });

  test("wrong magic", () => {
    const bytes = twoTensorFile();
    bytes[3] = 0x47;
    expect(parseError(bytes).problem).toBe("not a GGUF file: it starts with 'GGUG' (47 47 55 47), not 'GGUF'");
  });

  test.each([
    [2, /version 2 is not supported/],
    [4, /version 4 is not supported/],
    [1, /version 1 is not supported: v1 used 32-bit counts/],
    [0, /version 0 is not supported/],
    [0x03000000, /big-endian GGUF file/],
  ])("version %i is refused", (version, message) => {
    expect(parseError(twoTensorFile({ version })).problem).toMatch(message);
  });

  test("a tensor count larger than the file can hold", () => {
    expect(parseError(twoTensorFile({ tensorCount: 2n ** 40n })).problem).toMatch(
      /^tensor count at offset 8 is 1099511627776, but 1099511627776 × at least 32 bytes cannot fit in the \d+ bytes left$/,
    );
  });

  test("a key/value count larger than the file can hold", () => {
    expect(parseError(twoTensorFile({ kvCount: 2n ** 64n - 1n })).problem).toMatch(
      /^metadata key\/value count at offset 16 is 18446744073709551615, but/,
    );
  });

  test("a string length of 2^63", () => {
    const kvs = [(b: RawBytes) => b.u64(2n ** 63n).raw([0x61])];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /^length of key of metadata entry 0 at offset 24 is 9223372036854775808, but 9223372036854775808 bytes cannot fit/,
    );
  });

  test("an array count of 2^62", () => {
    const kvs = [
      (b: RawBytes) =>
        b
          .string("k")
          .u32(GgufValueType.ARRAY)
          .u32(GgufValueType.UINT8)
          .u64(2n ** 62n),
    ];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /^element count of value of key 'k' at offset \d+ is 4611686018427387904, but .* cannot fit/,
    );
  });

  test("nested arrays claiming billions of elements are refused at once", () => {
    const kvs = [
      (b: RawBytes) => {
        b.string("nested").u32(GgufValueType.ARRAY).u32(GgufValueType.ARRAY).u64(3);
        for (let i = 0; i < 3; i++) b.u32(GgufValueType.UINT32).u64(2n ** 31n);
      },
    ];
    const started = performance.now();
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /^element count of value of key 'nested'\[0\] at offset \d+ is 2147483648, but 2147483648 × at least 4 bytes cannot fit/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("a count above ggml's limit is refused even when the bytes are there", () => {
    const reader = new ByteReader(new RawBytes().u64(5).raw(new Uint8Array(16)).bytes(), "limit.gguf");
    expect(() => reader.count("element count", 1, 4)).toThrow(
      new InputError("limit.gguf", "element count at offset 0 is 5, more than ggml's limit of 4"),
    );
  });

  test("arrays nested more than 32 deep", () => {
    const kvs = [
      (b: RawBytes) => {
        b.string("deep").u32(GgufValueType.ARRAY);
        for (let i = 0; i < 40; i++) b.u32(GgufValueType.ARRAY).u64(1);
        b.u32(GgufValueType.UINT8).u64(0);
      },
    ];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(/nests arrays more than 32 deep/);
  });

  test("an unknown value type", () => {
    const kvs = [(b: RawBytes) => b.string("k").u32(13).u32(0)];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /^value type of key 'k' at offset \d+ is 13, not a GGUF value type \(0 to 12\)$/,
    );
  });

  test("an unknown array element type", () => {
    const kvs = [(b: RawBytes) => b.string("k").u32(GgufValueType.ARRAY).u32(0xffffffff).u64(0)];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /^element type of value of key 'k' at offset \d+ is 4294967295, not a GGUF value type/,
    );
  });

  test("a bool byte other than 0 or 1", () => {
    const kvs = [(b: RawBytes) => b.string("flag").u32(GgufValueType.BOOL).u8(2)];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /^value of key 'flag' at offset \d+ is a bool byte 2, neither 0 nor 1$/,
    );
  });

  test.each(["7fa00001", "ffc00000", "7fc00001"])("an f32 scalar NaN with bits 0x%s, not 0x7fc00000", (hex) => {
    const bits = parseInt(hex, 16);
    const kvs = [(b: RawBytes) => b.string("x").u32(GgufValueType.FLOAT32).u32(bits)];
    expect(parseError(twoTensorFile({ kvs })).problem).toBe(
      `value of key 'x' at offset 37 is a NaN with bits 0x${hex}; the oracle keeps only the NaN 0x7fc00000 in f32 metadata`,
    );
  });

  test("an f64 scalar NaN other than 0x7ff8000000000000", () => {
    const kvs = [(b: RawBytes) => b.string("x").u32(GgufValueType.FLOAT64).u64(0x7ff0000000000001n)];
    expect(parseError(twoTensorFile({ kvs })).problem).toMatch(
      /is a NaN with bits 0x7ff0000000000001; the oracle keeps only the NaN 0x7ff8000000000000/,
    );
  });

  test("invalid UTF-8 in a key and in a string value", () => {
    const badKey = [(b: RawBytes) => b.u64(2).raw([0xc3, 0x28]).u32(GgufValueType.UINT8).u8(0)];
    expect(parseError(twoTensorFile({ kvs: badKey })).problem).toBe(
      "key of metadata entry 0 at offset 32 is not valid UTF-8",
    );
    const badValue = [(b: RawBytes) => b.string("s").u32(GgufValueType.STRING).u64(3).raw([0xed, 0xa0, 0x80])];
    expect(parseError(twoTensorFile({ kvs: badValue })).problem).toMatch(
      /^value of key 's' at offset \d+ is not valid UTF-8$/,
    );
  });

  test("an empty key and a duplicate key", () => {
    const empty = [(b: RawBytes) => b.string("").u32(GgufValueType.UINT8).u8(0)];
    expect(parseError(twoTensorFile({ kvs: empty })).problem).toBe("metadata entry 0 at offset 24 has an empty key");
    const twice = [u32Entry("k", 1), u32Entry("k", 2)];
    expect(parseError(twoTensorFile({ kvs: twice })).problem).toBe(
      "duplicate metadata key 'k' at offset 41 (first at offset 24)",
    );
  });

  test.each([
    [0, /'general.alignment' is 0, which is not a power of two/],
    [3, /'general.alignment' is 3, which is not a power of two/],
    [48, /'general.alignment' is 48, which is not a power of two/],
  ])("alignment %i", (alignment, message) => {
    expect(parseError(twoTensorFile({ kvs: [u32Entry("general.alignment", alignment)] })).problem).toMatch(message);
  });

  test("alignment of a type other than u32", () => {
    const kvs = [(b: RawBytes) => b.string("general.alignment").u32(GgufValueType.UINT64).u64(32)];
    expect(parseError(twoTensorFile({ kvs })).problem).toBe(
      "'general.alignment' has type u64, but it must be u32 (key at offset 24)",
    );
  });

  test("alignment 64 is honoured: the data section moves to the next multiple of 64", () => {
    const bytes = rawGguf({
      kvs: [u32Entry("general.alignment", 64)],
      tensors: [f32Tensor("a", 0)],
      alignment: 64,
      data: new Uint8Array(64),
    });
    const file = parseGguf(bytes, "a64.gguf");
    expect(file.alignment).toBe(64);
    expect(file.dataOffset % 64).toBe(0);
    expect(file.dataOffset).toBe(128);
  });

  test.each([
    [
      3,
      new RegExp(
        "^tensor 'a' has ggml type id 3, which the oracle does not implement " +
          String.raw`\(it reads f32, f16, q4_0, q8_0, q4_K, q5_K, q6_K, q8_K, bf16, tq1_0, tq2_0\) \(offset \d+\)$`,
      ),
    ],
    [999, /^tensor 'a' has ggml type id 999, which the oracle does not implement/],
  ])("tensor type id %i", (type, message) => {
    const tensors = [{ ...f32Tensor("a"), type }, f32Tensor("b", 32)];
    expect(parseError(twoTensorFile({ tensors })).problem).toMatch(message);
  });

  test.each([0, 5])("%i dimensions", (nDims) => {
    const tensors = [{ ...f32Tensor("a"), nDims, ne: [] }];
    expect(parseError(twoTensorFile({ tensors })).problem).toMatch(
      new RegExp(`^tensor 'a' has ${nDims} dimensions; GGUF tensors have 1 to 4 \\(offset \\d+\\)$`),
    );
  });

  test("ne[0] not a multiple of the block size", () => {
    const tensors = [{ name: "w", ne: [100, 2], type: GgmlType.TQ2_0, offset: 0 }];
    expect(parseError(twoTensorFile({ tensors })).problem).toMatch(
      /^tensor 'w' has 100 elements per row \(ne\[0\]\), not a multiple of the tq2_0 block size 256 \(info at offset \d+\)$/,
    );
  });

  test("a dimension beyond 2^53", () => {
    const tensors = [{ name: "a", ne: [8, 2n ** 60n], type: GgmlType.F32, offset: 0 }];
    expect(parseError(twoTensorFile({ tensors })).problem).toMatch(
      /^tensor 'a' ne\[1\] at offset \d+ is 1152921504606846976, more than/,
    );
  });

  test("a tensor name longer than 63 bytes, and a duplicate tensor name", () => {
    const long = "x".repeat(64);
    expect(parseError(twoTensorFile({ tensors: [f32Tensor(long)] })).problem).toMatch(
      /is 64 bytes long; ggml allows at most 63/,
    );
    expect(parseError(twoTensorFile({ tensors: [f32Tensor("a", 0), f32Tensor("a", 32)] })).problem).toMatch(
      /^duplicate tensor name 'a' at offset \d+ \(first at offset \d+\)$/,
    );
  });

  test("a tensor offset that is not a multiple of the alignment", () => {
    expect(parseError(twoTensorFile({ tensors: [f32Tensor("a", 0), f32Tensor("b", 33)] })).problem).toMatch(
      /^tensor 'b' data offset 33 \(field at offset \d+\) is not a multiple of the alignment 32$/,
    );
  });

  test("overlapping tensors", () => {
    const tensors = [{ name: "a", ne: [16], type: GgmlType.F32, offset: 0 }, f32Tensor("b", 32)];
    expect(parseError(twoTensorFile({ tensors, data: new Uint8Array(128) })).problem).toMatch(
      /^tensor 'b' data offset 32 \(field at offset \d+\) overlaps tensor 'a', whose data runs to data-section offset 64/,
    );
  });

  test("tensors out of order: the first must start the data section", () => {
    expect(parseError(twoTensorFile({ tensors: [f32Tensor("a", 32), f32Tensor("b", 0)] })).problem).toMatch(
      /tensor 'a' data offset 32 .* leaves a gap after the start of the data section/,
    );
  });

  test("a gap between tensors", () => {
    expect(
      parseError(twoTensorFile({ tensors: [f32Tensor("a", 0), f32Tensor("b", 64)], data: new Uint8Array(96) })).problem,
    ).toMatch(/^tensor 'b' data offset 64 .* leaves a gap after tensor 'a'; ggml requires it at 32$/);
  });

  test("tensor data out of the file", () => {
    const tensors = [f32Tensor("a", 0), { name: "b", ne: [8, 1000], type: GgmlType.F32, offset: 32 }];
    expect(parseError(twoTensorFile({ tensors })).problem).toMatch(
      /^tensor 'b' data \(32000 bytes from file offset \d+\) runs past the end of the file at \d+$/,
    );
  });

  test("a tensor offset of 2^64 - 32 (aligned, far outside the file)", () => {
    expect(
      parseError(twoTensorFile({ tensors: [f32Tensor("a", 0), f32Tensor("b", 2n ** 64n - 32n)] })).problem,
    ).toMatch(/leaves a gap after tensor 'a'/);
  });

  test("non-zero padding before the data section and after a tensor", () => {
    const bytes = twoTensorFile();
    const dataStart = bytes.length - 64;
    bytes[dataStart - 1] = 7;
    expect(parseError(bytes).problem).toBe(
      `padding byte at offset ${dataStart - 1} (between the header and the data section) is 0x7, not zero`,
    );
    const padded = twoTensorFile({
      tensors: [{ name: "a", ne: [4], type: GgmlType.F32, offset: 0 }],
      data: [...new Uint8Array(16), 1, ...new Uint8Array(15)],
    });
    expect(parseError(padded).problem).toMatch(/^padding byte at offset \d+ \(after tensor 'a'\) is 0x1, not zero$/);
  });

  test("missing padding after the last tensor", () => {
    const bytes = twoTensorFile({
      tensors: [{ name: "a", ne: [4], type: GgmlType.F32, offset: 0 }],
      data: new Uint8Array(16),
    });
    expect(parseError(bytes).problem).toMatch(/^truncated: the file ends at \d+, inside the padding after tensor 'a'/);
  });

  test("a file without tensors may end right after its header (gguf-py's vocab-only files), or be padded", () => {
    const kvs = [u32Entry("general.alignment", 32)];
    const padded = rawGguf({ kvs });
    const headerEnd = new RawBytes().raw([0x47, 0x47, 0x55, 0x46]).u32(3).u64(0).u64(1);
    kvs[0](headerEnd);
    const unpadded = padded.subarray(0, headerEnd.bytes().length);
    expect(unpadded.length).toBeLessThan(padded.length);
    for (const bytes of [padded, unpadded]) {
      const file = parseGguf(bytes, "vocab.gguf");
      expect([file.tensors.length, file.getUint32("general.alignment")]).toEqual([0, 32]);
    }
    expect(parseError(padded.subarray(0, unpadded.length + 1)).problem).toMatch(/^truncated: the file ends at/);
    expect(parseError(new Uint8Array([...padded, 0])).problem).toMatch(/^1 unexpected bytes after the end/);
  });

  test("bytes after the end of the data section", () => {
    const bytes = new Uint8Array([...twoTensorFile(), 0, 0, 0]);
    expect(parseError(bytes).problem).toBe(
      `3 unexpected bytes after the end of the data section at offset ${bytes.length - 3}`,
    );
  });

  test("random corruption of the header raises InputError or nothing, never anything else", () => {
    const original = llamaBytes("tiny-tq1_0.gguf");
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const outcomes = { parsed: 0, refused: 0 };
    for (let trial = 0; trial < 300; trial++) {
      const bytes = original.slice();
      for (let flips = 1 + random(4); flips > 0; flips--) bytes[random(13248)] = random(256);
      try {
        parseGguf(bytes, "fuzz.gguf");
        outcomes.parsed++;
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        outcomes.refused++;
      }
    }
    expect(outcomes.refused).toBeGreaterThan(0);
    expect(outcomes.parsed + outcomes.refused).toBe(300);
  });
});
