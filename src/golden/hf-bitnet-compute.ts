/**
 * The expected outputs of the `hf-bitnet` golden suite's groups (spec/golden.md §11), from the reference alone
 * (reference/codec/hf-bitnet.ts, reference/tolerances/hf-bitnet-linear.ts): `pack` (codes → weight), `unpack` (the
 * inverse) and `matmul` (weight, weight_scale and float32 x → y, with y_bound from spec/tolerances.md §13.2).
 * compute.ts and acceptance.ts dispatch the hf-bitnet groups here.
 */

import { packHfBitnet, unpackHfBitnet } from "../../reference/codec/hf-bitnet.js";
import {
  hfBitnetLinearOutputs,
  hfBitnetOutputAccepted,
  hfBitnetQuantizeActivations,
  type HfBitnetOutput,
} from "../../reference/tolerances/hf-bitnet-linear.js";
import { ManifestError, type ElementwiseBound, type GoldenOp } from "./manifest-core.js";
import {
  arrayTensor,
  floatTensor,
  type BoundTensor,
  type ByteTensor,
  type FloatTensor,
  type Tensor,
} from "./tensor-core.js";
import { exactInput, formatOpRoles, positiveIntegerParam, type FormatGroupSpec } from "./format-group.js";

/** What the hf-bitnet computations need of a group. */
export type HfBitnetGroupSpec = FormatGroupSpec;

/** The input roles of each op. */
const INPUT_ROLES: Readonly<Partial<Record<GoldenOp, readonly string[]>>> = {
  pack: ["codes"],
  unpack: ["weight"],
  matmul: ["weight", "weight_scale", "x"],
};
/** The output roles of each op. */
const OUTPUT_ROLES: Readonly<Partial<Record<GoldenOp, readonly string[]>>> = {
  pack: ["weight"],
  unpack: ["codes"],
  matmul: ["y"],
};

/** The roles of an hf-bitnet group's op; ManifestError for an op the suite does not have. */
export function hfBitnetRoles(op: GoldenOp, which: "inputs" | "outputs"): readonly string[] {
  return formatOpRoles(which === "inputs" ? INPUT_ROLES : OUTPUT_ROLES, op, "an hf-bitnet");
}

/** A positive integer param of an hf-bitnet group. */
function integerParam(group: HfBitnetGroupSpec, name: string): number {
  return positiveIntegerParam(group, name, "an hf-bitnet");
}

/** rows (n, a multiple of 4) and cols (k). */
function shapeOf(group: HfBitnetGroupSpec): { n: number; k: number } {
  const n = integerParam(group, "rows");
  if (n % 4 !== 0) throw new ManifestError(`an hf-bitnet group's rows must be a multiple of 4, got ${n}`);
  return { n, k: integerParam(group, "cols") };
}

/** The reference outputs of a matmul test, token by token: [m·n]. */
function matmulOutputs(group: HfBitnetGroupSpec, inputs: Readonly<Record<string, Tensor>>): HfBitnetOutput[] {
  const { n, k } = shapeOf(group);
  const m = integerParam(group, "batch");
  const convention = group.params.scale;
  if (convention !== "multiply" && convention !== "divide")
    throw new ManifestError(`an hf-bitnet matmul group's param 'scale' must be multiply or divide`);
  const weight = exactInput<ByteTensor>(inputs, "weight", "uint8", [n / 4, k]);
  const scale = exactInput<FloatTensor>(inputs, "weight_scale", "float32", [1]).data[0];
  const x = exactInput<FloatTensor>(inputs, "x", "float32", [m, k]).data;
  const weights = unpackHfBitnet(weight.data, n / 4, k);
  return Array.from({ length: m }, (_, i) =>
    hfBitnetLinearOutputs(hfBitnetQuantizeActivations(x.subarray(i * k, (i + 1) * k)), weights, n, scale, convention),
  ).flat();
}

/**
 * The expected outputs of one hf-bitnet test (spec/golden.md §11): pack → weight uint8 [n/4, k]; unpack → codes
 * uint8 [n, k] (t + 1, 3 for a code 3); matmul → y float32 [m, n].
 */
export function computeHfBitnetOutputs(
  group: HfBitnetGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  switch (group.op) {
    case "pack": {
      const { n, k } = shapeOf(group);
      const codes = exactInput<ByteTensor>(inputs, "codes", "uint8", [n, k]);
      const packed = packHfBitnet(
        Int8Array.from(codes.data, (c) => c - 1),
        n,
        k,
      );
      return { weight: arrayTensor<ByteTensor>("uint8", [n / 4, k], packed) };
    }
    case "unpack": {
      const { n, k } = shapeOf(group);
      const weight = exactInput<ByteTensor>(inputs, "weight", "uint8", [n / 4, k]);
      const t = unpackHfBitnet(weight.data, n / 4, k);
      return {
        codes: arrayTensor<ByteTensor>(
          "uint8",
          [n, k],
          Uint8Array.from(t, (v) => v + 1),
        ),
      };
    }
    case "matmul": {
      const y = Float32Array.from(matmulOutputs(group, inputs), (o) => o.reference);
      return { y: floatTensor([integerParam(group, "batch"), shapeOf(group).n], y) };
    }
    default:
      throw new ManifestError(`an hf-bitnet group cannot have op ${group.op}`);
  }
}

/** y_bound of an hf-bitnet matmul test: float64 [m, n], centred on y; throws unless y is accepted by its own bound. */
export function hfBitnetMatmulBoundTensors(
  group: HfBitnetGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
  y: Tensor | undefined,
  rule: ElementwiseBound,
): Record<string, Tensor> {
  if (rule.center !== "y") throw new ManifestError("an hf-bitnet matmul group's bound is centred on y");
  if (y?.dtype !== "float32") throw new ManifestError("an hf-bitnet matmul test needs a float32 y");
  const outputs = matmulOutputs(group, inputs);
  y.data.forEach((v, i) => {
    if (!hfBitnetOutputAccepted(v, outputs[i]))
      throw new Error(`golden: the reference's y[${i}] = ${v} is outside its own bound`);
  });
  const data = Float64Array.from(outputs, (o) => o.bound);
  return { [rule.bound]: { dtype: "float64", shape: y.shape, data } satisfies BoundTensor };
}
