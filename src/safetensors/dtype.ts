/**
 * The safetensors element types the oracle reads, and how they map to ggml types.
 * A safetensors tensor's bytes are its elements, little-endian, row-major.
 */

import { GgmlType } from "../../reference/codec/index.js";

/** The dtypes the oracle reads: the float types Hugging Face checkpoints of LLMs use. */
export type SafetensorsDtype = "F32" | "F16" | "BF16";

/**
 * The dtypes the writer writes, and parseSafetensors reads when asked for `int32` or `uint8`: the float types,
 * I32 (TriRun's packed weights `B`, src/model/trirun-files.ts) and U8 (Hugging Face BitNet packed weights,
 * src/model/hf-bitnet.ts).
 */
export type SafetensorsStoredDtype = SafetensorsDtype | "I32" | "U8";

/** Bytes per element of each dtype the oracle reads or writes. */
export const DTYPE_ITEM_SIZE: Readonly<Record<SafetensorsStoredDtype, number>> = {
  F32: 4,
  F16: 2,
  BF16: 2,
  I32: 4,
  U8: 1,
};

/** Every other dtype the safetensors format defines (recognized, so the error can say "not read" rather than "unknown"). */
const OTHER_DTYPES: ReadonlySet<string> = new Set([
  "BOOL",
  "U8",
  "I8",
  "U16",
  "I16",
  "U32",
  "I32",
  "U64",
  "I64",
  "F64",
  "C64",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "F6_E2M3",
  "F6_E3M2",
  "F4",
]);

/** Is `name` one of the dtypes the oracle reads? */
export function isSafetensorsDtype(name: string): name is SafetensorsDtype {
  return name === "F32" || name === "F16" || name === "BF16";
}

/** Is `name` a dtype of the safetensors format that the oracle does not read? */
export function isOtherSafetensorsDtype(name: string): boolean {
  return OTHER_DTYPES.has(name);
}

/** The ggml type whose rows hold exactly the same bytes as a row of `dtype` (F32 → F32, F16 → F16, BF16 → BF16). */
export function ggmlTypeOfDtype(dtype: SafetensorsDtype): GgmlType {
  switch (dtype) {
    case "F32":
      return GgmlType.F32;
    case "F16":
      return GgmlType.F16;
    case "BF16":
      return GgmlType.BF16;
  }
}
