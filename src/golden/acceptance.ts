/**
 * The acceptance rule of the golden suites' elementwise-bound groups, as data (spec/golden.md §6.1)
 * (the `f32` ops groups' bounds: op-bounds.ts): for every matmul output element the bound `trilm check` judges it with (src/harness/judge.ts,
 * matmulReference: spec/formats.md §8.2 for ggml activations, spec/kernel-protocol.md §5.1 for f32),
 * written as a float64 .npy (y_bound.npy) with the non-finite rules folded into its sign, and the
 * rule that reads it back: `acceptedByBound` decides exactly as judgeMatmul does.
 */

import { argmaxAgreement } from "../../reference/tolerances/logits.js";
import { nmse } from "../../reference/tolerances/nmse.js";
import { matmulReference } from "../harness/judge.js";
import type { KernelActivations } from "../harness/protocol.js";
import { intParam, type GroupSpec } from "./compute.js";
import { i2sMatmulBoundTensors } from "./i2s-compute.js";
import { hfBitnetMatmulBoundTensors } from "./hf-bitnet-compute.js";
import { ManifestError, type ElementwiseBound, type Tolerance } from "./manifest-core.js";
import { isBoundedFloatOp, opBoundTensor } from "./op-bounds.js";
import type { Tensor } from "./tensor-core.js";
import { trirunMatmulBoundTensors } from "./trirun-matmul.js";

/** The role of an output's bound file: y → y_bound. */
export function boundRoleOf(outputRole: string): string {
  return `${outputRole}_bound`;
}

/** The role of the value an output's bound is centred on where that is not the output itself: y → y_center. */
export function centerRoleOf(outputRole: string): string {
  return `${outputRole}_center`;
}

/** The role of an fp16 output's non-finite mask (spec/golden.md §6.3): y → y_nonfinite. */
export function nonFiniteRoleOf(outputRole: string): string {
  return `${outputRole}_nonfinite`;
}

/**
 * One element's bound as stored (spec/golden.md §6.1): +∞ where the result must be non-finite (a
 * non-finite block scale), −b where a non-finite result is also accepted (some correct float32 order
 * may overflow; −0 for b = 0), else b: a finite y is accepted when |y − y_ref| ≤ |bound|, computed in float64.
 */
export function encodeBound(bound: number, nonFiniteAccepted: boolean): number {
  if (bound === Infinity) return Infinity;
  return nonFiniteAccepted ? -bound : bound;
}

/**
 * The rule of spec/golden.md §6.1 for one element, from the data alone: `candidate` and `expected`
 * are float32 values, `bound` the stored float64. Mirrors golden/verify_numpy.py.
 */
export function acceptedByBound(candidate: number, expected: number, bound: number): boolean {
  if (bound === Infinity) return !Number.isFinite(candidate);
  const difference = Math.abs(candidate - expected);
  const nonFiniteAccepted = bound < 0 || Object.is(bound, -0);
  return difference <= Math.abs(bound) || (nonFiniteAccepted && !Number.isFinite(difference));
}

/**
 * The rule of a logits-criterion group (spec/golden.md §6.2, spec/tolerances.md §9.1) from the data alone:
 * `candidate` and `expected` are logits [positions, vocab] as rows; accepted when NMSE(candidate, expected) ≤ τ
 * over all positions and, at every position, the candidate's argmax equals the expected one or is a near tie
 * (argmaxAgreement). Mirrors golden/verify_numpy.py.
 */
export function acceptedByLogitsCriterion(
  candidate: readonly Float32Array[],
  expected: readonly Float32Array[],
  tau: number,
): boolean {
  if (candidate.length !== expected.length || candidate.some((row, p) => row.length !== expected[p].length)) {
    return false;
  }
  const error = nmse(candidate, expected);
  return error <= tau && candidate.every((row, p) => argmaxAgreement(row, expected[p], tau) !== "disagree");
}

/**
 * The rule files of one test of `group` (role → tensor): for an elementwise-bound matmul group
 * its y_bound and y_center (matmulBoundTensors; a trirun matmul's also y_nonfinite, trirunMatmulBoundTensors),
 * for an elementwise-bound `f32` ops group its y_bound (opBoundTensor, centred on y), for every other group none.
 * ManifestError when the group cannot have them.
 */
export function computeBounds(
  group: GroupSpec & { readonly tolerance: Tolerance },
  inputs: Readonly<Record<string, Tensor>>,
  outputs: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const rule = group.tolerance.bounds?.y;
  if (group.tolerance.kind !== "elementwise-bound" || rule === undefined) return {};
  if (group.op === "matmul" && group.format === "trirun")
    return trirunMatmulBoundTensors(group, inputs, outputs.y, rule);
  if (group.op === "matmul" && group.format === "i2_s") return i2sMatmulBoundTensors(group, inputs, outputs.y, rule);
  if (group.op === "matmul" && group.format === "hf-bitnet")
    return hfBitnetMatmulBoundTensors(group, inputs, outputs.y, rule);
  if (isBoundedFloatOp(group.op)) {
    if (rule.center !== "y") throw new ManifestError(`a ${group.op} group's bound is centred on y`);
    return { [rule.bound]: opBoundTensor(group, inputs, outputs.y) };
  }
  if (group.op !== "matmul" || (group.format !== "tq1_0" && group.format !== "tq2_0"))
    throw new ManifestError(`a ${group.op} ${group.format} group has no elementwise bounds`);
  const activations = group.params.activations;
  if (activations !== "f32" && activations !== "ggml")
    throw new ManifestError("a matmul group's param 'activations' must be f32 or ggml");
  const params = {
    rows: intParam(group, "rows"),
    cols: intParam(group, "cols"),
    batch: intParam(group, "batch"),
    activations,
  } as const;
  return matmulBoundTensors(params, group.format, inputs, outputs.y, rule);
}

/**
 * The rule's files of a matmul test: y_bound (float64 [batch, rows], the judge's own bounds, encoded by
 * encodeBound) and, when `center` is not "y", the judge's reference as float32 under that role (ggml
 * activations: ggml's generic C order, which the AVX2 result y.npy is not bit for bit). Throws ManifestError
 * when `center` is "y" and the judge's reference is not bit for bit y (the rule would not decide as `trilm check`).
 */
export function matmulBoundTensors(
  params: {
    readonly rows: number;
    readonly cols: number;
    readonly batch: number;
    readonly activations: KernelActivations;
  },
  format: "tq1_0" | "tq2_0",
  inputs: Readonly<Record<string, Tensor>>,
  y: Tensor | undefined,
  rule: ElementwiseBound,
): Record<string, Tensor> {
  const weight = inputs.weight;
  const x = inputs.x;
  if (weight?.dtype !== format || x?.dtype !== "float32" || y?.dtype !== "float32")
    throw new ManifestError("a matmul test needs packed weight, float32 x and float32 y");
  const { expected, bounds, mayOverflow } = matmulReference({
    op: "matmul",
    format,
    ...params,
    weight: weight.data,
    x: x.data,
  });
  const shape = [params.batch, params.rows];
  const data = Float64Array.from(bounds, (b, i) => encodeBound(b, mayOverflow[i] === 1));
  const files: Record<string, Tensor> = { [rule.bound]: { dtype: "float64", shape, data } };
  if (rule.center !== "y") files[rule.center] = { dtype: "float32", shape, data: expected };
  else
    expected.forEach((v, i) => {
      if (!Object.is(v, y.data[i]) && !(Number.isNaN(v) && Number.isNaN(y.data[i])))
        throw new ManifestError(`y[${i}]: the judge's reference ${v} is not the suite's ${y.data[i]}`);
    });
  return files;
}
