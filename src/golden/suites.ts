/**
 * The golden suites: which test vectors each holds and how their inputs are drawn
 * (spec/golden.md §5). Inputs come from mulberry32 streams named by suite and case, so a suite
 * depends only on the seed; the expected outputs are computed afterwards by compute.ts.
 */

import {
  f32ToF16Bits,
  packTq1Block,
  packTq2Block,
  quantizeRow,
  GgmlType,
  isCanonicalTq1Byte,
  validateTq1_0Row,
  validateTq2_0Row,
  type FindingKind,
} from "../../reference/codec/index.js";
import { NMSE_TOLERANCE } from "../../reference/tolerances/logits.js";
import { deriveSeed, mulberry32, normalish } from "../random/index.js";
import { DEFAULT_PROMPT } from "../model/default-prompt.js";
import {
  q8kEqualMaxBlock,
  q8kTieBlock,
  saturatedQ8KBlock,
  withBlockScale,
  withNonCanonicalCodes,
} from "../harness/edge-cases.js";
import { boundRoleOf, centerRoleOf } from "./acceptance.js";
import { goldenModel, MODEL_PARAM, type GoldenActivations, type GroupSpec } from "./compute.js";
import type { Note, ParamValue, TestResult, Tolerance } from "./manifest.js";
import { I2S_NOTES, i2sSuiteGroups } from "./i2s-suite.js";
import { HF_BITNET_NOTES, hfBitnetSuiteGroups } from "./hf-bitnet-suite.js";
import { W2A8_NOTES, w2a8SuiteGroups } from "./w2a8-suite.js";
import {
  TRIRUN_BENCH_SHAPES,
  TRIRUN_MATMUL_SHAPES,
  TRIRUN_NOTES,
  trirunLayoutGroups,
  trirunMatmulGroups,
} from "./trirun-suite.js";
import { floatTensor, packedTensor, type PackedDtype, type Tensor } from "./tensor.js";

/** One test before its outputs are computed. */
export interface CaseSpec {
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: TestResult;
  readonly inputs: Readonly<Record<string, Tensor>>;
}

/** One group before its outputs are computed. */
export interface GroupPlan extends GroupSpec {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly tolerance: Tolerance;
  readonly cases: readonly CaseSpec[];
}

/** A suite before its outputs are computed. */
export interface SuitePlan {
  readonly name: string;
  readonly notes: Readonly<Record<string, Note>>;
  readonly groups: readonly GroupPlan[];
}

/** Every flag any suite uses, with what it means (each manifest carries the ones it uses). */
export const NOTES: Readonly<Record<string, Note>> = {
  Random: { bugType: "BASIC", description: "Random inputs of a typical magnitude." },
  Canonical: {
    bugType: "BASIC",
    description: "Bytes the reference encoder writes: decode and re-encode must give them back.",
  },
  ZeroBlock: {
    bugType: "EDGE_CASE",
    description: "A block or row whose values are all zero (TQ: scale 0 and every code 1, i.e. trit 0; Q8_K: d = 0).",
  },
  HalfTie: {
    bugType: "ROUNDING",
    description: "Values exactly halfway between two codes: the rounding function (spec/formats.md §2.4) decides.",
  },
  FirstOfEquals: {
    bugType: "EDGE_CASE",
    description:
      "Two values of the largest magnitude with opposite signs: Q8_K's max is the first of them, which fixes the " +
      "sign of d and of every code (spec/formats.md §6.2).",
  },
  NegativeMax: {
    bugType: "EDGE_CASE",
    description:
      "The value of largest magnitude is negative: Q8_K's iscale = −127/max is then positive and d " +
      "= 1/iscale > 0, while a positive max gives d < 0 and negated codes (spec/formats.md §6.2).",
  },
  Tq2Code3: {
    bugType: "INVALID_ENCODING",
    description:
      "A TQ2_0 code 3, which no encoder writes; ggml decodes it as +2d (spec/formats.md §4.5). A decoder may reject it; the expected output is ggml's.",
  },
  Tq1AliasByte: {
    bugType: "NON_CANONICAL",
    description:
      "A TQ1_0 qs byte outside the 243 the encoder writes; it decodes to the trits ggml's fixed-point unpacking gives (spec/formats.md §5.6).",
  },
  Tq1QhFifthTrit: {
    bugType: "NON_CANONICAL",
    description: "A TQ1_0 qh byte whose ignored 5th trit is not 0 (spec/formats.md §5.6); decoding ignores it.",
  },
  NegativeScale: {
    bugType: "NON_CANONICAL",
    description:
      "An fp16 block scale with the sign bit set: the encoder never writes one, decoding negates every weight.",
  },
  InfiniteScale: {
    bugType: "LOSSY",
    description:
      "An fp16 scale of ±inf (block absmax ≥ 65520): zero codes decode to 0·inf = NaN (spec/formats.md §10).",
  },
  NanScale: { bugType: "LOSSY", description: "A NaN fp16 scale: every weight decodes to NaN (spec/formats.md §10)." },
  SubnormalScale: {
    bugType: "LOSSY",
    description: "An fp16 subnormal scale: precision is lost in the scale (spec/formats.md §2.2, §10).",
  },
  ZeroScaleWithCodes: {
    bugType: "LOSSY",
    description:
      "Block absmax in (2^-128, 2^-25]: the scale rounds to fp16 0 while codes are non-zero; every weight decodes to ±0 (spec/formats.md §10).",
  },
  EdgeScale: {
    bugType: "EDGE_CASE",
    description: "Block scales at the ends of fp16: 65504, the smallest subnormal, zero, mixed in one row.",
  },
  SaturatedBlockSum: {
    bugType: "EDGE_CASE",
    description:
      "Weights all +1 against activations Q8_K saturates to ±127: a block's Σ code·q8 lies beyond int16, where a " +
      "16-bit accumulator wraps.",
  },
  ZeroActivations: {
    bugType: "EDGE_CASE",
    description: "An activation row of zeros: Q8_K's scale is 0 and every product is 0.",
  },
  LargeActivations: {
    bugType: "EDGE_CASE",
    description: "Activations with a wide dynamic range (one outlier per row), as after a residual stream.",
  },
  Shape: {
    bugType: "BASIC",
    description: "A shape other than the smallest: several blocks per row, several rows, a batch.",
  },
  RopeAdjacent: {
    bugType: "BASIC",
    description: "RoPE on adjacent pairs (x[2i], x[2i+1]): llama.cpp on GGUF (spec/forward.md §4.2).",
  },
  RopeRotateHalf: {
    bugType: "BASIC",
    description: "RoPE on halves (x[i], x[i+d/2]): Hugging Face (spec/forward.md §4.2).",
  },
  PartialRope: {
    bugType: "EDGE_CASE",
    description: "ropeDim < headDim: the last dimensions of each head pass through unchanged.",
  },
  LargePosition: {
    bugType: "EDGE_CASE",
    description: "Large positions, where θ is large and the float32 angle iteration matters (spec/forward.md §4.1).",
  },
  GroupedQuery: { bugType: "BASIC", description: "Fewer key/value heads than query heads (grouped-query attention)." },
  LongContext: {
    bugType: "EDGE_CASE",
    description: "More than 32 positions: ggml pads the KV window to a multiple of 32 (spec/forward.md §9).",
  },
  PeakedSoftmax: {
    bugType: "EDGE_CASE",
    description: "Large scores: the softmax is nearly one-hot and exp underflows for most positions.",
  },
  ExpOverflow: {
    bugType: "EDGE_CASE",
    description: "Gate values far from 0: exp(−g) overflows to inf (silu → −0) or underflows (silu → g).",
  },
  TinyValues: { bugType: "EDGE_CASE", description: "Values near the bottom of float32, where x·x underflows." },
  ModelLogits: {
    bugType: "BASIC",
    description:
      "Logits of every position of the embedded model (golden/models/trilm-tiny-tq2_0.gguf) for the default prompt.",
  },
};

/** The suites `generate` writes by default (the checked-in corpus), and the on-demand ones. */
export const DEFAULT_SUITES = ["codecs", "matmul", "ops", "model", "trirun", "i2_s", "hf-bitnet", "w2a8"] as const;
/** Every suite name. */
export const ALL_SUITES = [...DEFAULT_SUITES, "matmul-large", "trirun-bench"] as const;
/** A suite name. */
export type SuiteName = (typeof ALL_SUITES)[number];

type Rng = () => number;

/** Build suite `name` for `seed`. */
export function planSuite(name: SuiteName, seed: number): SuitePlan {
  const rng = (label: string): Rng => mulberry32(deriveSeed(seed, `${name}/${label}`));
  switch (name) {
    case "codecs":
      return { name, notes: NOTES, groups: codecGroups(rng) };
    case "matmul":
      return { name, notes: NOTES, groups: [...matmulGroups(rng, MATMUL_SHAPES), ...matmulEdgeGroups(rng)] };
    case "matmul-large":
      return { name, notes: NOTES, groups: matmulGroups(rng, LARGE_MATMUL_SHAPES) };
    case "ops":
      return { name, notes: NOTES, groups: opGroups(rng) };
    case "model":
      return { name, notes: NOTES, groups: modelGroups() };
    case "trirun":
      return {
        name,
        notes: { ...NOTES, ...TRIRUN_NOTES },
        groups: [...trirunLayoutGroups(rng), ...trirunMatmulGroups(rng, TRIRUN_MATMUL_SHAPES)],
      };
    case "i2_s":
      return { name, notes: { ...NOTES, ...I2S_NOTES }, groups: i2sSuiteGroups(rng) };
    case "hf-bitnet":
      return { name, notes: { ...NOTES, ...HF_BITNET_NOTES }, groups: hfBitnetSuiteGroups(rng) };
    case "w2a8":
      return { name, notes: { ...NOTES, ...W2A8_NOTES }, groups: w2a8SuiteGroups(rng) };
    case "trirun-bench":
      return { name, notes: { ...NOTES, ...TRIRUN_NOTES }, groups: trirunMatmulGroups(rng, TRIRUN_BENCH_SHAPES) };
  }
}

// ---------------------------------------------------------------- helpers

/** n approximately normal values times `scale`, rounded to float32. */
function normals(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => normalish(rng) * scale);
}

/** A code 0..2 (trit + 1), P(1) = 0.4 as in make-model. */
function drawCode(rng: Rng): number {
  const u = rng();
  if (u < 0.4) return 1;
  return u < 0.7 ? 0 : 2;
}

/** rows × (cols/256) blocks of random codes with the given fp16 scale bits per (row, block), packed. */
function packedCodes(
  dtype: "tq1_0" | "tq2_0",
  rows: number,
  cols: number,
  rng: Rng,
  scaleBits: (r: number, b: number) => number,
): Uint8Array {
  const blocks = cols / 256;
  const pack = dtype === "tq1_0" ? packTq1Block : packTq2Block;
  const parts: Uint8Array[] = [];
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < blocks; b++) {
      const codes = Uint8Array.from({ length: 256 }, () => drawCode(rng));
      codes[(r + b) % 256] = 2; // a non-zero code in every block: the block is canonical
      parts.push(pack(codes, scaleBits(r, b)));
    }
  }
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => (out.set(p, o), o + p.length), 0);
  return out;
}

/** An fp16 scale around 1/sqrt(cols) in bits, like a trained absmean scale. */
function typicalScaleBits(rng: Rng, cols: number): number {
  return f32ToF16Bits((0.5 + rng()) / Math.sqrt(cols));
}

const TQ_FORMATS: readonly ("tq1_0" | "tq2_0")[] = ["tq1_0", "tq2_0"];

// ---------------------------------------------------------------- codecs

const ENCODE_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description: "bit-exact: the bytes of ggml's quantize_row_*_ref",
  spec: "spec/formats.md §4.3, §5.4, §6.2",
};
const DECODE_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description: "bit-exact: decoding never rounds (code · fp16 scale is exact in float32)",
  spec: "spec/formats.md §4.4, §5.5, §6.3",
};

/** A one-row [1, 256·blocks] float tensor. */
function rowTensor(values: Float32Array): Tensor {
  return floatTensor([1, values.length], values);
}

/** TQ quantize inputs: random, zero, half ties, large (inf scale), subnormal, below-fp16 absmax. */
function tqEncodeCases(rng: (label: string) => Rng, dtype: "tq1_0" | "tq2_0"): CaseSpec[] {
  const random = normals(rng(`${dtype}/encode/random`), 512, 0.05);
  const ternary = Float32Array.from({ length: 256 }, (_, i) => (((i * 7) % 3) - 1) * 0.125);
  const ties = Float32Array.from({ length: 256 }, (_, i) => [1, -1, 0.5, -0.5, 0.25, 0][i % 6]);
  const scaled = (amax: number) =>
    Float32Array.from({ length: 256 }, (_, i) => (i === 0 ? amax : ((i % 5) - 2) * amax * 0.4));
  return [
    { comment: "random weights, two blocks", flags: ["Random"], result: "valid", inputs: { w: rowTensor(random) } },
    {
      comment: "exact ternary values (lossless)",
      flags: ["Canonical"],
      result: "valid",
      inputs: { w: rowTensor(ternary) },
    },
    {
      comment: "an all-zero block",
      flags: ["ZeroBlock"],
      result: "valid",
      inputs: { w: rowTensor(new Float32Array(256)) },
    },
    {
      comment: "values at ±amax/2: ties of the code rounding",
      flags: ["HalfTie"],
      result: "valid",
      inputs: { w: rowTensor(ties) },
    },
    {
      comment: "absmax 70000 rounds to an infinite fp16 scale",
      flags: ["InfiniteScale"],
      result: "acceptable",
      inputs: { w: rowTensor(scaled(70000)) },
    },
    {
      comment: "absmax 3e-6: an fp16 subnormal scale",
      flags: ["SubnormalScale"],
      result: "acceptable",
      inputs: { w: rowTensor(scaled(3e-6)) },
    },
    {
      comment: "absmax 1e-9: the scale rounds to 0 with non-zero codes",
      flags: ["ZeroScaleWithCodes"],
      result: "acceptable",
      inputs: { w: rowTensor(scaled(1e-9)) },
    },
  ];
}

/** A valid block of `dtype` quantized from a pattern with absmax 1 (scale bits 0x3c00). */
function baseBlock(dtype: "tq1_0" | "tq2_0"): Uint8Array {
  const x = Float32Array.from({ length: 256 }, (_, i) => ((i * 5 + (i >> 3)) % 3) - 1);
  x[0] = 1;
  return quantizeRow(dtype === "tq1_0" ? GgmlType.TQ1_0 : GgmlType.TQ2_0, x);
}

/** Check that a crafted block has the finding it is meant to have (a generator bug otherwise). */
function expectFinding(dtype: "tq1_0" | "tq2_0", bytes: Uint8Array, kind: FindingKind): Uint8Array {
  const findings = dtype === "tq1_0" ? validateTq1_0Row(bytes) : validateTq2_0Row(bytes);
  if (!findings.some((f) => f.kind === kind)) throw new Error(`golden: crafted ${dtype} block lacks finding ${kind}`);
  return bytes;
}

/** A block with its fp16 scale replaced. */
function withScale(dtype: "tq1_0" | "tq2_0", block: Uint8Array, bits: number): Uint8Array {
  const out = block.slice();
  const offset = dtype === "tq1_0" ? 52 : 64;
  out[offset] = bits & 0xff;
  out[offset + 1] = bits >>> 8;
  return out;
}

/** TQ dequantize inputs: canonical, random, zero, and the non-canonical / invalid / lossy blocks of spec/formats.md §10. */
function tqDecodeCases(rng: (label: string) => Rng, dtype: "tq1_0" | "tq2_0"): CaseSpec[] {
  const weight = (bytes: Uint8Array): Record<string, Tensor> => ({
    weight: packedTensor(dtype, 1, (bytes.length / (dtype === "tq1_0" ? 54 : 66)) * 256, bytes),
  });
  const base = baseBlock(dtype);
  const random = packedCodes(dtype, 1, 512, rng(`${dtype}/decode/random`), (r, b) =>
    f32ToF16Bits(0.01 + 0.03 * (r + b)),
  );
  const cases: CaseSpec[] = [
    { comment: "a block the encoder wrote (scale 1.0)", flags: ["Canonical"], result: "valid", inputs: weight(base) },
    { comment: "random codes, two blocks", flags: ["Random"], result: "valid", inputs: weight(random) },
    {
      comment: "a block of zeros as the encoder writes it (every code 1, scale 0)",
      flags: ["ZeroBlock"],
      result: "valid",
      inputs: weight(quantizeRow(dtype === "tq1_0" ? GgmlType.TQ1_0 : GgmlType.TQ2_0, new Float32Array(256))),
    },
    {
      comment: "all 0x00 bytes: every code 0 (−1) times scale 0 decodes to −0",
      flags: ["ZeroScaleWithCodes"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, new Uint8Array(dtype === "tq1_0" ? 54 : 66), "scale-zero-with-codes")),
    },
    {
      comment: "scale with the sign bit set (-1.0)",
      flags: ["NegativeScale"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, withScale(dtype, base, 0xbc00), "scale-negative")),
    },
    {
      comment: "scale +inf: zero codes decode to NaN",
      flags: ["InfiniteScale"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, withScale(dtype, base, 0x7c00), "scale-infinite")),
    },
    {
      comment: "scale NaN (0x7e00)",
      flags: ["NanScale"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, withScale(dtype, base, 0x7e00), "scale-nan")),
    },
    {
      comment: "scale 2^-24, the smallest fp16 subnormal",
      flags: ["SubnormalScale"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, withScale(dtype, base, 0x0001), "scale-subnormal")),
    },
    {
      comment: "scale 0 with non-zero codes",
      flags: ["ZeroScaleWithCodes"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, withScale(dtype, base, 0x0000), "scale-zero-with-codes")),
    },
  ];
  if (dtype === "tq2_0") {
    const code3 = base.slice();
    code3[0] = 0xff; // elements 0, 32, 64, 96 get code 3
    cases.push({
      comment: "byte 0 = 0xff: four elements with code 3 (ggml decodes +2d)",
      flags: ["Tq2Code3"],
      result: "invalid",
      inputs: weight(expectFinding(dtype, code3, "tq2-code-3")),
    });
  } else {
    const alias = base.slice();
    alias[0] = Array.from({ length: 256 }, (_, b) => 255 - b).find((b) => !isCanonicalTq1Byte(b)) ?? 0; // the largest of the 13 bytes the encoder never writes
    cases.push({
      comment: `qs byte 0 = 0x${alias[0].toString(16)}, an alias byte`,
      flags: ["Tq1AliasByte"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, alias, "tq1-alias-byte")),
    });
    const fifth = base.slice(); // qh byte 0 replaced by the first byte whose 5th trit is not 0
    for (let b = 0; b < 256; b++) {
      const probe = base.slice();
      probe[48] = b;
      if (validateTq1_0Row(probe).some((f) => f.kind === "tq1-qh-fifth-trit")) {
        fifth[48] = b;
        break;
      }
    }
    const twoBlocks = new Uint8Array(2 * 54);
    twoBlocks.set(base, 0);
    twoBlocks.set(base, 54);
    cases.push({
      comment: "qs bytes 0..12 of the last block = the 13 alias bytes 0xf3..0xff",
      flags: ["Tq1AliasByte"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, withNonCanonicalCodes(dtype, twoBlocks, 1), "tq1-alias-byte")),
    });
    cases.push({
      comment: "qh byte 0 with a non-zero 5th trit (ignored by decoding)",
      flags: ["Tq1QhFifthTrit"],
      result: "acceptable",
      inputs: weight(expectFinding(dtype, fifth, "tq1-qh-fifth-trit")),
    });
  }
  return cases;
}

/** Q8_K quantize inputs: random, zero row, negative max, exact ties, large range. */
function q8kEncodeCases(rng: (label: string) => Rng): CaseSpec[] {
  const ties = (sign: number) =>
    Float32Array.from({ length: 256 }, (_, i) => (i === 0 ? sign * 127 : (i % 50) - 25 + 0.5));
  const wide = normals(rng("q8k/encode/wide"), 256, 0.01);
  wide[77] = 300;
  return [
    {
      comment: "random activations, two blocks",
      flags: ["Random"],
      result: "valid",
      inputs: { w: rowTensor(normals(rng("q8k/encode/random"), 512)) },
    },
    {
      comment: "an all-zero block (d = 0)",
      flags: ["ZeroBlock"],
      result: "valid",
      inputs: { w: rowTensor(new Float32Array(256)) },
    },
    {
      comment: "max = +127: iscale = -1 (d = -1, codes negated); values k + 0.5 are exact ties",
      flags: ["HalfTie"],
      result: "valid",
      inputs: { w: rowTensor(ties(1)) },
    },
    {
      comment: "max = -127: iscale = +1 (d = +1); values k + 0.5 are exact ties",
      flags: ["HalfTie", "NegativeMax"],
      result: "valid",
      inputs: { w: rowTensor(ties(-1)) },
    },
    {
      comment: "one outlier of 300 among values of 0.01",
      flags: ["LargeActivations"],
      result: "valid",
      inputs: { w: rowTensor(wide) },
    },
    {
      comment: "max 3.7 and -41.3 (iscale not a power of two): every other value lands exactly on a tie k + 0.5",
      flags: ["HalfTie", "NegativeMax"],
      result: "valid",
      inputs: { w: rowTensor(q8kTieRow(rng("q8k/encode/ties"), [Math.fround(3.7), Math.fround(-41.3)])) },
    },
    {
      comment: "equal largest magnitudes of opposite sign, +2.5 first in block 0 and -2.5 first in block 1",
      flags: ["FirstOfEquals", "NegativeMax"],
      result: "valid",
      inputs: { w: rowTensor(q8kEqualMaxRow(rng("q8k/encode/equal-max"), [2.5, -2.5])) },
    },
  ];
}

/** One row of Q8_K tie blocks (src/harness/edge-cases.ts q8kTieBlock), block i with max maxima[i] at a drawn position. */
function q8kTieRow(rng: Rng, maxima: readonly number[]): Float32Array {
  const x = new Float32Array(256 * maxima.length);
  maxima.forEach((max, i) => x.set(q8kTieBlock(max, Math.floor(rng() * 256), rng), i * 256));
  return x;
}

/** One row of blocks with two equal maxima of opposite sign, the first of block i being firsts[i]. */
function q8kEqualMaxRow(rng: Rng, firsts: readonly number[]): Float32Array {
  const x = new Float32Array(256 * firsts.length);
  firsts.forEach((first, i) => x.set(q8kEqualMaxBlock(first, rng), i * 256));
  return x;
}

function codecGroups(rng: (label: string) => Rng): GroupPlan[] {
  const groups: GroupPlan[] = [];
  const group = (op: "quantize" | "dequantize", format: PackedDtype, cases: CaseSpec[]): void => {
    // Cases of one group share rows and cols; split by width.
    const byCols = new Map<number, CaseSpec[]>();
    for (const c of cases) {
      const t = op === "quantize" ? c.inputs.w : c.inputs.weight;
      const cols = t.shape[1];
      byCols.set(cols, [...(byCols.get(cols) ?? []), c]);
    }
    for (const [cols, list] of [...byCols].sort((a, b) => a[0] - b[0])) {
      groups.push({
        op,
        format,
        params: { rows: 1, cols },
        tolerance: op === "quantize" ? ENCODE_TOLERANCE : DECODE_TOLERANCE,
        cases: list,
      });
    }
  };
  for (const dtype of TQ_FORMATS) {
    group("quantize", dtype, tqEncodeCases(rng, dtype));
    group("dequantize", dtype, tqDecodeCases(rng, dtype));
  }
  const q8 = q8kEncodeCases(rng);
  group("quantize", "q8_K", q8);
  const q8Bytes = (x: Float32Array) => ({ weight: packedTensor("q8_K", 1, x.length, quantizeRow(GgmlType.Q8_K, x)) });
  group("dequantize", "q8_K", [
    {
      comment: "quantized random activations",
      flags: ["Random"],
      result: "valid",
      inputs: q8Bytes(normals(rng("q8k/decode/random"), 512)),
    },
    { comment: "an all-zero block", flags: ["ZeroBlock"], result: "valid", inputs: q8Bytes(new Float32Array(256)) },
  ]);
  return groups;
}

// ---------------------------------------------------------------- matmul

/** rows, cols, batch, and which weight scales / activations to use. */
interface MatmulShape {
  readonly rows: number;
  readonly cols: number;
  readonly batch: number;
  readonly kind: "random" | "edge-scales" | "zero-x" | "wide-x" | "q8k-ties";
}

const MATMUL_SHAPES: readonly MatmulShape[] = [
  { rows: 1, cols: 256, batch: 1, kind: "random" },
  { rows: 4, cols: 512, batch: 2, kind: "random" },
  { rows: 7, cols: 768, batch: 3, kind: "random" },
  { rows: 16, cols: 1024, batch: 1, kind: "random" },
  { rows: 5, cols: 512, batch: 2, kind: "edge-scales" },
  { rows: 3, cols: 256, batch: 2, kind: "zero-x" },
  { rows: 4, cols: 512, batch: 2, kind: "wide-x" },
  { rows: 3, cols: 512, batch: 2, kind: "q8k-ties" },
];

const LARGE_MATMUL_SHAPES: readonly MatmulShape[] = [
  { rows: 256, cols: 2048, batch: 4, kind: "random" },
  { rows: 1024, cols: 4096, batch: 2, kind: "random" },
  { rows: 64, cols: 8192, batch: 8, kind: "wide-x" },
];

const EDGE_SCALE_BITS = [0x7bff, 0x0001, 0x0000, 0x3c00, 0x0400, 0x1c00];

/** Every suite of matmul, ops and model groups holds each group in both manifest spellings of the activations ("ggml": ggml-exact, compute.ts). */
const GOLDEN_ACTIVATIONS: readonly GoldenActivations[] = ["f32", "ggml"];

/** Matmul groups carry their rule as data: y_bound.npy, the bounds `trilm check` judges with (acceptance.ts). */
function matmulTolerance(mode: GoldenActivations): Tolerance {
  return mode === "ggml"
    ? {
        kind: "elementwise-bound",
        description:
          "y is ggml's x86-64 AVX2 result bit for bit (x quantized to Q8_K per row, then the TQ·Q8_K vec_dot), " +
          "but any correct summation order passes: every element within y_bound of y_center, ggml's generic C " +
          "result (spec/golden.md §6.1)",
        spec: "spec/golden.md §6.1; spec/formats.md §8.2",
        bounds: { y: { bound: boundRoleOf("y"), center: centerRoleOf("y") } },
      }
    : {
        kind: "elementwise-bound",
        description:
          "y is the exact dot product rounded once to float32; a float32 kernel summing in any order passes: " +
          "every element within y_bound (spec/golden.md §6.1)",
        spec: "spec/golden.md §6.1; spec/kernel-protocol.md §5.1",
        bounds: { y: { bound: boundRoleOf("y"), center: "y" } },
      };
}

function matmulGroups(rng: (label: string) => Rng, shapes: readonly MatmulShape[]): GroupPlan[] {
  const groups: GroupPlan[] = [];
  for (const mode of GOLDEN_ACTIVATIONS) {
    for (const dtype of TQ_FORMATS) {
      for (const shape of shapes) {
        const { rows, cols, batch, kind } = shape;
        const label = `${dtype}/${rows}x${cols}x${batch}/${kind}`;
        // The same weights and activations for both modes: only the arithmetic differs.
        const wr = rng(`weights/${label}`);
        const scale =
          kind === "edge-scales"
            ? (r: number, b: number) => EDGE_SCALE_BITS[(r * 3 + b) % EDGE_SCALE_BITS.length]
            : () => typicalScaleBits(wr, cols);
        const weight = packedTensor(dtype, rows, cols, packedCodes(dtype, rows, cols, wr, scale));
        const x = kind === "zero-x" ? new Float32Array(batch * cols) : normals(rng(`x/${label}`), batch * cols);
        if (kind === "zero-x") x.set(normals(rng(`x/${label}`), cols), 0); // row 0 random, the others zero
        if (kind === "wide-x")
          for (let b = 0; b < batch; b++) x[b * cols + ((b * 97) % cols)] = 1000 * (b % 2 === 0 ? 1 : -1);
        if (kind === "q8k-ties")
          x.set(q8kTieRow(rng(`x/${label}/ties`), [127, Math.fround(3.7), -127, Math.fround(-0.3)]));
        const flags =
          kind === "random"
            ? rows === 1
              ? ["Random"]
              : ["Random", "Shape"]
            : kind === "edge-scales"
              ? ["EdgeScale"]
              : kind === "zero-x"
                ? ["ZeroActivations"]
                : kind === "q8k-ties"
                  ? ["HalfTie"]
                  : ["LargeActivations"];
        groups.push({
          op: "matmul",
          format: dtype,
          params: { rows, cols, batch, activations: mode },
          tolerance: matmulTolerance(mode),
          cases: [
            {
              comment: `${dtype} [${rows}, ${cols}] · x [${batch}, ${cols}]ᵀ, ${kind}, ${mode} activations`,
              flags,
              result: "valid",
              inputs: { weight, x: floatTensor([batch, cols], x) },
            },
          ],
        });
      }
    }
  }
  return groups;
}

/**
 * [4, 1024] weights on the edges (src/harness/edge-cases.ts): row 0 all +1 at scale 1 with code 3 / the TQ1_0
 * alias bytes in its last block; row 1 random with a zero scale; row 2 random with an all-zero block under +inf
 * (a non-finite scale on a zero dot: NaN, spec/formats.md §8.1); row 3 random with a NaN scale.
 */
function edgeWeights(dtype: "tq1_0" | "tq2_0", rng: Rng): Uint8Array {
  const codes = (r: number, b: number): Uint8Array =>
    r === 0
      ? new Uint8Array(256).fill(2)
      : r === 2 && b === 1
        ? new Uint8Array(256).fill(1)
        : Uint8Array.from({ length: 256 }, (_, e) => (e === (r + b) % 256 ? 2 : drawCode(rng)));
  const pack = dtype === "tq1_0" ? packTq1Block : packTq2Block;
  const weight = new Uint8Array(16 * (dtype === "tq1_0" ? 54 : 66));
  for (let r = 0; r < 4; r++)
    for (let b = 0; b < 4; b++) {
      const block = pack(codes(r, b), r === 0 ? 0x3c00 : typicalScaleBits(rng, 1024));
      weight.set(block, (r * 4 + b) * block.length);
    }
  const patched: [number, number][] = [
    [5, 0x0000],
    [9, 0x7c00],
    [14, 0x7e00],
  ];
  return patched.reduce((w, [i, bits]) => withBlockScale(dtype, w, i, bits), withNonCanonicalCodes(dtype, weight, 3));
}

/**
 * [2, 1024] activations on the edges: batch row 0 Q8_K-saturated blocks (Σ code·q8 beyond int16 against row 0)
 * and equal maxima of opposite sign; batch row 1 equal maxima, random blocks and a saturated last block.
 */
function edgeActivations(rng: Rng): Float32Array {
  const x = new Float32Array(2 * 1024);
  x.set(saturatedQ8KBlock(1.5, false), 0);
  x.set(saturatedQ8KBlock(-2.25, true), 256);
  x.set(q8kEqualMaxBlock(2.5, rng), 512);
  x.set(q8kEqualMaxBlock(-96, rng), 768);
  x.set(q8kEqualMaxBlock(0.75, rng), 1024);
  x.set(normals(rng, 512), 1280);
  x.set(saturatedQ8KBlock(-0.5, false), 1792);
  return x;
}

/**
 * One "edges" test per activation mode and format, appended after the shapes (earlier tcIds stay): zero, +inf
 * and NaN scales, a non-finite scale on a zero dot, code 3 / alias bytes, block sums beyond int16, equal maxima.
 */
function matmulEdgeGroups(rng: (label: string) => Rng): GroupPlan[] {
  return GOLDEN_ACTIVATIONS.flatMap((mode) =>
    TQ_FORMATS.map((dtype): GroupPlan => {
      const weight = packedTensor(dtype, 4, 1024, edgeWeights(dtype, rng(`weights/${dtype}/edges`)));
      const x = floatTensor([2, 1024], edgeActivations(rng(`x/${dtype}/edges`)));
      return {
        op: "matmul",
        format: dtype,
        params: { rows: 4, cols: 1024, batch: 2, activations: mode },
        tolerance: matmulTolerance(mode),
        cases: [
          {
            comment: `${dtype} [4, 1024] · x [2, 1024]ᵀ, edges, ${mode} activations`,
            flags: [
              "EdgeScale",
              "InfiniteScale",
              "NanScale",
              dtype === "tq2_0" ? "Tq2Code3" : "Tq1AliasByte",
              "SaturatedBlockSum",
              "FirstOfEquals",
            ],
            result: "valid",
            inputs: { weight, x },
          },
        ],
      };
    }),
  );
}

// ---------------------------------------------------------------- ops

const NORM_EPS = Math.fround(1e-5);

/** Ops groups: `ggml` bit-exact; `f32` carries its rule as data, y_bound.npy of spec/tolerances.md's IEEE bound (op-bounds.ts). */
function opTolerance(op: "rmsnorm" | "rope" | "attention" | "swiglu", mode: GoldenActivations): Tolerance {
  const section = { rmsnorm: "§4", rope: "§5", attention: "§7", swiglu: "§6" }[op];
  const forward = { rmsnorm: "§5", rope: "§4", attention: "§7", swiglu: "§6" }[op];
  return mode === "ggml"
    ? {
        kind: "bit-exact",
        description: `bit-exact with ggml's x86-64 CPU kernels (spec/forward.md §9); another implementation within spec/tolerances.md ${section}`,
        spec: `spec/forward.md §9; spec/tolerances.md ${section}`,
      }
    : {
        kind: "elementwise-bound",
        description:
          `y is the reference of spec/forward.md ${forward}; an IEEE float32 implementation passes: every element ` +
          `within y_bound of y, the spec/tolerances.md ${section} bound for IEEE_ACCURACY (spec/golden.md §6.1)`,
        spec: `spec/golden.md §6.1; spec/tolerances.md ${section}`,
        bounds: { y: { bound: boundRoleOf("y"), center: "y" } },
      };
}

function opGroups(rng: (label: string) => Rng): GroupPlan[] {
  const groups: GroupPlan[] = [];
  for (const mode of GOLDEN_ACTIVATIONS) {
    // RMSNorm (the same in both modes: ggml's own arithmetic); listed once per mode for a kernel protocol that runs by mode.
    for (const [n, batch, kind] of [
      [256, 2, "random"],
      [1024, 1, "random"],
      [256, 1, "tiny"],
    ] as const) {
      const r = rng(`rmsnorm/${n}/${batch}/${kind}`);
      const x = normals(r, batch * n, kind === "tiny" ? 1e-20 : 1);
      const gamma = Float32Array.from({ length: n }, () => 1 + 0.1 * normalish(r));
      groups.push({
        op: "rmsnorm",
        format: "f32",
        params: { n, batch, eps: NORM_EPS, activations: mode },
        tolerance: opTolerance("rmsnorm", mode),
        cases: [
          {
            comment: `rmsnorm of [${batch}, ${n}], ${kind}`,
            flags: kind === "tiny" ? ["TinyValues"] : ["Random"],
            result: "valid",
            inputs: { x: floatTensor([batch, n], x), gamma: floatTensor([n], gamma) },
          },
        ],
      });
    }
    // RoPE in both conventions.
    for (const style of ["adjacent", "rotate-half"] as const) {
      for (const [heads, headDim, ropeDim, positions] of [
        [4, 64, 64, [0, 1, 2, 7]],
        [2, 64, 32, [3, 100]],
        [2, 128, 128, [255, 1000, 4095, 32767]],
      ] as const) {
        const x = normals(
          rng(`rope/${style}/${headDim}/${ropeDim}/${positions.join(",")}`),
          positions.length * heads * headDim,
        );
        const flags = [style === "adjacent" ? "RopeAdjacent" : "RopeRotateHalf"];
        if (ropeDim < headDim) flags.push("PartialRope");
        if (positions[0] > 200) flags.push("LargePosition");
        groups.push({
          op: "rope",
          format: "f32",
          params: { heads, headDim, ropeDim, theta: 10000, style, positions: [...positions], activations: mode },
          tolerance: opTolerance("rope", mode),
          cases: [
            {
              comment: `${heads} heads of ${headDim}, ropeDim ${ropeDim}, positions ${positions.join(", ")}`,
              flags,
              result: "valid",
              inputs: { x: floatTensor([positions.length, heads * headDim], x) },
            },
          ],
        });
      }
    }
    // Causal attention.
    for (const [nHeads, nKvHeads, headDim, seqLen, kind] of [
      [4, 4, 64, 5, "random"],
      [4, 2, 64, 7, "gqa"],
      [2, 1, 64, 40, "long"],
      [2, 2, 32, 6, "peaked"],
    ] as const) {
      const r = rng(`attention/${nHeads}/${nKvHeads}/${headDim}/${seqLen}/${kind}`);
      const qScale = kind === "peaked" ? 8 : 1;
      const q = normals(r, seqLen * nHeads * headDim, qScale);
      const k = normals(r, seqLen * nKvHeads * headDim, qScale);
      const v = normals(r, seqLen * nKvHeads * headDim);
      const flags =
        kind === "gqa"
          ? ["GroupedQuery"]
          : kind === "long"
            ? ["GroupedQuery", "LongContext"]
            : kind === "peaked"
              ? ["PeakedSoftmax"]
              : ["Random"];
      groups.push({
        op: "attention",
        format: "f32",
        params: { nHeads, nKvHeads, headDim, seqLen, activations: mode },
        tolerance: opTolerance("attention", mode),
        cases: [
          {
            comment:
              `causal attention: ${nHeads} query heads, ${nKvHeads} kv heads of ${headDim}, ` +
              `${seqLen} positions (query s sees 0..s; q already rotated, scale 1/sqrt(headDim))`,
            flags,
            result: "valid",
            inputs: {
              q: floatTensor([seqLen, nHeads * headDim], q),
              k: floatTensor([seqLen, nKvHeads * headDim], k),
              v: floatTensor([seqLen, nKvHeads * headDim], v),
            },
          },
        ],
      });
    }
    // SwiGLU.
    for (const [n, batch, kind] of [
      [768, 2, "random"],
      [256, 1, "extreme"],
    ] as const) {
      const r = rng(`swiglu/${n}/${batch}/${kind}`);
      const gate = normals(r, batch * n, kind === "random" ? 2 : 1);
      const up = normals(r, batch * n);
      if (kind === "extreme")
        [-200, -100, -88.8, -87, 87, 88.8, 100, 200, -1e30, 1e30, 0, -0].forEach((g, i) => (gate[i] = g));
      groups.push({
        op: "swiglu",
        format: "f32",
        params: { n, batch, activations: mode },
        tolerance: opTolerance("swiglu", mode),
        cases: [
          {
            comment: `silu(gate) · up over [${batch}, ${n}], ${kind}`,
            flags: kind === "extreme" ? ["ExpOverflow"] : ["Random"],
            result: "valid",
            inputs: { gate: floatTensor([batch, n], gate), up: floatTensor([batch, n], up) },
          },
        ],
      });
    }
  }
  return groups;
}

// ---------------------------------------------------------------- model

function modelGroups(): GroupPlan[] {
  const { sha256 } = goldenModel();
  return GOLDEN_ACTIVATIONS.map((mode) => ({
    op: "model",
    format: "tq2_0",
    params: { model: MODEL_PARAM, modelSha256: sha256, tokens: [...DEFAULT_PROMPT], activations: mode, kvCache: "f32" },
    tolerance:
      mode === "ggml"
        ? {
            kind: "bit-exact",
            description:
              "bit-exact with llama.cpp's x86-64 CPU backend (every position evaluated as one " +
              "batch); other backends as spec/tolerances.md §9 says (no elementwise bound; argmax and top-k agreement)",
            spec: "spec/forward.md §9; spec/tolerances.md §9",
          }
        : {
            kind: "logits-criterion",
            description:
              "the reference forward pass of spec/forward.md §8 (float activations); another implementation passes " +
              "when NMSE ≤ nmse over all positions and each position's argmax equals the expected one or is a near tie",
            spec: "spec/tolerances.md §9.1; spec/golden.md §6.2",
            nmse: NMSE_TOLERANCE,
          },
    cases: [
      {
        comment: `logits [${DEFAULT_PROMPT.length}, vocab] of the embedded model for the prompt ${DEFAULT_PROMPT.join(",")}, ${mode} activations`,
        flags: ["ModelLogits"],
        result: "valid",
        inputs: {},
      },
    ],
  }));
}
