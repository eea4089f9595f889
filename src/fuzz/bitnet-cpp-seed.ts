/**
 * A small GGUF file in bitnet.cpp's dialect, laid out as its converter writes one
 * (microsoft/BitNet 16da220a utils/convert-hf-to-gguf-bitnet.py with the gguf-py of its ggml fork,
 * Eddie-Wang1120/llama.cpp merge-dev 406a5036): an I2_S tensor (`quantize_to_i2_s`: n/4 bytes of 2-bit
 * codes, then a 32-byte tail holding the f32 scale), a TL1 and a TL2 tensor (the packed LUT indices, then the
 * f32 scale in a 32-byte slot after them: the fork's gguf writer leaves the `_scale` tensor out of the table and
 * its data right after the weights), and an F32 norm. These are the oracle's own fixtures for the GGUF dialect
 * (spec/bitnet.md §1), made with its writer; the packed bytes are patterns, not a codec's output. Pure.
 */

import { BitnetCppFileType, BitnetCppType, GgmlType } from "../../reference/codec/index.js";
import { GgufFile, GgufValueType, type GgufKeyValue, type GgufTensor } from "../gguf/index.js";

/** `packed` bytes, zeros up to a multiple of 32, then a 32-byte slot starting with the f32 `scale`. */
function withScaleSlot(packed: Uint8Array, scale: number): Uint8Array {
  const padded = Math.ceil(packed.length / 32) * 32;
  const out = new Uint8Array(padded + 32);
  out.set(packed);
  new DataView(out.buffer).setFloat32(padded, scale, true);
  return out;
}

/** n/4 bytes of I2_S codes (each crumb 0, 1 or 2: −1, 0, +1), then the scale at byte n/4 and 28 zero bytes. */
function i2sBytes(n: number, scale: number): Uint8Array {
  const codes = Uint8Array.from({ length: n / 4 }, (_, i) => {
    const c = (k: number): number => (4 * i + k) % 3;
    return (c(0) << 6) | (c(1) << 4) | (c(2) << 2) | c(3);
  });
  return withScaleSlot(codes, scale);
}

/** Packed bytes whose two nibbles are at most `maxNibble` (TL1 indices 0–8, TL2 magnitudes 0–13). */
function nibbles(length: number, maxNibble: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => ((i % (maxNibble + 1)) << 4) | ((i * 7) % (maxNibble + 1)));
}

/** Options: the architecture it names (bitnet.cpp writes `bitnet-b1.58`; `bitnet` leaves the dialect to the types). */
export interface BitnetCppSeedOptions {
  readonly architecture?: string;
  /** Leave out the I2_S and TL1 tensors (ids only bitnet.cpp has), so only TL2's id 39 and its size tell the dialect. */
  readonly onlyTl2?: boolean;
}

/**
 * The file: `general.architecture` (default `bitnet-b1.58`), `general.file_type` 40 (bitnet.cpp's MOSTLY_I2_S,
 * as its converter hard-codes), and blk.0.attn_q.weight I2_S [128, 4] (160 bytes), blk.0.ffn_up.weight TL1
 * [128, 4] (160), blk.0.ffn_down.weight TL2 [352, 32] (2720), blk.0.attn_norm.weight F32 [128].
 */
export function bitnetCppSeedFile(options: BitnetCppSeedOptions = {}): GgufFile {
  const metadata: GgufKeyValue[] = [
    {
      key: "general.architecture",
      value: { type: GgufValueType.STRING, value: options.architecture ?? "bitnet-b1.58" },
    },
    { key: "general.file_type", value: { type: GgufValueType.UINT32, value: BitnetCppFileType.MOSTLY_I2_S } },
  ];
  const tl2Packed = ((((352 - 256) * 32) / 3) * 5) / 8 + (((256 * 32) / 2) * 4) / 8;
  const tensors: GgufTensor[] = [
    { name: "blk.0.attn_q.weight", type: BitnetCppType.I2_S, ne: [128, 4], data: i2sBytes(512, 0.5) },
    { name: "blk.0.ffn_up.weight", type: BitnetCppType.TL1, ne: [128, 4], data: withScaleSlot(nibbles(128, 8), 0.25) },
    {
      name: "blk.0.ffn_down.weight",
      type: BitnetCppType.TL2,
      ne: [352, 32],
      data: withScaleSlot(nibbles(tl2Packed, 13), 0.125),
    },
    { name: "blk.0.attn_norm.weight", type: GgmlType.F32, ne: [128], data: new Uint8Array(512) },
  ];
  const kept =
    options.onlyTl2 === true
      ? tensors.filter((t) => t.type !== BitnetCppType.I2_S && t.type !== BitnetCppType.TL1)
      : tensors;
  return GgufFile.create("bitnet-cpp-seed.gguf", metadata, kept);
}
