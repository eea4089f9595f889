/**
 * Numeric GGUF arrays as typed arrays, converted to and from the file's little-endian bytes by
 * copying bits (never through a JavaScript number, which would quiet a signalling NaN), byte-swapped
 * on a big-endian host. Implements spec/gguf.md §2.
 */

import {
  GgufValueType,
  fixedValueSize,
  type GgufArrayElements,
  type GgufArrayOfType,
  type GgufArrayValue,
} from "./value.js";

/** The element types held as typed arrays: every fixed-size type except bool. */
export type GgufNumericElementType = Exclude<
  GgufValueType,
  GgufValueType.BOOL | GgufValueType.STRING | GgufValueType.ARRAY
>;

/** A numeric array value (one variant per element type). */
export type GgufNumericArray = { [E in GgufNumericElementType]: GgufArrayOfType<E> }[GgufNumericElementType];

/** The typed arrays numeric GGUF arrays are held in. */
export type GgufTypedArray = GgufArrayElements[GgufNumericElementType];

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Is `type` an element type held as a typed array? Spec §2. */
export function isNumericElementType(type: GgufValueType): type is GgufNumericElementType {
  return type !== GgufValueType.BOOL && type !== GgufValueType.STRING && type !== GgufValueType.ARRAY;
}

/** Is `array` a numeric array (held as a typed array)? Spec §2. */
export function isNumericArray(array: GgufArrayValue): array is GgufNumericArray {
  return isNumericElementType(array.elementType);
}

/** Reverse the bytes of every `size`-byte element in place. */
function swapElements(bytes: Uint8Array, size: number): void {
  for (let at = 0; at < bytes.length; at += size) bytes.subarray(at, at + size).reverse();
}

/**
 * A fresh, aligned buffer holding exactly `bytes`, in host order. `new Uint8Array(bytes)` copies even
 * when `bytes` is a Node Buffer, whose `slice()` returns a view of the whole underlying file instead.
 */
function hostOrderCopy(bytes: Uint8Array, size: number): ArrayBuffer {
  const copy = new Uint8Array(bytes);
  if (!HOST_IS_LITTLE_ENDIAN) swapElements(copy, size);
  return copy.buffer;
}

/** Build the array value of `elementType` from its elements' file bytes (count · size bytes). Spec §2. */
export function numericArrayFromFileBytes(elementType: GgufNumericElementType, bytes: Uint8Array): GgufArrayValue {
  const buffer = hostOrderCopy(bytes, fixedValueSize(elementType) ?? 1);
  const type = GgufValueType.ARRAY;
  switch (elementType) {
    case GgufValueType.UINT8:
      return { type, elementType, values: new Uint8Array(buffer) };
    case GgufValueType.INT8:
      return { type, elementType, values: new Int8Array(buffer) };
    case GgufValueType.UINT16:
      return { type, elementType, values: new Uint16Array(buffer) };
    case GgufValueType.INT16:
      return { type, elementType, values: new Int16Array(buffer) };
    case GgufValueType.UINT32:
      return { type, elementType, values: new Uint32Array(buffer) };
    case GgufValueType.INT32:
      return { type, elementType, values: new Int32Array(buffer) };
    case GgufValueType.FLOAT32:
      return { type, elementType, values: new Float32Array(buffer) };
    case GgufValueType.FLOAT64:
      return { type, elementType, values: new Float64Array(buffer) };
    case GgufValueType.UINT64:
      return { type, elementType, values: new BigUint64Array(buffer) };
    case GgufValueType.INT64:
      return { type, elementType, values: new BigInt64Array(buffer) };
  }
}

/** The file bytes (little-endian) of a typed array's elements: a view on a little-endian host, a swapped copy otherwise. Spec §6. */
export function fileBytesOfTypedArray(values: GgufTypedArray): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (HOST_IS_LITTLE_ENDIAN) return view;
  const copy = view.slice();
  swapElements(copy, values.BYTES_PER_ELEMENT);
  return copy;
}
