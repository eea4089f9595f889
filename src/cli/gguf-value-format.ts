/**
 * GGUF metadata values as `trilm inspect` shows them: one line of text (long arrays and strings
 * summarized), or JSON (complete; 64-bit integers and non-finite floats as strings).
 */

import { formatF32 } from "../explain/numbers.js";
import { GgufValueType, type GgufArrayValue, type GgufValue } from "../gguf/index.js";

/** A JSON value. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One element of a GGUF array, or a scalar's value. */
type GgufElement = number | bigint | boolean | string | GgufArrayValue;

/** Array elements shown in text before the rest is summarized. */
const SHOWN_ELEMENTS = 5;
/** Characters of a string shown in text before the rest is summarized. */
const SHOWN_CHARACTERS = 60;

function isArrayValue(element: GgufElement): element is GgufArrayValue {
  return typeof element === "object";
}

/** A number of GGUF type `type` as text: f32 in its shortest round-tripping form. */
function numberText(type: GgufValueType, x: number): string {
  return type === GgufValueType.FLOAT32 ? formatF32(x) : String(x);
}

/** A string quoted as JSON (so newlines stay on one line), cut after SHOWN_CHARACTERS characters. */
function stringText(text: string): string {
  const characters = [...text];
  if (characters.length <= SHOWN_CHARACTERS) return JSON.stringify(text);
  return `${JSON.stringify(characters.slice(0, SHOWN_CHARACTERS).join(""))}… (${characters.length} characters)`;
}

function elementText(type: GgufValueType, element: GgufElement): string {
  if (isArrayValue(element)) return arrayText(element);
  if (typeof element === "number") return numberText(type, element);
  if (typeof element === "string") return stringText(element);
  return String(element);
}

/** `[count] first, second, …`: at most SHOWN_ELEMENTS elements. */
function arrayText(array: GgufArrayValue): string {
  const values: ArrayLike<GgufElement> = array.values;
  const shown = Array.from({ length: Math.min(values.length, SHOWN_ELEMENTS) }, (_, i) =>
    elementText(array.elementType, values[i]),
  );
  const more = values.length > SHOWN_ELEMENTS ? ", …" : "";
  return `[${values.length}] ${shown.join(", ")}${more}`.trimEnd();
}

/** A metadata value on one line: scalars in full (strings cut when long), arrays as their count and first few elements. */
export function valueText(value: GgufValue): string {
  if (value.type === GgufValueType.ARRAY) return arrayText(value);
  return elementText(value.type, value.value);
}

/** A number as JSON: f32 in its shortest form; NaN and infinities as strings. */
function numberJson(type: GgufValueType, x: number): JsonValue {
  if (!Number.isFinite(x)) return String(x);
  return type === GgufValueType.FLOAT32 ? Number(formatF32(x)) : x;
}

function elementJson(type: GgufValueType, element: GgufElement): JsonValue {
  if (isArrayValue(element)) return arrayJson(element);
  if (typeof element === "number") return numberJson(type, element);
  if (typeof element === "bigint") return element.toString();
  return element;
}

function arrayJson(array: GgufArrayValue): JsonValue[] {
  const values: ArrayLike<GgufElement> = array.values;
  return Array.from({ length: values.length }, (_, i) => elementJson(array.elementType, values[i]));
}

/** A metadata value as JSON, complete: arrays in full, u64/i64 as decimal strings. */
export function valueJson(value: GgufValue): JsonValue {
  if (value.type === GgufValueType.ARRAY) return arrayJson(value);
  return elementJson(value.type, value.value);
}
