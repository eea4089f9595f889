/**
 * The GGUF metadata value model: one tagged value per GGUF value type, arrays of numbers held as
 * typed arrays (so a 150 000-entry vocabulary is one allocation, and float bits survive exactly).
 * Implements spec/gguf.md §2.
 */

/** GGUF value type ids (enum gguf_type in ggml's gguf.h), as stored in the file. Spec §2. */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** The scalar types whose values are JavaScript numbers (every integer and float type up to 32 bits, and f64). */
export type GgufNumberType =
  | GgufValueType.UINT8
  | GgufValueType.INT8
  | GgufValueType.UINT16
  | GgufValueType.INT16
  | GgufValueType.UINT32
  | GgufValueType.INT32
  | GgufValueType.FLOAT32
  | GgufValueType.FLOAT64;

/** The 64-bit integer types, whose values are `bigint`. */
export type GgufBigIntType = GgufValueType.UINT64 | GgufValueType.INT64;

/** A scalar held as a JavaScript number; an f32 value is a number exactly representable in float32. */
export interface GgufNumberValue {
  readonly type: GgufNumberType;
  readonly value: number;
}

/** A u64 or i64 scalar. */
export interface GgufBigIntValue {
  readonly type: GgufBigIntType;
  readonly value: bigint;
}

/** A bool scalar (one byte in the file, 0 or 1). */
export interface GgufBoolValue {
  readonly type: GgufValueType.BOOL;
  readonly value: boolean;
}

/** A string scalar (UTF-8 in the file). */
export interface GgufStringValue {
  readonly type: GgufValueType.STRING;
  readonly value: string;
}

/** An array whose elements have GGUF type `E`, held as `V`. */
export interface GgufArrayOf<E extends GgufValueType, V> {
  readonly type: GgufValueType.ARRAY;
  readonly elementType: E;
  readonly values: V;
}

/** How an array holds its elements, by element type: typed arrays for numbers, plain arrays otherwise. Spec §2. */
export interface GgufArrayElements {
  [GgufValueType.UINT8]: Uint8Array;
  [GgufValueType.INT8]: Int8Array;
  [GgufValueType.UINT16]: Uint16Array;
  [GgufValueType.INT16]: Int16Array;
  [GgufValueType.UINT32]: Uint32Array;
  [GgufValueType.INT32]: Int32Array;
  [GgufValueType.FLOAT32]: Float32Array;
  [GgufValueType.FLOAT64]: Float64Array;
  [GgufValueType.UINT64]: BigUint64Array;
  [GgufValueType.INT64]: BigInt64Array;
  [GgufValueType.BOOL]: readonly boolean[];
  [GgufValueType.STRING]: readonly string[];
  [GgufValueType.ARRAY]: readonly GgufArrayValue[];
}

/** The element type of an array value. */
export type GgufElementType = keyof GgufArrayElements;

/** The array variant whose element type is `E`. */
export type GgufArrayOfType<E extends GgufElementType> = GgufArrayOf<E, GgufArrayElements[E]>;

/**
 * A GGUF array. Numeric elements are typed arrays (little-endian file bytes copied bit for bit);
 * an array of arrays holds each inner array with its own element type, as the file does. Spec §2.
 */
export type GgufArrayValue = { [E in GgufElementType]: GgufArrayOfType<E> }[GgufElementType];

/** Any GGUF value. */
export type GgufValue = GgufNumberValue | GgufBigIntValue | GgufBoolValue | GgufStringValue | GgufArrayValue;

/** One metadata entry. The file's metadata is an ordered list of these. */
export interface GgufKeyValue {
  readonly key: string;
  readonly value: GgufValue;
}

/**
 * The one NaN bit pattern an f32 scalar may hold (a quiet NaN, what C's NAN and Python's
 * float("nan") become). A JavaScript number cannot carry a NaN's bits reliably, so the writer
 * always writes this pattern and the reader refuses any other NaN. Spec §2, §5 R7.
 */
export const F32_NAN_BITS = 0x7fc00000;

/** The one NaN bit pattern an f64 scalar may hold (see F32_NAN_BITS). Spec §2. */
export const F64_NAN_BITS = 0x7ff8000000000000n;

/** Byte size of one element of each fixed-size type (gguf.cpp GGUF_TYPE_SIZE); string and array have none. */
const FIXED_SIZE: ReadonlyMap<GgufValueType, number> = new Map([
  [GgufValueType.UINT8, 1],
  [GgufValueType.INT8, 1],
  [GgufValueType.UINT16, 2],
  [GgufValueType.INT16, 2],
  [GgufValueType.UINT32, 4],
  [GgufValueType.INT32, 4],
  [GgufValueType.FLOAT32, 4],
  [GgufValueType.BOOL, 1],
  [GgufValueType.UINT64, 8],
  [GgufValueType.INT64, 8],
  [GgufValueType.FLOAT64, 8],
]);

/** Bytes one element of a fixed-size type takes in the file, or `undefined` for string and array. Spec §2. */
export function fixedValueSize(type: GgufValueType): number | undefined {
  return FIXED_SIZE.get(type);
}

/** The fewest bytes a value of `type` can take: its size, 8 for a string (the length), 12 for an array. Spec §5. */
export function minimumValueSize(type: GgufValueType): number {
  if (type === GgufValueType.STRING) return 8;
  if (type === GgufValueType.ARRAY) return 4 + 8;
  return FIXED_SIZE.get(type) ?? 0;
}

/** Is `id` one of the 13 GGUF value type ids? Spec §2. */
export function isGgufValueType(id: number): id is GgufValueType {
  return Number.isInteger(id) && id >= GgufValueType.UINT8 && id <= GgufValueType.FLOAT64;
}

const TYPE_NAMES: readonly string[] = [
  "u8",
  "i8",
  "u16",
  "i16",
  "u32",
  "i32",
  "f32",
  "bool",
  "str",
  "arr",
  "u64",
  "i64",
  "f64",
];

/** Short name of a value type as ggml prints it (`u32`, `str`, `arr`). Spec §2. */
export function valueTypeName(type: GgufValueType): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

/** A value's type as one word for messages: `u32`, or `arr[str]` for an array. Spec §2. */
export function describeValueType(value: GgufValue): string {
  if (value.type !== GgufValueType.ARRAY) return valueTypeName(value.type);
  return `arr[${valueTypeName(value.elementType)}]`;
}

/** A u32 metadata entry `key = value`. Spec §2. */
export function u32Entry(key: string, value: number): GgufKeyValue {
  return { key, value: { type: GgufValueType.UINT32, value } };
}

/** An f32 metadata entry `key = f32(value)`. Spec §2. */
export function f32Entry(key: string, value: number): GgufKeyValue {
  return { key, value: { type: GgufValueType.FLOAT32, value: Math.fround(value) } };
}

/** A string metadata entry `key = value`. Spec §2. */
export function stringEntry(key: string, value: string): GgufKeyValue {
  return { key, value: { type: GgufValueType.STRING, value } };
}
