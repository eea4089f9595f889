/**
 * The reference matmul of a kernel case with one thing changed: how codes and scales are read from
 * the packed weights, which blocks count, how the activations are quantized, the accumulator's
 * precision, or how y is laid out. The hypotheses of src/harness/diagnose.ts are such variants.
 * With no change it computes what the judge expects (spec/kernel-protocol.md §5.1).
 * See spec/kernel-protocol.md §9.
 */

import {
  f16BitsToF32,
  nearestInt,
  QK_K,
  quantizeQ8KBlockValues,
  roundToF16,
  tq1ElementPosition,
  tq2ElementPosition,
  tritOfByte,
} from "../../reference/codec/index.js";
import { floatDotAgreementBound } from "../../reference/tolerances/index.js";
import { blockBytes, type KernelCase, type KernelFormat } from "./protocol.js";

/** The code (0..3) a kernel reads for element e (0..255) of a packed block. */
export type CodeReader = (block: Uint8Array, e: number) => number;

/** A TQ2_0 reader for an element map e → (byte, shift). */
export function tq2CodeReader(position: (e: number) => { byte: number; shift: number }): CodeReader {
  return (block, e) => {
    const { byte, shift } = position(e);
    return (block[byte] >> shift) & 3;
  };
}

/** A TQ1_0 reader for an element map e → (byte, trit). */
export function tq1CodeReader(position: (e: number) => { byte: number; trit: number }): CodeReader {
  return (block, e) => {
    const { byte, trit } = position(e);
    return tritOfByte(block[byte], trit);
  };
}

/** The reference element map of a format (spec/formats.md §4.2, §5.2). */
export function referenceReader(format: KernelFormat): CodeReader {
  return format === "tq2_0" ? tq2CodeReader(tq2ElementPosition) : tq1CodeReader(tq1ElementPosition);
}

/**
 * How the activations reach the dot product: "q8k", quantized to Q8_K as the reference does;
 * "q8k-ties-away", the same with halves rounded away from zero (C's roundf); "q8_1", quantized in
 * blocks of 32 as ggml's Q8_1 (d = amax/127 stored as fp16, q = roundf(x/d)); "float", not quantized;
 * "q8k-unguarded", Q8_K without the amax = 0 guard (an all-zero block's d is 0·(−∞) = NaN);
 * "q8k-d-fp16", Q8_K with d rounded to fp16.
 */
export type ActivationTreatment = "q8k" | "q8k-ties-away" | "q8_1" | "float" | "q8k-unguarded" | "q8k-d-fp16";

/** What a variant changes; every field left out is as the reference. */
export interface MatmulVariant {
  /** How codes are read (default: the format's element map). */
  readonly codes?: CodeReader;
  /** The scale value of fp16 bits (default: fp16). */
  readonly scale?: (bits: number) => number;
  /** Every block uses its row's first block scale. */
  readonly firstBlockScale?: boolean;
  /** Which blocks of a row count (default: all). */
  readonly countsBlock?: (block: number, blocks: number) => boolean;
  /** Default: "q8k" for ggml activations, "float" for f32. */
  readonly activations?: ActivationTreatment;
  /** "f16": the running sum is rounded to fp16 after every addition. */
  readonly accumulator?: "f32" | "f16";
  /** Every batch row of y computed from activation row 0. */
  readonly firstBatchRow?: boolean;
  /** Q8_K block sums Σ q·code (codes 0..3) kept in a wrapping int16, then Σ q subtracted (SIMD-style). */
  readonly int16BlockSums?: boolean;
  /** Blocks whose dot (Σ q·t, or Σ x·t) is 0 are skipped, scale and all. */
  readonly skipsZeroBlockDots?: boolean;
  /**
   * "batch-reversed": y's batch rows in reverse order; "transposed": y written [rows, batch];
   * "last-row-zero": the last weight row's outputs never written (left +0).
   */
  readonly output?: "batch-reversed" | "transposed" | "last-row-zero";
}

/** Activations as values q·d: q (integers, or the float x) per element, d per block of `blockLength`. */
interface ActivationValues {
  readonly q: Float64Array;
  readonly d: Float64Array;
  readonly blockLength: number;
  /** Q8_K blocks summed as integers per block, in ggml's generic order. */
  readonly integerBlocks: boolean;
}

/** Q8_K quantization with halves rounded away from zero; otherwise as quantizeQ8KBlockValues. */
export function q8kTiesAwayBlock(x: Float32Array): { qs: Int8Array; d: number } {
  let amax = 0;
  let max = 0;
  for (const v of x) {
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  }
  const qs = new Int8Array(QK_K);
  if (amax === 0) return { qs, d: 0 };
  const iscale = Math.fround(-127 / max);
  for (let j = 0; j < QK_K; j++) {
    const v = Math.fround(iscale * x[j]);
    const tie = Math.abs(v - Math.trunc(v)) === 0.5;
    qs[j] = Math.min(127, tie ? Math.trunc(v) + Math.sign(v) : nearestInt(v));
  }
  return { qs, d: Math.fround(1 / iscale) };
}

/** Q8_1-style quantization of 32 values: d = amax/127, q = roundf(x·(1/d)), d stored as fp16. */
function q8_1Block(x: Float32Array): { qs: Int8Array; d: number } {
  let amax = 0;
  for (const v of x) amax = Math.max(amax, Math.abs(v));
  const d = Math.fround(amax / 127);
  const id = d === 0 ? 0 : Math.fround(1 / d);
  const qs = Int8Array.from(x, (v) => {
    const s = Math.fround(v * id);
    return Math.sign(s) * Math.round(Math.abs(s));
  });
  return { qs, d: roundToF16(d) };
}

/** Q8_K quantization of one block as the treatment changes it ("q8k", "q8k-unguarded", "q8k-d-fp16"). */
function q8kBlock(x: Float32Array, treatment: ActivationTreatment): { qs: Int8Array; d: number } {
  const block = quantizeQ8KBlockValues(x);
  if (treatment === "q8k-d-fp16") return { qs: block.qs, d: roundToF16(block.d) };
  if (treatment === "q8k-unguarded" && x.every((v) => v === 0)) return { qs: block.qs, d: NaN };
  return block;
}

/** The activations of batch row b as the treatment gives them. */
function activationValues(x: Float32Array, treatment: ActivationTreatment): ActivationValues {
  if (treatment === "float")
    return { q: Float64Array.from(x), d: Float64Array.of(1), blockLength: x.length, integerBlocks: false };
  const blockLength = treatment === "q8_1" ? 32 : QK_K;
  const q = new Float64Array(x.length);
  const d = new Float64Array(x.length / blockLength);
  for (let k = 0; k < d.length; k++) {
    const part = x.subarray(k * blockLength, (k + 1) * blockLength);
    const block =
      treatment === "q8_1"
        ? q8_1Block(part)
        : treatment === "q8k-ties-away"
          ? q8kTiesAwayBlock(part)
          : q8kBlock(part, treatment);
    q.set(block.qs, k * blockLength);
    d[k] = block.d;
  }
  return { q, d, blockLength, integerBlocks: treatment !== "q8_1" };
}

/** Ternary values t = code − 1 [cols] and block scales [cols/256] of weight row r as the variant reads them. */
export function readWeightRow(
  kernelCase: KernelCase,
  variant: MatmulVariant,
  r: number,
): { t: Int8Array; scale: Float32Array } {
  const { cols, format } = kernelCase;
  const blocks = cols / QK_K;
  const size = blockBytes(format);
  const read = variant.codes ?? referenceReader(format);
  const scaleOf = variant.scale ?? f16BitsToF32;
  const t = new Int8Array(cols);
  const scale = new Float32Array(blocks);
  const blockAt = (blk: number): Uint8Array =>
    kernelCase.weight!.subarray((r * blocks + blk) * size, (r * blocks + blk + 1) * size);
  for (let blk = 0; blk < blocks; blk++) {
    const block = blockAt(blk);
    for (let e = 0; e < QK_K; e++) t[blk * QK_K + e] = read(block, e) - 1;
    const scaleBlock = variant.firstBlockScale === true ? blockAt(0) : block;
    scale[blk] = scaleOf(scaleBlock[size - 2] | (scaleBlock[size - 1] << 8));
  }
  return { t, scale };
}

/** Σ q·code over block blk (code = t + 1, 0..3) wrapped to int16, minus Σ q: a SIMD-style int16 accumulator. */
function int16BlockSum(q: Float64Array, t: Int8Array, blk: number): number {
  let codeSum = 0;
  let qSum = 0;
  for (let c = blk * QK_K; c < (blk + 1) * QK_K; c++) {
    codeSum += q[c] * (t[c] + 1);
    qSum += q[c];
  }
  return ((codeSum << 16) >> 16) - qSum;
}

/** Σ t·x over block blk of non-integer activations, summed in double in element order. */
function floatBlockDot(a: ActivationValues, t: Int8Array, blk: number): number {
  let dot = 0;
  for (let c = blk * QK_K; c < (blk + 1) * QK_K; c++) dot += a.q[c] * a.d[Math.floor(c / a.blockLength)] * t[c];
  return dot;
}

/** One output of a variant: its value and the bound it is matched within. */
export interface VariantElement {
  readonly y: number;
  readonly bound: number;
}

/** The [batch row, weight row] of reference output that flat output `index` holds under `output`. */
function sourceOf(kernelCase: KernelCase, output: MatmulVariant["output"], index: number): [number, number] {
  const { rows, batch } = kernelCase;
  if (output === "transposed") return [index % batch, Math.floor(index / batch)];
  const b = Math.floor(index / rows);
  return [output === "batch-reversed" ? batch - 1 - b : b, index % rows];
}

/**
 * Element `index` (b·R + r) of y = x·Wᵀ under `variant`, computed on demand (weight rows and
 * activation rows are read once and kept), so a variant can be rejected on one output. Q8_K
 * activations are summed as ggml's generic code does (exact integer block sums, float32
 * accumulation in block order, spec/formats.md §8.1); other activations exactly, rounded once. Each
 * element's bound is the f32 agreement bound of its terms (floatDotAgreementBound), so a kernel
 * with the variant's bug that sums in another order agrees within it.
 */
export function variantEvaluator(kernelCase: KernelCase, variant: MatmulVariant): (index: number) => VariantElement {
  const { cols } = kernelCase;
  const blocks = cols / QK_K;
  const treatment = variant.activations ?? (kernelCase.activations === "ggml" ? "q8k" : "float");
  const round = variant.accumulator === "f16" ? roundToF16 : Math.fround;
  const counts = variant.countsBlock ?? (() => true);
  const weightRows = new Map<number, { t: Int8Array; scale: Float32Array }>();
  const activationRows = new Map<number, ActivationValues>();
  return (index) => {
    const [b, r] = sourceOf(kernelCase, variant.output, index);
    if (variant.output === "last-row-zero" && r === kernelCase.rows - 1) return { y: 0, bound: 0 };
    let w = weightRows.get(r);
    if (w === undefined) weightRows.set(r, (w = readWeightRow(kernelCase, variant, r)));
    let a = activationRows.get(b);
    const xRow = variant.firstBatchRow === true ? 0 : b;
    if (a === undefined)
      activationRows.set(b, (a = activationValues(kernelCase.x!.subarray(xRow * cols, (xRow + 1) * cols), treatment)));
    let sum = 0;
    let magnitude = 0;
    for (let blk = 0; blk < blocks; blk++) {
      if (!counts(blk, blocks)) continue;
      const s = w.scale[blk];
      if (a.integerBlocks) {
        let sumi = 0;
        for (let c = blk * QK_K; c < (blk + 1) * QK_K; c++) sumi += a.q[c] * w.t[c];
        if (variant.int16BlockSums === true) sumi = int16BlockSum(a.q, w.t, blk);
        if (sumi === 0 && variant.skipsZeroBlockDots === true) continue;
        const d = Math.fround(s * a.d[blk]);
        sum = round(sum + Math.fround(Math.fround(sumi) * d));
        magnitude += Math.abs(sumi * d);
        continue;
      }
      if (variant.skipsZeroBlockDots === true && floatBlockDot(a, w.t, blk) === 0) continue;
      for (let c = blk * QK_K; c < (blk + 1) * QK_K; c++) {
        const p = w.t[c] * s * (a.q[c] * a.d[Math.floor(c / a.blockLength)]);
        sum = variant.accumulator === "f16" ? roundToF16(sum + Math.fround(p)) : sum + p;
        magnitude += Math.abs(p);
      }
    }
    return { y: Math.fround(sum), bound: floatDotAgreementBound(magnitude, cols) };
  };
}
