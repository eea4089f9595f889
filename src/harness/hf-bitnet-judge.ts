/**
 * Judging an hf-bitnet kernel's y (spec/kernel-protocol.md §13.2): every output within spec/tolerances.md §13's bound
 * of the reference; a failure names its worst output and is diagnosed by cause (§13.2): the other scale convention
 * (kernel-bugs B9), four consecutive rows per byte instead of four planes, activations left unquantized, the scale
 * left out.
 */

import { packHfBitnet } from "../../reference/codec/hf-bitnet.js";
import {
  hfBitnetLinearOutputs,
  hfBitnetOutputAccepted,
  hfBitnetQuantizeActivations,
  type HfBitnetOutput,
} from "../../reference/tolerances/hf-bitnet-linear.js";
import { HF_BITNET_FILES, type HfBitnetKernelCase } from "./hf-bitnet-case.js";
import type { CaseVerdict, Diagnosis, HypothesisMatch } from "./protocol.js";

/** The reference outputs of a case, [m·n] row-major (token i, output o at i·n + o), each with its bound. */
export function hfBitnetReference(kernelCase: HfBitnetKernelCase): HfBitnetOutput[] {
  const { n, k, m } = kernelCase;
  const out: HfBitnetOutput[] = [];
  for (let i = 0; i < m; i++) {
    const activations = hfBitnetQuantizeActivations(kernelCase.x.subarray(i * k, (i + 1) * k));
    out.push(...hfBitnetLinearOutputs(activations, kernelCase.weights, n, kernelCase.scale, kernelCase.convention));
  }
  return out;
}

/** W as a kernel reads it that takes byte p's crumb i as row 4p + i (consecutive rows) instead of row i·n/4 + p. */
export function hfBitnetConsecutiveRowsReading(kernelCase: HfBitnetKernelCase): Int8Array {
  const { n, k } = kernelCase;
  const packed = packHfBitnet(kernelCase.weights, n, k);
  const read = new Int8Array(n * k);
  for (let p = 0; p < n / 4; p++)
    for (let i = 0; i < 4; i++)
      for (let c = 0; c < k; c++) read[(4 * p + i) * k + c] = ((packed[p * k + c] >> (2 * i)) & 3) - 1;
  return read;
}

/** One catalogued cause: its id, words, and the case as the faulty kernel computes it. */
interface HfBitnetHypothesis {
  readonly id: string;
  readonly description: string;
  /** The reference outputs of the faulty computation. */
  readonly outputs: (kernelCase: HfBitnetKernelCase) => HfBitnetOutput[];
}

/** The float linear of unquantized x (ActQuant skipped), in the case's convention, with §13's bound. */
function unquantizedOutputs(kernelCase: HfBitnetKernelCase): HfBitnetOutput[] {
  const { n, k, m } = kernelCase;
  const out: HfBitnetOutput[] = [];
  for (let i = 0; i < m; i++) {
    const xhat = kernelCase.x.slice(i * k, (i + 1) * k);
    const activations = { sigma: 1, q: new Int8Array(k), xhat };
    out.push(...hfBitnetLinearOutputs(activations, kernelCase.weights, n, kernelCase.scale, kernelCase.convention));
  }
  return out;
}

/** The catalogue, in the order tried (spec/kernel-protocol.md §13.2). */
export const HF_BITNET_HYPOTHESES: readonly HfBitnetHypothesis[] = [
  {
    id: "scale-convention",
    description: "weight_scale divided instead of multiplied: kernel-bugs B9 (microsoft/BitNet PR #616)",
    outputs: (c) => hfBitnetReference({ ...c, convention: c.convention === "multiply" ? "divide" : "multiply" }),
  },
  {
    id: "consecutive-rows",
    description: "4 consecutive rows per byte instead of 4 planes of n/4 rows (pack_weights is planar)",
    outputs: (c) => hfBitnetReference({ ...c, weights: hfBitnetConsecutiveRowsReading(c) }),
  },
  {
    id: "unquantized-activations",
    description: "activations not quantized (ActQuant's per-token int8 skipped)",
    outputs: unquantizedOutputs,
  },
  {
    id: "scale-ignored",
    description: "weight_scale not applied",
    outputs: (c) => hfBitnetReference({ ...c, scale: 1 }),
  },
];

/** The description of a hypothesis, turned round for a "divide" case. */
function describe(hypothesis: HfBitnetHypothesis, kernelCase: HfBitnetKernelCase): string {
  if (hypothesis.id !== "scale-convention" || kernelCase.convention === "multiply") return hypothesis.description;
  return "weight_scale multiplied instead of divided: kernel-bugs B9 the other way (AutoBitLinear's convention on a BitLinear checkpoint)";
}

/** The hypotheses whose computation the output y agrees with (within its bound at every output). */
export function diagnoseHfBitnet(kernelCase: HfBitnetKernelCase, y: Float32Array): Diagnosis {
  const reference = hfBitnetReference(kernelCase);
  const allZero = y.every((v) => v === 0) || y.every((v) => Number.isNaN(v));
  const matches: HypothesisMatch[] = [];
  for (const hypothesis of HF_BITNET_HYPOTHESES) {
    const variant = hypothesis.outputs(kernelCase);
    if (!variant.every((output, e) => hfBitnetOutputAccepted(y[e], output))) continue;
    // ambiguous: the reference itself accepts the variant's values everywhere (the case cannot tell them apart)
    const indistinct = variant.every((output, e) => hfBitnetOutputAccepted(output.reference, reference[e]));
    matches.push({
      id: hypothesis.id,
      description: describe(hypothesis, kernelCase),
      exact: variant.every((output, e) => Object.is(output.reference, y[e]) || output.reference === y[e]),
      outputs: y.length,
      ambiguous: indistinct || allZero,
    });
  }
  return { output: "y", tried: HF_BITNET_HYPOTHESES.map((h) => h.id), matches };
}

/** "y[1,5] (token 1, output 5): expected 0.25 ± 3e-8, got 0.125". */
function describeOutput(kernelCase: HfBitnetKernelCase, e: number, expected: HfBitnetOutput, actual: number): string {
  const [i, o] = [Math.floor(e / kernelCase.n), e % kernelCase.n];
  return `y[${i},${o}] (token ${i}, output ${o}): expected ${expected.reference} ± ${expected.bound.toPrecision(3)}, got ${actual}`;
}

/**
 * Judge y.bin's bytes: float32 [m, n]; every output accepted by spec/tolerances.md §13.2. A failure reports how many
 * outputs were rejected, the one furthest beyond its bound, and the diagnosis (§13.2).
 */
export function judgeHfBitnetOutput(kernelCase: HfBitnetKernelCase, bytes: Uint8Array): CaseVerdict {
  const count = kernelCase.m * kernelCase.n;
  if (bytes.length !== 4 * count)
    return { passed: false, reason: `${HF_BITNET_FILES.y} is ${bytes.length} bytes, expected 4·m·n = ${4 * count}` };
  const y = new Float32Array(bytes.slice().buffer);
  const reference = hfBitnetReference(kernelCase);
  let rejected = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  let maxAbsError = 0;
  let errorSquares = 0;
  let referenceSquares = 0;
  let nonFinite = 0;
  for (let e = 0; e < count; e++) {
    const expected = reference[e];
    if (Number.isFinite(y[e])) {
      const error = Math.abs(y[e] - expected.reference);
      maxAbsError = Math.max(maxAbsError, error);
      errorSquares += error * error;
      referenceSquares += expected.reference * expected.reference;
    } else nonFinite++;
    if (hfBitnetOutputAccepted(y[e], expected)) continue;
    rejected++;
    const excess = Number.isFinite(y[e]) ? Math.abs(y[e] - expected.reference) / (expected.bound || 1) : Infinity;
    if (excess > worstExcess) [worst, worstExcess] = [e, excess];
  }
  const nmse = referenceSquares === 0 ? (errorSquares === 0 ? 0 : Infinity) : errorSquares / referenceSquares;
  const stats = { maxAbsError, nmse, nonFinite };
  if (rejected === 0) return { passed: true, ...stats };
  return {
    passed: false,
    ...stats,
    reason: `${rejected} of ${count} outputs outside the bound; worst ${describeOutput(kernelCase, worst, reference[worst], y[worst])}`,
    diagnosis: diagnoseHfBitnet(kernelCase, y),
  };
}
