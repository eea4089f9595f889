/**
 * Failures diagnosed by cause: a catalogue of named hypotheses, each the reference matmul with one
 * classic kernel bug put in (src/harness/matmul-variant.ts), tested against a failing kernel's
 * actual output. A hypothesis matches when its variant reproduces every output — bit for bit, or
 * within the variant's f32 bound — and differs from the reference on this case.
 * Specified in spec/kernel-protocol.md §9.
 */

import {
  bf16BitsToF32,
  dotResultsAgree,
  f16BitsToF32,
  isCanonicalTq1Byte,
  isF16Subnormal,
  QK_K,
  tq1ElementPosition,
  TQ1_0_QH_OFFSET,
} from "../../reference/codec/index.js";
import {
  readWeightRow,
  referenceReader,
  tq1CodeReader,
  tq2CodeReader,
  variantEvaluator,
  type CodeReader,
  type MatmulVariant,
  type VariantElement,
} from "./matmul-variant.js";
import type { Diagnosis, HypothesisMatch, KernelCase } from "./protocol.js";

/** One named cause of failure. */
export interface MatmulHypothesis {
  /** A stable name, e.g. "first-block-scale". */
  readonly id: string;
  /** What the kernel does wrong, in words. */
  readonly description: string;
  /** Whether the hypothesis can apply to the case (its format, activation mode, shape). */
  readonly applies: (kernelCase: KernelCase) => boolean;
  /** The reference with the bug put in. */
  readonly variant: MatmulVariant;
}

const always = (): boolean => true;
const isTq2 = (c: KernelCase): boolean => c.format === "tq2_0";
const isTq1 = (c: KernelCase): boolean => c.format === "tq1_0";
const isGgml = (c: KernelCase): boolean => c.activations === "ggml";

/** TQ2_0 elements four consecutive to a byte: element e at byte ⌊e/4⌋, bits 2·(e mod 4). */
export function tq2ConsecutivePosition(e: number): { byte: number; shift: number } {
  return { byte: e >> 2, shift: 2 * (e & 3) };
}

/** TQ1_0 qs elements (0..239) five consecutive to a byte: element e at byte ⌊e/5⌋, trit e mod 5; qh as the reference. */
export function tq1ConsecutivePosition(e: number): { byte: number; trit: number } {
  return e < 240 ? { byte: Math.floor(e / 5), trit: e % 5 } : tq1ElementPosition(e);
}

/** TQ1_0 qh elements (240..255) four consecutive to a byte: element 240 + 4j + n at qh byte j, trit n. */
export function tq1QhConsecutivePosition(e: number): { byte: number; trit: number } {
  return e < 240 ? tq1ElementPosition(e) : { byte: TQ1_0_QH_OFFSET + Math.floor((e - 240) / 4), trit: (e - 240) % 4 };
}

/** An fp16 scale with subnormals flushed to (signed) zero. */
function flushedF16(bits: number): number {
  return isF16Subnormal(bits) ? (bits & 0x8000 ? -0 : 0) : f16BitsToF32(bits);
}

/** An fp16 scale with NaN and ±inf read as 0. */
function nonFiniteZeroedF16(bits: number): number {
  const d = f16BitsToF32(bits);
  return Number.isFinite(d) ? d : 0;
}

/** The TQ2_0 reference element map with code 3 read as `code`. */
function tq2Code3As(code: number): CodeReader {
  const read = referenceReader("tq2_0");
  return (block, e) => {
    const c = read(block, e);
    return c === 3 ? code : c;
  };
}

/** TQ1_0 read through a table of the 243 bytes the encoder writes: the 13 alias bytes read as 0 (every trit 0). */
function tq1AliasTableReader(): CodeReader {
  const read = referenceReader("tq1_0");
  return (block, e) => (isCanonicalTq1Byte(block[tq1ElementPosition(e).byte]) ? read(block, e) : 0);
}

/** The catalogue, in the order reports list matches. */
export const MATMUL_HYPOTHESES: readonly MatmulHypothesis[] = [
  {
    id: "tq2-consecutive-elements",
    description:
      "TQ2_0 element map: Q2_0's layout, four consecutive elements a byte (element e at byte e/4, bits 2·(e mod 4)), " +
      "instead of TQ2_0's 32-byte planes",
    applies: isTq2,
    variant: { codes: tq2CodeReader(tq2ConsecutivePosition) },
  },
  {
    id: "tq1-consecutive-elements",
    description: "TQ1_0 element map: five consecutive elements a qs byte (element e at byte e/5, trit e mod 5)",
    applies: isTq1,
    variant: { codes: tq1CodeReader(tq1ConsecutivePosition) },
  },
  {
    id: "tq1-qh-order",
    description: "TQ1_0 qh order: elements 240 + 4j … 240 + 4j + 3 read from qh byte j (they are 240 + j + 4n)",
    applies: isTq1,
    variant: { codes: tq1CodeReader(tq1QhConsecutivePosition) },
  },
  {
    id: "code3-as-zero",
    description: "TQ2_0 code 3 decoded as weight 0 (it is +2)",
    applies: isTq2,
    variant: { codes: tq2Code3As(1) },
  },
  {
    id: "code3-as-minus-one",
    description: "TQ2_0 code 3 decoded as code 0, weight −1 (it is +2)",
    applies: isTq2,
    variant: { codes: tq2Code3As(0) },
  },
  {
    id: "code3-as-plus-one",
    description: "TQ2_0 code 3 decoded as code 2, weight +1 (it is +2)",
    applies: isTq2,
    variant: { codes: tq2Code3As(2) },
  },
  {
    id: "tq1-alias-table",
    description: "TQ1_0 decoded through a table of the 243 bytes the encoder writes: the 13 alias bytes read as 0",
    applies: isTq1,
    variant: { codes: tq1AliasTableReader() },
  },
  {
    id: "first-block-scale",
    description: "first block scale applied to all blocks of the row",
    applies: always,
    variant: { firstBlockScale: true },
  },
  {
    id: "scale-bf16",
    description: "block scale read as bfloat16 instead of fp16",
    applies: always,
    variant: { scale: bf16BitsToF32 },
  },
  {
    id: "subnormal-scale-flushed",
    description: "fp16-subnormal block scales flushed to zero",
    applies: always,
    variant: { scale: flushedF16 },
  },
  {
    id: "nonfinite-scale-zeroed",
    description: "NaN and ±inf block scales read as 0",
    applies: always,
    variant: { scale: nonFiniteZeroedF16 },
  },
  {
    id: "q8k-ties-away",
    description: "Q8_K quantization rounds halves away from zero (roundf) instead of to even",
    applies: isGgml,
    variant: { activations: "q8k-ties-away" },
  },
  {
    id: "q8_1-activation-blocks",
    description: "activations quantized in Q8_1-style blocks of 32 (fp16 d = amax/127) instead of Q8_K blocks of 256",
    applies: isGgml,
    variant: { activations: "q8_1" },
  },
  {
    id: "no-activation-quantization",
    description: "activations used as float32 where Q8_K quantization is required",
    applies: isGgml,
    variant: { activations: "float" },
  },
  {
    id: "q8k-unguarded-zero-block",
    description: "Q8_K quantization without the amax = 0 guard: an all-zero activation block gives NaN (0·∞)",
    applies: isGgml,
    variant: { activations: "q8k-unguarded" },
  },
  {
    id: "q8k-d-fp16",
    description: "the Q8_K activation scale d stored as fp16 (as Q8_0 does) instead of float32",
    applies: isGgml,
    variant: { activations: "q8k-d-fp16" },
  },
  {
    id: "int16-accumulator",
    description: "each block's Σ code·q8 (codes 0..3) kept in a wrapping int16 before Σ q8 is subtracted",
    applies: isGgml,
    variant: { int16BlockSums: true },
  },
  {
    id: "fp16-accumulation",
    description: "the running sum kept in fp16 (rounded after every addition, in column or block order)",
    applies: always,
    variant: { accumulator: "f16" },
  },
  {
    id: "last-block-skipped",
    description: "the last block of each row skipped",
    applies: always,
    variant: { countsBlock: (block, blocks) => block !== blocks - 1 },
  },
  {
    id: "only-last-block",
    description: "only the last block of each row counted (acc = … instead of acc += …)",
    applies: (c) => c.cols > QK_K,
    variant: { countsBlock: (block, blocks) => block === blocks - 1 },
  },
  {
    id: "zero-block-dot-skipped",
    description: "blocks whose dot Σ t·x is 0 skipped, so a NaN or inf scale times 0 is lost",
    applies: always,
    variant: { skipsZeroBlockDots: true },
  },
  {
    id: "last-row-skipped",
    description: "the last weight row never computed (off-by-one row loop): its outputs left 0",
    applies: always,
    variant: { output: "last-row-zero" },
  },
  {
    id: "batch-row0-reused",
    description: "activation row 0 used for every batch row",
    applies: (c) => c.batch > 1,
    variant: { firstBatchRow: true },
  },
  {
    id: "batch-rows-swapped",
    description: "batch rows of y in reverse order",
    applies: (c) => c.batch > 1,
    variant: { output: "batch-reversed" },
  },
  {
    id: "output-transposed",
    description: "y written transposed, [rows, batch] instead of [batch, rows]",
    applies: (c) => c.batch > 1 && c.rows > 1,
    variant: { output: "transposed" },
  },
];

/** Is the case's format one the catalogue knows (TQ1_0, TQ2_0)? */
function ternary(kernelCase: KernelCase): boolean {
  return kernelCase.format === "tq1_0" || kernelCase.format === "tq2_0";
}

/** Same float32 value, every NaN equal to every NaN, −0 ≠ +0? */
function sameValue(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

/** Does output value a agree with the variant's element: the same value, or within its bound (dotResultsAgree)? */
function agrees(a: number, v: VariantElement): boolean {
  return sameValue(a, v.y) || dotResultsAgree(a, v.y, v.bound);
}

/** Is every value of y +0 or −0, or every value NaN: an output that many bugs produce alike? */
function trivialOutput(y: Float32Array): boolean {
  return y.every((v) => v === 0) || y.every((v) => Number.isNaN(v));
}

/**
 * Mark the matches the case cannot tell apart (HypothesisMatch.ambiguous): all of them when y is
 * trivial (all zero or all NaN), and each whose variant output equals another match's bit for bit.
 */
function markAmbiguous(
  found: readonly { match: Omit<HypothesisMatch, "ambiguous">; output: Float32Array }[],
  y: Float32Array,
): HypothesisMatch[] {
  const trivial = trivialOutput(y);
  return found.map(({ match, output }) => {
    const twin = found.some(
      (other) => other.output !== output && output.every((v, i) => sameValue(v, other.output[i])),
    );
    return { ...match, ambiguous: trivial || twin };
  });
}

/**
 * Test every applicable hypothesis of the catalogue against a matmul kernel's output y
 * (Float32Array[batch · rows]): the matches are the hypotheses whose variant reproduces every
 * element of y (exact when bit for bit) and differs from the reference somewhere — a value
 * `accepts` rejects (the judge's tolerance: a change the check itself would pass explains nothing),
 * by default one outside the variant's own bound; those the case cannot tell apart are marked
 * ambiguous (markAmbiguous). The outputs where y differs from the reference are compared first, so
 * most hypotheses are rejected after one. Spec §9.
 */
export function diagnoseMatmul(
  kernelCase: KernelCase,
  y: Float32Array,
  accepts?: (index: number, value: number) => boolean,
): Diagnosis {
  if (!ternary(kernelCase)) return { output: "y", tried: [], matches: [] };
  const reference = variantEvaluator(kernelCase, {});
  const expected = Array.from(y.keys(), reference);
  const outputs = Array.from(y.keys());
  const order = [
    ...outputs.filter((i) => !sameValue(y[i], expected[i].y)),
    ...outputs.filter((i) => sameValue(y[i], expected[i].y)),
  ];
  const tried: string[] = [];
  const found: { match: Omit<HypothesisMatch, "ambiguous">; output: Float32Array }[] = [];
  for (const hypothesis of MATMUL_HYPOTHESES) {
    if (!hypothesis.applies(kernelCase)) continue;
    tried.push(hypothesis.id);
    const variant = variantEvaluator(kernelCase, hypothesis.variant);
    const output = new Float32Array(y.length);
    let reproduces = true;
    let exact = true;
    let differs = false;
    for (const i of order) {
      const v = variant(i);
      if (!agrees(y[i], v)) {
        reproduces = false;
        break;
      }
      output[i] = v.y;
      exact &&= sameValue(y[i], v.y);
      differs ||= accepts === undefined ? !agrees(expected[i].y, v) : !accepts(i, v.y);
    }
    if (reproduces && differs)
      found.push({
        match: { id: hypothesis.id, description: hypothesis.description, exact, outputs: y.length },
        output,
      });
  }
  return { output: "y", tried, matches: markAmbiguous(found, y) };
}

/** Does a variant change only how the weights are read (codes and scales), so that it applies to dequantize too? */
function readsWeights(variant: MatmulVariant): boolean {
  return Object.keys(variant).every((key) => key === "codes" || key === "scale" || key === "firstBlockScale");
}

/**
 * Test the hypotheses about reading the weights (element map, scales) against a dequantize kernel's
 * output w (Float32Array[rows · cols]): a match decodes every element to the same float32 bits
 * (NaN equal to NaN) and differs from the reference somewhere. Spec §9.
 */
export function diagnoseDequantize(kernelCase: KernelCase, w: Float32Array): Diagnosis {
  if (!ternary(kernelCase)) return { output: "w", tried: [], matches: [] };
  const decode = (variant: MatmulVariant): Float32Array => {
    const out = new Float32Array(kernelCase.rows * kernelCase.cols);
    for (let r = 0; r < kernelCase.rows; r++) {
      const { t, scale } = readWeightRow(kernelCase, variant, r);
      for (let c = 0; c < kernelCase.cols; c++) out[r * kernelCase.cols + c] = scale[Math.floor(c / QK_K)] * t[c];
    }
    return out;
  };
  const reference = decode({});
  const tried: string[] = [];
  const found: { match: Omit<HypothesisMatch, "ambiguous">; output: Float32Array }[] = [];
  for (const hypothesis of MATMUL_HYPOTHESES) {
    if (!hypothesis.applies(kernelCase) || !readsWeights(hypothesis.variant)) continue;
    tried.push(hypothesis.id);
    const variant = decode(hypothesis.variant);
    const equal = (a: Float32Array): boolean => a.every((v, i) => sameValue(v, variant[i]));
    if (equal(w) && !equal(reference))
      found.push({
        match: { id: hypothesis.id, description: hypothesis.description, exact: true, outputs: w.length },
        output: variant,
      });
  }
  return { output: "w", tried, matches: markAmbiguous(found, w) };
}

/**
 * The causes that reproduce two failing cases of one kernel (trilm fuzz's first failing case and its
 * minimal case): the hypotheses that match both, exact when exact on both, ambiguous only when
 * ambiguous on both (the other case tells it apart), outputs counted over both. Spec §9.
 */
export function diagnosisOfBoth(first: Diagnosis, second: Diagnosis): Diagnosis {
  const matches = first.matches.flatMap((a) => {
    const b = second.matches.find((m) => m.id === a.id);
    return b === undefined
      ? []
      : [{ ...a, exact: a.exact && b.exact, outputs: a.outputs + b.outputs, ambiguous: a.ambiguous && b.ambiguous }];
  });
  const tried = [...first.tried, ...second.tried.filter((id) => !first.tried.includes(id))];
  return { output: first.output, tried, matches };
}

/**
 * A diagnosis in words: "matches: first block scale applied to all blocks of the row (y equals the
 * reference with that change on all 6 outputs)", several joined by "; ", then the ambiguous matches
 * ("ambiguous on this case (…): last block of each row skipped; …"), or "no catalogued cause matches
 * (14 tried)" when there are none.
 */
export function describeDiagnosis(diagnosis: Diagnosis): string {
  const tried = `(${diagnosis.tried.length} tried)`;
  if (diagnosis.matches.length === 0) return `no catalogued cause matches ${tried}`;
  const causes = diagnosis.matches.filter((m) => !m.ambiguous);
  const ambiguous = diagnosis.matches.filter((m) => m.ambiguous);
  const each = causes.map((m) => {
    const how = m.exact ? "equals" : "agrees within the bound with";
    const all = m.outputs === 1 ? "its 1 output" : `all ${m.outputs} outputs`;
    return `${m.description} (${diagnosis.output} ${how} the reference with that change on ${all})`;
  });
  const parts = causes.length === 0 ? [`no catalogued cause identified ${tried}`] : [`matches: ${each.join("; ")}`];
  if (ambiguous.length > 0)
    parts.push(
      `ambiguous on this case (${diagnosis.output} all zero or all NaN, or the same as another match): ` +
        ambiguous.map((m) => m.description).join("; "),
    );
  return parts.join("; ");
}
