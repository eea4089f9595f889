/**
 * `trilm fuzz --format w2a8` (spec/kernel-protocol.md §14.4): the random case of a seed (n up to 64, k up to 128,
 * ws_num a divisor of n up to 4, 1 to 4 tokens) and the candidates a failure is shrunk through.
 */

import { W2A8_BLOCK_K, W2A8_BLOCK_N } from "../../reference/codec/w2a8.js";
import { halves, zeroedWeightCandidates, type BitlinearFuzzFormat } from "./bitlinear-fuzz.js";
import { w2a8CaseProblem, w2a8WeightScaleCount, type W2a8KernelCase } from "./w2a8-case.js";
import { randomW2a8Case } from "./w2a8-cases.js";
import { trirunCaseRng } from "./trirun-cases.js";

/** 0, 1, …, n − 1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The case restricted to tokens, output rows and inputs, with `wsNum` scales (the first ones kept). */
export function w2a8SubCase(
  kernelCase: W2a8KernelCase,
  tokens: readonly number[],
  rows: readonly number[],
  cols: readonly number[],
  wsNum = kernelCase.wsNum,
): W2a8KernelCase {
  const { k } = kernelCase;
  const weights = Int8Array.from(rows.flatMap((r) => cols.map((c) => kernelCase.weights[r * k + c])));
  const q = Int8Array.from(tokens.flatMap((i) => cols.map((c) => kernelCase.q[i * k + c])));
  const s = Float32Array.from(tokens, (i) => kernelCase.s[i]);
  const ws = new Float32Array(w2a8WeightScaleCount(wsNum));
  ws.set(kernelCase.ws.subarray(0, wsNum));
  return { ...kernelCase, n: rows.length, k: cols.length, m: tokens.length, weights, q, s, ws, wsNum };
}

/** The valid candidates: one ws, one token, half the outputs (16s) and inputs (32s), rows then weights zeroed. */
export function* w2a8ShrinkCandidates(kernelCase: W2a8KernelCase): Generator<W2a8KernelCase> {
  const { n, k, m } = kernelCase;
  const [tokens, rows, cols] = [range(m), range(n), range(k)];
  const candidates = function* (): Generator<W2a8KernelCase> {
    if (kernelCase.wsNum > 1) yield w2a8SubCase(kernelCase, tokens, rows, cols, 1);
    if (m > 1) for (const i of tokens) yield w2a8SubCase(kernelCase, [i], rows, cols);
    for (const half of halves(n, W2A8_BLOCK_N, W2A8_BLOCK_N)) yield w2a8SubCase(kernelCase, tokens, half, cols);
    for (const half of halves(k, W2A8_BLOCK_K, W2A8_BLOCK_K)) yield w2a8SubCase(kernelCase, tokens, rows, half);
    yield* zeroedWeightCandidates(kernelCase, n, k);
  };
  for (const candidate of candidates()) if (w2a8CaseProblem(candidate) === undefined) yield candidate;
}

/** The fuzzing format of w2a8. */
export const W2A8_FUZZ_FORMAT: BitlinearFuzzFormat<W2a8KernelCase> = {
  randomCase: (seed) => {
    const random = trirunCaseRng(seed ^ 0x27d4eb2f);
    const n = W2A8_BLOCK_N * (1 + Math.floor(random() * 4));
    const divisors = [1, 2, 3, 4].filter((d) => n % d === 0);
    const shape = {
      n,
      k: W2A8_BLOCK_K * (1 + Math.floor(random() * 4)),
      m: 1 + Math.floor(random() * 4),
      wsNum: divisors[Math.floor(random() * divisors.length)],
    };
    return randomW2a8Case(`fuzz-${seed}`, shape, seed, 0.2 + 0.7 * random());
  },
  shrinkCandidates: w2a8ShrinkCandidates,
};

/** "n 16, k 32, m 1, ws_num 1: W has 3 non-zero weights". */
export function describeW2a8Case(kernelCase: W2a8KernelCase): string {
  const nonZero = kernelCase.weights.reduce((count, t) => count + (t === 0 ? 0 : 1), 0);
  return `n ${kernelCase.n}, k ${kernelCase.k}, m ${kernelCase.m}, ws_num ${kernelCase.wsNum}: W has ${nonZero} non-zero weights`;
}
