/**
 * The strict safetensors reader (browser-safe: no Node APIs). A file is
 *
 *   8 bytes   N, a little-endian u64: the header's length in bytes
 *   N bytes   the header: a UTF-8 JSON object, starting with `{` (trailing spaces allowed), mapping
 *             each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} and the optional
 *             key "__metadata__" to a string → string map
 *   the rest  the data section; a tensor's bytes are data[begin, end), its elements little-endian,
 *             row-major
 *
 * and is accepted only when every rule the Rust `safetensors` crate checks holds (N ≤ 100 000 000
 * and inside the file; valid UTF-8 and JSON; end − begin = prod(shape) · item size; the tensors,
 * sorted by offset, cover the data section exactly, without overlaps or gaps), plus the oracle's
 * own: dtypes F32, F16 or BF16 only, no unknown fields, non-empty names. Every problem is an
 * InputError(fileName, one line).
 */

import { InputError } from "../errors.js";
import { MAX_JSON_DEPTH, jsonDeeperThan } from "../io/json-depth.js";
import {
  DTYPE_ITEM_SIZE,
  isOtherSafetensorsDtype,
  isSafetensorsDtype,
  type SafetensorsDtype,
  type SafetensorsStoredDtype,
} from "./dtype.js";

/** Largest header the format allows (the Rust crate's MAX_HEADER_SIZE). */
export const MAX_HEADER_LENGTH = 100_000_000;

/** The key of the free-form string → string map in the header. */
export const METADATA_KEY = "__metadata__";

/** One tensor of a parsed file (dtype D: the float dtypes, or with I32 when parsed with `int32`). */
export interface SafetensorsTensor<D extends SafetensorsStoredDtype = SafetensorsDtype> {
  /** Its key in the header (non-empty). */
  readonly name: string;
  readonly dtype: D;
  /** Dimensions, outermost first (a Hugging Face weight is [out, in]); [] for a scalar. */
  readonly shape: readonly number[];
  /** [begin, end) of its bytes, relative to the start of the data section. */
  readonly dataOffsets: readonly [number, number];
  /** Its bytes: a view into the file's buffer, end − begin of them. */
  readonly data: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile<D extends SafetensorsStoredDtype = SafetensorsDtype> {
  /** The name errors about this file use (its path, as the user gave it). */
  readonly name: string;
  /** N: the header's length in bytes (the data section starts at 8 + N). */
  readonly headerLength: number;
  /** The `__metadata__` map (empty when absent), in header order. */
  readonly metadata: ReadonlyMap<string, string>;
  /** The tensors by name, in header order. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensor<D>>;
}

const TENSOR_FIELDS = ["dtype", "shape", "data_offsets"] as const;

/** A plain JSON object (not an array, not null)? */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value's kind for messages: `a string`, `an array`, `null`, … */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Is `value` a non-negative safe integer? */
function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** N from the first 8 bytes, with the three length rules. */
function readHeaderLength(bytes: Uint8Array, fileName: string): number {
  if (bytes.length < 8) {
    throw new InputError(
      fileName,
      `file is ${bytes.length} bytes, too short to hold the 8-byte header length of a safetensors file`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InputError(fileName, `header length ${n} is beyond 2^53 − 1; not a safetensors file`);
  }
  const length = Number(n);
  if (length > MAX_HEADER_LENGTH) {
    throw new InputError(
      fileName,
      `header length ${length} is more than the ${MAX_HEADER_LENGTH} bytes safetensors allows`,
    );
  }
  if (length > bytes.length - 8) {
    throw new InputError(
      fileName,
      `header length ${length} does not fit: only ${bytes.length - 8} bytes follow the length`,
    );
  }
  return length;
}

/** The header as a JSON object: valid UTF-8, starts with `{`, valid JSON. */
function readHeaderJson(bytes: Uint8Array, headerLength: number, fileName: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new InputError(fileName, "header is not valid UTF-8");
  }
  if (!text.startsWith("{")) throw new InputError(fileName, "header does not start with '{'; not a safetensors file");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(fileName, `header is not valid JSON (${reason})`);
  }
  if (!isObject(json)) throw new InputError(fileName, `header is ${kindOf(json)}, not a JSON object`);
  if (jsonDeeperThan(json))
    throw new InputError(fileName, `header nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  return json;
}

/** The `__metadata__` map: an object whose values are all strings. */
function readMetadata(value: unknown, fileName: string): Map<string, string> {
  if (!isObject(value)) throw new InputError(fileName, `${METADATA_KEY} is ${kindOf(value)}, not an object of strings`);
  const metadata = new Map<string, string>();
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") {
      throw new InputError(fileName, `${METADATA_KEY} key ${JSON.stringify(key)} has ${kindOf(entry)}, not a string`);
    }
    metadata.set(key, entry);
  }
  return metadata;
}

/** prod(shape), or undefined when it is not a safe integer. */
function elementCount(shape: readonly number[]): number | undefined {
  let count = 1;
  for (const n of shape) {
    count *= n;
    if (!Number.isSafeInteger(count)) return undefined;
  }
  return count;
}

/** One header entry as a tensor (everything but its place among the others is checked). */
function readTensorInfo(
  name: string,
  entry: unknown,
  bytes: Uint8Array,
  dataStart: number,
  fileName: string,
  options: SafetensorsParseOptions | undefined,
): SafetensorsTensor<SafetensorsStoredDtype> {
  if (name === "") throw new InputError(fileName, "a tensor name is empty");
  const at = `tensor '${name}'`;
  if (!isObject(entry))
    throw new InputError(
      fileName,
      `${at}: entry is ${kindOf(entry)}, not an object with dtype, shape and data_offsets`,
    );
  const unknown = Object.keys(entry).find((key) => !(TENSOR_FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) throw new InputError(fileName, `${at}: unknown field '${unknown}'`);
  const missing = TENSOR_FIELDS.find((key) => !Object.hasOwn(entry, key));
  if (missing !== undefined) throw new InputError(fileName, `${at}: missing field '${missing}'`);
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== "string") throw new InputError(fileName, `${at}: dtype is ${kindOf(dtype)}, not a string`);
  const extra = (options?.int32 === true && dtype === "I32") || (options?.uint8 === true && dtype === "U8");
  if (!isSafetensorsDtype(dtype) && !extra) {
    if (isOtherSafetensorsDtype(dtype)) {
      throw new InputError(
        fileName,
        `${at} has dtype ${dtype}, which the oracle does not read (only F32, F16 and BF16)`,
      );
    }
    throw new InputError(fileName, `${at} has unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw new InputError(fileName, `${at}: shape ${JSON.stringify(shape)} is not an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw new InputError(
      fileName,
      `${at}: data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 ≤ begin ≤ end`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const count = elementCount(shape);
  const needed = count === undefined ? undefined : count * DTYPE_ITEM_SIZE[dtype];
  if (needed === undefined || !Number.isSafeInteger(needed)) {
    throw new InputError(fileName, `${at}: shape [${shape.join(", ")}] has more elements than a safe integer counts`);
  }
  if (end - begin !== needed) {
    throw new InputError(
      fileName,
      `${at}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} [${shape.join(", ")}] takes ${needed}`,
    );
  }
  const dataLength = bytes.length - dataStart;
  if (end > dataLength) {
    throw new InputError(
      fileName,
      `${at}: data_offsets [${begin}, ${end}] end beyond the data section, which has ${dataLength} bytes`,
    );
  }
  const data = bytes.subarray(dataStart + begin, dataStart + end);
  return { name, dtype, shape: [...shape], dataOffsets: [begin, end], data };
}

/** The tensors, sorted by offset, must cover the data section exactly: no overlap, no gap, nothing after. */
function checkCoverage(
  tensors: readonly SafetensorsTensor<SafetensorsStoredDtype>[],
  dataLength: number,
  fileName: string,
): void {
  const sorted = [...tensors].sort(
    (a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1],
  );
  let end = 0;
  let previous: SafetensorsTensor<SafetensorsStoredDtype> | undefined;
  for (const tensor of sorted) {
    const [begin, stop] = tensor.dataOffsets;
    if (previous !== undefined && begin < end) {
      throw new InputError(
        fileName,
        `tensors '${previous.name}' [${previous.dataOffsets.join(", ")}] and '${tensor.name}' [${begin}, ${stop}] overlap`,
      );
    }
    if (begin > end) {
      const after = previous === undefined ? "the start of the data section" : `'${previous.name}'`;
      throw new InputError(
        fileName,
        `bytes [${end}, ${begin}) of the data section belong to no tensor (a gap between ${after} and '${tensor.name}')`,
      );
    }
    end = stop;
    previous = tensor;
  }
  if (end !== dataLength) {
    throw new InputError(fileName, `the data section has ${dataLength} bytes, but its tensors end at byte ${end}`);
  }
}

/** What parseSafetensors reads beyond the float dtypes. */
export interface SafetensorsParseOptions {
  /** Also read I32 tensors (TriRun's packed weights). */
  readonly int32?: true;
  /** Also read U8 tensors (Hugging Face BitNet packed weights). */
  readonly uint8?: true;
}

/**
 * Parse a whole safetensors file strictly (see the module comment). The tensors' data are views
 * into `bytes`. Throws InputError(fileName, one line) at the first problem.
 */
export function parseSafetensors(bytes: Uint8Array, fileName: string): SafetensorsFile;
export function parseSafetensors(
  bytes: Uint8Array,
  fileName: string,
  options: SafetensorsParseOptions,
): SafetensorsFile<SafetensorsStoredDtype>;
export function parseSafetensors(
  bytes: Uint8Array,
  fileName: string,
  options?: SafetensorsParseOptions,
): SafetensorsFile<SafetensorsStoredDtype> {
  const headerLength = readHeaderLength(bytes, fileName);
  const header = readHeaderJson(bytes, headerLength, fileName);
  const dataStart = 8 + headerLength;
  let metadata = new Map<string, string>();
  const tensors = new Map<string, SafetensorsTensor<SafetensorsStoredDtype>>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = readMetadata(entry, fileName);
    else tensors.set(name, readTensorInfo(name, entry, bytes, dataStart, fileName, options));
  }
  checkCoverage([...tensors.values()], bytes.length - dataStart, fileName);
  return { name: fileName, headerLength, metadata, tensors };
}
