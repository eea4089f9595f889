/**
 * The safetensors writer (browser-safe), for tests and tools: the layout the Rust crate writes —
 * the 8-byte header length, the JSON header padded with spaces to a multiple of 8 bytes, then the
 * tensors' bytes one after another (here in the order given).
 */

import { DTYPE_ITEM_SIZE, type SafetensorsStoredDtype } from "./dtype.js";
import { METADATA_KEY } from "./parse.js";

/** A tensor to write. */
export interface SafetensorsTensorInput {
  readonly name: string;
  readonly dtype: SafetensorsStoredDtype;
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  /** prod(shape) · item size bytes, elements little-endian. */
  readonly data: Uint8Array;
}

/**
 * The bytes of a safetensors file holding `tensors` (in this order) and, when given, `metadata`
 * as `__metadata__`. RangeError when a tensor's data has the wrong length or a name repeats or is
 * reserved (a programming error: the inputs are built by code).
 */
export function serializeSafetensors(
  tensors: readonly SafetensorsTensorInput[],
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries: string[] = [];
  const entry = (key: string, value: unknown) => entries.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  if (metadata !== undefined) entry(METADATA_KEY, Object.fromEntries(Object.entries(metadata)));
  const names = new Set<string>();
  let offset = 0;
  for (const tensor of tensors) {
    if (tensor.name === METADATA_KEY || tensor.name === "" || names.has(tensor.name)) {
      throw new RangeError(`serializeSafetensors: bad or repeated tensor name ${JSON.stringify(tensor.name)}`);
    }
    const bytes = tensor.shape.reduce((n, d) => n * d, 1) * DTYPE_ITEM_SIZE[tensor.dtype];
    if (tensor.data.length !== bytes) {
      throw new RangeError(
        `serializeSafetensors: tensor '${tensor.name}' has ${tensor.data.length} bytes, ${tensor.dtype} [${tensor.shape.join(", ")}] takes ${bytes}`,
      );
    }
    names.add(tensor.name);
    entry(tensor.name, { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + bytes] });
    offset += bytes;
  }
  const json = new TextEncoder().encode(`{${entries.join(",")}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const tensor of tensors) {
    out.set(tensor.data, at);
    at += tensor.data.length;
  }
  return out;
}
