/**
 * ggml_validate_row_data for the types the oracle implements: llama-quantize runs it on every
 * tensor it loads (the loader's check_tensors) and on every tensor it quantizes, and refuses a
 * model where it fails. Float tensors may hold no infinity or NaN; quantized blocks may hold no
 * infinite or NaN scale. Implements spec/gguf.md §8.
 */

import {
  GgmlType,
  Q4_0_BLOCK_BYTES,
  Q4_K_BLOCK_BYTES,
  Q5_K_BLOCK_BYTES,
  Q6_K_BLOCK_BYTES,
  Q6_K_D_OFFSET,
  Q8_0_BLOCK_BYTES,
  Q8_K_BLOCK_BYTES,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_SCALE_OFFSET,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
} from "../../reference/codec/index.js";

/** Is this fp16 bit pattern an infinity or a NaN (exponent all ones)? */
function isF16NonFinite(bits: number): boolean {
  return (bits & 0x7c00) === 0x7c00;
}

/** Is this bf16 bit pattern an infinity or a NaN? */
function isBf16NonFinite(bits: number): boolean {
  return (bits & 0x7fff) >= 0x7f80;
}

/** Index of the first of `count` items for which `isBad` holds, or -1. */
function firstBad(count: number, isBad: (index: number) => boolean): number {
  for (let i = 0; i < count; i++) if (isBad(i)) return i;
  return -1;
}

/** Where a float row or a block row first holds a non-finite value, as ggml reports it. */
function findNonFinite(type: GgmlType, bytes: Uint8Array): { unit: string; index: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const f32 = (at: number) => view.getFloat32(at, true);
  const blocks = (size: number, isBad: (block: number) => boolean) => ({
    unit: "block",
    index: firstBad(bytes.length / size, isBad),
  });
  switch (type) {
    case GgmlType.F32:
      return { unit: "element", index: firstBad(bytes.length / 4, (i) => !Number.isFinite(f32(4 * i))) };
    case GgmlType.F16:
      return { unit: "element", index: firstBad(bytes.length / 2, (i) => isF16NonFinite(u16(2 * i))) };
    case GgmlType.BF16:
      return { unit: "element", index: firstBad(bytes.length / 2, (i) => isBf16NonFinite(u16(2 * i))) };
    case GgmlType.Q4_0:
      return blocks(Q4_0_BLOCK_BYTES, (b) => isF16NonFinite(u16(b * Q4_0_BLOCK_BYTES)));
    case GgmlType.Q8_0:
      return blocks(Q8_0_BLOCK_BYTES, (b) => isF16NonFinite(u16(b * Q8_0_BLOCK_BYTES)));
    case GgmlType.Q4_K: // d or dmin
      return blocks(
        Q4_K_BLOCK_BYTES,
        (b) => isF16NonFinite(u16(b * Q4_K_BLOCK_BYTES)) || isF16NonFinite(u16(b * Q4_K_BLOCK_BYTES + 2)),
      );
    case GgmlType.Q5_K: // d or dmin
      return blocks(
        Q5_K_BLOCK_BYTES,
        (b) => isF16NonFinite(u16(b * Q5_K_BLOCK_BYTES)) || isF16NonFinite(u16(b * Q5_K_BLOCK_BYTES + 2)),
      );
    case GgmlType.Q6_K:
      return blocks(Q6_K_BLOCK_BYTES, (b) => isF16NonFinite(u16(b * Q6_K_BLOCK_BYTES + Q6_K_D_OFFSET)));
    case GgmlType.Q8_K:
      return blocks(Q8_K_BLOCK_BYTES, (b) => !Number.isFinite(f32(b * Q8_K_BLOCK_BYTES)));
    case GgmlType.TQ1_0:
      return blocks(TQ1_0_BLOCK_BYTES, (b) => isF16NonFinite(u16(b * TQ1_0_BLOCK_BYTES + TQ1_0_SCALE_OFFSET)));
    case GgmlType.TQ2_0:
      return blocks(TQ2_0_BLOCK_BYTES, (b) => isF16NonFinite(u16(b * TQ2_0_BLOCK_BYTES + TQ2_0_SCALE_OFFSET)));
  }
}

/**
 * What ggml_validate_row_data finds wrong with a tensor's bytes, if anything: the first infinite or
 * NaN element (f32, f16, bf16) or block scale (q4_0, q8_0, q8_K, tq1_0, tq2_0; d or dmin of q4_K/q5_K, d of q6_K). Spec §8.
 */
export function invalidDataProblem(type: GgmlType, bytes: Uint8Array): string | undefined {
  const { unit, index } = findNonFinite(type, bytes);
  if (index < 0) return undefined;
  return `${unit} ${index} ${unit === "block" ? "has an infinite or NaN scale" : "is infinite or NaN"}`;
}
