/**
 * fast-check arbitraries for ternary kernel cases: canonical TQ1_0/TQ2_0 blocks, ternary weight
 * matrices, activations and whole matmul cases (src/harness/protocol.ts's KernelCase).
 *
 * Every arbitrary shrinks toward the simplest case a human can read: the fewest rows and blocks,
 * batch 1, all-zero codes (weight 0), scale 1.0 and activations 0 or small integers. By default they
 * also draw the edges of spec/kernel-protocol.md §6.1 (src/harness/edge-cases.ts): edge fp16 scales,
 * TQ2_0 code 3 and TQ1_0 alias bytes, Q8_K tie blocks, all-zero and Q8_K-saturated activation blocks
 * (block sums beyond int16 against saturated weight blocks).
 */

import fc from "fast-check";
import { packTq1Block, packTq2Block, QK_K } from "../../reference/codec/index.js";
import { mulberry32 } from "../random/index.js";
import { Q8K_TIE_MAXIMA, q8kTieBlock, saturatedQ8KBlock, withNonCanonicalCodes } from "./edge-cases.js";
import { blockBytes, type KernelActivations, type KernelCase, type TernaryFormat } from "./protocol.js";

/** fp16 bits of 1.0: the scale every block shrinks toward. */
const F16_ONE = 0x3c00;

/**
 * Unusual fp16 scales: zero, the smallest and largest subnormals, the smallest normal, the largest
 * finite value, a few large powers of two, +inf and NaN (spec/formats.md §10).
 */
export const EDGE_SCALE_BITS: readonly number[] = [
  0x0000, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7800, 0x1000, 0x7c00, 0x7e00,
];

/** Options of the block arbitraries. */
export interface BlockOptions {
  /** Also draw the fp16 scales of EDGE_SCALE_BITS (default true; false: normal scales 2⁻⁷ … 8 only). */
  readonly edgeScales?: boolean;
  /** Also draw blocks with TQ2_0 code 3 or the TQ1_0 alias bytes (default true). */
  readonly edgeCodes?: boolean;
}

/** A packed ternary block and what it was built from. */
export interface TernaryBlock {
  /** Uint8Array[256]: the codes 0..2 (code − 1 is the weight's sign), before any non-canonical bytes. */
  readonly codes: Uint8Array;
  /** The fp16 scale bits d. */
  readonly scaleBits: number;
  /** The packed block: 66 bytes (TQ2_0) or 54 bytes (TQ1_0); with code 3 or alias bytes when nonCanonical. */
  readonly bytes: Uint8Array;
  /** The bytes carry codes no encoder writes (edge-cases.ts withNonCanonicalCodes). */
  readonly nonCanonical?: boolean;
}

/** fp16 scale bits: shrinks to 1.0; normal values 2⁻⁷ … 8, plus EDGE_SCALE_BITS when asked. */
function scaleBitsArbitrary(edgeScales: boolean): fc.Arbitrary<number> {
  // Offsets from 1.0's bits shrink toward 0, i.e. toward scale 1.
  const normal = fc.integer({ min: 0x2000 - F16_ONE, max: 0x4800 - F16_ONE }).map((offset) => F16_ONE + offset);
  if (!edgeScales) return normal;
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: normal, weight: 4 },
    { arbitrary: fc.constantFrom(...EDGE_SCALE_BITS), weight: 1 },
  );
}

/** One code 0..2, shrinking to 1 (weight 0), then 2 (+1), then 0 (−1). */
const CODE = fc.constantFrom(1, 2, 0);

/**
 * 256 codes: sparse (mostly zero weights, good at single-element failures) or dense, 2 in 5 each,
 * or saturated, 1 in 5 (all +1 but up to 8 elements, Σ code·q8 beyond int16 against a saturated
 * activation block); each shrinks toward all zero weights.
 */
function codesArbitrary(): fc.Arbitrary<Uint8Array> {
  const dense = fc.array(CODE, { minLength: QK_K, maxLength: QK_K });
  const sparse = fc
    .array(fc.tuple(fc.integer({ min: 0, max: QK_K - 1 }), fc.constantFrom(2, 0)), { maxLength: 8 })
    .map((entries) => {
      const codes = new Array<number>(QK_K).fill(1);
      for (const [e, code] of entries) codes[e] = code;
      return codes;
    });
  const saturated = fc
    .array(fc.tuple(fc.integer({ min: 0, max: QK_K - 1 }), fc.constantFrom(1, 0)), { maxLength: 8 })
    .map((entries) => {
      const codes = new Array<number>(QK_K).fill(2);
      for (const [e, code] of entries) codes[e] = code;
      return codes;
    });
  return fc
    .oneof(
      { withCrossShrink: true },
      { arbitrary: sparse, weight: 2 },
      { arbitrary: dense, weight: 2 },
      { arbitrary: saturated, weight: 1 },
    )
    .map((codes) => Uint8Array.from(codes));
}

function blockArbitrary(format: TernaryFormat, options: BlockOptions): fc.Arbitrary<TernaryBlock> {
  const pack = format === "tq2_0" ? packTq2Block : packTq1Block;
  // one block in 8 non-canonical; shrinks to canonical
  const nonCanonical =
    options.edgeCodes === false ? fc.constant(false) : fc.integer({ min: 0, max: 7 }).map((n) => n === 7);
  return fc
    .record({ codes: codesArbitrary(), scaleBits: scaleBitsArbitrary(options.edgeScales !== false), nonCanonical })
    .map(({ codes, scaleBits, nonCanonical }) => {
      const bytes = pack(codes, scaleBits);
      return nonCanonical
        ? { codes, scaleBits, bytes: withNonCanonicalCodes(format, bytes, 0), nonCanonical }
        : { codes, scaleBits, bytes };
    });
}

/**
 * A canonical TQ2_0 block (codes 0..2 only, as ggml's quantizer writes them; 66 bytes), shrinking
 * toward all-zero weights and scale 1.0.
 */
export function tq2Block(options: BlockOptions = {}): fc.Arbitrary<TernaryBlock> {
  return blockArbitrary("tq2_0", options);
}

/**
 * A canonical TQ1_0 block (codes 0..2, the fifth trit of every qh byte 0, 54 bytes), shrinking
 * toward all-zero weights and scale 1.0.
 */
export function tq1Block(options: BlockOptions = {}): fc.Arbitrary<TernaryBlock> {
  return blockArbitrary("tq1_0", options);
}

/** Options of ternaryMatrix. */
export interface TernaryMatrixOptions extends BlockOptions {
  readonly format: TernaryFormat;
  /** At most this many rows (default 4). */
  readonly maxRows?: number;
  /** At most this many 256-element blocks per row (default 4). */
  readonly maxBlocks?: number;
}

/** A packed ternary weight matrix: `rows` rows of `cols` = blocks·256 elements, GGUF tensor data. */
export interface TernaryMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Uint8Array[rows · cols/256 · blockBytes]: the rows' blocks, row after row. */
  readonly weight: Uint8Array;
}

/**
 * A ternary weight matrix of 1…maxRows rows and 1…maxBlocks blocks a row, shrinking toward one
 * row of one block.
 */
export function ternaryMatrix(options: TernaryMatrixOptions): fc.Arbitrary<TernaryMatrix> {
  const maxRows = options.maxRows ?? 4;
  const maxBlocks = options.maxBlocks ?? 4;
  const block = options.format === "tq2_0" ? tq2Block(options) : tq1Block(options);
  return fc.integer({ min: 1, max: maxBlocks }).chain((blocks) =>
    fc
      .array(fc.array(block, { minLength: blocks, maxLength: blocks }), { minLength: 1, maxLength: maxRows })
      .map((rowBlocks) => {
        const size = blockBytes(options.format);
        const weight = new Uint8Array(rowBlocks.length * blocks * size);
        rowBlocks.forEach((row, r) => row.forEach((b, i) => weight.set(b.bytes, (r * blocks + i) * size)));
        return { rows: rowBlocks.length, cols: blocks * QK_K, weight };
      }),
  );
}

/** One activation: mostly small integers (shrinking to 0), sometimes a float in [−8, 8]. */
const ACTIVATION = fc.oneof(
  { withCrossShrink: true },
  { arbitrary: fc.integer({ min: -4, max: 4 }), weight: 3 },
  {
    arbitrary: fc.float({ min: Math.fround(-8), max: Math.fround(8), noNaN: true, noDefaultInfinity: true }),
    weight: 2,
  },
);

/** Options of activations. */
export interface ActivationOptions {
  /** Also draw Q8_K tie blocks, all-zero blocks and Q8_K-saturated blocks (default true). */
  readonly edgeValues?: boolean;
}

/**
 * One 256-element activation block: elementwise values, or an exact Q8_K tie block, or zeros, or a
 * block Q8_K saturates (edge-cases.ts saturatedQ8KBlock: every q8 ±127).
 */
function activationBlock(edgeValues: boolean): fc.Arbitrary<Float32Array> {
  const plain = fc.array(ACTIVATION, { minLength: QK_K, maxLength: QK_K }).map((values) => Float32Array.from(values));
  if (!edgeValues) return plain;
  const ties = fc
    .record({
      max: fc.constantFrom(...Q8K_TIE_MAXIMA),
      at: fc.integer({ min: 0, max: QK_K - 1 }),
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
    })
    .map(({ max, at, seed }) => q8kTieBlock(max, at, mulberry32(seed)));
  const saturated = fc
    .tuple(fc.constantFrom(1, -2.5, 0.375, -96), fc.boolean())
    .map(([value, flipped]) => saturatedQ8KBlock(value, flipped));
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: plain, weight: 4 },
    { arbitrary: ties, weight: 2 },
    { arbitrary: fc.constant(new Float32Array(QK_K)), weight: 1 },
    { arbitrary: saturated, weight: 1 },
  );
}

/**
 * Activations x: Float32Array[batch · cols] (row-major [batch, cols]), block by block, shrinking
 * toward zeros and small integers.
 */
export function activations(cols: number, batch: number, options: ActivationOptions = {}): fc.Arbitrary<Float32Array> {
  const n = (cols / QK_K) * batch;
  return fc.array(activationBlock(options.edgeValues !== false), { minLength: n, maxLength: n }).map((blocks) => {
    const x = new Float32Array(cols * batch);
    blocks.forEach((b, i) => x.set(b, i * QK_K));
    return x;
  });
}

/** Options of matmulCase. */
export interface MatmulCaseOptions extends BlockOptions, ActivationOptions {
  readonly format: TernaryFormat;
  /** f32: the kernel multiplies float activations; ggml: it quantizes them to Q8_K first (default f32). */
  readonly activations?: KernelActivations;
  /** At most this many weight rows (default 4). */
  readonly maxRows?: number;
  /** At most this many blocks a row (default 4). */
  readonly maxBlocks?: number;
  /** At most this many activation rows (default 3). */
  readonly maxBatch?: number;
}

/**
 * A whole matmul KernelCase, y = x·Wᵀ: shrinking toward one row, one block, batch 1, zero weights,
 * scale 1.0 and zero activations.
 */
export function matmulCase(options: MatmulCaseOptions): fc.Arbitrary<KernelCase> {
  const mode = options.activations ?? "f32";
  return fc.tuple(ternaryMatrix(options), fc.integer({ min: 1, max: options.maxBatch ?? 3 })).chain(([matrix, batch]) =>
    activations(matrix.cols, batch, options).map((x): KernelCase => ({
      op: "matmul",
      format: options.format,
      rows: matrix.rows,
      cols: matrix.cols,
      batch,
      activations: mode,
      weight: matrix.weight,
      x,
    })),
  );
}
