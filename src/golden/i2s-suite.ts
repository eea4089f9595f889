/**
 * The `i2_s` golden suite (spec/golden.md §10): bitnet.cpp's I2_S tensor (reference/codec/i2_s.ts) in each of its
 * three layouts as test vectors — `unpack` (W → codes, scale), `pack` (the inverse), `validate` (W → findings) — and
 * the I2_S × I8_S `matmul` (W, float32 x → y within spec/tolerances.md §12.2, y_bound shipped), with the int16
 * hazard of bitnet.cpp's kernels and a k % QK ≠ 0 tail among its cases. Inputs are drawn from the suite's mulberry32
 * streams; the expected outputs are computed afterwards (i2s-compute.ts).
 */

import { f32ToBits } from "../../reference/codec/float-bits.js";
import {
  I2S_LAYOUTS,
  i2sScaleOffset,
  i2sStoredElements,
  packI2s,
  validateI2s,
  type I2sFindingKind,
  type I2sLayout,
  type I2sShape,
} from "../../reference/codec/i2_s.js";
import { normalish } from "../random/index.js";
import { boundRoleOf } from "./acceptance.js";
import { I2S_FINDING_KINDS } from "./i2s-compute.js";
import type { Note, TestResult, Tolerance } from "./manifest-core.js";
import { arrayTensor, floatTensor, type ByteTensor } from "./tensor-core.js";
import type { FormatCaseSpec, FormatGroupPlan } from "./format-group-plan.js";

type Rng = () => number;

/** One i2_s test before its outputs are computed (suites.ts CaseSpec). */
export type I2sCaseSpec = FormatCaseSpec;

/** One i2_s group before its outputs are computed (suites.ts GroupPlan). */
export type I2sGroupPlan = FormatGroupPlan<"i2_s">;

/** The flags of the i2_s suite. */
export const I2S_NOTES: Readonly<Record<string, Note>> = {
  I2sCode3: {
    bugType: "INVALID_ENCODING",
    description:
      "An I2_S code 3, which quantize_i2_s never writes; it unpacks as 3 and validate reports code-3 (spec/bitnet.md §2.5).",
  },
  I2sScaleNonFinite: {
    bugType: "INVALID_ENCODING",
    description: "A NaN or infinite tensor scale (finding scale-nan / scale-infinite).",
  },
  I2sScaleNegative: {
    bugType: "NON_CANONICAL",
    description: "A negative tensor scale (finding scale-negative): decodes, negating every weight.",
  },
  I2sPadNonzero: {
    bugType: "NON_CANONICAL",
    description: "A non-zero byte among the 28 pad bytes after the scale (finding pad-nonzero).",
  },
  I2sPartialBlock: {
    bugType: "LOSSY",
    description:
      "n·k not a multiple of the layout's block: the last partial block is not stored (finding partial-block, spec/bitnet.md §2.3).",
  },
  LayoutCorners: {
    bugType: "EDGE_CASE",
    description:
      "Non-zero weights only on byte-group boundaries of the layout's blocks: another element map moves them (kernel-bugs B1).",
  },
  Int16Overflow: {
    bugType: "EDGE_CASE",
    description:
      "All weights +1 and same-sign activations over ≥ 17 blocks: bitnet.cpp's AVX2 / NEON _1x1 kernels wrap their int16 lanes " +
      "(spec/bitnet.md §3.4, kernel-bugs B5, B6); the exact int32 sum is expected.",
  },
  ZeroActivations: {
    bugType: "EDGE_CASE",
    description: "All-zero activations: I8_S's max floor 1e-5 gives σ = f32(1.27e7), q = 0, y = 0.",
  },
  I2sRowTail: {
    bugType: "EDGE_CASE",
    description:
      "k % QK ≠ 0: rows straddle blocks; y follows the tensor's element map (spec/tolerances.md §12.1), not bitnet.cpp's per-row blocks.",
  },
};

const PACK_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description:
    "bit-exact: W as packI2s writes it (codes at the layout's byte and shift, the float32 scale, 28 zero pad bytes)",
  spec: "spec/bitnet.md §2.1, §2.2",
};
const UNPACK_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description: "bit-exact: each stored element's 2-bit code (3 included) and the scale's bits",
  spec: "spec/bitnet.md §2.2",
};
const VALIDATE_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description:
    "findings int32 [count, 3], rows (kind, byte, element) with kind indexing params.findingKinds, in the reference " +
    "validator's order; a validator may report them in its own words, but must flag exactly these",
  spec: "spec/bitnet.md §2.5; spec/golden.md §10",
};
const MATMUL_TOLERANCE: Tolerance = {
  kind: "elementwise-bound",
  description:
    "each y within y_bound of y: the integer Σ t·q exact, the float tail (S − A)/σ·α within (γ₃ + γ₂)/(1 − γ₂)·|y| " +
    "(any order of its three operations); x quantized per row by quantize_row_i8_s",
  spec: "spec/tolerances.md §12",
  bounds: { y: { bound: boundRoleOf("y"), center: "y" } },
};

/** A code 0..2 (P(1) = 0.4). */
function drawCode(rng: Rng): number {
  const u = rng();
  return u < 0.4 ? 1 : u < 0.7 ? 0 : 2;
}

/** A uint8 tensor of bytes. */
const bytesTensor = (data: Uint8Array): ByteTensor => arrayTensor<ByteTensor>("uint8", [data.length], data);

/** A positive float32 scale drawn from the stream. */
const drawScale = (rng: Rng): number => Math.fround(0.01 + Math.abs(normalish(rng)));

/** W with one change applied to its bytes. */
function changed(bytes: Uint8Array, change: (b: Uint8Array, view: DataView) => void): Uint8Array {
  const out = bytes.slice();
  change(out, new DataView(out.buffer));
  return out;
}

/** A validate case whose W must carry `kind` (a generator bug otherwise). */
function validateCase(
  layout: I2sLayout,
  shape: I2sShape,
  comment: string,
  flags: string[],
  W: Uint8Array,
  kind: I2sFindingKind | undefined,
): I2sCaseSpec {
  const kinds = validateI2s(layout, shape, W).map((f) => f.kind);
  if (kind === undefined ? kinds.length > 0 : !kinds.includes(kind))
    throw new Error(
      `golden: i2_s validate case '${comment}' has findings [${kinds.join(", ")}], not ${kind ?? "none"}`,
    );
  const result: TestResult =
    kind === undefined ? "valid" : kind === "scale-negative" || kind === "pad-nonzero" ? "acceptable" : "invalid";
  return { comment, flags, result, inputs: { W: bytesTensor(W) } };
}

/** The pack, unpack and validate groups of one layout. */
function layoutGroups(rng: (label: string) => Rng, layout: I2sLayout): I2sGroupPlan[] {
  const r = rng(`${layout}/codec`);
  const shape = { rows: 4, cols: 256 };
  const params = { layout, rows: shape.rows, cols: shape.cols };
  const stored = i2sStoredElements(layout, shape);
  const randomCodes = (): Uint8Array => Uint8Array.from({ length: stored }, () => drawCode(r));
  const corners = Uint8Array.from({ length: stored }, (_, e) =>
    e % 32 === 0 || e % 32 === 31 ? (e % 3 === 0 ? 0 : 2) : 1,
  );
  const pack: I2sGroupPlan = {
    op: "pack",
    format: "i2_s",
    params,
    tolerance: PACK_TOLERANCE,
    cases: [
      {
        comment: "random codes",
        flags: ["Random"],
        result: "valid",
        inputs: {
          codes: arrayTensor<ByteTensor>("uint8", [stored], randomCodes()),
          scale: floatTensor([1], Float32Array.of(drawScale(r))),
        },
      },
      {
        comment: "weights on 16- and 32-byte group boundaries",
        flags: ["LayoutCorners"],
        result: "valid",
        inputs: {
          codes: arrayTensor<ByteTensor>("uint8", [stored], corners),
          scale: floatTensor([1], Float32Array.of(1)),
        },
      },
    ],
  };
  const canonical = packI2s(layout, shape, randomCodes(), drawScale(r));
  const code3 = packI2s(
    layout,
    shape,
    randomCodes().map((c, e) => (e === 37 ? 3 : c)),
    0.5,
  );
  const unpack: I2sGroupPlan = {
    op: "unpack",
    format: "i2_s",
    params,
    tolerance: UNPACK_TOLERANCE,
    cases: [
      {
        comment: "random codes",
        flags: ["Random", "Canonical"],
        result: "valid",
        inputs: { W: bytesTensor(canonical) },
      },
      {
        comment: "corners",
        flags: ["LayoutCorners"],
        result: "valid",
        inputs: { W: bytesTensor(packI2s(layout, shape, corners, 2)) },
      },
      { comment: "a code 3 at element 37", flags: ["I2sCode3"], result: "invalid", inputs: { W: bytesTensor(code3) } },
    ],
  };
  const offset = i2sScaleOffset(shape);
  const validate: I2sGroupPlan = {
    op: "validate",
    format: "i2_s",
    params: { ...params, findingKinds: [...I2S_FINDING_KINDS] },
    tolerance: VALIDATE_TOLERANCE,
    cases: [
      validateCase(layout, shape, "canonical", ["Canonical"], canonical, undefined),
      validateCase(layout, shape, "code 3", ["I2sCode3"], code3, "code-3"),
      validateCase(
        layout,
        shape,
        "NaN scale",
        ["I2sScaleNonFinite"],
        changed(canonical, (_, v) => v.setUint32(offset, 0x7fc00000, true)),
        "scale-nan",
      ),
      validateCase(
        layout,
        shape,
        "+inf scale",
        ["I2sScaleNonFinite"],
        changed(canonical, (_, v) => v.setUint32(offset, 0x7f800000, true)),
        "scale-infinite",
      ),
      validateCase(
        layout,
        shape,
        "negative scale",
        ["I2sScaleNegative"],
        changed(canonical, (_, v) => v.setUint32(offset, f32ToBits(-0.75), true)),
        "scale-negative",
      ),
      validateCase(
        layout,
        shape,
        "pad byte 20 non-zero",
        ["I2sPadNonzero"],
        changed(canonical, (b) => (b[offset + 24] = 0x5a)),
        "pad-nonzero",
      ),
    ],
  };
  const groups = [pack, unpack, validate];
  if (layout !== "1x4") {
    const partial = { rows: 1, cols: 200 };
    const W = packI2s(
      layout,
      partial,
      Uint8Array.from({ length: i2sStoredElements(layout, partial) }, () => drawCode(r)),
      1,
    );
    groups.push({
      op: "validate",
      format: "i2_s",
      params: { layout, rows: 1, cols: 200, findingKinds: [...I2S_FINDING_KINDS] },
      tolerance: VALIDATE_TOLERANCE,
      cases: [
        validateCase(layout, partial, "200 weights: a partial last block", ["I2sPartialBlock"], W, "partial-block"),
      ],
    });
  }
  return groups;
}

/** A matmul group of one shape, with its cases' codes (n × k, row-major) and x (m × k). */
function matmulGroup(
  layout: I2sLayout,
  shape: { n: number; k: number; m: number },
  cases: readonly { comment: string; flags: string[]; codes: Uint8Array; scale: number; x: Float32Array }[],
): I2sGroupPlan {
  return {
    op: "matmul",
    format: "i2_s",
    params: { layout, rows: shape.n, cols: shape.k, batch: shape.m, activations: "i8_s" },
    tolerance: MATMUL_TOLERANCE,
    cases: cases.map((c) => ({
      comment: c.comment,
      flags: c.flags,
      result: "valid" as const,
      inputs: {
        W: bytesTensor(packI2s(layout, { rows: shape.n, cols: shape.k }, c.codes, c.scale)),
        x: floatTensor([shape.m, shape.k], c.x),
      },
    })),
  };
}

/** The matmul groups of one layout: random (m 3), the int16 hazard, zero activations, a k % QK ≠ 0 tail. */
function matmulGroups(rng: (label: string) => Rng, layout: I2sLayout): I2sGroupPlan[] {
  const r = rng(`${layout}/matmul`);
  const codes = (count: number): Uint8Array => Uint8Array.from({ length: count }, () => drawCode(r));
  const xs = (count: number, scale: number): Float32Array =>
    Float32Array.from({ length: count }, () => normalish(r) * scale);
  const small = { n: 8, k: 256, m: 3 };
  const longK = layout === "arm" ? 1088 : 2176;
  const tailK = layout === "arm" ? 80 : 160;
  return [
    matmulGroup(layout, small, [
      { comment: "random", flags: ["Random"], codes: codes(8 * 256), scale: drawScale(r), x: xs(3 * 256, 2) },
      {
        comment: "all-zero activations",
        flags: ["ZeroActivations"],
        codes: codes(8 * 256),
        scale: drawScale(r),
        x: new Float32Array(3 * 256),
      },
    ]),
    matmulGroup(layout, { n: 4, k: longK, m: 1 }, [
      {
        comment: `all +1, q = 127 over ${longK} inputs`,
        flags: ["Int16Overflow"],
        codes: new Uint8Array(4 * longK).fill(2),
        scale: 0.25,
        x: new Float32Array(longK).fill(1),
      },
      {
        comment: `all +1, q = −127 over ${longK} inputs`,
        flags: ["Int16Overflow"],
        codes: new Uint8Array(4 * longK).fill(2),
        scale: 0.25,
        x: new Float32Array(longK).fill(-1),
      },
    ]),
    matmulGroup(layout, { n: 4, k: tailK, m: 1 }, [
      {
        comment: `k = ${tailK}: rows straddle blocks`,
        flags: ["I2sRowTail"],
        codes: codes(4 * tailK),
        scale: drawScale(r),
        x: xs(tailK, 1),
      },
    ]),
  ];
}

/** Every group of the i2_s suite: per layout, the codec groups then the matmul groups. */
export function i2sSuiteGroups(rng: (label: string) => Rng): I2sGroupPlan[] {
  return I2S_LAYOUTS.flatMap((layout) => [...layoutGroups(rng, layout), ...matmulGroups(rng, layout)]);
}
