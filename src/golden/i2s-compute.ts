/**
 * The expected outputs of the `i2_s` suite's groups (spec/golden.md §10), from the reference codec alone
 * (reference/codec/i2_s.ts, i2_s-matmul.ts): `unpack` (the I2_S tensor bytes W → codes and scale), `pack` (the
 * inverse), `validate` (W → findings as an int32 table) and `matmul` (W and float32 x → y, with y_bound from
 * spec/tolerances.md §12.2). compute.ts and acceptance.ts dispatch the i2_s groups here.
 */

import {
  I2S_LAYOUTS,
  i2sStoredElements,
  i2sTensorBytes,
  packI2s,
  unpackI2s,
  validateI2s,
  type I2sFindingKind,
  type I2sLayout,
  type I2sShape,
} from "../../reference/codec/i2_s.js";
import { i2sMatmul } from "../../reference/codec/i2_s-matmul.js";
import { quantizeRowI8s } from "../../reference/codec/i8_s.js";
import { i2sOutputAccepted, i2sOutputBound } from "../../reference/tolerances/i2s-matmul.js";
import { ManifestError, type ElementwiseBound, type GoldenOp } from "./manifest-core.js";
import {
  arrayTensor,
  floatTensor,
  type BoundTensor,
  type ByteTensor,
  type FloatTensor,
  type Int32Tensor,
  type Tensor,
} from "./tensor-core.js";
import { exactInput, formatOpRoles, positiveIntegerParam, type FormatGroupSpec } from "./format-group.js";

/** What the i2_s computations need of a group. */
export type I2sGroupSpec = FormatGroupSpec;

/** The kinds a `validate` group's findings table numbers (column 0 indexes this list; params repeat it). */
export const I2S_FINDING_KINDS: readonly I2sFindingKind[] = [
  "code-3",
  "scale-nan",
  "scale-infinite",
  "scale-negative",
  "partial-block",
  "pad-nonzero",
];

/** Columns of a findings row: kind (index into I2S_FINDING_KINDS), byte, element (−1 for the scale or the pad). */
export const I2S_FINDING_COLUMNS = 3;

/** The input roles of each i2_s op. */
export const I2S_INPUT_ROLES: Readonly<Partial<Record<GoldenOp, readonly string[]>>> = {
  pack: ["codes", "scale"],
  unpack: ["W"],
  validate: ["W"],
  matmul: ["W", "x"],
};

/** The output roles of each i2_s op. */
export const I2S_OUTPUT_ROLES: Readonly<Partial<Record<GoldenOp, readonly string[]>>> = {
  pack: ["W"],
  unpack: ["codes", "scale"],
  validate: ["findings"],
  matmul: ["y"],
};

/** The roles of an i2_s group's op; ManifestError for an op the suite does not have. */
export function i2sRoles(op: GoldenOp, which: "inputs" | "outputs"): readonly string[] {
  return formatOpRoles(which === "inputs" ? I2S_INPUT_ROLES : I2S_OUTPUT_ROLES, op, "an i2_s");
}

/** A positive integer param of an i2_s group. */
function integerParam(group: I2sGroupSpec, name: string): number {
  return positiveIntegerParam(group, name, "an i2_s");
}

/** The group's layout, rows and cols params. */
function layoutShape(group: I2sGroupSpec): { layout: I2sLayout; shape: I2sShape } {
  const layout = group.params.layout;
  if (typeof layout !== "string" || !(I2S_LAYOUTS as readonly string[]).includes(layout))
    throw new ManifestError(`an i2_s group's param 'layout' must be one of ${I2S_LAYOUTS.join(", ")}`);
  return {
    layout: layout as I2sLayout,
    shape: { rows: integerParam(group, "rows"), cols: integerParam(group, "cols") },
  };
}

/** The findings table of validateI2s: rows (kind index, byte, element). */
function findingsTable(layout: I2sLayout, shape: I2sShape, bytes: Uint8Array): Int32Tensor {
  const findings = validateI2s(layout, shape, bytes);
  const data = new Int32Array(findings.length * I2S_FINDING_COLUMNS);
  findings.forEach((f, i) => data.set([I2S_FINDING_KINDS.indexOf(f.kind), f.byte, f.element], i * I2S_FINDING_COLUMNS));
  return arrayTensor<Int32Tensor>("int32", [findings.length, I2S_FINDING_COLUMNS], data);
}

/** The operands of a matmul test: W's bytes, x's I8_S rows, and m. */
function matmulOperands(group: I2sGroupSpec, inputs: Readonly<Record<string, Tensor>>) {
  const { layout, shape } = layoutShape(group);
  const m = integerParam(group, "batch");
  const W = exactInput<ByteTensor>(inputs, "W", "uint8", [i2sTensorBytes(shape)]);
  const x = exactInput<FloatTensor>(inputs, "x", "float32", [m, shape.cols]);
  const acts = Array.from({ length: m }, (_, i) =>
    quantizeRowI8s(x.data.subarray(i * shape.cols, (i + 1) * shape.cols)),
  );
  return { result: i2sMatmul(layout, shape, W.data, acts), shape: [m, shape.rows] };
}

/**
 * The expected outputs of one i2_s test (spec/golden.md §10): unpack → codes uint8 [stored elements] and scale
 * float32 [1]; pack → W uint8 [⌊n/4⌋ + 32]; validate → findings int32 [count, 3]; matmul → y float32 [m, n].
 */
export function computeI2sOutputs(
  group: I2sGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  if (group.op === "matmul") {
    const { result, shape } = matmulOperands(group, inputs);
    return { y: floatTensor(shape, result.y) };
  }
  const { layout, shape } = layoutShape(group);
  const stored = i2sStoredElements(layout, shape);
  switch (group.op) {
    case "unpack":
    case "validate": {
      const W = exactInput<ByteTensor>(inputs, "W", "uint8", [i2sTensorBytes(shape)]);
      if (group.op === "validate") return { findings: findingsTable(layout, shape, W.data) };
      const tensor = unpackI2s(layout, shape, W.data);
      return {
        codes: arrayTensor<ByteTensor>("uint8", [stored], tensor.codes),
        scale: floatTensor([1], Float32Array.of(tensor.scale)),
      };
    }
    case "pack": {
      const codes = exactInput<ByteTensor>(inputs, "codes", "uint8", [stored]);
      const scale = exactInput<FloatTensor>(inputs, "scale", "float32", [1]);
      const bytes = packI2s(layout, shape, codes.data, scale.data[0]);
      return { W: arrayTensor<ByteTensor>("uint8", [bytes.length], bytes) };
    }
    default:
      throw new ManifestError(`an i2_s group cannot have op ${group.op}`);
  }
}

/**
 * y_bound of an i2_s matmul test (spec/golden.md §10, spec/tolerances.md §12.2): float64 [m, n], i2sOutputBound of
 * each expected output, centred on y itself. Throws unless the rule as data decides for y as i2sOutputAccepted does.
 */
export function i2sMatmulBoundTensors(
  group: I2sGroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
  y: Tensor | undefined,
  rule: ElementwiseBound,
): Record<string, Tensor> {
  if (rule.center !== "y") throw new ManifestError("an i2_s matmul group's bound is centred on y");
  const { result, shape } = matmulOperands(group, inputs);
  if (y?.dtype !== "float32") throw new ManifestError("an i2_s matmul test needs a float32 y");
  const bound = Float64Array.from(result.y, (v, i) => i2sOutputBound(v, result.centered[i]));
  y.data.forEach((v, i) => {
    if (!i2sOutputAccepted(v, result.y[i], result.centered[i]) || Math.abs(v - result.y[i]) > bound[i])
      throw new Error(`golden: the reference's y[${i}] = ${v} is outside its own bound`);
  });
  return { [rule.bound]: { dtype: "float64", shape, data: bound } satisfies BoundTensor };
}
