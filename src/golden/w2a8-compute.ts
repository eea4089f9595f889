/**
 * The expected outputs of the `w2a8` golden suite's groups (spec/golden.md §12), from the reference alone
 * (reference/codec/w2a8.ts, w2a8-matmul.ts): `pack` (codes → the packed bytes of gpu/pack_weight.py), `unpack` (the
 * inverse, a code 0 included) and `matmul` (weight, ws, int8 codes and scales → y, bit-exact by
 * spec/tolerances.md §13.3). bf16 values (ws, s, y) are stored widened to float32, exactly. compute.ts dispatches
 * the w2a8 groups here.
 */

import { packW2a8, unpackW2a8 } from "../../reference/codec/w2a8.js";
import { w2a8Accumulate, w2a8Epilogue } from "../../reference/codec/w2a8-matmul.js";
import { ManifestError, type GoldenOp } from "./manifest-core.js";
import {
  arrayTensor,
  floatTensor,
  type ByteTensor,
  type FloatTensor,
  type Int32Tensor,
  type Tensor,
} from "./tensor-core.js";
import { exactInput, formatOpRoles, positiveIntegerParam, type FormatGroupSpec } from "./format-group.js";

/** What the w2a8 computations need of a group. */
export type W2a8GroupSpec = FormatGroupSpec;

/** The input roles of each op. */
const INPUT_ROLES: Readonly<Partial<Record<GoldenOp, readonly string[]>>> = {
  pack: ["codes"],
  unpack: ["weight"],
  matmul: ["weight", "ws", "x_q", "s"],
};
/** The output roles of each op. */
const OUTPUT_ROLES: Readonly<Partial<Record<GoldenOp, readonly string[]>>> = {
  pack: ["weight"],
  unpack: ["codes"],
  matmul: ["y"],
};

/** The roles of a w2a8 group's op; ManifestError for an op the suite does not have. */
export function w2a8Roles(op: GoldenOp, which: "inputs" | "outputs"): readonly string[] {
  return formatOpRoles(which === "inputs" ? INPUT_ROLES : OUTPUT_ROLES, op, "a w2a8");
}

/** A positive integer param of a w2a8 group. */
function integerParam(group: W2a8GroupSpec, name: string): number {
  return positiveIntegerParam(group, name, "a w2a8");
}

/**
 * The expected outputs of one w2a8 test (spec/golden.md §12): pack → weight uint8 [n, k/4]; unpack → codes uint8
 * [n, k] (t + 2; 0 for a code 0); matmul → y float32 [m, n] holding bf16 values.
 */
export function computeW2a8Outputs(
  group: W2a8GroupSpec,
  inputs: Readonly<Record<string, Tensor>>,
): Record<string, Tensor> {
  const n = integerParam(group, "rows");
  const k = integerParam(group, "cols");
  switch (group.op) {
    case "pack": {
      const codes = exactInput<ByteTensor>(inputs, "codes", "uint8", [n, k]);
      const packed = packW2a8(
        Int8Array.from(codes.data, (c) => c - 2),
        n,
        k,
      );
      return { weight: arrayTensor<ByteTensor>("uint8", [n, k / 4], packed) };
    }
    case "unpack": {
      const weight = exactInput<ByteTensor>(inputs, "weight", "uint8", [n, k / 4]);
      const t = unpackW2a8(weight.data, n, k);
      return {
        codes: arrayTensor<ByteTensor>(
          "uint8",
          [n, k],
          Uint8Array.from(t, (v) => v + 2),
        ),
      };
    }
    case "matmul": {
      const m = integerParam(group, "batch");
      const wsNum = integerParam(group, "ws_num");
      const weights = unpackW2a8(exactInput<ByteTensor>(inputs, "weight", "uint8", [n, k / 4]).data, n, k);
      const ws = exactInput<FloatTensor>(inputs, "ws", "float32", [Math.max(4, wsNum)]).data;
      const q = exactInput<Int32Tensor>(inputs, "x_q", "int32", [m, k]).data;
      const s = exactInput<FloatTensor>(inputs, "s", "float32", [m]).data;
      const y = new Float32Array(m * n);
      for (let i = 0; i < m; i++) {
        const acc = w2a8Accumulate(Int8Array.from(q.subarray(i * k, (i + 1) * k)), weights, n, k);
        y.set(w2a8Epilogue(acc, s[i], ws, wsNum), i * n);
      }
      return { y: floatTensor([m, n], y) };
    }
    default:
      throw new ManifestError(`a w2a8 group cannot have op ${group.op}`);
  }
}
