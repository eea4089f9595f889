/**
 * The cases `trilm check --format hf-bitnet` runs and `trilm fuzz --format hf-bitnet` draws (spec/kernel-protocol.md
 * §13.3), and the format as the runner (bitlinear-run.ts) sees it: one weight in each crumb plane, both scale
 * conventions with a scale far from 1, all-zero activations, the 1e-5 absmax floor, saturated codes, 1, 3 and 4 tokens.
 */

import { roundToBf16 } from "../../reference/codec/bfloat16.js";
import type { HfBitnetScaleConvention } from "../../reference/codec/hf-bitnet.js";
import type { BitlinearFormat } from "./bitlinear-run.js";
import { HF_BITNET_FILES, HF_BITNET_FORMAT, writeHfBitnetCaseDir, type HfBitnetKernelCase } from "./hf-bitnet-case.js";
import { judgeHfBitnetOutput } from "./hf-bitnet-judge.js";
import { trirunCaseRng } from "./trirun-cases.js";

/** The hf-bitnet format for the runner. */
export const HF_BITNET_KERNEL_FORMAT: BitlinearFormat<HfBitnetKernelCase> = {
  name: HF_BITNET_FORMAT,
  outputFile: HF_BITNET_FILES.y,
  writeCase: writeHfBitnetCaseDir,
  judge: judgeHfBitnetOutput,
  label: (c) => c.label ?? HF_BITNET_FORMAT,
};

/** A case of the given shape, W and x from functions. */
export function hfBitnetCaseOf(
  label: string,
  shape: { readonly n: number; readonly k: number; readonly m: number },
  t: (row: number, col: number) => number,
  scale: number,
  convention: HfBitnetScaleConvention,
  x: (token: number, col: number) => number,
): HfBitnetKernelCase {
  const { n, k, m } = shape;
  const weights = new Int8Array(n * k);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) weights[r * k + c] = t(r, c);
  const xs = new Float32Array(m * k);
  for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) xs[i * k + c] = x(i, c);
  return { n, k, m, weights, scale: Math.fround(scale), convention, x: xs, label };
}

/**
 * A random case: ternary W (`density` non-zero), a bfloat16 scale in [2^-3, 2^3) never a power of two (so that s and
 * 1/s always differ: every case tells the conventions apart), x of mixed signs and magnitudes.
 */
export function randomHfBitnetCase(
  label: string,
  shape: { readonly n: number; readonly k: number; readonly m: number },
  convention: HfBitnetScaleConvention,
  seed: number,
  density = 0.6,
): HfBitnetKernelCase {
  const random = trirunCaseRng(seed);
  const scale = roundToBf16(2 ** (Math.floor(random() * 6) - 3) * (1.0625 + 0.875 * random()));
  const magnitudes = Array.from({ length: shape.m }, () => 2 ** (Math.floor(random() * 12) - 6));
  return hfBitnetCaseOf(
    label,
    shape,
    () => (random() < density ? (random() < 0.5 ? -1 : 1) : 0),
    scale,
    convention,
    (i) => (random() * 2 - 1) * magnitudes[i],
  );
}

/** One non-zero weight in every crumb plane's first and last packed row: W[i·n/4 + p, c] for p ∈ {0, n/4 − 1}. */
function planeCorners(convention: HfBitnetScaleConvention): HfBitnetKernelCase {
  const n = 16;
  const corners = new Map<number, number>();
  for (let plane = 0; plane < 4; plane++) {
    corners.set(plane * 4 * 64 + plane, plane % 2 === 0 ? 1 : -1);
    corners.set((plane * 4 + 3) * 64 + 63 - plane, plane % 2 === 0 ? -1 : 1);
  }
  return hfBitnetCaseOf(
    `plane corners, ${convention}`,
    { n, k: 64, m: 1 },
    (r, c) => corners.get(r * 64 + c) ?? 0,
    1.5,
    convention,
    (_, c) => (c + 1) / 64,
  );
}

/** The fixed cases of `trilm check --format hf-bitnet` (spec/kernel-protocol.md §13.3). */
export function hfBitnetBuiltinCases(seed: number): HfBitnetKernelCase[] {
  const cases: HfBitnetKernelCase[] = [planeCorners("multiply"), planeCorners("divide")];
  for (const convention of ["multiply", "divide"] as const) {
    cases.push(randomHfBitnetCase(`random 32x128 m1, ${convention}`, { n: 32, k: 128, m: 1 }, convention, seed));
    cases.push(randomHfBitnetCase(`random 16x96 m3, ${convention}`, { n: 16, k: 96, m: 3 }, convention, seed + 1));
    cases.push(randomHfBitnetCase(`random 64x64 m4, ${convention}`, { n: 64, k: 64, m: 4 }, convention, seed + 2));
  }
  const random = trirunCaseRng(seed + 3);
  const signs = (r: number, c: number): number => ((r * 7 + c * 3) % 3) - 1;
  cases.push(hfBitnetCaseOf("all-zero activations", { n: 8, k: 32, m: 2 }, signs, 2.25, "multiply", () => 0));
  cases.push(
    hfBitnetCaseOf(
      "absmax below the 1e-5 floor",
      { n: 8, k: 32, m: 1 },
      signs,
      0.75,
      "divide",
      () => (random() * 2 - 1) * 4e-6,
    ),
  );
  cases.push(
    hfBitnetCaseOf(
      "saturated codes (every |q| = 127, W all +1)",
      { n: 4, k: 256, m: 2 },
      () => 1,
      3,
      "multiply",
      (i) => (i + 1) * 1000,
    ),
  );
  cases.push(
    hfBitnetCaseOf("rounding ties (x·σ = j + 0.5)", { n: 8, k: 64, m: 1 }, signs, 1.25, "multiply", (_, c) =>
      c === 0 ? 127 : (c % 127) + 0.5,
    ),
  );
  return cases;
}
