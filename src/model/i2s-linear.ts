/**
 * bitnet.cpp I2_S GGUF files as models (browser-safe): what utils/convert-hf-to-gguf-bitnet.py (microsoft/BitNet
 * 16da220a, `BitnetModel`, `quantize_to_i2_s`) writes — `general.architecture` "bitnet-b1.58" with `bitnet-b1.58.*`
 * keys, llama.cpp's bitnet tensor names, and every linear layer an I2_S tensor (bitnet.cpp type 36, x86 layout:
 * QK_I2_S 128) whose 32-byte tail holds the float32 tensor scale. Implements spec/forward.md §17.7.
 *
 *   I2_S W: ne [cols, rows], bytes rows·cols/4 + 32     codes t ∈ {−1, 0, +1}, scale s (f32, tail)
 *   → PackedMatrix TQ2_0 holding t (block scale 1, 0 for an all-zero block) + output scale {s, "multiply"}
 *
 * bitnet.cpp computes W·x as (Σ t·q) · s / σ over I8_S activations (spec/bitnet.md §3); the model keeps t and s apart,
 * exactly, so the oracle's f32 and int8-per-token modes run such a file. llama.cpp cannot read it, so its arithmetic
 * (ggml-exact, ggml-matmul) does not describe any program that does: I2S_LLAMA_CPP_PROBLEM says so.
 */

import {
  GgmlType,
  I2S_CODE_VALUES,
  QK_K,
  TQ2_0_BLOCK_BYTES,
  quantizeRow,
  unpackI2s,
  validateI2s,
} from "../../reference/codec/index.js";
import type { PackedMatrix } from "../../reference/model/packed-matrix.js";
import type { LinearOutputScale } from "../../reference/model/weights.js";
import { InputError } from "../errors.js";

/** The `general.architecture` bitnet.cpp's converter writes (MODEL_ARCH.BITNET_B158); its keys are `bitnet-b1.58.*`. */
export const BITNET_CPP_ARCHITECTURE = "bitnet-b1.58";

/** The I2_S layout bitnet.cpp's GGUF files use (the converter always packs 128-element blocks). Spec bitnet.md §2. */
export const I2S_GGUF_LAYOUT = "x86";

/** Why llama.cpp's arithmetic modes do not apply to a model read from a bitnet.cpp I2_S file (one line). */
export const I2S_LLAMA_CPP_PROBLEM =
  "holds bitnet.cpp I2_S weights, which llama.cpp cannot read: ggml-exact and ggml-matmul are llama.cpp's " +
  "arithmetic, and bitnet.cpp's own (I8_S activations, spec/bitnet.md §3) is a different mode; " +
  "run it with --activations f32 or int8-per-token";

/**
 * Ternary codes as TQ2_0 rows with block scale 1 (0 for an all-zero block): exact, like src/model/hf-bitnet.ts.
 * ternary: Int8Array[rows·cols] (values −1, 0, +1), cols % 256 = 0 → PackedMatrix TQ2_0 [rows, cols].
 */
export function ternaryTq2Matrix(ternary: Int8Array, rows: number, cols: number): PackedMatrix {
  const rowBytes = (cols / QK_K) * TQ2_0_BLOCK_BYTES;
  const data = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++)
    data.set(quantizeRow(GgmlType.TQ2_0, Float32Array.from(ternary.subarray(r * cols, (r + 1) * cols))), r * rowBytes);
  return { type: GgmlType.TQ2_0, rows, cols, data };
}

/**
 * One I2_S linear weight W: [rows, cols] → its ternary matrix (TQ2_0, block scale 1) and its tail scale as an output
 * scale "multiply". InputError naming the file and tensor for a shape the model cannot hold (cols % 256 ≠ 0: the
 * matrix is kept as TQ2_0), a code 3, or a scale that is not positive and finite. Spec forward.md §17.7.
 */
export function i2sLinear(
  fileName: string,
  tensorName: string,
  bytes: Uint8Array,
  rows: number,
  cols: number,
): { readonly matrix: PackedMatrix; readonly scale: LinearOutputScale } {
  const at = `tensor '${tensorName}' (I2_S)`;
  if (cols % QK_K !== 0)
    throw new InputError(fileName, `${at} has ${cols} columns, not a multiple of 256 (the oracle stores it as TQ2_0)`);
  const shape = { rows, cols };
  const invalid = validateI2s(I2S_GGUF_LAYOUT, shape, bytes, 1).find((f) => f.severity === "invalid");
  if (invalid !== undefined) throw new InputError(fileName, `${at}: ${invalid.message}`);
  const tensor = unpackI2s(I2S_GGUF_LAYOUT, shape, bytes);
  if (!(tensor.scale > 0))
    throw new InputError(fileName, `${at}: scale ${tensor.scale} in its tail is not a positive number`);
  const ternary = Int8Array.from(tensor.codes, (code) => I2S_CODE_VALUES[code]);
  return { matrix: ternaryTq2Matrix(ternary, rows, cols), scale: { value: tensor.scale, op: "multiply" } };
}
