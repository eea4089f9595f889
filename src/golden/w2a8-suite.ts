/**
 * The `w2a8` golden suite (spec/golden.md §12): BitNet's GPU weight layout (reference/codec/w2a8.ts, gpu/pack_weight.py)
 * as test vectors — `pack` (codes → bytes), `unpack` (bytes → codes, a code 0 included) — and the int8 × int2 linear
 * `matmul` of `bitlinear_int8xint2` (weight, ws, x_q, s → bf16 y, bit-exact). Inputs are drawn from the suite's
 * mulberry32 streams; the expected outputs are computed afterwards (w2a8-compute.ts).
 */

import { roundToBf16 } from "../../reference/codec/bfloat16.js";
import { packW2a8 } from "../../reference/codec/w2a8.js";
import { quantizeW2a8Activations } from "../../reference/codec/w2a8-matmul.js";
import { normalish } from "../random/index.js";
import type { Note, Tolerance } from "./manifest-core.js";
import { arrayTensor, floatTensor, type ByteTensor, type Int32Tensor } from "./tensor-core.js";
import type { FormatGroupPlan } from "./format-group-plan.js";

type Rng = () => number;

/** One w2a8 group before its outputs are computed (suites.ts GroupPlan). */
export type W2a8GroupPlan = FormatGroupPlan<"w2a8">;

/** The flags of the w2a8 suite. */
export const W2A8_NOTES: Readonly<Record<string, Note>> = {
  BlockCorners: {
    bugType: "EDGE_CASE",
    description:
      "Non-zero weights only at corners of the 16×32 permutation block: a layout error (shared-load permutation, " +
      "word interleave) moves them (spec/bitnet.md §6).",
  },
  W2a8Code0: {
    bugType: "INVALID_ENCODING",
    description: "A code 0, which pack_weight.py never writes; the kernel decodes it as −2 (spec/bitnet.md §6).",
  },
  WeightScales: { bugType: "BASIC", description: "ws_num > 1: output o uses ws[o / (n / ws_num)]." },
  ZeroActivations: {
    bugType: "EDGE_CASE",
    description:
      "All-zero activation codes: y is all zero, exactly what a kernel that writes nothing leaves in torch.zeros " +
      "(kernel-bugs H3): a harness must tell the two apart (spec/kernel-protocol.md §14.2).",
  },
  Int16Overflow: {
    bugType: "EDGE_CASE",
    description: "q = −128 and W = −1 over 512 inputs: the sums reach 65536, past int16 (dp4a sums in int32).",
  },
};

const CODEC_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description:
    "bit-exact: pack_weight.py's bytes (16×32 blocks, shared-load permutation, interleaved words, code t + 2)",
  spec: "spec/bitnet.md §6",
};
const MATMUL_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description:
    "bit-exact: y = bf16(f32(f32(acc)/s)·ws[o / (n / ws_num)]), acc the int32 Σ q·t; bf16 values (ws, s, y) are " +
    "stored widened to float32; x_q holds int8 codes as int32",
  spec: "spec/tolerances.md §13.3",
};

/** A ternary code t + 2 ∈ {1, 2, 3}, P(t = 0) = 0.4. */
function drawCode(rng: Rng): number {
  const u = rng();
  return u < 0.4 ? 2 : u < 0.7 ? 1 : 3;
}

/** Codes with non-zero weights only at 16×32 block corners. */
function cornerCodes(n: number, k: number): Uint8Array {
  const rows = [0, 7, 8, 15];
  const cols = [0, 15, 16, 31];
  return Uint8Array.from({ length: n * k }, (_, e) => {
    const [r, c] = [Math.floor(e / k), e % k];
    return rows.includes(r % 16) && cols.includes(c % 32) ? ((r + c) % 2 === 0 ? 3 : 1) : 2;
  });
}

/** A matmul case: W's codes and each token's q and s from bf16 x (quant_input, eager). */
function matmulCase(
  comment: string,
  flags: string[],
  shape: { n: number; k: number; m: number; wsNum: number },
  codes: Uint8Array,
  ws: Float32Array,
  x: Float32Array,
): W2a8GroupPlan["cases"][number] {
  const { n, k, m } = shape;
  const q = new Int32Array(m * k);
  const s = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const activations = quantizeW2a8Activations(x.subarray(i * k, (i + 1) * k).map(roundToBf16), "eager");
    q.set(activations.q, i * k);
    s[i] = activations.scale;
  }
  return {
    comment,
    flags,
    result: "valid",
    inputs: {
      weight: arrayTensor<ByteTensor>(
        "uint8",
        [n, k / 4],
        packW2a8(
          Int8Array.from(codes, (c) => c - 2),
          n,
          k,
        ),
      ),
      ws: floatTensor([ws.length], ws),
      x_q: arrayTensor<Int32Tensor>("int32", [m, k], q),
      s: floatTensor([m], s),
    },
  };
}

/** Every group of the w2a8 suite: pack, unpack, then matmul groups. */
export function w2a8SuiteGroups(rng: (label: string) => Rng): W2a8GroupPlan[] {
  const r = rng("codec");
  const [n, k] = [32, 64];
  const params = { rows: n, cols: k };
  const random = (): Uint8Array => Uint8Array.from({ length: n * k }, () => drawCode(r));
  const codes = (data: Uint8Array): ByteTensor => arrayTensor<ByteTensor>("uint8", [n, k], data);
  const weight = (data: Uint8Array): ByteTensor => arrayTensor<ByteTensor>("uint8", [n, k / 4], data);
  const code0 = packW2a8(
    Int8Array.from(random(), (c) => c - 2),
    n,
    k,
  );
  code0[77] &= 0b11110011; // crumb 1 of byte 77 → code 0
  const m = rng("matmul");
  const scales = (count: number): Float32Array =>
    Float32Array.from({ length: Math.max(4, count) }, (_, i) =>
      i < count ? roundToBf16(0.5 + Math.abs(normalish(m))) : 0,
    );
  const xs = (count: number): Float32Array => Float32Array.from({ length: count }, () => normalish(m) * 2);
  const drawn = (count: number): Uint8Array => Uint8Array.from({ length: count }, () => drawCode(m));
  const one = { n: 48, k: 64, m: 3, wsNum: 3 };
  const two = { n: 16, k: 512, m: 1, wsNum: 1 };
  const saturated = matmulCase(
    "q −128, W −1: sums 65536",
    ["Int16Overflow"],
    two,
    new Uint8Array(16 * 512).fill(1),
    scales(1),
    new Float32Array(512).fill(-1),
  );
  return [
    {
      op: "pack",
      format: "w2a8",
      params,
      tolerance: CODEC_TOLERANCE,
      cases: [
        { comment: "random codes", flags: ["Random"], result: "valid", inputs: { codes: codes(random()) } },
        {
          comment: "block corners",
          flags: ["BlockCorners"],
          result: "valid",
          inputs: { codes: codes(cornerCodes(n, k)) },
        },
      ],
    },
    {
      op: "unpack",
      format: "w2a8",
      params,
      tolerance: CODEC_TOLERANCE,
      cases: [
        {
          comment: "random codes",
          flags: ["Random"],
          result: "valid",
          inputs: {
            weight: weight(
              packW2a8(
                Int8Array.from(random(), (c) => c - 2),
                n,
                k,
              ),
            ),
          },
        },
        { comment: "a code 0 in byte 77", flags: ["W2a8Code0"], result: "invalid", inputs: { weight: weight(code0) } },
      ],
    },
    {
      op: "matmul",
      format: "w2a8",
      params: { rows: one.n, cols: one.k, batch: one.m, ws_num: one.wsNum, activations: "int8-per-token" },
      tolerance: MATMUL_TOLERANCE,
      cases: [
        matmulCase("random, ws_num 3", ["Random", "WeightScales"], one, drawn(48 * 64), scales(3), xs(3 * 64)),
        matmulCase("block corners", ["BlockCorners", "WeightScales"], one, cornerCodes(48, 64), scales(3), xs(3 * 64)),
        matmulCase(
          "all-zero activations",
          ["ZeroActivations"],
          one,
          drawn(48 * 64),
          scales(3),
          new Float32Array(3 * 64),
        ),
      ],
    },
    {
      op: "matmul",
      format: "w2a8",
      params: { rows: two.n, cols: two.k, batch: two.m, ws_num: two.wsNum, activations: "int8-per-token" },
      tolerance: MATMUL_TOLERANCE,
      cases: [
        {
          ...saturated,
          inputs: {
            ...saturated.inputs,
            x_q: arrayTensor<Int32Tensor>("int32", [1, 512], new Int32Array(512).fill(-128)),
          },
        },
      ],
    },
  ];
}
