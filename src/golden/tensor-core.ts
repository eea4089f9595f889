/**
 * Tensors of the golden suites and their files (spec/golden.md §2): float32, float64, float16, int32 and
 * uint8 arrays as .npy (numpy.save's bytes), packed ggml rows as raw .bin. Pure: no Node APIs (tensor.ts re-exports
 * this and adds sha256Hex, which uses node:crypto).
 */

import { rowByteSize, ggmlTypeTraits, GgmlType } from "../../reference/codec/index.js";
import { parseNpy, serializeNpy } from "../io/npy.js";
import type { FileDtype } from "./manifest-core.js";

/** The packed formats a .bin holds. */
export type PackedDtype = "tq1_0" | "tq2_0" | "q8_K";

/** A float32 array, C order. */
export interface FloatTensor {
  readonly dtype: "float32";
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** A float64 array, C order: the per-element bounds of an elementwise-bound group (spec/golden.md §6.1). */
export interface BoundTensor {
  readonly dtype: "float64";
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** An fp16 array as its bits, C order (`<f2` .npy): TriRun's scales `s`, activations `x` and outputs `y`. */
export interface HalfTensor {
  readonly dtype: "float16";
  readonly shape: readonly number[];
  readonly data: Uint16Array;
}

/** An int32 array, C order (`<i4` .npy): TriRun's packed words `B`, and validation findings. */
export interface Int32Tensor {
  readonly dtype: "int32";
  readonly shape: readonly number[];
  readonly data: Int32Array;
}

/** A uint8 array, C order (`|u1` .npy): TriRun's logical codes (t + 1). */
export interface ByteTensor {
  readonly dtype: "uint8";
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** Rows of packed ggml blocks: shape [rows, cols] in elements, data rows · rowBytes bytes. */
export interface PackedTensor {
  readonly dtype: PackedDtype;
  readonly shape: readonly [number, number];
  readonly data: Uint8Array;
}

/** Any tensor of a suite. */
export type Tensor = FloatTensor | BoundTensor | HalfTensor | Int32Tensor | ByteTensor | PackedTensor;

/** The ggml type of a packed dtype. */
export function ggmlTypeOf(dtype: PackedDtype): GgmlType {
  switch (dtype) {
    case "tq1_0":
      return GgmlType.TQ1_0;
    case "tq2_0":
      return GgmlType.TQ2_0;
    case "q8_K":
      return GgmlType.Q8_K;
  }
}

/** Bytes of a packed tensor of `shape`: rows · (cols/256) · block bytes. */
export function packedByteLength(dtype: PackedDtype, shape: readonly number[]): number {
  const traits = ggmlTypeTraits(ggmlTypeOf(dtype));
  if (traits === undefined || shape.length !== 2) throw new RangeError(`bad packed shape [${shape.join(", ")}]`);
  return shape[0] * rowByteSize(traits, shape[1]);
}

/** A float32 tensor. */
export function floatTensor(shape: readonly number[], data: Float32Array): FloatTensor {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape [${shape.join(", ")}] does not hold ${data.length} elements`);
  return { dtype: "float32", shape, data };
}

/** A float16, int32 or uint8 tensor (TriRun's files); RangeError when the shape does not hold the data. */
export function arrayTensor<T extends HalfTensor | Int32Tensor | ByteTensor>(
  dtype: T["dtype"],
  shape: readonly number[],
  data: T["data"],
): T {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape [${shape.join(", ")}] does not hold ${data.length} elements`);
  return { dtype, shape, data } as T;
}

/** A packed tensor; RangeError when the byte length does not match the shape. */
export function packedTensor(dtype: PackedDtype, rows: number, cols: number, data: Uint8Array): PackedTensor {
  if (packedByteLength(dtype, [rows, cols]) !== data.length)
    throw new RangeError(
      `${dtype} [${rows}, ${cols}] needs ${packedByteLength(dtype, [rows, cols])} bytes, got ${data.length}`,
    );
  return { dtype, shape: [rows, cols], data };
}

/** The file extension a tensor is stored with. */
export function extensionOf(dtype: FileDtype): ".npy" | ".bin" {
  return dtype === "tq1_0" || dtype === "tq2_0" || dtype === "q8_K" ? ".bin" : ".npy";
}

/** The bytes of a tensor's file. */
export function serializeTensor(tensor: Tensor): Uint8Array {
  if (tensor.dtype === "float32") return serializeNpy({ dtype: "<f4", shape: tensor.shape, data: tensor.data });
  if (tensor.dtype === "float64") return serializeNpy({ dtype: "<f8", shape: tensor.shape, data: tensor.data });
  if (tensor.dtype === "float16") return serializeNpy({ dtype: "<f2", shape: tensor.shape, data: tensor.data });
  if (tensor.dtype === "int32") return serializeNpy({ dtype: "<i4", shape: tensor.shape, data: tensor.data });
  if (tensor.dtype === "uint8") return serializeNpy({ dtype: "|u1", shape: tensor.shape, data: tensor.data });
  return tensor.data;
}

/**
 * Read a tensor from its file bytes as the manifest describes it. Returns the tensor, or a
 * one-line problem when the bytes do not hold that dtype and shape.
 */
export function parseTensor(
  bytes: Uint8Array,
  dtype: FileDtype,
  shape: readonly number[],
  name: string,
): Tensor | string {
  if (dtype === "tq1_0" || dtype === "tq2_0" || dtype === "q8_K") {
    const expected = packedByteLength(dtype, shape);
    if (bytes.length !== expected)
      return `${name}: ${dtype} [${shape.join(", ")}] needs ${expected} bytes, the file has ${bytes.length}`;
    return { dtype, shape: [shape[0], shape[1]], data: bytes };
  }
  let array;
  try {
    array = parseNpy(bytes, name);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  const descr = { float32: "<f4", float64: "<f8", float16: "<f2", int32: "<i4", int8: "|i1", uint8: "|u1" }[dtype];
  if (array.dtype !== descr) return `${name}: dtype ${array.dtype}, the manifest says ${dtype}`;
  if (array.shape.join() !== shape.join() || array.shape.length !== shape.length)
    return `${name}: shape [${array.shape.join(", ")}], the manifest says [${shape.join(", ")}]`;
  switch (array.dtype) {
    case "<f4":
      return { dtype: "float32", shape: array.shape, data: array.data };
    case "<f8":
      return { dtype: "float64", shape: array.shape, data: array.data };
    case "<f2":
      return { dtype: "float16", shape: array.shape, data: array.data };
    case "<i4":
      return { dtype: "int32", shape: array.shape, data: array.data };
    case "|u1":
      return { dtype: "uint8", shape: array.shape, data: array.data };
    case "|i1":
      return `${name}: ${dtype} inputs are not used by any op`;
  }
}
