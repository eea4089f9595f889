/**
 * The ggml tensor types the oracle knows, with their block geometry.
 * Implements spec/formats.md §1 (conventions) and §9 (bits per weight).
 */

/** Elements per super-block of the K-quant family (TQ1_0, TQ2_0, Q4_K, Q5_K, Q6_K, Q8_K). */
export const QK_K = 256;

/** ggml type ids (enum ggml_type in ggml.h), as stored in GGUF tensor infos. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q8_0 = 8,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
}

/** Block geometry of one ggml type: `blockSize` elements are stored in `typeSize` bytes. */
export interface GgmlTypeTraits {
  readonly type: GgmlType;
  /** Lower-case name as llama.cpp prints it (`tq2_0`, `q8_K`, `f32`). */
  readonly name: string;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
}

const TRAITS: readonly GgmlTypeTraits[] = [
  { type: GgmlType.F32, name: "f32", blockSize: 1, typeSize: 4 },
  { type: GgmlType.F16, name: "f16", blockSize: 1, typeSize: 2 },
  { type: GgmlType.Q4_0, name: "q4_0", blockSize: 32, typeSize: 2 + 16 },
  { type: GgmlType.Q8_0, name: "q8_0", blockSize: 32, typeSize: 34 },
  { type: GgmlType.Q4_K, name: "q4_K", blockSize: QK_K, typeSize: 2 + 2 + 12 + QK_K / 2 },
  { type: GgmlType.Q5_K, name: "q5_K", blockSize: QK_K, typeSize: 2 + 2 + 12 + QK_K / 8 + QK_K / 2 },
  { type: GgmlType.Q6_K, name: "q6_K", blockSize: QK_K, typeSize: QK_K / 2 + QK_K / 4 + QK_K / 16 + 2 },
  { type: GgmlType.Q8_K, name: "q8_K", blockSize: QK_K, typeSize: 4 + QK_K + 2 * (QK_K / 16) },
  { type: GgmlType.BF16, name: "bf16", blockSize: 1, typeSize: 2 },
  { type: GgmlType.TQ1_0, name: "tq1_0", blockSize: QK_K, typeSize: 48 + 4 + 2 },
  { type: GgmlType.TQ2_0, name: "tq2_0", blockSize: QK_K, typeSize: 64 + 2 },
];

/** Traits of a known type id, or `undefined` for an id the oracle does not implement. Spec §1 (the types). */
export function ggmlTypeTraits(type: number): GgmlTypeTraits | undefined {
  return TRAITS.find((t) => t.type === type);
}

/** Traits looked up by lower-case name (`tq1_0`, `tq2_0`, `q8_k`, `f16`, …); case-insensitive. Spec §1. */
export function ggmlTypeByName(name: string): GgmlTypeTraits | undefined {
  const lower = name.toLowerCase();
  return TRAITS.find((t) => t.name.toLowerCase() === lower);
}

/** Bits per weight of a type: 8 · typeSize / blockSize (TQ1_0 1.6875, TQ2_0 2.0625). Spec §9. */
export function bitsPerWeight(traits: GgmlTypeTraits): number {
  return (8 * traits.typeSize) / traits.blockSize;
}

/** Bytes taken by one row of `n` elements; throws RangeError when `n` is not a whole number of blocks. Spec §1, §9. */
export function rowByteSize(traits: GgmlTypeTraits, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n % traits.blockSize !== 0) {
    throw new RangeError(`${traits.name}: row length ${n} is not a multiple of the block size ${traits.blockSize}`);
  }
  return (n / traits.blockSize) * traits.typeSize;
}
