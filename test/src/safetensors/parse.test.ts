/**
 * The strict safetensors reader: good files written by serializeSafetensors (and by hand, as the
 * Rust crate lays them out), and one hand-made bad file per rule, each of which must raise an
 * InputError naming the file and the problem.
 */

import { describe, expect, it } from "vitest";
import { GgmlType, quantizeRow } from "../../../reference/codec/index.js";
import { InputError } from "../../../src/errors.js";
import {
  MAX_HEADER_LENGTH,
  ggmlTypeOfDtype,
  parseSafetensors,
  serializeSafetensors,
  type SafetensorsFile,
} from "../../../src/safetensors/index.js";

const NAME = "weights.safetensors";

/** A file from a header given as text (not padded) and data bytes; `length` overrides N. */
function rawFile(header: string, data: Uint8Array | number = 0, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + bytes.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes, 8 + json.length);
  return out;
}

/** A header text from an object (tensor entries written as given). */
function header(entries: Record<string, unknown>): string {
  return JSON.stringify(entries);
}

const F16_2x3 = { dtype: "F16", shape: [2, 3], data_offsets: [0, 12] };

/** The one-line problem parseSafetensors reports for `bytes`. */
function problemOf(bytes: Uint8Array): string {
  try {
    parseSafetensors(bytes, NAME);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const inputError = error as InputError;
    expect(inputError.file).toBe(NAME);
    expect(inputError.problem).not.toContain("\n");
    return inputError.problem;
  }
  throw new Error("the file was accepted");
}

describe("parseSafetensors accepts", () => {
  it("what serializeSafetensors writes: every dtype, metadata, shapes and bytes", () => {
    const values = Float32Array.from([1, -2, 0.5, 3.25, -0.125, 65504]);
    const tensors = [
      { name: "a.f32", dtype: "F32" as const, shape: [2, 3], data: quantizeRow(GgmlType.F32, values) },
      { name: "b.f16", dtype: "F16" as const, shape: [3, 2], data: quantizeRow(GgmlType.F16, values) },
      { name: "c.bf16", dtype: "BF16" as const, shape: [6], data: quantizeRow(GgmlType.BF16, values) },
    ];
    const bytes = serializeSafetensors(tensors, { format: "pt", note: "x" });
    const file: SafetensorsFile = parseSafetensors(bytes, NAME);
    expect(file.name).toBe(NAME);
    expect(file.headerLength % 8).toBe(0);
    expect([...file.metadata]).toEqual([
      ["format", "pt"],
      ["note", "x"],
    ]);
    expect([...file.tensors.keys()]).toEqual(["a.f32", "b.f16", "c.bf16"]);
    for (const t of tensors) {
      const parsed = file.tensors.get(t.name);
      expect(parsed?.dtype).toBe(t.dtype);
      expect(parsed?.shape).toEqual(t.shape);
      expect([...(parsed?.data ?? [])]).toEqual([...t.data]);
      expect(ggmlTypeOfDtype(t.dtype)).toBe({ F32: GgmlType.F32, F16: GgmlType.F16, BF16: GgmlType.BF16 }[t.dtype]);
    }
    expect(file.tensors.get("b.f16")?.dataOffsets).toEqual([24, 36]);
  });

  it("a file without __metadata__, entries out of offset order, a scalar and an empty tensor, trailing spaces", () => {
    const text =
      header({
        z: { dtype: "F32", shape: [], data_offsets: [12, 16] },
        e: { dtype: "BF16", shape: [0, 4], data_offsets: [12, 12] },
        a: F16_2x3,
      }) + "   ";
    const file = parseSafetensors(rawFile(text, 16), NAME);
    expect(file.metadata.size).toBe(0);
    expect([...file.tensors.keys()]).toEqual(["z", "e", "a"]);
    expect(file.tensors.get("z")?.data.length).toBe(4);
    expect(file.tensors.get("e")?.data.length).toBe(0);
  });

  it("a file with no tensors at all", () => {
    expect(parseSafetensors(rawFile("{}"), NAME).tensors.size).toBe(0);
  });
});

describe("parseSafetensors refuses, with an InputError naming the file", () => {
  it("a file shorter than the 8-byte length", () => {
    expect(problemOf(new Uint8Array(5))).toBe(
      "file is 5 bytes, too short to hold the 8-byte header length of a safetensors file",
    );
  });

  it("a header length beyond 2^53 − 1", () => {
    expect(problemOf(rawFile("{}", 0, 2n ** 63n))).toBe(
      `header length ${2n ** 63n} is beyond 2^53 − 1; not a safetensors file`,
    );
  });

  it("a header length above 100 000 000", () => {
    expect(problemOf(rawFile("{}", 0, BigInt(MAX_HEADER_LENGTH + 1)))).toBe(
      "header length 100000001 is more than the 100000000 bytes safetensors allows",
    );
  });

  it("a header length past the end of the file", () => {
    expect(problemOf(rawFile("{}", 0, 3n))).toBe("header length 3 does not fit: only 2 bytes follow the length");
  });

  it("a header that is not UTF-8", () => {
    const bytes = rawFile('{"a":1}');
    bytes[10] = 0xff;
    expect(problemOf(bytes)).toBe("header is not valid UTF-8");
  });

  it("a header that does not start with '{'", () => {
    expect(problemOf(rawFile(' {"a": 1}'))).toBe("header does not start with '{'; not a safetensors file");
  });

  it("a header that is not valid JSON", () => {
    expect(problemOf(rawFile('{"a": '))).toMatch(/^header is not valid JSON \(/);
  });

  it("__metadata__ that is not a map of strings", () => {
    expect(problemOf(rawFile(header({ __metadata__: { total: 5 } })))).toBe(
      '__metadata__ key "total" has a number, not a string',
    );
    expect(problemOf(rawFile(header({ __metadata__: ["x"] })))).toBe(
      "__metadata__ is an array, not an object of strings",
    );
  });

  it("an empty tensor name", () => {
    expect(problemOf(rawFile(header({ "": F16_2x3 }), 12))).toBe("a tensor name is empty");
  });

  it("a tensor entry that is not an object", () => {
    expect(problemOf(rawFile(header({ w: [1, 2] })))).toBe(
      "tensor 'w': entry is an array, not an object with dtype, shape and data_offsets",
    );
  });

  it("an unknown field", () => {
    expect(problemOf(rawFile(header({ w: { ...F16_2x3, offsets: [0, 12] } }), 12))).toBe(
      "tensor 'w': unknown field 'offsets'",
    );
  });

  it("a missing field", () => {
    expect(problemOf(rawFile(header({ w: { dtype: "F16", shape: [2, 3] } }), 12))).toBe(
      "tensor 'w': missing field 'data_offsets'",
    );
  });

  it("a dtype the oracle does not read, naming it", () => {
    expect(problemOf(rawFile(header({ w: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }), 16))).toBe(
      "tensor 'w' has dtype I64, which the oracle does not read (only F32, F16 and BF16)",
    );
  });

  it("I32 only when asked for int32 (TriRun's B)", () => {
    const file = rawFile(header({ w: { dtype: "I32", shape: [2], data_offsets: [0, 8] } }), 8);
    expect(problemOf(file)).toBe("tensor 'w' has dtype I32, which the oracle does not read (only F32, F16 and BF16)");
    expect(parseSafetensors(file, "f", { int32: true }).tensors.get("w")?.dtype).toBe("I32");
  });

  it("an unknown dtype", () => {
    expect(problemOf(rawFile(header({ w: { dtype: "float16", shape: [2, 3], data_offsets: [0, 12] } }), 12))).toBe(
      "tensor 'w' has unknown dtype \"float16\"",
    );
  });

  it("a shape that is not a list of non-negative integers", () => {
    expect(problemOf(rawFile(header({ w: { dtype: "F16", shape: [2, -3], data_offsets: [0, 12] } }), 12))).toBe(
      "tensor 'w': shape [2,-3] is not an array of non-negative integers",
    );
  });

  it("data_offsets that are not [begin ≤ end]", () => {
    expect(problemOf(rawFile(header({ w: { dtype: "F16", shape: [2, 3], data_offsets: [12, 0] } }), 12))).toBe(
      "tensor 'w': data_offsets [12,0] is not [begin, end] with 0 ≤ begin ≤ end",
    );
  });

  it("a shape whose element count overflows", () => {
    const shape = [2 ** 30, 2 ** 30, 2 ** 30];
    expect(problemOf(rawFile(header({ w: { dtype: "F16", shape, data_offsets: [0, 12] } }), 12))).toBe(
      `tensor 'w': shape [${shape.join(", ")}] has more elements than a safe integer counts`,
    );
  });

  it("end − begin ≠ prod(shape) · item size", () => {
    expect(problemOf(rawFile(header({ w: { dtype: "F32", shape: [2, 3], data_offsets: [0, 12] } }), 12))).toBe(
      "tensor 'w': data_offsets [0, 12] hold 12 bytes, but F32 [2, 3] takes 24",
    );
  });

  it("data beyond the end of the file", () => {
    expect(problemOf(rawFile(header({ w: F16_2x3 }), 10))).toBe(
      "tensor 'w': data_offsets [0, 12] end beyond the data section, which has 10 bytes",
    );
  });

  it("overlapping tensors", () => {
    const text = header({ a: F16_2x3, b: { dtype: "F16", shape: [3], data_offsets: [8, 14] } });
    expect(problemOf(rawFile(text, 14))).toBe("tensors 'a' [0, 12] and 'b' [8, 14] overlap");
  });

  it("a gap between tensors", () => {
    const text = header({ a: F16_2x3, b: { dtype: "F16", shape: [2], data_offsets: [16, 20] } });
    expect(problemOf(rawFile(text, 20))).toBe(
      "bytes [12, 16) of the data section belong to no tensor (a gap between 'a' and 'b')",
    );
  });

  it("bytes after the last tensor", () => {
    expect(problemOf(rawFile(header({ a: F16_2x3 }), 14))).toBe(
      "the data section has 14 bytes, but its tensors end at byte 12",
    );
  });
});

describe("serializeSafetensors", () => {
  it("pads the header with spaces to a multiple of 8 and refuses data of the wrong length", () => {
    const bytes = serializeSafetensors([{ name: "x", dtype: "F32", shape: [1], data: new Uint8Array(4) }]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(bytes[8 + n - 1]).toBe(0x20);
    expect(() => serializeSafetensors([{ name: "x", dtype: "F32", shape: [2], data: new Uint8Array(4) }])).toThrow(
      RangeError,
    );
    expect(() =>
      serializeSafetensors([{ name: "__metadata__", dtype: "F32", shape: [1], data: new Uint8Array(4) }]),
    ).toThrow(RangeError);
  });

  it("round-trips awkward names (__proto__, unicode)", () => {
    const bytes = serializeSafetensors([
      { name: "__proto__", dtype: "F16", shape: [1], data: new Uint8Array(2) },
      { name: "ü.weight", dtype: "F16", shape: [1], data: new Uint8Array(2) },
    ]);
    expect([...parseSafetensors(bytes, NAME).tensors.keys()]).toEqual(["__proto__", "ü.weight"]);
  });
});

describe("parseSafetensors on deeply nested headers (found by test/fuzz)", () => {
  function framed(header: string): Uint8Array {
    const h = new TextEncoder().encode(header);
    const out = new Uint8Array(8 + h.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    return out;
  }
  it("refuses a shape nested 100,000 deep with an InputError, not a stack-overflow RangeError", () => {
    const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
    for (const field of ["shape", "data_offsets"]) {
      const other = field === "shape" ? `"data_offsets":[0,0]` : `"shape":[]`;
      const bytes = framed(`{"w":{"dtype":"F32",${other},"${field}":${deep}}}`);
      expect(() => parseSafetensors(bytes, "m.safetensors")).toThrow(InputError);
      expect(() => parseSafetensors(bytes, "m.safetensors")).toThrow(/nests arrays or objects more than 64 deep/);
    }
  });
});
