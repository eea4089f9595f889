/**
 * A GGUF tensor's type: a ggml type (GgmlType, ids as mainline ggml numbers them) or one of
 * bitnet.cpp's own (BitnetCppType, ids 36–39, which mainline uses for other types). Which one an id in a
 * file means is the file's dialect (./dialect.ts); once read, the id is unambiguous, because the oracle
 * implements none of mainline's types at those ids. Implements spec/gguf.md §10 and spec/bitnet.md §1.
 */

import {
  BitnetCppType,
  bitnetCppTensorBytes,
  bitnetCppType,
  bitnetCppTypeName,
  ggmlTypeTraits,
  type GgmlType,
} from "../../reference/codec/index.js";
import { InputError } from "../errors.js";
import { rowLengthProblem, tensorByteSize, unknownTensorTypeProblem } from "./rules.js";

/** A tensor type the oracle reads and writes: ggml's, or bitnet.cpp's own. Spec: spec/gguf.md §10. */
export type GgufTensorType = GgmlType | BitnetCppType;

/** Is `type` one of bitnet.cpp's own types (I2_S, I8_S, TL1, TL2)? Spec: spec/bitnet.md §1. */
export function isBitnetCppType(type: GgufTensorType): type is BitnetCppType {
  return ggmlTypeTraits(type) === undefined && bitnetCppType(type) !== undefined;
}

/** Is `type` a ggml type the codec decodes (not one of bitnet.cpp's)? Spec: spec/gguf.md §10. */
export function isGgmlType(type: GgufTensorType): type is GgmlType {
  return ggmlTypeTraits(type) !== undefined;
}

/** Lower-case name: ggml's (`tq2_0`, `f32`) or bitnet.cpp's (`i2_s`, `tl2`); `type N` for an id it is neither. */
export function tensorTypeName(type: number): string {
  const traits = ggmlTypeTraits(type);
  if (traits !== undefined) return traits.name;
  const bitnet = bitnetCppType(type);
  return bitnet === undefined ? `type ${type}` : bitnetCppTypeName(bitnet);
}

/**
 * What is wrong with a tensor of `type` and shape `ne`, if anything, or its byte size: ggml types need whole
 * blocks per row (R12); bitnet.cpp's are sized by its ggml_nbytes, and I8_S (an activation type) is never
 * stored. Spec: spec/gguf.md §5 R12, §10.
 */
export function tensorTypeSize(type: GgufTensorType, ne: readonly number[]): { problem: string } | { bytes: bigint } {
  const traits = ggmlTypeTraits(type);
  if (traits !== undefined) {
    const problem = rowLengthProblem(traits, ne[0]);
    return problem === undefined ? { bytes: tensorByteSize(traits, ne) } : { problem };
  }
  const bitnet = bitnetCppType(type);
  if (bitnet === undefined) return { problem: unknownTensorTypeProblem(type) };
  if (bitnet === BitnetCppType.I8_S) {
    return { problem: "has bitnet.cpp type I8_S (id 37), its activation type, which no converter stores in a file" };
  }
  const bytes = bitnetCppTensorBytes(bitnet, ne);
  if (bytes === undefined) {
    return {
      problem: `has shape [${ne.join(", ")}], for which bitnet.cpp's ggml_nbytes gives no size as ${tensorTypeName(type)}`,
    };
  }
  return { bytes };
}

/** `T` (a tensor) with a ggml type, not a bitnet.cpp one. */
export type WithGgmlType<T> = T & { readonly type: GgmlType };

/**
 * `tensor`, when its type is a ggml type; an InputError naming the file, the tensor and its bitnet.cpp type when
 * not (`reader` names what reads only ggml types: "llama-quantize", "a TriRun conversion"). Spec: spec/gguf.md §10.
 */
export function requireGgmlType<T extends { readonly name: string; readonly type: GgufTensorType }>(
  fileName: string,
  tensor: T,
  reader: string,
): WithGgmlType<T> {
  if (isGgmlType(tensor.type)) return tensor as WithGgmlType<T>;
  throw new InputError(
    fileName,
    `tensor '${tensor.name}' has bitnet.cpp type ${tensorTypeName(tensor.type)} (id ${tensor.type}); ${reader} reads ggml types only`,
  );
}
