/**
 * The `hf-bitnet` golden suite (spec/golden.md §11): transformers' packed BitLinear weights (reference/codec/hf-bitnet.ts)
 * as test vectors — `pack` (codes → weight), `unpack` (weight → codes, a code 3 included) — and the linear layer
 * `matmul` (weight, weight_scale, float32 x → y within spec/tolerances.md §13.2, y_bound shipped) in both scale
 * conventions. Inputs are drawn from the suite's mulberry32 streams; the expected outputs are computed afterwards
 * (hf-bitnet-compute.ts).
 */

import { packHfBitnet, type HfBitnetScaleConvention } from "../../reference/codec/hf-bitnet.js";
import { normalish } from "../random/index.js";
import { boundRoleOf } from "./acceptance.js";
import type { Note, Tolerance } from "./manifest-core.js";
import { arrayTensor, floatTensor, type ByteTensor } from "./tensor-core.js";
import type { FormatGroupPlan } from "./format-group-plan.js";

type Rng = () => number;

/** One hf-bitnet group before its outputs are computed (suites.ts GroupPlan). */
export type HfBitnetGroupPlan = FormatGroupPlan<"hf-bitnet">;

/** The flags of the hf-bitnet suite. */
export const HF_BITNET_NOTES: Readonly<Record<string, Note>> = {
  PlaneCorners: {
    bugType: "EDGE_CASE",
    description:
      "Non-zero weights only in the first and last packed row of each crumb plane: reading 4 consecutive rows per byte " +
      "instead of 4 planes of n/4 rows moves them (spec/bitnet.md §7.1).",
  },
  HfCode3: {
    bugType: "INVALID_ENCODING",
    description: "A code 3, which pack_weights never writes; unpack_weights gives +2 (spec/bitnet.md §7).",
  },
  ScaleMultiply: {
    bugType: "BASIC",
    description: "weight_scale multiplied (AutoBitLinear); dividing instead is kernel-bugs B9.",
  },
  ScaleDivide: { bugType: "BASIC", description: "weight_scale divided (BitLinear)." },
  ZeroActivations: {
    bugType: "EDGE_CASE",
    description: "All-zero activations: ActQuant's max floor 1e-5 gives σ = f32(1.27e7), q = 0, y = 0.",
  },
};

const CODEC_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description: "bit-exact: byte (p, c) bits 2i..2i+1 hold code(W[i·n/4 + p, c]) = t + 1",
  spec: "spec/bitnet.md §7.1",
};
const MATMUL_TOLERANCE: Tolerance = {
  kind: "elementwise-bound",
  description:
    "each y within y_bound of y: x quantized per token as ActQuant (σ = f32(127/max(max|x|, 1e-5)), ties to even), " +
    "the dot of x̂ with W in any float32 order, then ·s or /s as params.scale says",
  spec: "spec/tolerances.md §13",
  bounds: { y: { bound: boundRoleOf("y"), center: "y" } },
};

/** A code 0..2 (t + 1), P(1) = 0.4. */
function drawCode(rng: Rng): number {
  const u = rng();
  return u < 0.4 ? 1 : u < 0.7 ? 0 : 2;
}

/** One weight in the first and last packed row of each plane (n = 16: rows 0, 3, 4, 7, …), else code 1. */
function planeCornerCodes(n: number, k: number): Uint8Array {
  const plane = n / 4;
  return Uint8Array.from({ length: n * k }, (_, e) => {
    const [row, col] = [Math.floor(e / k), e % k];
    const p = row % plane;
    return (p === 0 || p === plane - 1) && col === (row * 5) % k ? (row % 2 === 0 ? 2 : 0) : 1;
  });
}

/** A matmul group of one shape and convention. */
function matmulGroup(
  r: Rng,
  shape: { n: number; k: number; m: number },
  scale: HfBitnetScaleConvention,
  cases: readonly { comment: string; flags: string[]; codes: Uint8Array; x: Float32Array }[],
): HfBitnetGroupPlan {
  const weightScale = Math.fround(1.0625 + Math.abs(normalish(r)));
  return {
    op: "matmul",
    format: "hf-bitnet",
    params: { rows: shape.n, cols: shape.k, batch: shape.m, scale, activations: "int8-per-token" },
    tolerance: MATMUL_TOLERANCE,
    cases: cases.map((c) => ({
      comment: c.comment,
      flags: [...c.flags, scale === "multiply" ? "ScaleMultiply" : "ScaleDivide"],
      result: "valid" as const,
      inputs: {
        weight: arrayTensor<ByteTensor>(
          "uint8",
          [shape.n / 4, shape.k],
          packHfBitnet(
            Int8Array.from(c.codes, (v) => v - 1),
            shape.n,
            shape.k,
          ),
        ),
        weight_scale: floatTensor([1], Float32Array.of(weightScale)),
        x: floatTensor([shape.m, shape.k], c.x),
      },
    })),
  };
}

/** Every group of the hf-bitnet suite: pack, unpack, then matmul in both conventions. */
export function hfBitnetSuiteGroups(rng: (label: string) => Rng): HfBitnetGroupPlan[] {
  const r = rng("codec");
  const shape = { n: 16, k: 64 };
  const params = { rows: shape.n, cols: shape.k };
  const random = (): Uint8Array => Uint8Array.from({ length: shape.n * shape.k }, () => drawCode(r));
  const codes = (data: Uint8Array): ByteTensor => arrayTensor<ByteTensor>("uint8", [shape.n, shape.k], data);
  const weight = (data: Uint8Array): ByteTensor => arrayTensor<ByteTensor>("uint8", [shape.n / 4, shape.k], data);
  const corners = planeCornerCodes(shape.n, shape.k);
  const code3 = packHfBitnet(
    Int8Array.from(random(), (v) => v - 1),
    shape.n,
    shape.k,
  );
  code3[37] |= 0b11 << 4; // crumb 2 of byte 37: W[2·4 + 0, 37] = +2
  const groups: HfBitnetGroupPlan[] = [
    {
      op: "pack",
      format: "hf-bitnet",
      params,
      tolerance: CODEC_TOLERANCE,
      cases: [
        { comment: "random codes", flags: ["Random"], result: "valid", inputs: { codes: codes(random()) } },
        { comment: "plane corners", flags: ["PlaneCorners"], result: "valid", inputs: { codes: codes(corners) } },
      ],
    },
    {
      op: "unpack",
      format: "hf-bitnet",
      params,
      tolerance: CODEC_TOLERANCE,
      cases: [
        {
          comment: "random codes",
          flags: ["Random"],
          result: "valid",
          inputs: {
            weight: weight(
              packHfBitnet(
                Int8Array.from(random(), (v) => v - 1),
                shape.n,
                shape.k,
              ),
            ),
          },
        },
        { comment: "a code 3 in byte 37", flags: ["HfCode3"], result: "invalid", inputs: { weight: weight(code3) } },
      ],
    },
  ];
  const m = rng("matmul");
  const xs = (count: number, scale: number): Float32Array =>
    Float32Array.from({ length: count }, () => normalish(m) * scale);
  for (const convention of ["multiply", "divide"] as const) {
    const small = { n: 16, k: 64, m: 3 };
    groups.push(
      matmulGroup(m, small, convention, [
        {
          comment: "random",
          flags: ["Random"],
          codes: Uint8Array.from({ length: 16 * 64 }, () => drawCode(m)),
          x: xs(3 * 64, 2),
        },
        { comment: "plane corners", flags: ["PlaneCorners"], codes: planeCornerCodes(16, 64), x: xs(3 * 64, 1) },
        {
          comment: "all-zero activations",
          flags: ["ZeroActivations"],
          codes: Uint8Array.from({ length: 16 * 64 }, () => drawCode(m)),
          x: new Float32Array(3 * 64),
        },
      ]),
    );
  }
  return groups;
}
