/**
 * bitnet.cpp's tensor type ids: its ggml fork numbers I2_S, I8_S, TL1 and TL2 right after TQ2_0,
 * ids that mainline ggml uses for other types (36–38 removed IQ4_NL_4_4 variants, 39 MXFP4). They are a
 * dialect of their own, kept apart from GgmlType, and their byte sizes follow the fork's
 * ggml_nbytes, not blocks. Implements spec/bitnet.md §1.
 *
 * Source: Eddie-Wang1120/llama.cpp branch merge-dev (406a5036), ggml/include/ggml.h (`GGML_TYPE_I2_S = 36`
 * … `GGML_TYPE_TL2 = 39`), ggml/src/ggml.c `ggml_nbytes`; include/llama.h (`LLAMA_FTYPE_MOSTLY_TL1 = 38`,
 * `TL2 = 39`, `I2_S = 40`).
 */

/** bitnet.cpp's ggml type ids for its own types (ids 0–35 mean what they mean in ggml). Spec: spec/bitnet.md §1. */
export enum BitnetCppType {
  I2_S = 36,
  I8_S = 37,
  TL1 = 38,
  TL2 = 39,
}

/** bitnet.cpp's llama file types (`general.file_type`) for its own formats. Spec: spec/bitnet.md §1. */
export enum BitnetCppFileType {
  MOSTLY_TL1 = 38,
  MOSTLY_TL2 = 39,
  MOSTLY_I2_S = 40,
}

/** Lower-case name of a bitnet.cpp type as its ggml fork's `type_name` spells it. Spec: spec/bitnet.md §1. */
export function bitnetCppTypeName(type: BitnetCppType): string {
  return BitnetCppType[type].toLowerCase();
}

/** The bitnet.cpp type with id `id`, or `undefined` for an id the fork shares with ggml or does not have. Spec: spec/bitnet.md §1. */
export function bitnetCppType(id: number): BitnetCppType | undefined {
  return id in BitnetCppType && typeof BitnetCppType[id] === "string" ? (id as BitnetCppType) : undefined;
}

/** C's `a / b` on integers: the quotient truncated toward zero (BigInt division does exactly this). */
function cDiv(a: bigint, b: bigint): bigint {
  return a / b;
}

/**
 * Bytes a tensor of bitnet.cpp type `type` and shape `ne` (innermost first) takes in a file, as the fork's
 * ggml_nbytes computes it (blck_size 1, type_size 1, then):
 *   I2_S, TL1: n / 4 + 32, n = ne[0]·ne[1]·ne[2]·ne[3] (packed codes, then a 32-byte tail holding the f32 scale)
 *   TL2:       b = (ne[0] − 256)·ne[1] / 3 · 5 / 8 + 256·ne[1] / 2 · 4 / 8 (C integer division, left to right),
 *              b rounded up to a multiple of 32, + 32
 * I8_S (the activation type, never stored by a converter) has no file size: `undefined`. Also `undefined`
 * where the formula gives no positive size. Spec: spec/bitnet.md §1.
 */
export function bitnetCppTensorBytes(type: BitnetCppType, ne: readonly number[]): bigint | undefined {
  const n = ne.reduce((product, d) => product * BigInt(d), 1n);
  if (type === BitnetCppType.I2_S || type === BitnetCppType.TL1) return cDiv(n, 4n) + 32n;
  if (type !== BitnetCppType.TL2) return undefined;
  const ne0 = BigInt(ne[0]);
  const ne1 = BigInt(ne[1] ?? 1);
  let bytes = cDiv(cDiv((ne0 - 256n) * ne1, 3n) * 5n, 8n) + cDiv(cDiv(256n * ne1, 2n) * 4n, 8n);
  if (bytes <= 0n) return undefined;
  if (bytes % 32n !== 0n) bytes += 32n - (bytes % 32n);
  return bytes + 32n;
}
