/**
 * A tensor's data as float32 numbers, decoded by the reference codec. A tensor's bytes are its
 * rows one after another and a row is whole blocks, so the whole tensor decodes as one long row.
 * Implements spec/gguf.md §3.
 */

import { dequantizeRow } from "../../reference/codec/index.js";
import type { GgufTensor } from "./gguf-file.js";
import { isGgmlType, tensorTypeName } from "./tensor-type.js";

/** Number of elements of a shape: the product of `ne`. Spec §3. */
export function elementCount(ne: readonly number[]): number {
  return ne.reduce((product, n) => product * n, 1);
}

/**
 * Decode a tensor to float32, element (i0, i1, i2, i3) at index i0 + ne[0]·(i1 + ne[1]·(i2 + ne[2]·i3)),
 * bit-exact with ggml's to_float for the type. A bitnet.cpp type (I2_S, TL1, TL2) is not a ggml row
 * format: RangeError (check the type first, e.g. with requireGgmlType). Spec §3.
 */
export function tensorToFloat32(tensor: GgufTensor): Float32Array {
  if (!isGgmlType(tensor.type)) {
    throw new RangeError(
      `tensor '${tensor.name}' has bitnet.cpp type ${tensorTypeName(tensor.type)}, not a ggml row format`,
    );
  }
  return dequantizeRow(tensor.type, tensor.data, elementCount(tensor.ne));
}
