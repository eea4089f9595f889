/**
 * Previews of golden case files (no DOM): a summary of a .npy array, and the first block of a
 * packed .bin row set with its fields labelled (spec/formats.md §4.1, §5.1, §6.1).
 */
import {
  f16BitsToF32,
  QK_K,
  Q8_K_BLOCK_BYTES,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_QH_OFFSET,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
} from "../../../reference/codec/index.js";
import { parseNpy } from "../../io/npy.js";
import type { FileDtype } from "../../golden/manifest-core.js";
import { packedByteLength, type PackedDtype } from "../../golden/tensor-core.js";

/** How many leading values an array preview lists. */
export const PREVIEW_VALUES = 16;

/** Summary of a .npy array. */
export interface ArrayPreview {
  readonly kind: "array";
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly count: number;
  /** Smallest and largest non-NaN value, as Math.min/max order them (−0 < 0); undefined when there is none. */
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly nanCount: number;
  readonly first: readonly number[];
}

/** One labelled field of a packed block. */
export interface BlockField {
  /** "qs", "qh", "d", "bsums" */
  readonly name: string;
  readonly offset: number;
  readonly length: number;
  /** What the bytes are, e.g. "fp16 scale" */
  readonly meaning: string;
  /** The decoded value where a field is one number (the scale d). */
  readonly value?: number;
}

/** The first block of a packed file. */
export interface PackedPreview {
  readonly kind: "packed";
  readonly dtype: PackedDtype;
  readonly blockBytes: number;
  readonly blocks: number;
  readonly firstBlock: Uint8Array;
  readonly fields: readonly BlockField[];
}

/** A preview, or a one-line problem. */
export type FilePreview = ArrayPreview | PackedPreview | { readonly kind: "error"; readonly message: string };

/** Whether a dtype is stored as packed .bin rows. */
export function isPackedDtype(dtype: FileDtype): dtype is PackedDtype {
  return dtype === "tq1_0" || dtype === "tq2_0" || dtype === "q8_K";
}

/** Summarize a .npy file's array. */
export function previewNpy(bytes: Uint8Array, name: string): ArrayPreview {
  const array = parseNpy(bytes, name);
  let min: number | undefined;
  let max: number | undefined;
  let nanCount = 0;
  for (const value of array.data) {
    if (Number.isNaN(value)) nanCount += 1;
    else {
      min = min === undefined ? value : Math.min(min, value);
      max = max === undefined ? value : Math.max(max, value);
    }
  }
  return {
    kind: "array",
    dtype: array.dtype,
    shape: array.shape,
    count: array.data.length,
    min,
    max,
    nanCount,
    first: Array.from(array.data.subarray(0, PREVIEW_VALUES)),
  };
}

/** The byte size of one block of a packed dtype. */
export function blockBytesOf(dtype: PackedDtype): number {
  switch (dtype) {
    case "tq1_0":
      return TQ1_0_BLOCK_BYTES;
    case "tq2_0":
      return TQ2_0_BLOCK_BYTES;
    case "q8_K":
      return Q8_K_BLOCK_BYTES;
  }
}

/** The labelled fields of one block (spec/formats.md §4.1, §5.1, §6.1). */
export function blockFields(dtype: PackedDtype, block: Uint8Array): BlockField[] {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  switch (dtype) {
    case "tq2_0":
      return [
        {
          name: "qs",
          offset: 0,
          length: TQ2_0_SCALE_OFFSET,
          meaning: "2-bit codes, 4 per byte (code − 1 = weight sign)",
        },
        {
          name: "d",
          offset: TQ2_0_SCALE_OFFSET,
          length: 2,
          meaning: "fp16 block scale",
          value: f16BitsToF32(view.getUint16(TQ2_0_SCALE_OFFSET, true)),
        },
      ];
    case "tq1_0":
      return [
        { name: "qs", offset: 0, length: TQ1_0_QH_OFFSET, meaning: "5 trits per byte (base-3 fixed point)" },
        {
          name: "qh",
          offset: TQ1_0_QH_OFFSET,
          length: TQ1_0_SCALE_OFFSET - TQ1_0_QH_OFFSET,
          meaning: "4 trits per byte (the last 16 elements)",
        },
        {
          name: "d",
          offset: TQ1_0_SCALE_OFFSET,
          length: 2,
          meaning: "fp16 block scale",
          value: f16BitsToF32(view.getUint16(TQ1_0_SCALE_OFFSET, true)),
        },
      ];
    case "q8_K":
      return [
        { name: "d", offset: 0, length: 4, meaning: "float32 scale", value: view.getFloat32(0, true) },
        { name: "qs", offset: 4, length: QK_K, meaning: "int8 values" },
        {
          name: "bsums",
          offset: 4 + QK_K,
          length: Q8_K_BLOCK_BYTES - 4 - QK_K,
          meaning: "int16 sums of each 16 values",
        },
      ];
  }
}

/** Preview a packed .bin file of the manifest's dtype and shape; an error when the size does not match. */
export function previewPacked(
  bytes: Uint8Array,
  dtype: PackedDtype,
  shape: readonly number[],
): PackedPreview | { kind: "error"; message: string } {
  const expected = packedByteLength(dtype, shape);
  if (bytes.length !== expected)
    return {
      kind: "error",
      message: `${dtype} [${shape.join(", ")}] needs ${expected} bytes, the file has ${bytes.length}`,
    };
  const blockBytes = blockBytesOf(dtype);
  const firstBlock = bytes.subarray(0, blockBytes);
  return {
    kind: "packed",
    dtype,
    blockBytes,
    blocks: bytes.length / blockBytes,
    firstBlock,
    fields: blockFields(dtype, firstBlock),
  };
}

/** Preview any case file as the manifest describes it. */
export function previewFile(bytes: Uint8Array, dtype: FileDtype, shape: readonly number[], name: string): FilePreview {
  try {
    return isPackedDtype(dtype) ? previewPacked(bytes, dtype, shape) : previewNpy(bytes, name);
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

/** Bytes as lower-case hex pairs separated by spaces. */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** Lower-case hex of a digest. */
export function hexDigest(digest: ArrayBuffer | Uint8Array): string {
  return Array.from(digest instanceof Uint8Array ? digest : new Uint8Array(digest), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
}
