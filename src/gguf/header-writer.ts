/**
 * Encodes the GGUF header — magic, version, counts, metadata, tensor infos — in the order given.
 * Used to measure the header (GgufFile's layout) and to write it (serializeGguf).
 * Implements spec/gguf.md §1–§3 and §6.
 */

import { ByteWriter } from "./byte-writer.js";
import { GGUF_MAGIC, GGUF_VERSION } from "./rules.js";
import type { GgufTensorType } from "./tensor-type.js";
import { fileBytesOfTypedArray, isNumericArray } from "./typed-array.js";
import { GgufValueType, type GgufArrayValue, type GgufKeyValue, type GgufValue } from "./value.js";

/** What the header says about one tensor. Spec §3. */
export interface TensorInfoRecord {
  readonly name: string;
  readonly ne: readonly number[];
  readonly type: GgufTensorType;
  /** Offset of the tensor's data from the start of the data section. */
  readonly offset: number;
}

/** Write an array's body: u32 element type, u64 count, then the elements (inner arrays without a type tag of their own). Spec §2. */
function writeArrayBody(w: ByteWriter, array: GgufArrayValue): void {
  w.u32(array.elementType);
  w.u64(BigInt(array.values.length));
  if (isNumericArray(array)) {
    w.bytes(fileBytesOfTypedArray(array.values));
    return;
  }
  switch (array.elementType) {
    case GgufValueType.BOOL:
      for (const b of array.values) w.u8(b ? 1 : 0);
      break;
    case GgufValueType.STRING:
      for (const s of array.values) w.string(s);
      break;
    case GgufValueType.ARRAY:
      for (const inner of array.values) writeArrayBody(w, inner);
      break;
  }
}

/** Write a value's bytes after its u32 type tag. Spec §2. */
function writeValueBody(w: ByteWriter, value: GgufValue): void {
  switch (value.type) {
    case GgufValueType.UINT8:
      w.u8(value.value);
      break;
    case GgufValueType.INT8:
      w.i8(value.value);
      break;
    case GgufValueType.UINT16:
      w.u16(value.value);
      break;
    case GgufValueType.INT16:
      w.i16(value.value);
      break;
    case GgufValueType.UINT32:
      w.u32(value.value);
      break;
    case GgufValueType.INT32:
      w.i32(value.value);
      break;
    case GgufValueType.FLOAT32:
      w.f32(value.value);
      break;
    case GgufValueType.FLOAT64:
      w.f64(value.value);
      break;
    case GgufValueType.BOOL:
      w.u8(value.value ? 1 : 0);
      break;
    case GgufValueType.STRING:
      w.string(value.value);
      break;
    case GgufValueType.UINT64:
      w.u64(value.value);
      break;
    case GgufValueType.INT64:
      w.i64(value.value);
      break;
    case GgufValueType.ARRAY:
      writeArrayBody(w, value);
      break;
  }
}

/** Write one key/value pair: key string, u32 value type, value. Spec §1. */
function writeKeyValue(w: ByteWriter, kv: GgufKeyValue): void {
  w.string(kv.key);
  w.u32(kv.value.type);
  writeValueBody(w, kv.value);
}

/** Write one tensor info: name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset. Spec §3. */
function writeTensorInfo(w: ByteWriter, tensor: TensorInfoRecord): void {
  w.string(tensor.name);
  w.u32(tensor.ne.length);
  for (const n of tensor.ne) w.u64(BigInt(n));
  w.u32(tensor.type);
  w.u64(BigInt(tensor.offset));
}

/** Write the header (without the padding that follows it). Spec §1, §6. */
export function writeHeader(
  w: ByteWriter,
  metadata: readonly GgufKeyValue[],
  tensors: readonly TensorInfoRecord[],
): void {
  for (const c of GGUF_MAGIC) w.u8(c.charCodeAt(0));
  w.u32(GGUF_VERSION);
  w.u64(BigInt(tensors.length));
  w.u64(BigInt(metadata.length));
  for (const kv of metadata) writeKeyValue(w, kv);
  for (const tensor of tensors) writeTensorInfo(w, tensor);
}

/** Bytes the header takes (before padding). Spec §4. */
export function headerByteLength(metadata: readonly GgufKeyValue[], tensors: readonly TensorInfoRecord[]): number {
  const counter = new ByteWriter();
  writeHeader(counter, metadata, tensors);
  return counter.offset;
}
