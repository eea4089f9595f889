/**
 * The cases `trilm check --format w2a8` runs and `trilm fuzz --format w2a8` draws (spec/kernel-protocol.md §14.4), and
 * the format as the runner (bitlinear-run.ts) sees it: one weight at the corners of the 16×32 permutation block and of
 * the interleaved word, ws_num 1 to 4, all-zero activations (y all zero: a kernel that writes nothing must still fail),
 * saturated sums past int16, 1, 3 and 4 tokens, and one shape `bitlinear_int8xint2` dispatches (1 × 2560 × 2560).
 */

import { roundToBf16 } from "../../reference/codec/bfloat16.js";
import { quantizeW2a8Activations } from "../../reference/codec/w2a8-matmul.js";
import type { BitlinearFormat } from "./bitlinear-run.js";
import { trirunCaseRng } from "./trirun-cases.js";
import { w2a8WeightScaleCount, W2A8_FILES, W2A8_FORMAT, writeW2a8CaseDir, type W2a8KernelCase } from "./w2a8-case.js";
import { judgeW2a8Output, w2a8OutputFill, W2A8_UNTOUCHED_REASON } from "./w2a8-judge.js";

/** The w2a8 format for the runner: y.bin filled with 0xFF before the kernel runs. */
export const W2A8_KERNEL_FORMAT: BitlinearFormat<W2a8KernelCase> = {
  name: W2A8_FORMAT,
  outputFile: W2A8_FILES.y,
  writeCase: writeW2a8CaseDir,
  outputFill: w2a8OutputFill,
  untouchedReason: W2A8_UNTOUCHED_REASON,
  judge: judgeW2a8Output,
  label: (c) => c.label ?? W2A8_FORMAT,
};

/** A case's shape. */
export interface W2a8CaseShape {
  readonly n: number;
  readonly k: number;
  readonly m: number;
  readonly wsNum: number;
}

/** ws: `wsNum` bf16 scales from `scale(i)`, zero-padded to w2a8WeightScaleCount. */
function weightScales(wsNum: number, scale: (i: number) => number): Float32Array {
  const ws = new Float32Array(w2a8WeightScaleCount(wsNum));
  for (let i = 0; i < wsNum; i++) ws[i] = roundToBf16(scale(i));
  return ws;
}

/**
 * A case of the given shape with W from a function and activations quantized from bf16 x(token, col) as
 * `quant_input` does ("eager" rounding, reference/codec/w2a8-matmul.ts).
 */
export function w2a8CaseOf(
  label: string,
  shape: W2a8CaseShape,
  t: (row: number, col: number) => number,
  scale: (i: number) => number,
  x: (token: number, col: number) => number,
): W2a8KernelCase {
  const { n, k, m, wsNum } = shape;
  const weights = new Int8Array(n * k);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) weights[r * k + c] = t(r, c);
  const q = new Int8Array(m * k);
  const s = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const row = Float32Array.from({ length: k }, (_, c) => roundToBf16(x(i, c)));
    const activations = quantizeW2a8Activations(row, "eager");
    q.set(activations.q, i * k);
    s[i] = activations.scale;
  }
  return { n, k, m, weights, ws: weightScales(wsNum, scale), wsNum, q, s, label };
}

/** A random case: ternary W (`density` non-zero), bf16 ws in [2^-2, 2^2), x of mixed signs and magnitudes. */
export function randomW2a8Case(label: string, shape: W2a8CaseShape, seed: number, density = 0.6): W2a8KernelCase {
  const random = trirunCaseRng(seed);
  const scales = Array.from({ length: shape.wsNum }, () => 2 ** (Math.floor(random() * 4) - 2) * (1 + random()));
  const magnitudes = Array.from({ length: shape.m }, () => 2 ** (Math.floor(random() * 12) - 6));
  return w2a8CaseOf(
    label,
    shape,
    () => (random() < density ? (random() < 0.5 ? -1 : 1) : 0),
    (i) => scales[i],
    (i) => (random() * 2 - 1) * magnitudes[i],
  );
}

/** One non-zero weight at each corner of a 16×32 block (rows 0, 7, 8, 15 × columns 0, 15, 16, 31), signs alternating. */
function blockCorners(): W2a8KernelCase {
  const rows = [0, 7, 8, 15];
  const cols = [0, 15, 16, 31];
  return w2a8CaseOf(
    "block corners 16x64",
    { n: 16, k: 64, m: 1, wsNum: 1 },
    (r, c) => (rows.includes(r) && cols.includes(c % 32) ? ((r + c) % 2 === 0 ? 1 : -1) : 0),
    () => 1.5,
    (_, c) => c + 1,
  );
}

/** The fixed cases of `trilm check --format w2a8` (spec/kernel-protocol.md §14.4). */
export function w2a8BuiltinCases(seed: number): W2a8KernelCase[] {
  const signs = (r: number, c: number): number => ((r * 5 + c * 3) % 3) - 1;
  return [
    blockCorners(),
    randomW2a8Case("random 32x64 m1", { n: 32, k: 64, m: 1, wsNum: 1 }, seed),
    randomW2a8Case("random 48x96 m1 ws_num 3", { n: 48, k: 96, m: 1, wsNum: 3 }, seed + 1),
    randomW2a8Case("random 64x128 m3 ws_num 2", { n: 64, k: 128, m: 3, wsNum: 2 }, seed + 2),
    randomW2a8Case("random 64x64 m4 ws_num 4", { n: 64, k: 64, m: 4, wsNum: 4 }, seed + 3),
    w2a8CaseOf(
      "all-zero activations (y all 0)",
      { n: 16, k: 32, m: 1, wsNum: 1 },
      signs,
      () => 2,
      () => 0,
    ),
    {
      ...w2a8CaseOf(
        "saturated: q −128, W −1, sums 65536",
        { n: 16, k: 512, m: 1, wsNum: 1 },
        () => -1,
        () => 1,
        () => 1,
      ),
      q: new Int8Array(512).fill(-128),
    },
    w2a8CaseOf(
      "saturated: q 127, W +1",
      { n: 16, k: 512, m: 2, wsNum: 1 },
      () => 1,
      () => 0.5,
      () => 3,
    ),
    randomW2a8Case("kernel shape 1x2560x2560", { n: 2560, k: 2560, m: 1, wsNum: 1 }, seed + 4),
  ];
}
