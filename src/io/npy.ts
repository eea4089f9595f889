/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0) holding float32, float64, float16 (kept as its bits),
 * int32, int8 or uint8 arrays in C order. Pure: no Node APIs. Follows numpy/lib/_format_impl.py (the format's specification):
 *
 *   magic "\x93NUMPY", major and minor version bytes, header length (u16 little-endian in 1.0,
 *   u32 in 2.0 and 3.0), then the header: a Python dict literal with exactly the keys 'descr',
 *   'fortran_order' and 'shape' (latin1 in 1.0/2.0, UTF-8 in 3.0), padded with spaces and a final
 *   newline so the data starts at a multiple of 64 bytes; then prod(shape)·itemsize bytes of data.
 *
 * Reading is strict: anything else (other dtypes, big-endian, Fortran order, a data length that does
 * not match the shape) is an InputError naming the file, raised before any array is allocated.
 */

import { InputError } from "../errors.js";
import { float32FromLittleEndian, writeFloat32LittleEndian } from "./float32-bytes.js";
import { PyLiteralSyntaxError, parsePyLiteral, type PyLiteral } from "./python-literal.js";

/** The dtypes read and written: little-endian float32, float64, float16, int32, int8, uint8 (NumPy's `descr` strings). */
export type NpyDtype = "<f4" | "<f8" | "<f2" | "<i4" | "|i1" | "|u1";

/** An array as a .npy file holds it: dtype, shape (C order) and the elements, flattened. */
export type NpyArray =
  | { readonly dtype: "<f4"; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: "<f8"; readonly shape: readonly number[]; readonly data: Float64Array }
  /** float16: the IEEE binary16 bit patterns, as TriRun and ggml store them. */
  | { readonly dtype: "<f2"; readonly shape: readonly number[]; readonly data: Uint16Array }
  | { readonly dtype: "<i4"; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: "|i1"; readonly shape: readonly number[]; readonly data: Int8Array }
  | { readonly dtype: "|u1"; readonly shape: readonly number[]; readonly data: Uint8Array };

/** What a .npy header says, checked against the file's length. */
export interface NpyHeader {
  readonly version: readonly [major: number, minor: number];
  readonly dtype: NpyDtype;
  /** Dimensions, outermost first; `[]` for a 0-d array (which holds one element). */
  readonly shape: readonly number[];
  /** Number of elements: the product of the shape. */
  readonly elementCount: number;
  /** Offset of the first data byte in the file. */
  readonly dataOffset: number;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
/** NumPy's MAGIC_LEN: the magic string and the two version bytes. */
const MAGIC_LEN = MAGIC.length + 2;
/** NumPy's ARRAY_ALIGN: the header is padded so the data starts at a multiple of this. */
const ARRAY_ALIGN = 64;
/** NumPy's GROWTH_AXIS_MAX_DIGITS: spare spaces NumPy leaves so the shape can grow in place. */
const GROWTH_AXIS_MAX_DIGITS = 21;
/** NumPy's _MAX_HEADER_SIZE: longer headers are refused by numpy.load too. */
const MAX_HEADER_CHARS = 10000;
const EXPECTED_KEYS = ["descr", "fortran_order", "shape"];

const ITEM_SIZE: Readonly<Record<NpyDtype, number>> = { "<f4": 4, "<f8": 8, "<f2": 2, "<i4": 4, "|i1": 1, "|u1": 1 };
const SUPPORTED = "'<f4', '<f8', '<f2', '<i4', '|i1' or '|u1'";

/** Byte size of the header length field for each supported major version. */
const LENGTH_FIELD_SIZE: ReadonlyMap<number, number> = new Map([
  [1, 2],
  [2, 4],
  [3, 4],
]);

/** `shape` as Python writes a tuple: `(2, 256)`, `(256,)`, `()`. */
export function pythonTupleRepr(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

/** Product of the dimensions, or `undefined` when it is not a safe integer. */
function elementCountOf(shape: readonly number[]): number | undefined {
  let count = 1;
  for (const n of shape) {
    count *= n;
    if (!Number.isSafeInteger(count)) return undefined;
  }
  return count;
}

function startsWithMagic(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => i >= bytes.length || bytes[i] === b) && bytes.length > 0;
}

/** The header text: latin1 for versions 1 and 2, UTF-8 for version 3. */
function decodeHeaderText(bytes: Uint8Array, major: number, fileName: string): string {
  if (major < 3) return String.fromCharCode(...bytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(fileName, "the .npy 3.0 header is not valid UTF-8");
  }
}

function parseHeaderDict(text: string, fileName: string): ReadonlyMap<string, PyLiteral> {
  let literal: PyLiteral;
  try {
    literal = parsePyLiteral(text);
  } catch (error) {
    if (error instanceof PyLiteralSyntaxError)
      throw new InputError(fileName, `cannot parse the .npy header: ${error.message}`);
    throw error;
  }
  if (literal.kind !== "dict") throw new InputError(fileName, "the .npy header is not a dictionary");
  const keys = [...literal.entries.keys()].sort();
  if (keys.join() !== EXPECTED_KEYS.join()) {
    throw new InputError(
      fileName,
      `the .npy header has keys [${keys.map((k) => `'${k}'`).join(", ")}], expected 'descr', 'fortran_order', 'shape'`,
    );
  }
  return literal.entries;
}

function dtypeOf(descr: PyLiteral, fileName: string): NpyDtype {
  if (descr.kind !== "str")
    throw new InputError(fileName, `descr is a structured dtype; only ${SUPPORTED} are supported`);
  const value = descr.value;
  if (value in ITEM_SIZE) return value as NpyDtype;
  if (value === ">f4")
    throw new InputError(fileName, "dtype '>f4' is big-endian; only little-endian '<f4' float32 is supported");
  throw new InputError(fileName, `dtype '${value}' is not supported (expected ${SUPPORTED})`);
}

function requireCOrder(fortranOrder: PyLiteral, fileName: string): void {
  if (fortranOrder.kind !== "bool") throw new InputError(fileName, "fortran_order is not True or False");
  if (fortranOrder.value) {
    throw new InputError(
      fileName,
      "fortran_order is True; only C-order arrays are supported (save np.ascontiguousarray(a))",
    );
  }
}

function shapeOf(shape: PyLiteral, fileName: string): number[] {
  if (shape.kind !== "tuple") throw new InputError(fileName, "shape is not a tuple");
  return shape.items.map((item) => {
    if (item.kind !== "int" || item.value < 0n)
      throw new InputError(fileName, "shape has an entry that is not a non-negative integer");
    if (item.value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new InputError(fileName, `shape entry ${item.value} is too large`);
    return Number(item.value);
  });
}

/** Read the header length field: where the header starts and how long it is. */
function headerSpan(
  bytes: Uint8Array,
  fileName: string,
): { major: number; minor: number; start: number; length: number } {
  if (!startsWithMagic(bytes)) throw new InputError(fileName, "not a .npy file (it does not start with \\x93NUMPY)");
  if (bytes.length < MAGIC_LEN)
    throw new InputError(fileName, `truncated .npy header: the file is ${bytes.length} bytes`);
  const major = bytes[MAGIC.length];
  const minor = bytes[MAGIC.length + 1];
  const fieldSize = LENGTH_FIELD_SIZE.get(major);
  if (fieldSize === undefined || minor !== 0) {
    throw new InputError(fileName, `unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  }
  const start = MAGIC_LEN + fieldSize;
  if (bytes.length < start) throw new InputError(fileName, `truncated .npy header: the file is ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = fieldSize === 2 ? view.getUint16(MAGIC_LEN, true) : view.getUint32(MAGIC_LEN, true);
  if (start + length > bytes.length) {
    throw new InputError(
      fileName,
      `the .npy header length ${length} runs past the end of the file (${bytes.length} bytes)`,
    );
  }
  if (length > MAX_HEADER_CHARS)
    throw new InputError(
      fileName,
      `the .npy header is ${length} bytes, more than the ${MAX_HEADER_CHARS} NumPy accepts`,
    );
  return { major, minor, start, length };
}

/**
 * Parse and check the header of a .npy file. `bytes` may be just a prefix of the file as long as it
 * holds the whole header. InputError(fileName, …) for anything unsupported or malformed.
 */
export function parseNpyHeader(bytes: Uint8Array, fileName: string): NpyHeader {
  const { major, minor, start, length } = headerSpan(bytes, fileName);
  const text = decodeHeaderText(bytes.subarray(start, start + length), major, fileName);
  const entries = parseHeaderDict(text, fileName);
  requireCOrder(entries.get("fortran_order")!, fileName);
  const dtype = dtypeOf(entries.get("descr")!, fileName);
  const shape = shapeOf(entries.get("shape")!, fileName);
  const elementCount = elementCountOf(shape);
  if (elementCount === undefined || !Number.isSafeInteger(elementCount * ITEM_SIZE[dtype])) {
    throw new InputError(fileName, `shape ${pythonTupleRepr(shape)} is too large`);
  }
  return { version: [major, minor], dtype, shape, elementCount, dataOffset: start + length };
}

/**
 * Parse a whole .npy file: Uint8Array → { dtype, shape, data }. The data section must hold exactly
 * prod(shape)·itemsize bytes; this is checked before the array is allocated.
 */
export function parseNpy(bytes: Uint8Array, fileName: string): NpyArray {
  const header = parseNpyHeader(bytes, fileName);
  const expected = header.elementCount * ITEM_SIZE[header.dtype];
  const actual = bytes.length - header.dataOffset;
  if (actual !== expected) {
    throw new InputError(
      fileName,
      `shape ${pythonTupleRepr(header.shape)} of '${header.dtype}' needs ${expected} bytes of data, but the file has ${actual}`,
    );
  }
  const data = bytes.subarray(header.dataOffset);
  const shape = header.shape;
  switch (header.dtype) {
    case "<f4":
      return { dtype: "<f4", shape, data: float32FromLittleEndian(data) };
    case "<f8": {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      return {
        dtype: "<f8",
        shape,
        data: Float64Array.from({ length: data.length / 8 }, (_, i) => view.getFloat64(8 * i, true)),
      };
    }
    case "<f2": {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      return {
        dtype: "<f2",
        shape,
        data: Uint16Array.from({ length: data.length / 2 }, (_, i) => view.getUint16(2 * i, true)),
      };
    }
    case "<i4": {
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      return {
        dtype: "<i4",
        shape,
        data: Int32Array.from({ length: data.length / 4 }, (_, i) => view.getInt32(4 * i, true)),
      };
    }
    case "|i1":
      return { dtype: "|i1", shape, data: new Int8Array(data) }; // copies, wrapping 128..255 to -128..-1
    case "|u1":
      return { dtype: "|u1", shape, data: new Uint8Array(data) };
  }
}

/**
 * The version 1.0 header NumPy writes for a C-order array of `dtype` and `shape` (magic through the
 * final newline), byte for byte: the dict with sorted keys, the spare spaces for growing the first
 * axis, then spaces and '\n' so the data starts at a multiple of 64 (a full 64 spaces when already aligned).
 */
export function formatNpyHeader(dtype: NpyDtype, shape: readonly number[]): Uint8Array {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${pythonTupleRepr(shape)}, }`;
  const growth = shape.length > 0 ? Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length) : 0;
  const unpadded = dict.length + growth + 1;
  const padding = ARRAY_ALIGN - ((MAGIC_LEN + 2 + unpadded) % ARRAY_ALIGN);
  const headerLength = unpadded + padding;
  if (headerLength > 0xffff) throw new RangeError(`.npy header of ${headerLength} bytes does not fit format 1.0`);
  const text = dict + " ".repeat(growth + padding) + "\n";
  const out = new Uint8Array(MAGIC_LEN + 2 + headerLength);
  out.set(MAGIC, 0);
  out.set([1, 0, headerLength & 0xff, headerLength >>> 8], MAGIC.length);
  for (let i = 0; i < text.length; i++) out[MAGIC_LEN + 2 + i] = text.charCodeAt(i);
  return out;
}

/** Write the elements, little-endian, into `out` from `offset`. */
function writeData(array: NpyArray, out: Uint8Array, offset: number): void {
  if (array.dtype === "<f4") writeFloat32LittleEndian(array.data, out, offset);
  else if (array.dtype === "<f8") {
    const view = new DataView(out.buffer, out.byteOffset + offset, array.data.length * 8);
    array.data.forEach((v, i) => view.setFloat64(8 * i, v, true));
  } else if (array.dtype === "<f2") {
    const view = new DataView(out.buffer, out.byteOffset + offset, array.data.length * 2);
    array.data.forEach((v, i) => view.setUint16(2 * i, v, true));
  } else if (array.dtype === "<i4") {
    const view = new DataView(out.buffer, out.byteOffset + offset, array.data.length * 4);
    array.data.forEach((v, i) => view.setInt32(4 * i, v, true));
  } else out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), offset);
}

/** Serialize an array as a version 1.0 .npy file, exactly as `numpy.save` writes it. RangeError if data and shape disagree. */
export function serializeNpy(array: NpyArray): Uint8Array {
  const count = elementCountOf(array.shape);
  if (count !== array.data.length || array.shape.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new RangeError(`shape ${pythonTupleRepr(array.shape)} does not hold ${array.data.length} elements`);
  }
  const header = formatNpyHeader(array.dtype, array.shape);
  const out = new Uint8Array(header.length + array.data.length * ITEM_SIZE[array.dtype]);
  out.set(header, 0);
  writeData(array, out, header.length);
  return out;
}
