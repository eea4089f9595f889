/**
 * Inputs built to sit exactly on the rounding edges a kernel can get wrong, and the edge classes a
 * case exercises (spec/kernel-protocol.md §6.1): Q8_K ties (x·iscale exactly k + ½ in float32),
 * equal maxima of opposite sign, TQ encoder ties at ±½·d, TQ2_0 code 3, the TQ1_0 alias bytes,
 * edge fp16 block scales, Q8_K-saturated blocks (block sums beyond int16), non-finite scales on zero
 * dots. The built-in cases (check.ts), the fuzz generators (arbitraries.ts) and
 * the golden suites (src/golden/suites.ts) draw from here; every expected value is the reference's.
 */

import {
  chooseTernaryBlockScale,
  f16BitsToF32,
  isCanonicalTq1Byte,
  QK_K,
  quantizeQ8KBlockValues,
  TQ1_0_BLOCK_BYTES,
  TQ2_0_BLOCK_BYTES,
  tq2ElementPosition,
  unpackTq1Block,
  unpackTq2Block,
} from "../../reference/codec/index.js";
import type { KernelCase, TernaryFormat } from "./protocol.js";

/** The float32 next to `x` toward +inf (dir 1) or −inf (dir −1); x finite. */
function stepFloat32(x: number, dir: 1 | -1): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  if (x === 0) view.setUint32(0, dir > 0 ? 1 : 0x80000001);
  else view.setUint32(0, x > 0 === dir > 0 ? bits + 1 : bits - 1);
  return view.getFloat32(0);
}

/** Q8_K's iscale for a block whose element of largest magnitude (the first such) is `max` (spec/formats.md §6.2). */
export function q8kInverseScale(max: number): number {
  return Math.fround(-127 / max);
}

/**
 * A float32 x with fl32(iscale · x) exactly `tie` (a k + ½), the float nearest tie / iscale or one
 * of its 8 neighbours each side; undefined when none lands exactly on the tie.
 */
export function q8kTieValue(iscale: number, tie: number): number | undefined {
  let candidate = Math.fround(tie / iscale);
  for (let i = 0; i < 8; i++) candidate = stepFloat32(candidate, -1);
  for (let i = 0; i < 17; i++, candidate = stepFloat32(candidate, 1))
    if (Math.fround(iscale * candidate) === tie) return candidate;
  return undefined;
}

/** Block maxima for Q8_K tie blocks: both signs, iscale a power of two (±127, 0.5) and not. */
export const Q8K_TIE_MAXIMA: readonly number[] = [
  127,
  -127,
  Math.fround(3.7),
  Math.fround(-0.3),
  0.5,
  Math.fround(-41.3),
];

/**
 * 256 activations whose max element is `max` (at position `at`) and every other element an exact
 * Q8_K tie: fl32(iscale · x) = ±(k + ½) for k drawn from 0..125 (even and odd, both signs); an
 * element with no exact tie near it stays an ordinary value (k + ¼)/iscale. `next` draws from [0, 1).
 */
export function q8kTieBlock(max: number, at: number, next: () => number): Float32Array {
  const iscale = q8kInverseScale(max);
  const x = new Float32Array(QK_K);
  for (let j = 0; j < QK_K; j++) {
    const k = Math.floor(next() * 126);
    const sign = next() < 0.5 ? 1 : -1;
    x[j] = q8kTieValue(iscale, sign * (k + 0.5)) ?? Math.fround((sign * (k + 0.25)) / iscale);
  }
  x[at] = max;
  return x;
}

/**
 * 256 small activations with two of the largest magnitude, `first` at position 3 and −first at
 * 200: Q8_K takes the first as max (spec/formats.md §6.2), which fixes the sign of d and of every code.
 */
export function q8kEqualMaxBlock(first: number, next: () => number): Float32Array {
  const x = Float32Array.from({ length: QK_K }, () => (next() - 0.5) * Math.abs(first));
  x[3] = first;
  x[200] = -first;
  return x;
}

/**
 * 256 TQ weights of block absmax `d` (element 0 is d) whose other elements are ±d, 0 or the ties
 * ±d/2 where fl32(x · id) is exactly ±½ (lroundf rounds them away from zero, spec/formats.md §3).
 */
export function tqHalfTieWeights(d: number, next: () => number): Float32Array {
  const id = Math.fround(1 / d);
  const x = new Float32Array(QK_K);
  for (let j = 1; j < QK_K; j++) {
    const u = next();
    const half = Math.fround(d / 2);
    const tie = Math.abs(Math.fround(half * id)) === 0.5;
    x[j] = u < 0.2 ? d : u < 0.4 ? -d : u < 0.5 || !tie ? 0 : u < 0.75 ? half : -half;
  }
  x[0] = d;
  return x;
}

/** Bytes of one block of a ternary format. */
function ternaryBlockBytes(format: TernaryFormat): number {
  return format === "tq1_0" ? TQ1_0_BLOCK_BYTES : TQ2_0_BLOCK_BYTES;
}

/** The fp16 scale bits of block `i` of packed ternary data. */
export function blockScaleBits(format: TernaryFormat, weight: Uint8Array, i: number): number {
  const at = (i + 1) * ternaryBlockBytes(format) - 2;
  return weight[at] | (weight[at + 1] << 8);
}

/** Packed ternary data with block `i`'s fp16 scale replaced by `bits` (a copy). */
export function withBlockScale(format: TernaryFormat, weight: Uint8Array, i: number, bits: number): Uint8Array {
  const out = weight.slice();
  const at = (i + 1) * ternaryBlockBytes(format) - 2;
  out[at] = bits & 0xff;
  out[at + 1] = bits >>> 8;
  return out;
}

/** The 13 byte values the TQ1_0 encoder never writes (spec/formats.md §5.6), ascending. */
export const TQ1_ALIAS_BYTES: readonly number[] = Array.from({ length: 256 }, (_, b) => b).filter(
  (b) => !isCanonicalTq1Byte(b),
);

/**
 * Packed ternary data with block `i` made non-canonical the way ggml still decodes: TQ2_0, the
 * 2-bit code 3 (+2d, spec/formats.md §4.5) at elements 0, 5, 17 and 255; TQ1_0, qs bytes 0..12
 * set to the 13 alias bytes (spec/formats.md §5.6). A copy.
 */
export function withNonCanonicalCodes(format: TernaryFormat, weight: Uint8Array, i: number): Uint8Array {
  const out = weight.slice();
  const base = i * ternaryBlockBytes(format);
  if (format === "tq2_0") {
    for (const e of [0, 5, 17, 255]) {
      const { byte, shift } = tq2ElementPosition(e);
      out[base + byte] |= 3 << shift;
    }
  } else TQ1_ALIAS_BYTES.forEach((b, j) => (out[base + j] = b));
  return out;
}

/**
 * 256 activations on which Q8_K saturates every element (spec/formats.md §6.2): all equal to `value`
 * (every q8 is −127), or, `flipped`, `value` first and −value after it (the first is max, so q8 is −127
 * once and +127 255 times). Against a block of codes 2 (weight +1), Σ code·q8 is −65024 or +64516:
 * twice what a 16-bit accumulator holds. `value` ≠ 0.
 */
export function saturatedQ8KBlock(value: number, flipped: boolean): Float32Array {
  const x = new Float32Array(QK_K).fill(flipped ? -value : value);
  x[0] = value;
  return x;
}

/** The edge classes a case can exercise, in the order coverage lines list them. */
export const EDGE_CLASSES = [
  "q8k-ties",
  "q8k-negative-max",
  "q8k-equal-max",
  "zero-x-block",
  "zero-scale",
  "subnormal-scale",
  "max-scale",
  "inf-scale",
  "nan-scale",
  "nonfinite-scale-zero-dot",
  "tq-half-ties",
  "tq2-code-3",
  "tq1-alias-byte",
  "max-block-sum",
  "last-block",
  "batch-rows-differ",
] as const;

/** One edge class. */
export type EdgeClass = (typeof EDGE_CLASSES)[number];

/**
 * The Q8_K classes of one block of values about to be quantized (spec/formats.md §6.2's arithmetic).
 * "q8k-ties" counts a tie ±(k + ½) with k even only: there half to even and half away from zero differ.
 */
function q8kBlockClasses(x: Float32Array, out: Set<EdgeClass>): void {
  let amax = 0;
  let max = 0;
  for (const v of x)
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
  if (amax === 0) return;
  if (max < 0) out.add("q8k-negative-max");
  if (x.includes(-max)) out.add("q8k-equal-max");
  const iscale = q8kInverseScale(max);
  for (const v of x) {
    const t = Math.fround(iscale * v);
    if (t - Math.floor(t) === 0.5 && Math.floor(Math.abs(t)) % 2 === 0) {
      out.add("q8k-ties");
      return;
    }
  }
}

/** The classes of packed ternary weights: scales, code 3, alias bytes. */
function ternaryWeightClasses(format: TernaryFormat, weight: Uint8Array, out: Set<EdgeClass>): void {
  const size = ternaryBlockBytes(format);
  for (let i = 0; i < weight.length / size; i++) {
    const bits = blockScaleBits(format, weight, i);
    const d = f16BitsToF32(bits);
    if (d === 0) out.add("zero-scale");
    else if (Number.isNaN(d)) out.add("nan-scale");
    else if (!Number.isFinite(d)) out.add("inf-scale");
    else if ((bits & 0x7c00) === 0) out.add("subnormal-scale");
    else if ((bits & 0x7fff) === 0x7bff) out.add("max-scale");
    const block = weight.subarray(i * size, (i + 1) * size);
    if (format === "tq2_0") {
      for (let b = 0; b < 64; b++)
        for (let s = 0; s < 8; s += 2) if (((block[b] >> s) & 3) === 3) out.add("tq2-code-3");
    } else for (let b = 0; b < 48; b++) if (!isCanonicalTq1Byte(block[b])) out.add("tq1-alias-byte");
  }
}

/**
 * The classes of a matmul's block pairs (weight block i of a row, activation block i of a batch row):
 * "max-block-sum", a ggml-mode pair whose Σ code·q8 (codes as stored, q8 the reference's Q8_K) lies
 * outside int16, where a SIMD-style 16-bit accumulator wraps; "nonfinite-scale-zero-dot", a weight
 * block of inf or NaN scale whose dot with the activations is exactly 0 (Σ q8·(code − 1) in ggml mode,
 * Σ x·(code − 1) in float64 in f32 mode): the reference gives NaN there (spec/formats.md §8.1).
 */
function matmulBlockPairClasses(kernelCase: KernelCase, format: TernaryFormat, out: Set<EdgeClass>): void {
  const { rows, cols, batch, weight, x } = kernelCase;
  if (weight === undefined || x === undefined) return;
  const size = ternaryBlockBytes(format);
  const unpack = format === "tq2_0" ? unpackTq2Block : unpackTq1Block;
  const blocks = Array.from({ length: weight.length / size }, (_, i) =>
    unpack(weight.subarray(i * size, (i + 1) * size)),
  );
  const nb = cols / QK_K;
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < nb; i++) {
      const xb = x.subarray((b * nb + i) * QK_K, (b * nb + i + 1) * QK_K);
      const q8 = kernelCase.activations === "ggml" ? quantizeQ8KBlockValues(xb).qs : undefined;
      for (let r = 0; r < rows; r++) {
        const { codes, scaleBits } = blocks[r * nb + i];
        let dot = 0;
        let codeSum = 0;
        for (let e = 0; e < QK_K; e++) {
          const v = q8 === undefined ? xb[e] : q8[e];
          dot += v * (codes[e] - 1);
          codeSum += v * codes[e];
        }
        if (q8 !== undefined && (codeSum > 32767 || codeSum < -32768)) out.add("max-block-sum");
        if (dot === 0 && !Number.isFinite(f16BitsToF32(scaleBits))) out.add("nonfinite-scale-zero-dot");
      }
    }
}

/**
 * The edge classes `kernelCase` exercises: Q8_K classes of every 256-element block of a ggml-mode
 * x or a q8_K quantize w; an all-zero block of x; the scale classes, code 3 and alias bytes of TQ
 * weights; TQ quantize ties at ±½·d; more than one block a row (a last block distinct from the
 * first); a batch whose rows differ; a matmul block sum beyond int16 and a non-finite scale on a
 * zero dot (matmulBlockPairClasses).
 */
export function edgeClassesOf(kernelCase: KernelCase): Set<EdgeClass> {
  const out = new Set<EdgeClass>();
  const { op, format, cols, batch } = kernelCase;
  if (cols > QK_K) out.add("last-block");
  const values = op === "matmul" ? kernelCase.x : op === "quantize" ? kernelCase.w : undefined;
  const q8k = (op === "matmul" && kernelCase.activations === "ggml") || (op === "quantize" && format === "q8_K");
  for (let i = 0; values !== undefined && i < values.length; i += QK_K) {
    const block = values.subarray(i, i + QK_K);
    if (q8k) q8kBlockClasses(block, out);
    if (op === "matmul" && block.every((v) => v === 0)) out.add("zero-x-block");
    if (op === "quantize" && format !== "q8_K") {
      const id = chooseTernaryBlockScale(block).inverse;
      if (block.some((v) => Math.abs(Math.fround(v * id)) === 0.5)) out.add("tq-half-ties");
    }
  }
  if (kernelCase.weight !== undefined && format !== "q8_K") ternaryWeightClasses(format, kernelCase.weight, out);
  if (op === "matmul" && format !== "q8_K") matmulBlockPairClasses(kernelCase, format, out);
  if (op === "matmul" && batch > 1) {
    const x = kernelCase.x!;
    const first = x.subarray(0, cols);
    for (let b = 1; b < batch; b++)
      if (x.subarray(b * cols, (b + 1) * cols).some((v, i) => !Object.is(v, first[i]))) out.add("batch-rows-differ");
  }
  return out;
}

/** Counts per edge class as a coverage line, every class in EDGE_CLASSES order: "q8k-ties 37, q8k-negative-max 20, …". */
export function coverageLine(counts: ReadonlyMap<EdgeClass, number>): string {
  return EDGE_CLASSES.map((c) => `${c} ${counts.get(c) ?? 0}`).join(", ");
}
