/**
 * Diagnosing a failed TriRun-format matmul by cause (spec/kernel-protocol.md §11.6), in the style of
 * src/harness/diagnose.ts: each hypothesis is the reference (trirunMatmul) with one bug put in, run on the
 * case; it matches when its y equals the kernel's, or agrees with it within the case's bound everywhere.
 */

import { f16BitsToF32, roundToF16, f32ToF16Bits } from "../../reference/codec/float16.js";
import { trirunMatmul } from "../../reference/codec/trirun-matmul.js";
import {
  marlinBasePermutation,
  MARLIN_INTERLEAVE,
  packTrirun,
  TRIRUN_CRUMB_INTERLEAVE,
  TRIRUN_GROUP_SIZE,
  TRIRUN_TILE,
  unpackTrirun,
  type TrirunMatrix,
  type TrirunPacked,
} from "../../reference/codec/trirun.js";
import type { TrirunMatmulAcceptance } from "../../reference/tolerances/trirun-matmul.js";
import type { Diagnosis, HypothesisMatch } from "./protocol.js";
import type { TrirunKernelCase } from "./trirun-case.js";

/** Output columns per column slice of the striped loop the rewind hypothesis models (TriRun's thread_n = 128). */
export const TRIRUN_REWIND_SLICE_N = 128;

/** One catalogued TriRun bug: its y on a case, or undefined when it does not apply there. */
export interface TrirunHypothesis {
  readonly id: string;
  readonly description: string;
  readonly evaluate: (kernelCase: TrirunKernelCase) => Uint16Array | undefined;
}

/** `perm` reordered within each group of order.length entries: out[g + j] = perm[g + order[j]]. */
function withinGroups(perm: Int32Array, order: readonly number[]): Int32Array {
  return perm.map((_, i) => perm[i - (i % order.length) + order[i % order.length]]);
}

/**
 * The logical matrix a kernel reads from `packed` when it locates crumbs with the strip permutation `perm`
 * instead of TriRun's (spec/trirun.md §5.1): crumb q of word (row, column) is element
 * p = perm[16·(column mod 64) + q], k = 16·row + (p mod 256)/16, n = 64·(column/64) + 16·(p/256) + p mod 16.
 */
function decodeWithPermutation(packed: TrirunPacked, weights: TrirunMatrix, perm: Int32Array): TrirunMatrix {
  const { k, n } = packed;
  const codes = new Uint8Array(k * n);
  for (let row = 0; row < k / TRIRUN_TILE; row++)
    for (let column = 0; column < n; column++) {
      const word = packed.B[row * n + column];
      for (let q = 0; q < 16; q++) {
        const p = perm[16 * (column % 64) + q];
        const kIndex = 16 * row + ((p % 256) >> 4);
        const nIndex = 64 * Math.floor(column / 64) + 16 * (p >> 8) + (p % 16);
        codes[kIndex * n + nIndex] = (word >>> (2 * q)) & 3;
      }
    }
  return { ...weights, codes };
}

/** trirunMatmul of the case's activations with the (changed) weights. */
function matmulWith(kernelCase: TrirunKernelCase, weights: TrirunMatrix): Uint16Array {
  return trirunMatmul(weights, kernelCase.x, kernelCase.m);
}

/** The hypotheses, in the order reports list them (spec/kernel-protocol.md §11.6). */
export const TRIRUN_HYPOTHESES: readonly TrirunHypothesis[] = [
  {
    id: "trirun-scale-permutation-skipped",
    description: "TriRun's permuted s read as if in column order (scale permutation not undone)",
    evaluate: (c) => matmulWith(c, { ...c.weights, scales: packTrirun(c.weights).s }),
  },
  {
    id: "trirun-crumb-interleave-skipped",
    description: "weight permutation without TriRun's crumb interleave (Marlin's 8-interleave only)",
    evaluate: (c) =>
      matmulWith(
        c,
        decodeWithPermutation(
          packTrirun(c.weights),
          c.weights,
          withinGroups(marlinBasePermutation(), MARLIN_INTERLEAVE),
        ),
      ),
  },
  {
    id: "trirun-marlin-interleave-skipped",
    description: "weight permutation without Marlin's 8-interleave (TriRun's crumb interleave only)",
    evaluate: (c) =>
      matmulWith(
        c,
        decodeWithPermutation(
          packTrirun(c.weights),
          c.weights,
          withinGroups(marlinBasePermutation(), TRIRUN_CRUMB_INTERLEAVE),
        ),
      ),
  },
  {
    id: "trirun-magic-0x6400",
    description: "codes decoded with SUB 0x6400 instead of 0x6401: every weight t + 1",
    evaluate: (c) =>
      c.weights.codes.includes(3)
        ? undefined
        : matmulWith(c, { ...c.weights, codes: c.weights.codes.map((code) => code + 1) }),
  },
  {
    id: "trirun-b-not-rewound",
    description: `B not rewound on stripe wrap: every ${TRIRUN_REWIND_SLICE_N}-column slice reads the first slice's words`,
    evaluate: (c) => {
      const packed = packTrirun(c.weights);
      const n = packed.n;
      const B = packed.B.map((_, i) => packed.B[i - (i % n) + ((i % n) % TRIRUN_REWIND_SLICE_N)]);
      return matmulWith(c, unpackTrirun({ ...packed, B }));
    },
  },
  {
    id: "trirun-fp16-accumulation",
    description: "running sum kept in fp16 (rounded after every product is added)",
    evaluate: fp16AccumulationMatmul,
  },
];

/**
 * trirunMatmul with every partial sum rounded to fp16 (spec/trirun.md §8 with an fp16 accumulator); the scale
 * mode as trirunMatmul takes it (group size 128 grouped, whatever k).
 */
function fp16AccumulationMatmul(kernelCase: TrirunKernelCase): Uint16Array {
  const { k, n, groupSize, codes, scales } = kernelCase.weights;
  const grouped = groupSize !== -1;
  const y = new Uint16Array(kernelCase.m * n);
  for (let i = 0; i < kernelCase.m; i++)
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let a = 0; a < k; a++) {
        const t = codes[a * n + j] - 1;
        const w = grouped ? roundToF16(t * f16BitsToF32(scales[Math.floor(a / TRIRUN_GROUP_SIZE) * n + j])) : t;
        acc = roundToF16(acc + f16BitsToF32(kernelCase.x[i * k + a]) * w);
      }
      y[i * n + j] = f32ToF16Bits(grouped ? acc : acc * f16BitsToF32(scales[j]));
    }
  return y;
}

/** Does the variant reproduce y: equal bits (NaN equal to NaN), or within the bound where both are finite? */
function reproduces(
  y: Uint16Array,
  variant: Uint16Array,
  acceptance: TrirunMatmulAcceptance,
): { matches: boolean; exact: boolean } {
  let exact = true;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === variant[i]) continue;
    const [a, b] = [f16BitsToF32(y[i]), f16BitsToF32(variant[i])];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    exact = false;
    if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a - b) > acceptance.bound[i])
      return { matches: false, exact };
  }
  return { matches: true, exact };
}

/**
 * The catalogued causes that reproduce the kernel's y on the case (spec/kernel-protocol.md §11.6). A match is
 * ambiguous when y is all zero or all NaN, or when its variant's y equals another match's bit for bit.
 */
export function diagnoseTrirunMatmul(
  kernelCase: TrirunKernelCase,
  y: Uint16Array,
  acceptance: TrirunMatmulAcceptance,
): Diagnosis {
  const tried: string[] = [];
  const found: { match: Omit<HypothesisMatch, "ambiguous">; output: Uint16Array }[] = [];
  for (const hypothesis of TRIRUN_HYPOTHESES) {
    const output = hypothesis.evaluate(kernelCase);
    if (output === undefined) continue;
    tried.push(hypothesis.id);
    const { matches, exact } = reproduces(y, output, acceptance);
    if (matches)
      found.push({
        match: { id: hypothesis.id, description: hypothesis.description, exact, outputs: y.length },
        output,
      });
  }
  const trivial = y.every((bits) => (bits & 0x7fff) === 0) || y.every((bits) => Number.isNaN(f16BitsToF32(bits)));
  const matches = found.map(({ match, output }) => ({
    ...match,
    ambiguous:
      trivial || found.some((other) => other.output !== output && other.output.every((b, i) => b === output[i])),
  }));
  return { output: "y", tried, matches };
}
