/**
 * Which metadata a GGUF file can hold exactly: integers in their type's range, f32 values that are
 * float32 numbers, well-formed strings, arrays within ggml's limits. GgufFile checks every value
 * with these rules so that serializing can neither fail nor change a value.
 * Implements spec/gguf.md §2 and §6.
 */

import { MAX_ARRAY_ELEMENTS, MAX_ARRAY_NESTING, MAX_STRING_LENGTH } from "./rules.js";
import { isNumericArray } from "./typed-array.js";
import {
  GgufValueType,
  fixedValueSize,
  isGgufValueType,
  valueTypeName,
  type GgufArrayValue,
  type GgufNumberType,
  type GgufValue,
} from "./value.js";

const INTEGER_RANGE: ReadonlyMap<GgufValueType, readonly [number, number]> = new Map([
  [GgufValueType.UINT8, [0, 0xff]],
  [GgufValueType.INT8, [-0x80, 0x7f]],
  [GgufValueType.UINT16, [0, 0xffff]],
  [GgufValueType.INT16, [-0x8000, 0x7fff]],
  [GgufValueType.UINT32, [0, 0xffffffff]],
  [GgufValueType.INT32, [-0x80000000, 0x7fffffff]],
]);

const BIGINT_RANGE: ReadonlyMap<GgufValueType, readonly [bigint, bigint]> = new Map([
  [GgufValueType.UINT64, [0n, 2n ** 64n - 1n]],
  [GgufValueType.INT64, [-(2n ** 63n), 2n ** 63n - 1n]],
]);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UTF8 = new TextEncoder();

function numberProblem(type: GgufNumberType, value: number): string | undefined {
  if (typeof value !== "number") return `${valueTypeName(type)} value is not a number`;
  const range = INTEGER_RANGE.get(type);
  if (range !== undefined && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
    return `${valueTypeName(type)} value ${value} is not an integer in [${range[0]}, ${range[1]}]`;
  }
  if (type === GgufValueType.FLOAT32 && !Number.isNaN(value) && Math.fround(value) !== value) {
    return `f32 value ${value} is not exactly a float32 (use Math.fround)`;
  }
  return undefined;
}

function bigintProblem(type: GgufValueType.UINT64 | GgufValueType.INT64, value: bigint): string | undefined {
  const [min, max] = BIGINT_RANGE.get(type) ?? [0n, 0n];
  if (typeof value !== "bigint" || value < min || value > max) {
    return `${valueTypeName(type)} value ${String(value)} is not a bigint in [${min}, ${max}]`;
  }
  return undefined;
}

/** What is wrong with a string value, if anything: lone surrogates cannot be UTF-8, and ggml caps the length. Spec §2. */
export function stringProblem(value: string): string | undefined {
  if (typeof value !== "string") return "string value is not a string";
  if (LONE_SURROGATE.test(value)) return "string has a lone UTF-16 surrogate, which has no UTF-8 encoding";
  if (value.length > MAX_STRING_LENGTH / 3 && UTF8.encode(value).length > MAX_STRING_LENGTH) {
    return `string is longer than ggml's limit of ${MAX_STRING_LENGTH} bytes`;
  }
  return undefined;
}

function firstProblem<T>(items: Iterable<T>, problemOf: (item: T) => string | undefined): string | undefined {
  let index = 0;
  for (const item of items) {
    const problem = problemOf(item);
    if (problem !== undefined) return `element ${index}: ${problem}`;
    index++;
  }
  return undefined;
}

function arrayProblem(array: GgufArrayValue, depth: number): string | undefined {
  const { elementType, values } = array;
  if (!isGgufValueType(elementType)) return `array element type ${String(elementType)} is not a GGUF value type`;
  if (values.length > MAX_ARRAY_ELEMENTS)
    return `array has ${values.length} elements, more than ggml's limit of ${MAX_ARRAY_ELEMENTS}`;
  if (isNumericArray(array)) {
    if (!ArrayBuffer.isView(array.values) || array.values.BYTES_PER_ELEMENT !== fixedValueSize(elementType)) {
      return `arr[${valueTypeName(elementType)}] values are not a typed array of ${fixedValueSize(elementType)}-byte elements`;
    }
    return undefined;
  }
  switch (array.elementType) {
    case GgufValueType.BOOL:
      return firstProblem(array.values, (b) => (typeof b === "boolean" ? undefined : "bool value is not a boolean"));
    case GgufValueType.STRING:
      return firstProblem(array.values, stringProblem);
    case GgufValueType.ARRAY:
      if (depth + 1 > MAX_ARRAY_NESTING) return `arrays are nested more than ${MAX_ARRAY_NESTING} deep`;
      return firstProblem(array.values, (inner) => arrayProblem(inner, depth + 1));
  }
  return undefined;
}

/** What is wrong with a metadata value, if anything (see the module comment). Spec §2, §6. */
export function valueProblem(value: GgufValue): string | undefined {
  switch (value.type) {
    case GgufValueType.BOOL:
      return typeof value.value === "boolean" ? undefined : "bool value is not a boolean";
    case GgufValueType.STRING:
      return stringProblem(value.value);
    case GgufValueType.ARRAY:
      return arrayProblem(value, 0);
    case GgufValueType.UINT64:
    case GgufValueType.INT64:
      return bigintProblem(value.type, value.value);
    default:
      if (!isGgufValueType(value.type)) return `value type ${String(value.type)} is not a GGUF value type`;
      return numberProblem(value.type, value.value);
  }
}
