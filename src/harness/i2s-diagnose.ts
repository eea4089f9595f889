/**
 * Diagnosing a failed I2_S-format matmul by cause (spec/kernel-protocol.md §12.4), in the style of
 * src/harness/trirun-diagnose.ts: each hypothesis is the reference with one catalogued bug put in — another layout's
 * element map (kernel-bugs B1), bitnet.cpp's int16 lane accumulation (the codec's AVX2 / NEON emulations, B5 / B6), a
 * scaling mistake, a batch mistake — run on the case; it matches when its y equals the kernel's, or agrees with it
 * within the spec/tolerances.md §12.2 bound everywhere.
 */

import { unpackI2s, type I2sLayout } from "../../reference/codec/i2_s.js";
import { i2sDotOutput, i2sMatVec, type I2sDotKernel, type I2sLaneEvent } from "../../reference/codec/i2_s-dot.js";
import type { I8sRow } from "../../reference/codec/i8_s.js";
import { I2S_OUTPUT_RELATIVE_BOUND } from "../../reference/tolerances/i2s-matmul.js";
import { i2sCaseActivations, i2sCaseBytes, type I2sKernelCase } from "./i2s-case.js";
import type { Diagnosis, HypothesisMatch } from "./protocol.js";

/** A hypothesis's output on a case, and words naming what it found there (the first int16 wrap, say). */
export interface I2sVariant {
  readonly y: Float32Array;
  readonly detail?: string;
}

/** One catalogued I2_S bug: its y on a case, or undefined when it does not apply there. */
export interface I2sHypothesis {
  readonly id: string;
  readonly description: string;
  readonly evaluate: (kernelCase: I2sKernelCase) => I2sVariant | undefined;
}

/** merge-dev's scaling, or a changed one, applied to every (activation row, weight row) of integer sums. */
function scaled(
  kernelCase: I2sKernelCase,
  codes: Uint8Array,
  tail: (sum: number, act: I8sRow, alpha: number) => number,
): Float32Array {
  const { n, k, m } = kernelCase;
  const acts = i2sCaseActivations(kernelCase);
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += codes[r * k + c] * acts[i].q[c];
      y[i * n + r] = tail(s, acts[i], kernelCase.scale);
    }
  return y;
}

/** The reference's tail (spec/bitnet.md §3.2). */
const mergeDevTail = (s: number, act: I8sRow, alpha: number): number => i2sDotOutput(s, act.sum, act.scale, alpha);

/** The case's codes as a kernel reading W.bin with `layout`'s element map sees them, or undefined when it cannot. */
function codesReadAs(kernelCase: I2sKernelCase, layout: I2sLayout): Uint8Array | undefined {
  if (layout === kernelCase.layout) return undefined;
  const shape = { rows: kernelCase.n, cols: kernelCase.k };
  if (layout === "1x4" && kernelCase.n % 4 !== 0) return undefined;
  const tensor = unpackI2s(layout, shape, i2sCaseBytes(kernelCase));
  return tensor.codes.length === kernelCase.n * kernelCase.k ? tensor.codes : undefined;
}

/** The hypothesis "reads W.bin with `layout`'s element map". */
function readsLayout(layout: I2sLayout, description: string): I2sHypothesis {
  return {
    id: `i2s-reads-${layout}-layout`,
    description,
    evaluate: (c) => {
      const codes = codesReadAs(c, layout);
      return codes === undefined ? undefined : { y: scaled(c, codes, mergeDevTail) };
    },
  };
}

/** "y[0,3] lane 5, block 16: exact 34544, kernel −30992" for the first event of an emulation. */
function describeEvent(activationRow: number, weightRow: number, event: I2sLaneEvent): string {
  return (
    `${event.kind === "wrap" ? "" : "saturated "}y[${activationRow},${weightRow}] lane ${event.lane}, block ${event.block}: ` +
    `exact ${event.exact}, kernel ${event.stored}`
  );
}

/** The hypothesis "accumulates like bitnet.cpp's `kernel`, int16 lanes over ≤ 32 blocks". */
function int16Lanes(kernel: I2sDotKernel, layout: I2sLayout, qk: number, bug: string): I2sHypothesis {
  return {
    id: `i2s-int16-${kernel}`,
    description: `int16 accumulator overflow (${bug})`,
    evaluate: (c) => {
      if (c.layout !== layout || c.k % qk !== 0) return undefined;
      const bytes = i2sCaseBytes(c);
      const y = new Float32Array(c.m * c.n);
      let first: string | undefined;
      i2sCaseActivations(c).forEach((act, i) => {
        const result = i2sMatVec(kernel, c.n, c.k, bytes, act, 1);
        y.set(result.y, i * c.n);
        const r = result.rows.findIndex((row) => row.eventCount > 0);
        if (first === undefined && r >= 0) first = describeEvent(i, r, result.rows[r].events[0]);
      });
      return first === undefined ? undefined : { y, detail: first };
    },
  };
}

/** The hypotheses, in the order reports list them (spec/kernel-protocol.md §12.4). */
export const I2S_HYPOTHESES: readonly I2sHypothesis[] = [
  readsLayout("arm", "reads the arm (64-element) layout: kernel-bugs B1 (microsoft/BitNet#585)"),
  readsLayout("x86", "reads the x86 (128-element) layout: kernel-bugs B1 the other way round"),
  readsLayout("1x4", "reads the 1x4 layout (four rows a byte, bitnet.cpp without ACT_PARALLEL)"),
  int16Lanes("avx2-1x1", "x86", 128, "AVX2 _1x1's _mm256_add_epi16, kernel-bugs B6, microsoft/BitNet#629"),
  int16Lanes("neon-1x1", "arm", 64, "NEON _1x1's vmlal_s8, kernel-bugs B5, microsoft/BitNet#459"),
  {
    id: "i2s-row-blocks-tail-skipped",
    description:
      "reads row r from byte ⌊r·k/4⌋ in whole blocks and skips the row's k % QK tail (merge-dev's mul_mat, spec/bitnet.md §3.2)",
    evaluate: (c) => {
      const kernel: I2sDotKernel | undefined =
        c.layout === "x86" ? "exact-x86" : c.layout === "arm" ? "exact-arm" : undefined;
      const qk = c.layout === "x86" ? 128 : 64;
      if (kernel === undefined || c.k % qk === 0) return undefined;
      const bytes = i2sCaseBytes(c);
      const y = new Float32Array(c.m * c.n);
      i2sCaseActivations(c).forEach((act, i) => y.set(i2sMatVec(kernel, c.n, c.k, bytes, act).y, i * c.n));
      return { y };
    },
  },
  {
    id: "i2s-act-sum-not-subtracted",
    description: "act_sum not subtracted: codes 0, 1, 2 used as weights (the −1 offset lost)",
    evaluate: (c) => ({ y: scaled(c, c.codes, (s, act, alpha) => i2sDotOutput(s, 0, act.scale, alpha)) }),
  },
  {
    id: "i2s-act-scale-multiplied",
    description: "act_scale multiplied instead of divided",
    evaluate: (c) => ({
      y: scaled(c, c.codes, (s, act, alpha) => Math.fround(Math.fround(Math.fround(s - act.sum) * act.scale) * alpha)),
    }),
  },
  {
    id: "i2s-weight-scale-divided",
    description: "weight scale divided instead of multiplied (kernel-bugs B9's confusion)",
    evaluate: (c) => ({
      y: scaled(c, c.codes, (s, act, alpha) => Math.fround(Math.fround(Math.fround(s - act.sum) / act.scale) / alpha)),
    }),
  },
  {
    id: "i2s-batch-first-row",
    description: "every activation row computed with row 0's activations (batch ignored; kernel-bugs B3's symptom)",
    evaluate: (c) => {
      if (c.m < 2) return undefined;
      const first = scaled({ ...c, m: 1, x: c.x.subarray(0, c.k) }, c.codes, mergeDevTail);
      const y = new Float32Array(c.m * c.n);
      for (let i = 0; i < c.m; i++) y.set(first, i * c.n);
      return { y };
    },
  },
];

/** Does the variant reproduce y: equal (NaN equal to NaN, +0 to −0), or within the bound everywhere? */
function reproduces(y: Float32Array, variant: Float32Array): { matches: boolean; exact: boolean } {
  let exact = true;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === variant[i] || (Number.isNaN(y[i]) && Number.isNaN(variant[i]))) continue;
    exact = false;
    if (!Number.isFinite(y[i]) || !Number.isFinite(variant[i])) return { matches: false, exact };
    if (Math.abs(y[i] - variant[i]) > I2S_OUTPUT_RELATIVE_BOUND * Math.abs(variant[i]))
      return { matches: false, exact };
  }
  return { matches: true, exact };
}

/**
 * The catalogued causes that reproduce the kernel's y on the case (spec/kernel-protocol.md §12.4), each described with
 * what it found on the case (for an int16 overflow: the output, lane, block, exact and wrapped values). A match is
 * ambiguous when y is all zero or all NaN, or when its variant's y equals another match's bit for bit.
 */
export function diagnoseI2sMatmul(kernelCase: I2sKernelCase, y: Float32Array): Diagnosis {
  const tried: string[] = [];
  const found: { match: Omit<HypothesisMatch, "ambiguous">; output: Float32Array }[] = [];
  for (const hypothesis of I2S_HYPOTHESES) {
    const variant = hypothesis.evaluate(kernelCase);
    if (variant === undefined) continue;
    tried.push(hypothesis.id);
    const { matches, exact } = reproduces(y, variant.y);
    if (!matches) continue;
    const description =
      variant.detail === undefined ? hypothesis.description : `${hypothesis.description}: ${variant.detail}`;
    found.push({ match: { id: hypothesis.id, description, exact, outputs: y.length }, output: variant.y });
  }
  const trivial = y.every((v) => v === 0) || y.every((v) => Number.isNaN(v));
  const matches = found.map(({ match, output }) => ({
    ...match,
    ambiguous:
      trivial ||
      found.some((other) => other.output !== output && other.output.every((v, i) => Object.is(v, output[i]))),
  }));
  return { output: "y", tried, matches };
}
