/**
 * The trirun suite's matmul groups (spec/golden.md §9): y = TriRun's C = A · W from B, s and fp16 x
 * (reference/codec/trirun-matmul.ts, one thread block per column: spec/trirun.md §8.1, §8.2), and its
 * acceptance rule as data (spec/golden.md §6.3): y_bound and y_center (float64) and the y_nonfinite mask
 * (uint8: bit 0 ±inf accepted, bit 1 NaN accepted) from trirunMatmulAcceptance (spec/tolerances.md §10),
 * which decide exactly as trirunOutputAccepted does.
 */

import { f16BitsToF32 } from "../../reference/codec/float16.js";
import { unpackTrirun, type TrirunMatrix } from "../../reference/codec/trirun.js";
import { trirunMatmul } from "../../reference/codec/trirun-matmul.js";
import {
  trirunMatmulAcceptance,
  trirunOutputAccepted,
  type TrirunMatmulAcceptance,
} from "../../reference/tolerances/trirun-matmul.js";
import { ManifestError, type ElementwiseBound } from "./manifest-core.js";
import {
  arrayTensor,
  type BoundTensor,
  type ByteTensor,
  type HalfTensor,
  type Int32Tensor,
  type Tensor,
} from "./tensor-core.js";
import { trirunFileShapes, trirunShapeParam, type TrirunGroupSpec } from "./trirun-compute.js";

/** The input roles of a trirun matmul group: TriRun's B and s, and the fp16 activations x [m, k]. */
export const TRIRUN_MATMUL_INPUT_ROLES: readonly string[] = ["B", "s", "x"];

/** Bit 0 of y_nonfinite: ±inf is a correct result there (overflowPossible). */
export const NONFINITE_INFINITY_ACCEPTED = 1;
/** Bit 1 of y_nonfinite: NaN is a correct result there (nanPossible). */
export const NONFINITE_NAN_ACCEPTED = 2;

/** The group's m (rows of x) and slices (P, the thread-block slices the bound allows) params. */
function matmulParams(group: TrirunGroupSpec): { m: number; slices: number } {
  const { m, slices } = group.params;
  if (typeof m !== "number" || !Number.isSafeInteger(m) || m < 1)
    throw new ManifestError("a trirun matmul group's param 'm' must be an integer ≥ 1");
  if (typeof slices !== "number" || !Number.isSafeInteger(slices) || slices < 1)
    throw new ManifestError("a trirun matmul group's param 'slices' must be an integer ≥ 1");
  return { m, slices };
}

/** The logical weights and x of a trirun matmul test, checked against the group's params. */
function operands(
  group: TrirunGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
): { weights: TrirunMatrix; x: Uint16Array; m: number; slices: number } {
  const shape = trirunShapeParam(group);
  const { m, slices } = matmulParams(group);
  const files = trirunFileShapes(shape);
  const expected: Record<string, [string, number[]]> = {
    B: ["int32", files.B],
    s: ["float16", files.s],
    x: ["float16", [m, shape.k]],
  };
  for (const [role, [dtype, dims]] of Object.entries(expected)) {
    const tensor = inputs[role];
    if (tensor?.dtype !== dtype || tensor.shape.join() !== dims.join())
      throw new ManifestError(`input '${role}' must be ${dtype} [${dims.join(", ")}]`);
  }
  const B = inputs.B as Int32Tensor;
  const s = inputs.s as HalfTensor;
  return { weights: unpackTrirun({ ...shape, B: B.data, s: s.data }), x: (inputs.x as HalfTensor).data, m, slices };
}

/**
 * The expected output of a trirun matmul test: y float16 [m, n] = trirunMatmul(unpack(B, s), x), TriRun's
 * result with one thread block per column (spec/trirun.md §8.1, §8.2). ManifestError when the inputs do not fit.
 */
export function computeTrirunMatmul(
  group: TrirunGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const { weights, x, m } = operands(group, inputs);
  return { y: arrayTensor<HalfTensor>("float16", [m, weights.n], trirunMatmul(weights, x, m)) };
}

/** y_nonfinite of one element: bit 0 where ±inf is accepted, bit 1 where NaN is. */
function nonFiniteMask(acceptance: TrirunMatmulAcceptance, i: number): number {
  return (
    (acceptance.overflowPossible[i] === 1 ? NONFINITE_INFINITY_ACCEPTED : 0) |
    (acceptance.nanPossible[i] === 1 ? NONFINITE_NAN_ACCEPTED : 0)
  );
}

/**
 * The rule's files of a trirun matmul test (spec/golden.md §6.3): bound and center float64 [m, n], nonFinite
 * uint8 [m, n], from trirunMatmulAcceptance with the group's slices. Throws (a generator or reference bug)
 * unless the expected y passes the rule, and unless the rule as data decides for y as trirunOutputAccepted does.
 */
export function trirunMatmulBoundTensors(
  group: TrirunGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
  y: Tensor | undefined,
  rule: ElementwiseBound,
): Record<string, Tensor> {
  const { weights, x, m, slices } = operands(group, inputs);
  if (rule.nonFinite === undefined || rule.center === "y")
    throw new ManifestError("a trirun matmul group's bound needs a center and a nonFinite role");
  if (y?.dtype !== "float16") throw new ManifestError("a trirun matmul test needs a float16 y");
  const acceptance = trirunMatmulAcceptance(weights, x, m, { slices });
  const shape = [m, weights.n];
  const mask = Uint8Array.from({ length: m * weights.n }, (_, i) => nonFiniteMask(acceptance, i));
  y.data.forEach((bits, i) => {
    const value = f16BitsToF32(bits);
    if (
      !trirunOutputAccepted(acceptance, i, bits) ||
      !acceptedByNonFiniteMask(value, acceptance.center[i], acceptance.bound[i], mask[i])
    )
      throw new Error(`golden: the reference's y[${i}] = ${value} is outside its own acceptance region`);
  });
  return {
    [rule.bound]: { dtype: "float64", shape, data: acceptance.bound } satisfies BoundTensor,
    [rule.center]: { dtype: "float64", shape, data: acceptance.center } satisfies BoundTensor,
    [rule.nonFinite]: arrayTensor<ByteTensor>("uint8", shape, mask),
  };
}

/**
 * The rule of spec/golden.md §6.3 for one element, from the data alone: `candidate` the fp16 value (as a number),
 * `center` and `bound` the stored float64, `mask` the stored y_nonfinite. NaN is accepted where bit 1 is set, ±inf
 * where bit 0 is set, a finite value when |candidate − center| ≤ bound in float64 (a NaN centre rejects every
 * finite value). Decides as trirunOutputAccepted; mirrors golden/verify_numpy.py.
 */
export function acceptedByNonFiniteMask(candidate: number, center: number, bound: number, mask: number): boolean {
  if (Number.isNaN(candidate)) return (mask & NONFINITE_NAN_ACCEPTED) !== 0;
  if (!Number.isFinite(candidate)) return (mask & NONFINITE_INFINITY_ACCEPTED) !== 0;
  return Math.abs(candidate - center) <= bound;
}
