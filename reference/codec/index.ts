/**
 * The codec as one table: quantize or dequantize a row of any ggml type the oracle knows.
 * Spec: spec/formats.md §1 (rows are blocks concatenated) and §2–§7 per type.
 */

import { bf16BitsToF32, f32ToBf16Bits } from "./bfloat16.js";
import { decodeF16RowInto, f32ToF16Bits } from "./float16.js";
import { GgmlType, ggmlTypeTraits, rowByteSize } from "./ggml-type.js";
import { dequantizeRowQ4_0, quantizeRowQ4_0 } from "./q4_0.js";
import { dequantizeRowQ4K, quantizeRowQ4K } from "./q4_k.js";
import { dequantizeRowQ5K, quantizeRowQ5K } from "./q5_k.js";
import { dequantizeRowQ6K, quantizeRowQ6K } from "./q6_k.js";
import { dequantizeRowQ8_0, quantizeRowQ8_0 } from "./q8_0.js";
import { dequantizeRowQ8K, quantizeRowQ8K } from "./q8_k.js";
import { dequantizeRowTq1_0, quantizeRowTq1_0 } from "./tq1_0.js";
import { dequantizeRowTq2_0, quantizeRowTq2_0 } from "./tq2_0.js";

export * from "./axis-permute.js";
export * from "./bfloat16.js";
export * from "./bitnet-cpp-type.js";
export * from "./bitnet-lut-config.js";
export * from "./block-scale.js";
export * from "./dot.js";
export * from "./dot-tolerance.js";
export * from "./float-bits.js";
export * from "./float16.js";
export * from "./ggml-type.js";
export * from "./hf-bitnet.js";
export * from "./i2_s.js";
export * from "./i2_s-dot.js";
export * from "./i2_s-matmul.js";
export * from "./i8_s.js";
export * from "./k-affine-block.js";
export * from "./k-quant-search.js";
export * from "./k-scale-min.js";
export * from "./kquant-dot.js";
export * from "./q4_0.js";
export * from "./q4_k.js";
export * from "./q5_k.js";
export * from "./q6_k.js";
export * from "./q8_0.js";
export * from "./q8_k.js";
export * from "./rounding.js";
export * from "./row.js";
export * from "./tl-lut.js";
export * from "./tl1.js";
export * from "./tl2.js";
export * from "./tq1_0.js";
export * from "./tq2_0.js";
export * from "./trirun.js";
export * from "./trirun-convert.js";
export * from "./trirun-dequant.js";
export * from "./trirun-fragment.js";
export * from "./trirun-matmul.js";
export * from "./validate.js";
export * from "./w2a8.js";
export * from "./w2a8-matmul.js";

/** x: Float32Array[n] → bytes, one 16-bit value per element, little-endian. */
function encodeHalfWords(x: Float32Array, toBits: (v: number) => number): Uint8Array {
  const out = new Uint8Array(2 * x.length);
  for (let j = 0; j < x.length; j++) {
    const bits = toBits(x[j]);
    out[2 * j] = bits & 0xff;
    out[2 * j + 1] = bits >>> 8;
  }
  return out;
}

/** bytes (16-bit little-endian values) → Float32Array[n]. */
function decodeHalfWords(bytes: Uint8Array, fromBits: (h: number) => number): Float32Array {
  const out = new Float32Array(bytes.length / 2);
  for (let j = 0; j < out.length; j++) out[j] = fromBits(bytes[2 * j] | (bytes[2 * j + 1] << 8));
  return out;
}

/** Copy the little-endian float32 bytes of a row (F32 tensors). */
function decodeF32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let j = 0; j < out.length; j++) out[j] = view.getFloat32(4 * j, true);
  return out;
}

/** Write a row as little-endian float32 bytes. */
function encodeF32(x: Float32Array): Uint8Array {
  const out = new Uint8Array(4 * x.length);
  const view = new DataView(out.buffer);
  for (let j = 0; j < x.length; j++) view.setFloat32(4 * j, x[j], true);
  return out;
}

/**
 * Quantize a row x: Float32Array[n] to `type`, exactly as ggml's reference quantizer
 * (quantize_row_*_ref, or the fp16/bf16 row conversions). n must be a multiple of the type's block size.
 * Spec §1 (rows), §2.2, §2.3, §4.3, §5.4, §6.2, §7, §12.2, §13.4, §14.2, §15.2.
 */
export function quantizeRow(type: GgmlType, x: Float32Array): Uint8Array {
  requireWholeBlocks(type, x.length);
  switch (type) {
    case GgmlType.F32:
      return encodeF32(x);
    case GgmlType.F16:
      return encodeHalfWords(x, f32ToF16Bits);
    case GgmlType.BF16:
      return encodeHalfWords(x, f32ToBf16Bits);
    case GgmlType.Q4_0:
      return quantizeRowQ4_0(x);
    case GgmlType.Q8_0:
      return quantizeRowQ8_0(x);
    case GgmlType.Q4_K:
      return quantizeRowQ4K(x);
    case GgmlType.Q5_K:
      return quantizeRowQ5K(x);
    case GgmlType.Q6_K:
      return quantizeRowQ6K(x);
    case GgmlType.Q8_K:
      return quantizeRowQ8K(x);
    case GgmlType.TQ1_0:
      return quantizeRowTq1_0(x);
    case GgmlType.TQ2_0:
      return quantizeRowTq2_0(x);
  }
}

/**
 * Dequantize `n` elements of `type` stored in `bytes` (exactly rowByteSize(type, n) bytes) → Float32Array[n].
 * Spec §1 (rows), §2.2, §2.3, §4.4, §5.5, §6.3, §7, §12.3, §13.5, §14.3, §15.4.
 */
export function dequantizeRow(type: GgmlType, bytes: Uint8Array, n: number): Float32Array {
  const expected = requireWholeBlocks(type, n);
  if (bytes.length !== expected) {
    throw new RangeError(`${ggmlTypeTraits(type)?.name}: ${n} elements need ${expected} bytes, got ${bytes.length}`);
  }
  switch (type) {
    case GgmlType.F32:
      return decodeF32(bytes);
    case GgmlType.F16: {
      const out = new Float32Array(n);
      decodeF16RowInto(bytes, out);
      return out;
    }
    case GgmlType.BF16:
      return decodeHalfWords(bytes, bf16BitsToF32);
    case GgmlType.Q4_0:
      return dequantizeRowQ4_0(bytes);
    case GgmlType.Q8_0:
      return dequantizeRowQ8_0(bytes);
    case GgmlType.Q4_K:
      return dequantizeRowQ4K(bytes);
    case GgmlType.Q5_K:
      return dequantizeRowQ5K(bytes);
    case GgmlType.Q6_K:
      return dequantizeRowQ6K(bytes);
    case GgmlType.Q8_K:
      return dequantizeRowQ8K(bytes);
    case GgmlType.TQ1_0:
      return dequantizeRowTq1_0(bytes);
    case GgmlType.TQ2_0:
      return dequantizeRowTq2_0(bytes);
  }
}

/** Byte size of `n` elements of `type`; RangeError for an unknown type or a partial block. */
function requireWholeBlocks(type: GgmlType, n: number): number {
  const traits = ggmlTypeTraits(type);
  if (traits === undefined) throw new RangeError(`unknown ggml type ${type}`);
  return rowByteSize(traits, n);
}
