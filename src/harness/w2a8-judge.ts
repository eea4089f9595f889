/**
 * Judging a w2a8 kernel's y (spec/kernel-protocol.md §14.3): the int32 sums are exact and the epilogue's order is
 * fixed (bf16(f32(f32(acc)/s)·ws)), so every output must equal the reference's bf16 value (+0 = −0). y.bin is filled
 * with 0xFF bytes before the kernel runs: an output left so is named unwritten (kernel-bugs H3, §14.2). A failure is diagnosed
 * by cause (§14.3).
 */

import { bf16BitsToF32, roundToBf16 } from "../../reference/codec/bfloat16.js";
import { w2a8ElementMap, w2a8InterleaveCrumbs, packW2a8 } from "../../reference/codec/w2a8.js";
import { w2a8Accumulate, w2a8Epilogue } from "../../reference/codec/w2a8-matmul.js";
import type { CaseVerdict, Diagnosis, HypothesisMatch } from "./protocol.js";
import { W2A8_FILES, type W2a8KernelCase } from "./w2a8-case.js";

/** The bf16 bits the harness fills y.bin with before the kernel runs (a NaN no epilogue produces). */
export const W2A8_OUTPUT_FILL_BITS = 0xffff;

/** Why a y.bin the kernel left exactly as filled fails. */
export const W2A8_UNTOUCHED_REASON =
  "y.bin left untouched: the kernel wrote no output (kernel-bugs H3: bitlinear_int8xint2's else branch prints " +
  '"required ladder gemm kernel" and writes nothing, leaving the caller\'s torch.zeros)';

/** y.bin as the harness fills it for a case: m·n bf16 0xFFFF. */
export function w2a8OutputFill(kernelCase: W2a8KernelCase): Uint8Array {
  return new Uint8Array(2 * kernelCase.m * kernelCase.n).fill(0xff);
}

/** How a faulty kernel computes: its weights as read, its sums and its epilogue. */
interface W2a8Computation {
  readonly weights: (c: W2a8KernelCase) => Int8Array;
  readonly accumulate: (acc: Int32Array) => Int32Array;
  readonly epilogue: (acc: Int32Array, s: number, ws: Float32Array, wsNum: number) => Float32Array;
}

/** The reference's computation. */
const REFERENCE: W2a8Computation = {
  weights: (c) => c.weights,
  accumulate: (acc) => acc,
  epilogue: w2a8Epilogue,
};

/** y [m·n] of a computation. */
function compute(kernelCase: W2a8KernelCase, how: W2a8Computation): Float32Array {
  const { n, k, m } = kernelCase;
  const weights = how.weights(kernelCase);
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const acc = how.accumulate(w2a8Accumulate(kernelCase.q.subarray(i * k, (i + 1) * k), weights, n, k));
    y.set(how.epilogue(acc, kernelCase.s[i], kernelCase.ws, kernelCase.wsNum), i * n);
  }
  return y;
}

/** The reference y [m, n] of a case (bf16 values). Implements spec/bitnet.md §6 through w2a8Accumulate and w2a8Epilogue. */
export function w2a8Reference(kernelCase: W2a8KernelCase): Float32Array {
  return compute(kernelCase, REFERENCE);
}

/** W as a kernel reads it that skips interleave_weight_int8: position offset o read from crumb o. */
export function w2a8UninterleavedReading(kernelCase: W2a8KernelCase): Int8Array {
  const { n, k } = kernelCase;
  const packed = packW2a8(kernelCase.weights, n, k);
  const crumbs = w2a8InterleaveCrumbs();
  const offsetOf = new Int32Array(16);
  crumbs.forEach((crumb, offset) => (offsetOf[crumb] = offset));
  return Int8Array.from(w2a8ElementMap(n, k), ({ word, crumb }) => {
    const read = offsetOf[crumb];
    return ((packed[4 * word + (read >> 2)] >> (2 * (read & 3))) & 3) - 2;
  });
}

/** bf16(f32(f32(acc) / s) · ws[…]) with the epilogue changed by `value` (acc and s → the f32 before ·ws). */
function epilogueWith(
  value: (acc: number, s: number) => number,
  wsIndex: (o: number, n: number, wsNum: number) => number = (o, n, wsNum) => Math.trunc(o / Math.trunc(n / wsNum)),
): W2a8Computation["epilogue"] {
  return (acc, s, ws, wsNum) =>
    Float32Array.from(acc, (a, o) => roundToBf16(Math.fround(value(a, s) * ws[wsIndex(o, acc.length, wsNum)])));
}

/** One catalogued cause. */
interface W2a8Hypothesis {
  readonly id: string;
  readonly description: string;
  readonly computation: W2a8Computation;
}

/** The catalogue, in the order tried (spec/kernel-protocol.md §14.3). */
export const W2A8_HYPOTHESES: readonly W2a8Hypothesis[] = [
  {
    id: "code-minus-one",
    description: "crumbs decoded as code − 1 (the I2_S / Hugging Face convention) instead of code − 2",
    computation: { ...REFERENCE, weights: (c) => Int8Array.from(c.weights, (t) => t + 1) },
  },
  {
    id: "no-interleave",
    description: "interleave_weight_int8 not undone: position o of a word read from crumb o",
    computation: { ...REFERENCE, weights: w2a8UninterleavedReading },
  },
  {
    id: "first-weight-scale",
    description: "ws[0] for every output instead of ws[o / (n / ws_num)]",
    computation: {
      ...REFERENCE,
      epilogue: epilogueWith(
        (a, s) => Math.fround(Math.fround(a) / s),
        () => 0,
      ),
    },
  },
  {
    id: "scale-multiplied",
    description: "the activation scale s multiplied instead of divided",
    computation: { ...REFERENCE, epilogue: epilogueWith((a, s) => Math.fround(Math.fround(a) * s)) },
  },
  {
    id: "reciprocal-scale",
    description: "acc · f32(1/s) instead of acc / s (the epilogue's order differs by a rounding)",
    computation: { ...REFERENCE, epilogue: epilogueWith((a, s) => Math.fround(Math.fround(a) * Math.fround(1 / s))) },
  },
  {
    id: "int16-accumulator",
    description: "the sums wrap in an int16 accumulator",
    computation: { ...REFERENCE, accumulate: (acc) => Int32Array.from(new Int16Array(acc)) },
  },
];

/** y [m·n] of the case as the faulty kernel of catalogued cause `id` computes it. */
export function w2a8HypothesisOutputs(kernelCase: W2a8KernelCase, id: string): Float32Array {
  const hypothesis = W2A8_HYPOTHESES.find((h) => h.id === id);
  if (hypothesis === undefined) throw new RangeError(`no W2A8 hypothesis ${id}`);
  return compute(kernelCase, hypothesis.computation);
}

/** Equal as outputs: the same value (+0 = −0) or both NaN. */
function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** The hypotheses whose computation gives y exactly. */
export function diagnoseW2a8(kernelCase: W2a8KernelCase, y: Float32Array): Diagnosis {
  const reference = w2a8Reference(kernelCase);
  const degenerate = y.every((v) => v === 0) || y.every((v) => Number.isNaN(v));
  const matches: HypothesisMatch[] = [];
  for (const hypothesis of W2A8_HYPOTHESES) {
    const variant = compute(kernelCase, hypothesis.computation);
    if (!variant.every((v, e) => same(v, y[e]))) continue;
    matches.push({
      id: hypothesis.id,
      description: hypothesis.description,
      exact: true,
      outputs: y.length,
      ambiguous: degenerate || variant.every((v, e) => same(v, reference[e])),
    });
  }
  return { output: "y", tried: W2A8_HYPOTHESES.map((h) => h.id), matches };
}

/**
 * Judge y.bin's bytes: bf16 [m, n], each equal to the reference (+0 = −0). A failure counts the differing outputs
 * and those still holding the fill (unwritten), names the first difference, and is diagnosed (§14.3).
 */
export function judgeW2a8Output(kernelCase: W2a8KernelCase, bytes: Uint8Array): CaseVerdict {
  const count = kernelCase.m * kernelCase.n;
  if (bytes.length !== 2 * count)
    return { passed: false, reason: `${W2A8_FILES.y} is ${bytes.length} bytes, expected 2·m·n = ${2 * count}` };
  const bits = new Uint16Array(bytes.slice().buffer);
  const y = Float32Array.from(bits, bf16BitsToF32);
  const reference = w2a8Reference(kernelCase);
  let differing = 0;
  let unwritten = 0;
  let first = -1;
  let maxAbsError = 0;
  let nonFinite = 0;
  let errorSquares = 0;
  let referenceSquares = 0;
  for (let e = 0; e < count; e++) {
    if (bits[e] === W2A8_OUTPUT_FILL_BITS) unwritten++;
    if (Number.isFinite(y[e]) && Number.isFinite(reference[e])) {
      const error = Math.abs(y[e] - reference[e]);
      maxAbsError = Math.max(maxAbsError, error);
      errorSquares += error * error;
      referenceSquares += reference[e] * reference[e];
    } else if (!same(y[e], reference[e])) nonFinite++;
    if (same(y[e], reference[e])) continue;
    differing++;
    if (first < 0) first = e;
  }
  const nmse = referenceSquares === 0 ? (errorSquares === 0 ? 0 : Infinity) : errorSquares / referenceSquares;
  const stats = { maxAbsError, nmse, nonFinite };
  if (differing === 0) return { passed: true, ...stats };
  const [i, o] = [Math.floor(first / kernelCase.n), first % kernelCase.n];
  const unwrittenNote = unwritten === 0 ? "" : `; ${unwritten} outputs left unwritten (still 0xFFFF, kernel-bugs H3)`;
  return {
    passed: false,
    ...stats,
    reason:
      `${differing} of ${count} outputs differ from the exact bf16 reference; first y[${i},${o}] (token ${i}, output ${o}): ` +
      `expected ${reference[first]}, got ${y[first]}${unwrittenNote}`,
    diagnosis: diagnoseW2a8(kernelCase, y),
  };
}
