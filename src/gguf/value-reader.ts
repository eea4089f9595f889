/**
 * Reads GGUF metadata values strictly: known type ids only, bools that are 0 or 1, NaNs only in
 * the one bit pattern the writer reproduces, arrays whose claimed size fits in the bytes that are left
 * (checked before anything is allocated) and that nest at most MAX_ARRAY_NESTING deep.
 * Implements spec/gguf.md §2 and §5 (rules R3, R4, R6, R7).
 */

import type { ByteReader } from "./byte-reader.js";
import { MAX_ARRAY_ELEMENTS, MAX_ARRAY_NESTING, MAX_STRING_LENGTH } from "./rules.js";
import { isNumericElementType, numericArrayFromFileBytes } from "./typed-array.js";
import {
  F32_NAN_BITS,
  F64_NAN_BITS,
  GgufValueType,
  fixedValueSize,
  isGgufValueType,
  minimumValueSize,
  type GgufArrayValue,
  type GgufValue,
} from "./value.js";

const scratch = new DataView(new ArrayBuffer(8));

/** Read a u32 value type id and check it is one of the 13 GGUF types. Spec §5 R6. */
export function readValueType(r: ByteReader, what: string): GgufValueType {
  const at = r.offset;
  const id = r.u32(what);
  if (!isGgufValueType(id)) r.fail(`${what} at offset ${at} is ${id}, not a GGUF value type (0 to 12)`);
  return id;
}

/** Read an f32; a NaN must have the bits F32_NAN_BITS, the one NaN the writer can reproduce. Spec §5 R7. */
function readFloat32(r: ByteReader, what: string): number {
  const at = r.offset;
  const bits = r.u32(what);
  const isNaN = (bits & 0x7f800000) === 0x7f800000 && (bits & 0x007fffff) !== 0;
  if (isNaN && bits !== F32_NAN_BITS) {
    r.fail(
      `${what} at offset ${at} is a NaN with bits 0x${bits.toString(16)}; the oracle keeps only the NaN 0x${F32_NAN_BITS.toString(16)} in f32 metadata`,
    );
  }
  scratch.setUint32(0, bits, true);
  return scratch.getFloat32(0, true);
}

/** Read an f64; a NaN must have the bits F64_NAN_BITS. Spec §5 R7. */
function readFloat64(r: ByteReader, what: string): number {
  const at = r.offset;
  const bits = r.u64(what);
  const exponent = 0x7ff0000000000000n;
  const isNaN = (bits & exponent) === exponent && (bits & 0x000fffffffffffffn) !== 0n;
  if (isNaN && bits !== F64_NAN_BITS) {
    r.fail(
      `${what} at offset ${at} is a NaN with bits 0x${bits.toString(16)}; the oracle keeps only the NaN 0x${F64_NAN_BITS.toString(16)} in f64 metadata`,
    );
  }
  scratch.setBigUint64(0, bits, true);
  return scratch.getFloat64(0, true);
}

/** Read a bool: one byte, 0 or 1 (ggml reads any non-zero byte as true, but would write it back as 1). Spec §5 R7. */
function readBool(r: ByteReader, what: string): boolean {
  const at = r.offset;
  const byte = r.u8(what);
  if (byte > 1) r.fail(`${what} at offset ${at} is a bool byte ${byte}, neither 0 nor 1`);
  return byte === 1;
}

/** Read an array's body (element type, count, elements); `depth` counts the arrays it is inside. Spec §2, §5 R3, R6. */
function readArrayBody(r: ByteReader, what: string, depth: number): GgufArrayValue {
  const elementType = readValueType(r, `element type of ${what}`);
  if (elementType === GgufValueType.ARRAY && depth + 1 > MAX_ARRAY_NESTING) {
    r.fail(`${what} at offset ${r.offset - 4} nests arrays more than ${MAX_ARRAY_NESTING} deep`);
  }
  const count = r.count(`element count of ${what}`, minimumValueSize(elementType), MAX_ARRAY_ELEMENTS);
  const type = GgufValueType.ARRAY;
  if (isNumericElementType(elementType)) {
    const bytes = r.take(count * (fixedValueSize(elementType) ?? 1), `elements of ${what}`);
    return numericArrayFromFileBytes(elementType, bytes);
  }
  switch (elementType) {
    case GgufValueType.BOOL:
      return { type, elementType, values: Array.from({ length: count }, (_, i) => readBool(r, `${what}[${i}]`)) };
    case GgufValueType.STRING:
      return {
        type,
        elementType,
        values: Array.from({ length: count }, (_, i) => r.string(`${what}[${i}]`, MAX_STRING_LENGTH)),
      };
    case GgufValueType.ARRAY:
      return {
        type,
        elementType,
        values: Array.from({ length: count }, (_, i) => readArrayBody(r, `${what}[${i}]`, depth + 1)),
      };
  }
}

/** Read the value of a key whose type tag `type` has just been read. Spec §2. */
export function readValue(r: ByteReader, type: GgufValueType, what: string): GgufValue {
  switch (type) {
    case GgufValueType.UINT8:
      return { type, value: r.u8(what) };
    case GgufValueType.INT8:
      return { type, value: r.i8(what) };
    case GgufValueType.UINT16:
      return { type, value: r.u16(what) };
    case GgufValueType.INT16:
      return { type, value: r.i16(what) };
    case GgufValueType.UINT32:
      return { type, value: r.u32(what) };
    case GgufValueType.INT32:
      return { type, value: r.i32(what) };
    case GgufValueType.FLOAT32:
      return { type, value: readFloat32(r, what) };
    case GgufValueType.FLOAT64:
      return { type, value: readFloat64(r, what) };
    case GgufValueType.BOOL:
      return { type, value: readBool(r, what) };
    case GgufValueType.STRING:
      return { type, value: r.string(what, MAX_STRING_LENGTH) };
    case GgufValueType.UINT64:
      return { type, value: r.u64(what) };
    case GgufValueType.INT64:
      return { type, value: r.i64(what) };
    case GgufValueType.ARRAY:
      return readArrayBody(r, what, 0);
  }
}
