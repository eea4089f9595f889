/**
 * How a PackedMatrix is laid out for the gpu.js kernels (host side, done once per matrix).
 *
 * Ternary types (TQ2_0, TQ1_0): the packed bytes are NOT decoded. They are re-viewed as
 * little-endian 16-bit words, word i = byte[2i] + 256·byte[2i+1] (an integer < 2^16, exact in a
 * float32 texel or wasm f32), uploaded verbatim including each block's fp16 scale word
 * (TQ2_0: 33 words a block, TQ1_0: 27), and the kernels extract codes/trits from them.
 * The fp16 block scales are additionally decoded to float32, one per block ([rows · nb]).
 *
 * Float types (F32, F16, BF16, Q8_0, Q8_K): decoded to float32 on the host with reference/codec
 * (exact: decoding never rounds), [rows · cols] row-major.
 */

import {
  f16BitsToF32,
  GgmlType,
  QK_K,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
} from "../../reference/codec/index.js";
import { decodeMatrixRow, type PackedMatrix } from "../../reference/model/packed-matrix.js";

/** A ternary matrix as the kernels read it. */
export interface TernaryLayout {
  readonly kind: "tq2" | "tq1";
  /** Blocks per row (cols / 256). */
  readonly blocksPerRow: number;
  /** Float32Array[rows · nb · wordsPerBlock]: the packed bytes as little-endian 16-bit words. */
  readonly words: Float32Array;
  /** Float32Array[rows · nb]: fp16 block scale d, decoded. */
  readonly scales: Float32Array;
}

/** A float matrix as the kernels read it: Float32Array[rows · cols]. */
export interface FloatLayout {
  readonly kind: "float";
  readonly values: Float32Array;
}

/** Either layout. */
export type MatrixLayout = TernaryLayout | FloatLayout;

/** Lay out `matrix` for the kernels (see the file comment). */
export function layoutMatrix(matrix: PackedMatrix): MatrixLayout {
  if (matrix.type === GgmlType.TQ2_0 || matrix.type === GgmlType.TQ1_0) {
    const tq2 = matrix.type === GgmlType.TQ2_0;
    const blockBytes = tq2 ? TQ2_0_BLOCK_BYTES : TQ1_0_BLOCK_BYTES;
    const scaleOffset = tq2 ? TQ2_0_SCALE_OFFSET : TQ1_0_SCALE_OFFSET;
    const nb = matrix.cols / QK_K;
    const blocks = matrix.rows * nb;
    const data = matrix.data;
    if (data.length !== blocks * blockBytes)
      throw new RangeError(`gpujs: ${data.length} bytes for ${blocks} blocks of ${blockBytes}`);
    const words = new Float32Array(data.length / 2);
    for (let i = 0; i < words.length; i++) words[i] = data[2 * i] + 256 * data[2 * i + 1];
    const scales = new Float32Array(blocks);
    for (let k = 0; k < blocks; k++) {
      const at = k * blockBytes + scaleOffset;
      scales[k] = f16BitsToF32(data[at] | (data[at + 1] << 8));
    }
    return { kind: tq2 ? "tq2" : "tq1", blocksPerRow: nb, words, scales };
  }
  const values = new Float32Array(matrix.rows * matrix.cols);
  for (let r = 0; r < matrix.rows; r++) values.set(decodeMatrixRow(matrix, r), r * matrix.cols);
  return { kind: "float", values };
}
