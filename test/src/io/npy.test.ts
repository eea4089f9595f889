import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import {
  formatNpyHeader,
  parseNpy,
  parseNpyHeader,
  pythonTupleRepr,
  serializeNpy,
  type NpyArray,
} from "../../../src/io/npy.js";

const FILE = "x.npy";
const MAGIC = [0x93, ..."NUMPY"].map((c) => (typeof c === "number" ? c : c.charCodeAt(0)));

/** A .npy file built by hand: magic, version, a u16 (v1) or u32 (v2, v3) header length, the header (UTF-8), the data. */
function handMadeNpy(header: string, data: Uint8Array, major = 1): Uint8Array {
  const text = new TextEncoder().encode(header);
  const lengthField =
    major === 1
      ? [text.length & 0xff, text.length >>> 8]
      : [text.length & 0xff, (text.length >>> 8) & 0xff, (text.length >>> 16) & 0xff, text.length >>> 24];
  const prefix = [...MAGIC, major, 0, ...lengthField];
  const out = new Uint8Array(prefix.length + text.length + data.length);
  out.set(prefix, 0);
  out.set(text, prefix.length);
  out.set(data, prefix.length + text.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** The InputError parseNpy throws for `bytes`. */
function npyError(bytes: Uint8Array): InputError {
  try {
    parseNpy(bytes, FILE);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("parseNpy accepted the file");
}

describe("serializeNpy / parseNpy round trip", () => {
  it.each([[[2, 256]], [[256]], [[]], [[3, 4, 5]], [[0, 256]]])("float32 of shape %j", (shape) => {
    const count = shape.reduce((p, n) => p * n, 1);
    const data = Float32Array.from({ length: count }, (_, i) => (i % 7) - 3.25);
    const parsed = parseNpy(serializeNpy({ dtype: "<f4", shape, data }), FILE);
    expect(parsed).toEqual({ dtype: "<f4", shape, data });
  });

  it("keeps every float32 bit pattern: -0, ±inf, subnormals, NaN payloads", () => {
    const bits = new Uint32Array([0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x7fc00001, 0xffbfffff, 0x3f800000]);
    const data = new Float32Array(bits.buffer);
    const parsed = parseNpy(serializeNpy({ dtype: "<f4", shape: [bits.length], data }), FILE);
    expect(new Uint32Array(parsed.data.buffer)).toEqual(bits);
  });

  it("int8 and uint8", () => {
    const i8: NpyArray = { dtype: "|i1", shape: [2, 3], data: Int8Array.from([-128, -1, 0, 1, 2, 127]) };
    const u8: NpyArray = { dtype: "|u1", shape: [4], data: Uint8Array.from([0, 1, 128, 255]) };
    expect(parseNpy(serializeNpy(i8), FILE)).toEqual(i8);
    expect(parseNpy(serializeNpy(u8), FILE)).toEqual(u8);
  });

  it("float16 (its bits: -0, ±inf, subnormal, NaN payload) and int32 (both extremes)", () => {
    const f16: NpyArray = {
      dtype: "<f2",
      shape: [6],
      data: Uint16Array.from([0x8000, 0x7c00, 0xfc00, 1, 0x7e01, 0x3c00]),
    };
    const i32: NpyArray = { dtype: "<i4", shape: [2, 2], data: Int32Array.from([-2147483648, -1, 0, 2147483647]) };
    expect(parseNpy(serializeNpy(f16), FILE)).toEqual(f16);
    expect(parseNpy(serializeNpy(i32), FILE)).toEqual(i32);
    expect(Array.from(serializeNpy(i32).subarray(-4))).toEqual([0xff, 0xff, 0xff, 0x7f]);
  });

  it("reads from a Node Buffer that shares a pool and starts at an odd offset", () => {
    const i8: NpyArray = { dtype: "|i1", shape: [3], data: Int8Array.from([-5, 0, 5]) };
    expect(parseNpy(Buffer.from(serializeNpy(i8)), FILE)).toEqual(i8);
    const f32: NpyArray = { dtype: "<f4", shape: [2], data: Float32Array.from([1.5, -2]) };
    const shifted = new Uint8Array(1 + 136);
    shifted.set(serializeNpy(f32), 1);
    expect(parseNpy(shifted.subarray(1), FILE)).toEqual(f32);
  });

  it("refuses to serialize data that does not fill the shape", () => {
    expect(() => serializeNpy({ dtype: "<f4", shape: [2, 3], data: new Float32Array(5) })).toThrow(RangeError);
  });
});

describe("formatNpyHeader matches numpy byte for byte", () => {
  /*
   * What numpy writes (numpy/lib/_format_impl.py, _write_array_header and _wrap_header, numpy 2.x):
   *
   *   header = "{" + "".join(f"'{key}': {repr(value)}, " for key, value in sorted(d.items())) + "}"
   *   header += " " * (GROWTH_AXIS_MAX_DIGITS - len(repr(shape[0])))   # 21 - digits; only if shape != ()
   *   hlen = len(header) + 1                                           # + the final "\n"
   *   padlen = ARRAY_ALIGN - ((MAGIC_LEN + 2 + hlen) % ARRAY_ALIGN)    # ARRAY_ALIGN = 64, MAGIC_LEN = 8; 1..64
   *   file = b"\x93NUMPY" + bytes([1, 0]) + pack("<H", hlen + padlen) + header + b" " * padlen + b"\n"
   *
   * and the format spec: "The next HEADER_LEN bytes form the header data describing the array's format. It is an
   * ASCII string which contains a Python literal expression of a dictionary. It is terminated by a newline (\n) and
   * padded with spaces (\x20) to make the total of len(magic string) + 2 + len(length) + HEADER_LEN be evenly
   * divisible by 64 for alignment purposes." A 1-tuple is written "(n,)", the empty tuple "()".
   *
   * Each expected case below (total length and the number of spaces between the dict and the "\n") was also
   * checked against numpy 2.4.6: np.lib.format.write_array_header_1_0(f, {'descr': …, 'fortran_order': False,
   * 'shape': …}).
   */
  const cases: { dtype: "<f4" | "|i1" | "|u1"; shape: number[]; dict: string; spaces: number; total: number }[] = [
    {
      dtype: "<f4",
      shape: [2, 256],
      dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 256), }",
      spaces: 56,
      total: 128,
    },
    {
      dtype: "<f4",
      shape: [256],
      dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (256,), }",
      spaces: 58,
      total: 128,
    },
    {
      dtype: "<f4",
      shape: [],
      dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
      spaces: 62,
      total: 128,
    },
    {
      dtype: "|i1",
      shape: [5],
      dict: "{'descr': '|i1', 'fortran_order': False, 'shape': (5,), }",
      spaces: 60,
      total: 128,
    },
    {
      dtype: "|u1",
      shape: [7],
      dict: "{'descr': '|u1', 'fortran_order': False, 'shape': (7,), }",
      spaces: 60,
      total: 128,
    },
    {
      // the growth spaces push this header past 128 bytes
      dtype: "<f4",
      shape: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 256],
      dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 256), }",
      spaces: 75,
      total: 192,
    },
    {
      // already aligned before padding: numpy still pads a full 64 spaces
      dtype: "<f4",
      shape: [2, 1234567, 1234567, 1234567, 1234567, 256],
      dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1234567, 1234567, 1234567, 1234567, 256), }",
      spaces: 84,
      total: 192,
    },
  ];

  it.each(cases)("$dtype $shape", ({ dtype, shape, dict, spaces, total }) => {
    const headerLength = total - 10;
    const expected = new Uint8Array([
      ...MAGIC,
      1,
      0,
      headerLength & 0xff,
      headerLength >>> 8,
      ...Buffer.from(dict + " ".repeat(spaces) + "\n", "latin1"),
    ]);
    expect(expected.length).toBe(total);
    expect(formatNpyHeader(dtype, shape)).toEqual(expected);
  });

  it("serializeNpy starts with that header", () => {
    const file = serializeNpy({ dtype: "<f4", shape: [256], data: new Float32Array(256) });
    expect(file.subarray(0, 128)).toEqual(formatNpyHeader("<f4", [256]));
    expect(file.length).toBe(128 + 1024);
  });

  it("pythonTupleRepr writes tuples as Python does", () => {
    expect([[], [3], [2, 256]].map(pythonTupleRepr)).toEqual(["()", "(3,)", "(2, 256)"]);
  });
});

describe("parseNpy reads headers numpy accepts", () => {
  const data = f32Bytes([1, -2, 0.5, 3]);

  it("a version 2.0 file (u32 header length)", () => {
    const file = handMadeNpy(
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }" + " ".repeat(60) + "\n",
      data,
      2,
    );
    expect(parseNpyHeader(file, FILE).version).toEqual([2, 0]);
    expect(parseNpy(file, FILE)).toEqual({ dtype: "<f4", shape: [2, 2], data: new Float32Array([1, -2, 0.5, 3]) });
  });

  it("a version 3.0 file (UTF-8 header)", () => {
    const file = handMadeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }  \n", data, 3);
    expect(parseNpy(file, FILE).shape).toEqual([4]);
  });

  it("keys in another order, double quotes, no trailing comma, no padding", () => {
    const file = handMadeNpy('{"shape":(4,),"fortran_order":False,"descr":"<f4"}', data);
    expect(parseNpy(file, FILE)).toEqual({ dtype: "<f4", shape: [4], data: new Float32Array([1, -2, 0.5, 3]) });
  });

  it("reports the data offset after the header", () => {
    const file = serializeNpy({ dtype: "|u1", shape: [3], data: Uint8Array.from([1, 2, 3]) });
    expect(parseNpyHeader(file, FILE)).toEqual({
      version: [1, 0],
      dtype: "|u1",
      shape: [3],
      elementCount: 3,
      dataOffset: 128,
    });
  });
});

describe("parseNpy refuses, naming the file and the problem", () => {
  const dict = (descr: string, fortran: string, shape: string) =>
    `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
  const cases: { name: string; bytes: Uint8Array; problem: RegExp }[] = [
    {
      name: "wrong magic",
      bytes: new TextEncoder().encode("PK\x03\x04 not numpy at all"),
      problem: /not a \.npy file/,
    },
    { name: "a truncated prefix", bytes: Uint8Array.from([...MAGIC, 1]), problem: /truncated \.npy header/ },
    { name: "no header length", bytes: Uint8Array.from([...MAGIC, 2, 0, 10, 0]), problem: /truncated \.npy header/ },
    {
      name: "a header length beyond the file",
      bytes: Uint8Array.from([...MAGIC, 1, 0, 0xff, 0x00, 0x7b]),
      problem: /header length 255 runs past the end of the file \(11 bytes\)/,
    },
    {
      name: "version 4.0",
      bytes: handMadeNpy(dict("<f4", "False", "(1,)"), f32Bytes([1]), 4),
      problem: /unsupported \.npy format version 4\.0/,
    },
    {
      name: "'<u2'",
      bytes: handMadeNpy(dict("<u2", "False", "(1,)"), new Uint8Array(2)),
      problem: /dtype '<u2' is not supported/,
    },
    { name: "'>f4'", bytes: handMadeNpy(dict(">f4", "False", "(1,)"), new Uint8Array(4)), problem: /big-endian/ },
    {
      name: "fortran_order True",
      bytes: handMadeNpy(dict("<f4", "True", "(2, 2)"), new Uint8Array(16)),
      problem: /fortran_order is True/,
    },
    {
      name: "too little data",
      bytes: handMadeNpy(dict("<f4", "False", "(2, 2)"), new Uint8Array(12)),
      problem: /needs 16 bytes of data, but the file has 12/,
    },
    {
      name: "too much data",
      bytes: handMadeNpy(dict("<f4", "False", "(2,)"), new Uint8Array(12)),
      problem: /needs 8 bytes of data, but the file has 12/,
    },
    {
      name: "a huge shape",
      bytes: handMadeNpy(dict("<f4", "False", "(1099511627776, 1099511627776)"), new Uint8Array(4)),
      problem: /shape \(1099511627776, 1099511627776\) is too large/,
    },
    {
      name: "a claimed size far beyond the file",
      bytes: handMadeNpy(dict("<f4", "False", "(1099511627776,)"), new Uint8Array(4)),
      problem: /needs 4398046511104 bytes of data, but the file has 4/,
    },
    {
      name: "shape not a tuple",
      bytes: handMadeNpy(dict("<f4", "False", "(4)"), new Uint8Array(16)),
      problem: /shape is not a tuple/,
    },
    {
      name: "a negative dimension",
      bytes: handMadeNpy(dict("<f4", "False", "(-1,)"), new Uint8Array(4)),
      problem: /not a non-negative integer/,
    },
    {
      name: "a missing key",
      bytes: handMadeNpy("{'descr': '<f4', 'shape': (1,)}", new Uint8Array(4)),
      problem: /has keys \['descr', 'shape'\]/,
    },
    {
      name: "an extra key",
      bytes: handMadeNpy(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}`, new Uint8Array(4)),
      problem: /has keys/,
    },
    {
      name: "an unparsable header",
      bytes: handMadeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,", new Uint8Array(4)),
      problem: /cannot parse the \.npy header/,
    },
    {
      name: "a header that is not a dict",
      bytes: handMadeNpy("[1, 2]", new Uint8Array(4)),
      problem: /not a dictionary/,
    },
    {
      name: "a structured dtype",
      bytes: handMadeNpy(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}`, new Uint8Array(4)),
      problem: /structured dtype/,
    },
    { name: "deep nesting", bytes: handMadeNpy("(".repeat(5000), new Uint8Array(4)), problem: /nesting deeper than/ },
    {
      name: "a v3 header that is not UTF-8",
      bytes: handMadeNpy("{'descr': '<f4'}", new Uint8Array(4), 3).map((b, i) => (i === 14 ? 0xff : b)),
      problem: /not valid UTF-8/,
    },
  ];

  it.each(cases)("$name", ({ bytes, problem }) => {
    const error = npyError(bytes);
    expect(error.file).toBe(FILE);
    expect(error.problem).toMatch(problem);
    expect(error.problem).not.toContain("\n");
  });
});

it("float64 ('<f8', the golden bounds) round-trips every value, -0 and ±inf included", () => {
  const data = Float64Array.from([0.1, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308]);
  const back = parseNpy(serializeNpy({ dtype: "<f8", shape: [2, 3], data }), "b.npy");
  expect(back.dtype).toBe("<f8");
  expect([...back.data].map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual(
    [...data].map((v) => (Object.is(v, -0) ? "-0" : v)),
  );
});
