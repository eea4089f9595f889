/**
 * The expected outputs of the `trirun` suite's groups (spec/golden.md §9), from the reference codec alone
 * (reference/codec/trirun.ts): `pack` (codes + logical scales → TriRun's B and permuted s), `unpack` (the
 * inverse) and `validate` (B and s as a file gives them → the findings, refusals included, as an int32 table).
 * compute.ts dispatches the trirun groups here; this module does not import it (no cycle).
 */

import {
  packTrirun,
  trirunScaleRows,
  trirunShapeProblems,
  unpackTrirun,
  validateTrirun,
  TRIRUN_TILE,
  type TrirunFindingKind,
  type TrirunGroupSize,
  type TrirunShape,
} from "../../reference/codec/trirun.js";
import { ManifestError, type GoldenFormat, type GoldenOp, type ParamValue } from "./manifest-core.js";
import { arrayTensor, type ByteTensor, type HalfTensor, type Int32Tensor, type Tensor } from "./tensor-core.js";

/** What the trirun computations need of a group. */
export interface TrirunGroupSpec {
  readonly op: GoldenOp;
  readonly format: GoldenFormat;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/**
 * The kinds a `validate` group's findings table numbers (its column 0 indexes this list, which the group's
 * params repeat as `findingKinds`): validateTrirun's kinds, then the refusals before it can run —
 * `shape` (k, n or the group size that TriRun's `Layer` refuses, spec/trirun.md §9), `b-length` and `s-length`
 * (a file holding another number of words or scales than the shape needs).
 */
export const TRIRUN_FINDING_KINDS = [
  "code-3",
  "scale-nan",
  "scale-infinite",
  "scale-negative",
  "scale-zero-with-codes",
  "shape",
  "b-length",
  "s-length",
] as const;

/** One kind of TRIRUN_FINDING_KINDS. */
export type TrirunGoldenFindingKind = (typeof TRIRUN_FINDING_KINDS)[number];

/** Columns of a findings row: kind (index into TRIRUN_FINDING_KINDS), k, n, index (into B or s; see trirunFindings). */
export const TRIRUN_FINDING_COLUMNS = 4;

/** An integer param of a trirun group. */
function integerParam(group: TrirunGroupSpec, name: string): number {
  const value = group.params[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw new ManifestError(`a trirun ${group.op} group's param '${name}' must be an integer`);
  return value;
}

/** The group's k, n and groupSize params (validate groups may hold shapes TriRun refuses; the others may not). */
export function trirunShapeParam(group: TrirunGroupSpec): TrirunShape {
  const k = integerParam(group, "k");
  const n = integerParam(group, "n");
  const groupSize = integerParam(group, "groupSize");
  if (groupSize !== -1 && groupSize !== 128)
    throw new ManifestError(`a trirun ${group.op} group's param 'groupSize' must be -1 or 128`);
  const shape = { k, n, groupSize: groupSize as TrirunGroupSize };
  const problems = trirunShapeProblems(shape);
  if (group.op !== "validate" && problems.length > 0)
    throw new ManifestError(`a trirun ${group.op} group: ${problems.join("; ")}`);
  if (k <= 0 || n <= 0) throw new ManifestError(`a trirun ${group.op} group needs k and n ≥ 1`);
  return shape;
}

/** An input of `dtype`, with `shape` unless shape is undefined. */
function input<T extends Tensor>(
  inputs: Readonly<Record<string, Tensor>>,
  role: string,
  dtype: T["dtype"],
  shape?: readonly number[],
): T {
  const tensor = inputs[role];
  if (tensor?.dtype !== dtype) throw new ManifestError(`input '${role}' must be a ${dtype} .npy`);
  if (shape !== undefined && tensor.shape.join() !== shape.join())
    throw new ManifestError(
      `input '${role}' has shape [${tensor.shape.join(", ")}], the params say [${shape.join(", ")}]`,
    );
  return tensor as T;
}

/** The shapes of a TriRun weight's files: codes [k, n], B [k/16, n], scales and s [rows, n]. */
export function trirunFileShapes(shape: TrirunShape): { codes: number[]; B: number[]; s: number[] } {
  return {
    codes: [shape.k, shape.n],
    B: [shape.k / TRIRUN_TILE, shape.n],
    s: [trirunScaleRows(shape), shape.n],
  };
}

/**
 * What a TriRun validator finds in B and s as read from files (spec/golden.md §9): rows (kind, k, n, index), kind
 * indexing TRIRUN_FINDING_KINDS. A shape TriRun refuses gives one row (shape, k, n, −1) and nothing else; a B or s
 * holding another number of entries than the shape needs one row (b-length | s-length, −1, −1, entries found);
 * otherwise validateTrirun's findings in its order (k, n the element or the first input of the scale's group,
 * index into B or s). int32 [count, 4].
 */
export function trirunFindings(shape: TrirunShape, B: Int32Array, s: Uint16Array): Int32Tensor {
  const rows: number[][] = [];
  const row = (kind: TrirunGoldenFindingKind, k: number, n: number, index: number): number[] => [
    TRIRUN_FINDING_KINDS.indexOf(kind),
    k,
    n,
    index,
  ];
  if (trirunShapeProblems(shape).length > 0) rows.push(row("shape", shape.k, shape.n, -1));
  else {
    const expected = trirunFileShapes(shape);
    if (B.length !== expected.B[0] * expected.B[1]) rows.push(row("b-length", -1, -1, B.length));
    if (s.length !== expected.s[0] * expected.s[1]) rows.push(row("s-length", -1, -1, s.length));
    if (rows.length === 0)
      for (const finding of validateTrirun({ ...shape, B, s }))
        rows.push(row(finding.kind satisfies TrirunFindingKind, finding.k, finding.n, finding.index));
  }
  return arrayTensor<Int32Tensor>("int32", [rows.length, TRIRUN_FINDING_COLUMNS], Int32Array.from(rows.flat()));
}

/** The input roles of the trirun ops. */
export const TRIRUN_INPUT_ROLES = {
  pack: ["codes", "scales"],
  unpack: ["B", "s"],
  validate: ["B", "s"],
} as const;

/** The output roles of the trirun ops. */
export const TRIRUN_OUTPUT_ROLES = {
  pack: ["B", "s"],
  unpack: ["codes", "scales"],
  validate: ["findings"],
} as const;

/**
 * The expected outputs of one test of a trirun `pack`, `unpack` or `validate` group (spec/golden.md §9):
 *   pack:     codes uint8 [k, n] (t + 1), scales float16 [rows, n] → B int32 [k/16, n], s float16 [rows, n]  (packTrirun)
 *   unpack:   B, s → codes, scales                                                                       (unpackTrirun)
 *   validate: B int32, s float16 of any shape → findings int32 [count, 4]                               (trirunFindings)
 * ManifestError when the params or inputs do not fit the op.
 */
export function computeTrirunOutputs(
  group: TrirunGroupSpec & { readonly op: "pack" | "unpack" | "validate" },
  inputs: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  if (group.format !== "trirun") throw new ManifestError(`a ${group.op} group's format must be trirun`);
  const shape = trirunShapeParam(group);
  if (group.op === "validate") {
    const B = input<Int32Tensor>(inputs, "B", "int32");
    const s = input<HalfTensor>(inputs, "s", "float16");
    return { findings: trirunFindings(shape, B.data, s.data) };
  }
  const files = trirunFileShapes(shape);
  if (group.op === "pack") {
    const codes = input<ByteTensor>(inputs, "codes", "uint8", files.codes);
    const scales = input<HalfTensor>(inputs, "scales", "float16", files.s);
    const packed = packTrirun({ ...shape, codes: codes.data, scales: scales.data });
    return {
      B: arrayTensor<Int32Tensor>("int32", files.B, packed.B),
      s: arrayTensor<HalfTensor>("float16", files.s, packed.s),
    };
  }
  const B = input<Int32Tensor>(inputs, "B", "int32", files.B);
  const s = input<HalfTensor>(inputs, "s", "float16", files.s);
  const matrix = unpackTrirun({ ...shape, B: B.data, s: s.data });
  return {
    codes: arrayTensor<ByteTensor>("uint8", files.codes, matrix.codes),
    scales: arrayTensor<HalfTensor>("float16", files.s, matrix.scales),
  };
}
