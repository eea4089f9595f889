/**
 * Quantize failures diagnosed by cause: a catalogue of named hypotheses, each the reference encoder
 * (spec/formats.md §3–§6) with one classic bug put in, computed from the case's float input and
 * compared with the kernel's packed bytes. A hypothesis matches when its bytes equal the kernel's
 * exactly and differ from the reference's. Specified in spec/kernel-protocol.md §9.
 */

import {
  chooseTernaryBlockScale,
  f32ToBf16Bits,
  f32ToF16Bits,
  mapBlocks,
  nearestInt,
  packQ8KBlock,
  packTritsToByte,
  QK_K,
  quantizeQ8KBlock,
  quantizeTq1Block,
  quantizeTq2Block,
  ternaryCode,
  tq1ElementPosition,
  tq2ElementPosition,
  TQ1_0_BLOCK_BYTES,
  TQ1_0_SCALE_OFFSET,
  TQ1_0_TRIT_BYTES,
  TQ2_0_BLOCK_BYTES,
  TQ2_0_SCALE_OFFSET,
  type TernaryBlockScale,
} from "../../reference/codec/index.js";
import { tq1ConsecutivePosition, tq1QhConsecutivePosition, tq2ConsecutivePosition } from "./diagnose.js";
import { q8kTiesAwayBlock } from "./matmul-variant.js";
import { blockBytes, type Diagnosis, type HypothesisMatch, type KernelFormat } from "./protocol.js";

/** An encoder of one block: x: Float32Array[256] → the format's packed block. */
type BlockEncoder = (x: Float32Array) => Uint8Array;

/** One named cause of a quantize failure. */
export interface QuantizeHypothesis {
  /** A stable name, e.g. "tq-ties-to-even" (the same id as §9's matmul row where the bug is the same). */
  readonly id: string;
  /** What the kernel does wrong, in words. */
  readonly description: string;
  /** The format whose encoder has the bug. */
  readonly format: KernelFormat;
  /** The reference encoder of that format with the bug put in. */
  readonly encodeBlock: BlockEncoder;
}

/** What a TQ encoder variant changes; every field left out is as the reference (spec/formats.md §3). */
interface TernaryEncoderChange {
  /** How x·id (a finite float32, |x·id| ≤ 2^22) becomes an integer (default: lroundf, halves away from zero). */
  readonly round?: (v: number) => number;
  /** The block's scale: id and the 16 stored bits (default: chooseTernaryBlockScale). */
  readonly scale?: (x: Float32Array) => Pick<TernaryBlockScale, "inverse" | "scaleBits">;
  /** TQ2_0 element map (default: tq2ElementPosition). */
  readonly tq2Position?: (e: number) => { byte: number; shift: number };
  /** TQ1_0 element map (default: tq1ElementPosition). */
  readonly tq1Position?: (e: number) => { byte: number; trit: number };
}

/** The code of x with the variant's rounding; non-finite or huge x·id as the reference (ternaryCode). */
function variantCode(x: number, inverse: number, round: ((v: number) => number) | undefined): number {
  const v = Math.fround(x * inverse);
  return round !== undefined && Number.isFinite(v) && Math.abs(v) <= 2 ** 22 ? round(v) + 1 : ternaryCode(x, inverse);
}

/** quantize_row_tq{1,2}_0_ref of one block with the change put in (spec/formats.md §4.3, §5.4). */
function ternaryEncoder(format: "tq1_0" | "tq2_0", change: TernaryEncoderChange): BlockEncoder {
  return (x) => {
    const scale = (change.scale ?? chooseTernaryBlockScale)(x);
    const codes = Array.from(x, (v) => variantCode(v, scale.inverse, change.round));
    const block = new Uint8Array(format === "tq2_0" ? TQ2_0_BLOCK_BYTES : TQ1_0_BLOCK_BYTES);
    if (format === "tq2_0") {
      const position = change.tq2Position ?? tq2ElementPosition;
      for (let e = 0; e < QK_K; e++) block[position(e).byte] |= (codes[e] & 3) << position(e).shift;
    } else {
      const position = change.tq1Position ?? tq1ElementPosition;
      const trits = Array.from({ length: TQ1_0_TRIT_BYTES }, () => [0, 0, 0, 0, 0]);
      for (let e = 0; e < QK_K; e++) trits[position(e).byte][position(e).trit] = codes[e];
      trits.forEach((t, byte) => (block[byte] = packTritsToByte(t)));
    }
    const offset = format === "tq2_0" ? TQ2_0_SCALE_OFFSET : TQ1_0_SCALE_OFFSET;
    block[offset] = scale.scaleBits & 0xff;
    block[offset + 1] = (scale.scaleBits >>> 8) & 0xff;
    return block;
  };
}

/** Both TQ formats' hypotheses for one encoder change, TQ1_0's first. */
function bothTernary(id: string, description: string, change: TernaryEncoderChange): QuantizeHypothesis[] {
  return (["tq1_0", "tq2_0"] as const).map((format) => ({
    id,
    description,
    format,
    encodeBlock: ternaryEncoder(format, change),
  }));
}

/** The reference block scale with d stored as bfloat16 bits of amax instead of fp16. */
function bf16Scale(x: Float32Array): Pick<TernaryBlockScale, "inverse" | "scaleBits"> {
  const scale = chooseTernaryBlockScale(x);
  return { inverse: scale.inverse, scaleBits: f32ToBf16Bits(scale.amax) };
}

/** The block scale from the signed maximum max(0, x_j) instead of max |x_j|: d = fp16(max), id = 1/max. */
function signedMaxScale(x: Float32Array): Pick<TernaryBlockScale, "inverse" | "scaleBits"> {
  let max = 0;
  for (const v of x) max = max > v ? max : v;
  return { inverse: max === 0 ? 0 : Math.fround(1 / max), scaleBits: f32ToF16Bits(max) };
}

/** Q8_K quantization of one block with halves rounded away from zero, packed with its bsums. */
function q8kTiesAwayEncoder(x: Float32Array): Uint8Array {
  const { qs, d } = q8kTiesAwayBlock(x);
  const bsums = new Int16Array(QK_K / 16);
  qs.forEach((q, j) => (bsums[j >> 4] += q));
  return packQ8KBlock({ d, qs, bsums });
}

/** The catalogue, in the order reports list matches. */
export const QUANTIZE_HYPOTHESES: readonly QuantizeHypothesis[] = [
  {
    id: "q8k-ties-away",
    description: "Q8_K quantization rounds halves away from zero (roundf) instead of to even",
    format: "q8_K",
    encodeBlock: q8kTiesAwayEncoder,
  },
  ...bothTernary("tq-ties-to-even", "TQ element ratio x·id rounded with halves to even (nearest_int), not lroundf", {
    round: nearestInt,
  }),
  ...bothTernary("tq-ties-up", "TQ element ratio x·id rounded with halves up (Math.round: −½ → 0), not lroundf", {
    round: (v) => Math.floor(v + 0.5),
  }),
  ...bothTernary("tq-truncated", "TQ element ratio x·id truncated toward zero ((int) cast), not rounded", {
    round: Math.trunc,
  }),
  ...bothTernary("tq-scale-bf16", "TQ block scale d stored as bfloat16 instead of fp16", { scale: bf16Scale }),
  ...bothTernary("tq-signed-max-scale", "TQ block scale from the largest x (signed max) instead of max |x|", {
    scale: signedMaxScale,
  }),
  {
    id: "tq2-consecutive-elements",
    description: "TQ2_0 element map on encode: four consecutive elements a byte (element e at byte e/4)",
    format: "tq2_0",
    encodeBlock: ternaryEncoder("tq2_0", { tq2Position: tq2ConsecutivePosition }),
  },
  {
    id: "tq1-consecutive-elements",
    description: "TQ1_0 element map on encode: five consecutive elements a qs byte (element e at byte e/5)",
    format: "tq1_0",
    encodeBlock: ternaryEncoder("tq1_0", { tq1Position: tq1ConsecutivePosition }),
  },
  {
    id: "tq1-qh-order",
    description: "TQ1_0 qh order on encode: elements 240 + 4j … 240 + 4j + 3 written to qh byte j",
    format: "tq1_0",
    encodeBlock: ternaryEncoder("tq1_0", { tq1Position: tq1QhConsecutivePosition }),
  },
];

/** The reference encoder of each format (spec/formats.md §4.3, §5.4, §6.2). */
const REFERENCE_ENCODERS: Readonly<Record<KernelFormat, BlockEncoder>> = {
  tq1_0: quantizeTq1Block,
  tq2_0: quantizeTq2Block,
  q8_K: quantizeQ8KBlock,
};

/** Same bytes? */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Test every hypothesis of the format against a quantize kernel's packed output `weight`
 * (Uint8Array[rows · cols/256 · block bytes]) for the float input x (Float32Array[rows · cols]): a
 * match encodes x to exactly the kernel's bytes and to other bytes than the reference. Matches are
 * ambiguous when the weight is all zero bytes or when there are several (their bytes are the same). Spec §9.
 */
export function diagnoseQuantize(format: KernelFormat, x: Float32Array, weight: Uint8Array): Diagnosis {
  const encode = (encoder: BlockEncoder): Uint8Array => mapBlocks(x, QK_K, blockBytes(format), encoder);
  const reference = encode(REFERENCE_ENCODERS[format]);
  const tried: string[] = [];
  const found: Omit<HypothesisMatch, "ambiguous">[] = [];
  for (const hypothesis of QUANTIZE_HYPOTHESES) {
    if (hypothesis.format !== format) continue;
    tried.push(hypothesis.id);
    const bytes = encode(hypothesis.encodeBlock);
    if (sameBytes(bytes, weight) && !sameBytes(bytes, reference))
      found.push({ id: hypothesis.id, description: hypothesis.description, exact: true, outputs: weight.length });
  }
  // Every match's bytes are the weight's, so two matches are always twins.
  const ambiguous = found.length > 1 || weight.every((v) => v === 0);
  return { output: "weight", tried, matches: found.map((match) => ({ ...match, ambiguous })) };
}
