/**
 * `trilm fuzz --format hf-bitnet` (spec/kernel-protocol.md §13.3): the random case of a seed (a shape up to 32 × 128,
 * 1 to 4 tokens, the scale convention asked for or drawn) and the candidates a failure is shrunk through.
 */

import type { HfBitnetScaleConvention } from "../../reference/codec/hf-bitnet.js";
import { halves, zeroedWeightCandidates, type BitlinearFuzzFormat } from "./bitlinear-fuzz.js";
import type { HfBitnetKernelCase } from "./hf-bitnet-case.js";
import { randomHfBitnetCase } from "./hf-bitnet-cases.js";
import { trirunCaseRng } from "./trirun-cases.js";

/** 0, 1, …, n − 1. */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** The case restricted to tokens `tokens`, output rows `rows` and inputs `cols`. */
export function hfBitnetSubCase(
  kernelCase: HfBitnetKernelCase,
  tokens: readonly number[],
  rows: readonly number[],
  cols: readonly number[],
): HfBitnetKernelCase {
  const { k } = kernelCase;
  const weights = Int8Array.from(rows.flatMap((r) => cols.map((c) => kernelCase.weights[r * k + c])));
  const x = Float32Array.from(tokens.flatMap((i) => cols.map((c) => kernelCase.x[i * k + c])));
  return { ...kernelCase, n: rows.length, k: cols.length, m: tokens.length, weights, x };
}

/** Shrink candidates: one token, half the outputs (multiples of 4), half the inputs, rows then weights zeroed. */
export function* hfBitnetShrinkCandidates(kernelCase: HfBitnetKernelCase): Generator<HfBitnetKernelCase> {
  const { n, k, m } = kernelCase;
  const [tokens, rows, cols] = [range(m), range(n), range(k)];
  if (m > 1) for (const i of tokens) yield hfBitnetSubCase(kernelCase, [i], rows, cols);
  for (const half of halves(n, 4, 4)) yield hfBitnetSubCase(kernelCase, tokens, half, cols);
  for (const half of halves(k, 1, 1)) yield hfBitnetSubCase(kernelCase, tokens, rows, half);
  yield* zeroedWeightCandidates(kernelCase, n, k);
}

/** The fuzzing format of hf-bitnet: `convention` fixed, or drawn per run when undefined. */
export function hfBitnetFuzzFormat(convention?: HfBitnetScaleConvention): BitlinearFuzzFormat<HfBitnetKernelCase> {
  return {
    randomCase: (seed) => {
      const random = trirunCaseRng(seed ^ 0x5bd1e995);
      const shape = {
        n: 4 * (1 + Math.floor(random() * 8)),
        k: 1 + Math.floor(random() * 128),
        m: 1 + Math.floor(random() * 4),
      };
      const drawn = convention ?? (random() < 0.5 ? "multiply" : "divide");
      return randomHfBitnetCase(`fuzz-${seed}`, shape, drawn, seed, 0.2 + 0.7 * random());
    },
    shrinkCandidates: hfBitnetShrinkCandidates,
  };
}

/** "n 8, k 33, m 1, scale multiply 1.5: W has 5 non-zero weights". */
export function describeHfBitnetCase(kernelCase: HfBitnetKernelCase): string {
  const nonZero = kernelCase.weights.reduce((count, t) => count + (t === 0 ? 0 : 1), 0);
  return (
    `n ${kernelCase.n}, k ${kernelCase.k}, m ${kernelCase.m}, scale ${kernelCase.convention} ${kernelCase.scale}: ` +
    `W has ${nonZero} non-zero weights`
  );
}
