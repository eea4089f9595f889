/**
 * The constants and validity rules of a GGUF v3 file that both the reader and the in-memory model
 * enforce, each returning what is wrong (one line, no location) or `undefined`. The reader adds the
 * offset; GgufFile adds nothing but the file name. Implements spec/gguf.md §3–§5.
 */

import { GgmlType, ggmlTypeTraits, type GgmlTypeTraits } from "../../reference/codec/index.js";
import { GgufValueType, describeValueType, type GgufKeyValue, type GgufValue } from "./value.js";

/** The four magic bytes every GGUF file starts with: "GGUF". Spec §1. */
export const GGUF_MAGIC = "GGUF";

/** The only GGUF version the oracle reads and writes. Spec §1, §5 R2. */
export const GGUF_VERSION = 3;

/** The metadata key that sets the alignment (u32, a power of two). Spec §4. */
export const ALIGNMENT_KEY = "general.alignment";

/** Alignment of the data section and of each tensor when `general.alignment` is absent. Spec §4. */
export const DEFAULT_ALIGNMENT = 32;

/** Longest tensor name in UTF-8 bytes: ggml keeps names in `char name[GGML_MAX_NAME = 64]` with a NUL. Spec §5. */
export const MAX_TENSOR_NAME_BYTES = 63;

/** Most dimensions a tensor may have (GGML_MAX_DIMS). Spec §3. */
export const MAX_DIMS = 4;

/** ggml's cap on a string's byte length (GGUF_MAX_STRING_LENGTH, 1 GiB). Spec §5 R3. */
export const MAX_STRING_LENGTH = 1024 * 1024 * 1024;

/** ggml's cap on an array's element count (GGUF_MAX_ARRAY_ELEMENTS). Spec §5 R3. */
export const MAX_ARRAY_ELEMENTS = 1024 * 1024 * 1024;

/** Deepest nesting of arrays in arrays the oracle accepts (ggml accepts none; gguf-py any). Spec §5 R6. */
export const MAX_ARRAY_NESTING = 32;

/** Is `n` a power of two (1, 2, 4, …)? Spec §4. */
export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** What is wrong with a `general.alignment` value, if anything: it must be a u32 power of two. Spec §4, §5 R8. */
export function alignmentProblem(value: GgufValue): string | undefined {
  if (value.type !== GgufValueType.UINT32) {
    return `'${ALIGNMENT_KEY}' has type ${describeValueType(value)}, but it must be u32`;
  }
  if (!isPowerOfTwo(value.value)) {
    return `'${ALIGNMENT_KEY}' is ${value.value}, which is not a power of two`;
  }
  return undefined;
}

/** The alignment metadata sets: `general.alignment`, or 32 when absent. Assumes the value passed alignmentProblem. Spec §4. */
export function alignmentOf(metadata: readonly GgufKeyValue[]): number {
  const entry = metadata.find((kv) => kv.key === ALIGNMENT_KEY);
  return entry !== undefined && entry.value.type === GgufValueType.UINT32 ? entry.value.value : DEFAULT_ALIGNMENT;
}

/** Names of the types the oracle implements, for messages. Spec §5 R11. */
export function implementedTypeNames(): string {
  return Object.values(GgmlType)
    .filter((id): id is GgmlType => typeof id === "number")
    .map((id) => ggmlTypeTraits(id)?.name)
    .join(", ");
}

/** What is wrong with a tensor type id the oracle does not implement (ggmlTypeTraits gave nothing). Spec §5 R11. */
export function unknownTensorTypeProblem(typeId: number): string {
  return `has ggml type id ${typeId}, which the oracle does not implement (it reads ${implementedTypeNames()})`;
}

/** What is wrong with a dimension count, if anything: 1 to 4. Spec §3, §5 R10. */
export function dimensionCountProblem(nDims: number): string | undefined {
  if (nDims < 1 || nDims > MAX_DIMS) return `has ${nDims} dimensions; GGUF tensors have 1 to ${MAX_DIMS}`;
  return undefined;
}

/** What is wrong with a row length for a type, if anything: ne[0] must be a whole number of blocks. Spec §3, §5 R12. */
export function rowLengthProblem(traits: GgmlTypeTraits, ne0: number): string | undefined {
  if (ne0 % traits.blockSize !== 0) {
    return `has ${ne0} elements per row (ne[0]), not a multiple of the ${traits.name} block size ${traits.blockSize}`;
  }
  return undefined;
}

/** What is wrong with a tensor name's length, if anything: at most 63 UTF-8 bytes. Spec §5 R9. */
export function tensorNameProblem(nameBytes: number): string | undefined {
  if (nameBytes > MAX_TENSOR_NAME_BYTES) {
    return `is ${nameBytes} bytes long; ggml allows at most ${MAX_TENSOR_NAME_BYTES}`;
  }
  return undefined;
}

/** Bytes a tensor of `traits` and shape `ne` takes: (ne[0] / blockSize) · typeSize · ne[1] · ne[2] · ne[3]. Spec §3. */
export function tensorByteSize(traits: GgmlTypeTraits, ne: readonly number[]): bigint {
  let size = (BigInt(ne[0]) / BigInt(traits.blockSize)) * BigInt(traits.typeSize);
  for (let i = 1; i < ne.length; i++) size *= BigInt(ne[i]);
  return size;
}

/** `n` rounded up to a multiple of `alignment` (GGML_PAD). Spec §4. */
export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
