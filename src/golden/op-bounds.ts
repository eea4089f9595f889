/**
 * The acceptance rule of the golden ops suite's `f32` groups, as data (spec/golden.md §6.1): the
 * per-element bound of RMSNorm, RoPE, causal attention and SwiGLU that spec/tolerances.md §4–§7 gives
 * an IEEE float32 candidate (IEEE_ACCURACY; a WebGL-class backend needs WEBGL_ACCURACY, not shipped),
 * computed by reference/tolerances and centred on the reference output y.
 */

import { ropeAngles } from "../../reference/model/rope.js";
import {
  attentionBounds,
  IEEE_ACCURACY,
  rmsNormBounds,
  ropeBounds,
  swigluBounds,
} from "../../reference/tolerances/index.js";
import { choiceParam, intListParam, intParam, numberParam, type GroupSpec } from "./compute.js";
import { ManifestError } from "./manifest-core.js";
import type { BoundTensor, FloatTensor, Tensor } from "./tensor-core.js";

/** The float ops whose `f32` groups ship their bounds. */
const BOUNDED_FLOAT_OPS = ["rmsnorm", "rope", "attention", "swiglu"] as const;

/** One of BOUNDED_FLOAT_OPS. */
export type BoundedFloatOp = (typeof BOUNDED_FLOAT_OPS)[number];

/** Whether `op` is one of BOUNDED_FLOAT_OPS. */
export function isBoundedFloatOp(op: string): op is BoundedFloatOp {
  return (BOUNDED_FLOAT_OPS as readonly string[]).includes(op);
}

function floats(tensors: Readonly<Record<string, Tensor>>, role: string): FloatTensor {
  const tensor = tensors[role];
  if (tensor?.dtype !== "float32") throw new ManifestError(`'${role}' must be a float32 .npy`);
  return tensor;
}

/** The spec/tolerances.md bounds of every element of the op's output `y`, for an IEEE float32 candidate. */
function opBounds(group: GroupSpec, inputs: Readonly<Record<string, Tensor>>, y: Float32Array): Float64Array {
  switch (group.op) {
    case "rmsnorm":
      return rmsNormBounds(
        floats(inputs, "gamma").data,
        numberParam(group, "eps"),
        intParam(group, "batch"),
        y,
        IEEE_ACCURACY,
      );
    case "rope": {
      const positions = intListParam(group, "positions");
      const ropeDim = intParam(group, "ropeDim");
      const theta = numberParam(group, "theta");
      const pairs = ropeDim / 2;
      const cos = new Float32Array(positions.length * pairs);
      const sin = new Float32Array(positions.length * pairs);
      positions.forEach((pos, b) => {
        const angles = ropeAngles(pos, ropeDim, theta, "f32");
        cos.set(angles.cos, b * pairs);
        sin.set(angles.sin, b * pairs);
      });
      const style = choiceParam(group, "style", ["adjacent", "rotate-half"] as const);
      const x = floats(inputs, "x").data;
      return ropeBounds(x, intParam(group, "headDim"), ropeDim, style, cos, sin, positions.length, IEEE_ACCURACY);
    }
    case "attention": {
      const shape = {
        nHeads: intParam(group, "nHeads"),
        nKvHeads: intParam(group, "nKvHeads"),
        headDim: intParam(group, "headDim"),
      };
      const positions = Array.from({ length: intParam(group, "seqLen") }, (_, s) => s); // query s sees 0..s
      const [q, k, v] = (["q", "k", "v"] as const).map((role) => floats(inputs, role).data);
      return attentionBounds(q, k, v, positions, shape, y, IEEE_ACCURACY);
    }
    case "swiglu":
      return swigluBounds(floats(inputs, "gate").data, floats(inputs, "up").data, y, IEEE_ACCURACY);
    default:
      throw new ManifestError(`a ${group.op} group has no float-op bounds`);
  }
}

/**
 * The y_bound file of an `f32` ops test: float64, y's shape, every element's spec/tolerances.md bound
 * (encodeBound, all finite: a finite y within it of the reference y is accepted, a non-finite y never).
 * ManifestError when the group is not an `f32` float-op group, or when y or a bound is not finite
 * (the shipped rule could not say that the candidate must match it in kind).
 */
export function opBoundTensor(
  group: GroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
  y: Tensor | undefined,
): BoundTensor {
  if (!isBoundedFloatOp(group.op) || group.params.activations !== "f32")
    throw new ManifestError(`a ${group.op} group with activations ${String(group.params.activations)} has no bounds`);
  if (y?.dtype !== "float32") throw new ManifestError("an op test's y must be float32");
  const bounds = opBounds(group, inputs, y.data);
  const data = Float64Array.from(bounds, (b, i) => {
    if (!Number.isFinite(b) || !Number.isFinite(y.data[i]))
      throw new ManifestError(`y[${i}]: reference ${y.data[i]}, bound ${b}: not expressible as a finite bound`);
    return b; // encodeBound(b, false): a finite bound that accepts no non-finite result is stored as is
  });
  return { dtype: "float64", shape: y.shape, data };
}
