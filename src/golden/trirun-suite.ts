/**
 * The `trirun` golden suite (spec/golden.md §9): TriRun's packed layout (reference/codec/trirun.ts) as test
 * vectors — `pack` (codes + logical scales → B, s), `unpack` (the inverse) and `validate` (B and s → findings,
 * refusals included), in both scale modes. Inputs are drawn from the suite's mulberry32 streams; the expected
 * outputs are computed afterwards (trirun-compute.ts). Every crafted case is checked here to carry the finding its
 * flag names (a generator bug otherwise).
 */

import { f32ToF16Bits } from "../../reference/codec/float16.js";
import { trirunMaxSlices } from "../../reference/tolerances/trirun-matmul.js";
import { normalish } from "../random/index.js";
import { boundRoleOf, centerRoleOf, nonFiniteRoleOf } from "./acceptance.js";
import {
  packTrirun,
  trirunScaleRows,
  trirunShapeProblems,
  type TrirunGroupSize,
  type TrirunShape,
} from "../../reference/codec/trirun.js";
import type { Note, ParamValue, TestResult, Tolerance } from "./manifest-core.js";
import { arrayTensor, type ByteTensor, type HalfTensor, type Int32Tensor, type Tensor } from "./tensor-core.js";
import { TRIRUN_FINDING_KINDS, trirunFindings, type TrirunGoldenFindingKind } from "./trirun-compute.js";
import type { FormatCaseSpec, FormatGroupPlan } from "./format-group-plan.js";

type Rng = () => number;

/** One trirun test before its outputs are computed (suites.ts CaseSpec). */
export type TrirunCaseSpec = FormatCaseSpec;

/** One trirun group before its outputs are computed (suites.ts GroupPlan). */
export type TrirunGroupPlan = FormatGroupPlan<"trirun">;

/** The flags of the trirun suite: the finding kinds of validate (TriRun…) and the edge cases. */
export const TRIRUN_NOTES: Readonly<Record<string, Note>> = {
  ConstantCodes: {
    bugType: "EDGE_CASE",
    description: "Every code the same (all t = 0, all +1 or all −1): B's words are 0x55555555, 0xaaaaaaaa or 0.",
  },
  TileCorners: {
    bugType: "EDGE_CASE",
    description:
      "Non-zero codes only at corners of 16×16 tiles (k, n mod 16 ∈ {0, 15}): a layout error moves them to another " +
      "word or crumb (spec/trirun.md §3–§5).",
  },
  TrirunCode3: {
    bugType: "INVALID_ENCODING",
    description:
      "A code 3 (t = +2), which no ternary weight has; it packs and unpacks like any code, and validate reports " +
      "code-3 (spec/trirun.md §2, §9).",
  },
  TrirunScaleNan: { bugType: "INVALID_ENCODING", description: "A NaN fp16 scale (finding scale-nan)." },
  TrirunScaleInfinite: { bugType: "INVALID_ENCODING", description: "An infinite fp16 scale (finding scale-infinite)." },
  TrirunScaleNegative: {
    bugType: "NON_CANONICAL",
    description: "A scale with the sign bit set (finding scale-negative): decodes, negating the weights.",
  },
  TrirunScaleZeroWithCodes: {
    bugType: "NON_CANONICAL",
    description: "A zero scale over non-zero codes (finding scale-zero-with-codes): every weight decodes to ±0.",
  },
  TrirunShape: {
    bugType: "INVALID_ENCODING",
    description: "k not a multiple of 128 or n not a multiple of 256: TriRun's Layer refuses it (finding shape).",
  },
  Fp16AccumulationStall: {
    bugType: "ROUNDING",
    description:
      "A running sum whose fp16 spacing exceeds the addends: a kernel accumulating in fp16 throughout stops growing " +
      "(TriRun accumulates in float32, spec/trirun.md §8).",
  },
  NearOverflow: {
    bugType: "EDGE_CASE",
    description:
      "Sums at fp16's largest values: just below 65520 (finite), above (±inf), ±inf before a per-column scale, and " +
      "large fp16 partial sums that cancel (spec/tolerances.md §10).",
  },
  TrirunLength: {
    bugType: "INVALID_ENCODING",
    description: "B or s holds another number of entries than k, n and the group size need (b-length, s-length).",
  },
};

/** The (k, n) shapes of the committed pack and unpack groups. */
export const TRIRUN_SHAPES: readonly (readonly [number, number])[] = [
  [128, 256],
  [256, 512],
  [384, 256],
];

/** Both scale modes: one scale per output column (-1), one per 128 inputs of a column (128). */
export const TRIRUN_GROUP_SIZES: readonly TrirunGroupSize[] = [-1, 128];

const PACK_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description:
    "bit-exact: B's words and s's bits as TriRun's Layer.pack writes them (the codes' 2 bits are stored as given, " +
    "code 3 included)",
  spec: "spec/trirun.md §5, §6",
};
const UNPACK_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description: "bit-exact: every crumb of B read back as a code 0..3, s's bits unpermuted",
  spec: "spec/trirun.md §5, §6",
};
const VALIDATE_TOLERANCE: Tolerance = {
  kind: "bit-exact",
  description:
    "findings int32 [count, 4], rows (kind, k, n, index) with kind indexing params.findingKinds, in the reference " +
    "validator's order; a validator may report them in its own words, but must refuse or flag exactly these",
  spec: "spec/trirun.md §9; spec/golden.md §9",
};

/** A code 0..2 (t + 1), P(t = 0) = 0.4 as in the other suites. */
function drawCode(rng: Rng): number {
  const u = rng();
  if (u < 0.4) return 1;
  return u < 0.7 ? 0 : 2;
}

/** Logical fp16 scales [rows, n] around 1/sqrt(k), like a trained absmean scale. */
function drawScales(rng: Rng, shape: TrirunShape): Uint16Array {
  return Uint16Array.from({ length: trirunScaleRows(shape) * shape.n }, () =>
    f32ToF16Bits((0.5 + rng()) / Math.sqrt(shape.k)),
  );
}

/** Codes [k, n] all `code`. */
function constantCodes(shape: TrirunShape, code: number): Uint8Array {
  return new Uint8Array(shape.k * shape.n).fill(code);
}

/** Codes [k, n], all t = 0 but +1 / −1 (alternating) at each corner of every 16×16 tile. */
function tileCornerCodes(shape: TrirunShape): Uint8Array {
  const codes = constantCodes(shape, 1);
  for (let k = 0; k < shape.k; k++)
    for (let n = 0; n < shape.n; n++)
      if ((k % 16 === 0 || k % 16 === 15) && (n % 16 === 0 || n % 16 === 15))
        codes[k * shape.n + n] = (k + n) % 2 ? 0 : 2;
  return codes;
}

/** Codes [k, n], all t = 0 but one non-zero at (kIndex, nIndex). */
function singleCode(shape: TrirunShape, kIndex: number, nIndex: number, code: number): Uint8Array {
  const codes = constantCodes(shape, 1);
  codes[kIndex * shape.n + nIndex] = code;
  return codes;
}

/** Random codes [k, n]. */
function randomCodes(rng: Rng, shape: TrirunShape): Uint8Array {
  return Uint8Array.from({ length: shape.k * shape.n }, () => drawCode(rng));
}

/** The manifest's name of a scale mode. */
function modeName(groupSize: TrirunGroupSize): string {
  return groupSize === -1 ? "per-column scales" : "scales per 128 inputs";
}

/** The params of a trirun group. */
function shapeParams(shape: TrirunShape): Record<string, ParamValue> {
  return { k: shape.k, n: shape.n, groupSize: shape.groupSize };
}

/** A logical matrix as the pack group's inputs. */
function packInputs(shape: TrirunShape, codes: Uint8Array, scales: Uint16Array): Record<string, Tensor> {
  return {
    codes: arrayTensor<ByteTensor>("uint8", [shape.k, shape.n], codes),
    scales: arrayTensor<HalfTensor>("float16", [trirunScaleRows(shape), shape.n], scales),
  };
}

/** Packed B and s as the unpack and validate groups' inputs; B's rows are given so a wrong length can be written. */
function packedInputs(shape: TrirunShape, B: Int32Array, s: Uint16Array): Record<string, Tensor> {
  return {
    B: arrayTensor<Int32Tensor>("int32", [B.length / shape.n, shape.n], B),
    s: arrayTensor<HalfTensor>("float16", [s.length / shape.n, shape.n], s),
  };
}

/** The finding kinds reference validation gives for B, s. */
function findingKinds(shape: TrirunShape, B: Int32Array, s: Uint16Array): TrirunGoldenFindingKind[] {
  const table = trirunFindings(shape, B, s).data;
  return Array.from({ length: table.length / 4 }, (_, i) => TRIRUN_FINDING_KINDS[table[4 * i]]);
}

/** The result that a set of finding kinds gives (spec/golden.md §3): none valid, only non-canonical acceptable. */
function resultOf(kinds: readonly TrirunGoldenFindingKind[]): TestResult {
  if (kinds.length === 0) return "valid";
  return kinds.every((k) => k === "scale-negative" || k === "scale-zero-with-codes") ? "acceptable" : "invalid";
}

/** Check that a crafted case has exactly the finding kinds it is meant to have (a generator bug otherwise). */
function expectKinds(
  shape: TrirunShape,
  B: Int32Array,
  s: Uint16Array,
  expected: readonly TrirunGoldenFindingKind[],
): TestResult {
  const kinds = [...new Set(findingKinds(shape, B, s))];
  if (kinds.join() !== expected.join())
    throw new Error(`golden: crafted trirun case has findings [${kinds.join(", ")}], not [${expected.join(", ")}]`);
  return resultOf(kinds);
}

/** The pack cases of one shape: random, and at the smallest shape the edge cases. */
function packCases(rng: (label: string) => Rng, shape: TrirunShape, edges: boolean): TrirunCaseSpec[] {
  const label = `${shape.k}x${shape.n}/g${shape.groupSize}`;
  const scales = drawScales(rng(`scales/${label}`), shape);
  const cases: TrirunCaseSpec[] = [
    {
      comment: `random codes [${shape.k}, ${shape.n}], ${modeName(shape.groupSize)}`,
      flags: shape.k === 128 && shape.n === 256 ? ["Random"] : ["Random", "Shape"],
      result: "valid",
      inputs: packInputs(shape, randomCodes(rng(`codes/${label}`), shape), scales),
    },
  ];
  if (!edges) return cases;
  const edge = (comment: string, flags: string[], codes: Uint8Array, kinds: TrirunGoldenFindingKind[]): void => {
    const packed = packTrirun({ ...shape, codes, scales });
    const result = expectKinds(shape, packed.B, packed.s, kinds);
    cases.push({ comment, flags, result, inputs: packInputs(shape, codes, scales) });
  };
  edge("every code 1 (t = 0): every word 0x55555555", ["ConstantCodes"], constantCodes(shape, 1), []);
  edge("every code 2 (t = +1): every word 0xaaaaaaaa", ["ConstantCodes"], constantCodes(shape, 2), []);
  edge("every code 0 (t = −1): every word 0", ["ConstantCodes"], constantCodes(shape, 0), []);
  edge("t = ±1 at the four corners of every 16×16 tile, 0 elsewhere", ["TileCorners"], tileCornerCodes(shape), []);
  if (shape.groupSize === -1) {
    const last = [shape.k - 1, shape.n - 1];
    for (const [kIndex, nIndex, code] of [
      [0, 0, 2],
      [0, 15, 0],
      [15, 0, 2],
      [last[0], last[1], 0],
    ]) {
      edge(
        `one non-zero code (t = ${code - 1}) at (k, n) = (${kIndex}, ${nIndex}), a tile corner`,
        ["TileCorners"],
        singleCode(shape, kIndex, nIndex, code),
        [],
      );
    }
  }
  const code3 = randomCodes(rng(`codes/${label}/code3`), shape);
  [0, 17 * shape.n + 5, shape.k * shape.n - 1].forEach((i) => (code3[i] = 3));
  edge("random codes with code 3 at (0, 0), (17, 5) and the last element", ["TrirunCode3"], code3, ["code-3"]);
  return cases;
}

/** The unpack cases of one shape: random, and at the smallest shape words of constant codes, tile corners and code 3. */
function unpackCases(rng: (label: string) => Rng, shape: TrirunShape, edges: boolean): TrirunCaseSpec[] {
  const label = `${shape.k}x${shape.n}/g${shape.groupSize}`;
  const scales = drawScales(rng(`unpack/scales/${label}`), shape);
  const packed = (codes: Uint8Array) => packTrirun({ ...shape, codes, scales });
  const random = packed(randomCodes(rng(`unpack/codes/${label}`), shape));
  const cases: TrirunCaseSpec[] = [
    {
      comment: `B and s of random codes [${shape.k}, ${shape.n}], ${modeName(shape.groupSize)}`,
      flags: shape.k === 128 && shape.n === 256 ? ["Random"] : ["Random", "Shape"],
      result: "valid",
      inputs: packedInputs(shape, random.B, random.s),
    },
  ];
  if (!edges) return cases;
  const edge = (comment: string, flags: string[], B: Int32Array, kinds: TrirunGoldenFindingKind[]): void => {
    const result = expectKinds(shape, B, random.s, kinds);
    cases.push({ comment, flags, result, inputs: packedInputs(shape, B, random.s) });
  };
  edge(
    "every word 0x55555555: every code 1 (t = 0)",
    ["ConstantCodes"],
    new Int32Array(random.B.length).fill(0x55555555),
    [],
  );
  edge("the words of t = ±1 at the corners of every tile", ["TileCorners"], packed(tileCornerCodes(shape)).B, []);
  const code3 = random.B.slice();
  code3[0] = -1;
  code3[code3.length - 1] |= 3 << 30;
  edge("random words, the first all ones (16 codes 3), the last with crumb 15 = 3", ["TrirunCode3"], code3, ["code-3"]);
  return cases;
}

/** One validate case: B and s as given (any lengths), the kinds reference validation must find. */
interface ValidateCase {
  readonly shape: TrirunShape;
  readonly comment: string;
  readonly flags: string[];
  readonly B: Int32Array;
  readonly s: Uint16Array;
  readonly kinds: TrirunGoldenFindingKind[];
}

/** Validate cases: a clean weight, then each finding and refusal (spec/trirun.md §9). */
function validateCases(rng: (label: string) => Rng): ValidateCase[] {
  const cases: ValidateCase[] = [];
  for (const groupSize of TRIRUN_GROUP_SIZES) {
    const shape: TrirunShape = { k: 128, n: 256, groupSize };
    const label = `validate/g${groupSize}`;
    const scales = drawScales(rng(`${label}/scales`), shape);
    const codes = randomCodes(rng(`${label}/codes`), shape);
    const clean = packTrirun({ ...shape, codes, scales });
    const add = (comment: string, flags: string[], kinds: TrirunGoldenFindingKind[], B: Int32Array, s: Uint16Array) =>
      cases.push({ shape, comment: `${comment}, ${modeName(groupSize)}`, flags, B, s, kinds });
    const withScale = (index: number, bits: number): Uint16Array => {
      const s = clean.s.slice();
      s[index] = bits;
      return s;
    };
    add("a ternary weight with finite positive scales: no finding", ["Random"], [], clean.B, clean.s);
    const code3 = clean.B.slice();
    code3[3] |= 3 << 6;
    add("crumb 3 of B word 3 set to code 3", ["TrirunCode3"], ["code-3"], code3, clean.s);
    add("s[5] = NaN (0x7e00)", ["TrirunScaleNan"], ["scale-nan"], clean.B, withScale(5, 0x7e00));
    add("s[6] = +inf (0x7c00)", ["TrirunScaleInfinite"], ["scale-infinite"], clean.B, withScale(6, 0x7c00));
    add("s[7] = −inf (0xfc00)", ["TrirunScaleInfinite"], ["scale-infinite"], clean.B, withScale(7, 0xfc00));
    add("s[8] = −1.0 (0xbc00)", ["TrirunScaleNegative"], ["scale-negative"], clean.B, withScale(8, 0xbc00));
    add(
      "s[9] = 0 over non-zero codes",
      ["TrirunScaleZeroWithCodes"],
      ["scale-zero-with-codes"],
      clean.B,
      withScale(9, 0),
    );
    add(
      "B one row short ([7, 256] for k = 128)",
      ["TrirunLength"],
      ["b-length"],
      clean.B.subarray(0, clean.B.length - shape.n),
      clean.s,
    );
  }
  const refused = (k: number, n: number, comment: string): void => {
    const shape: TrirunShape = { k, n, groupSize: -1 };
    const B = randomWords(rng(`validate/shape/${k}x${n}`), (Math.max(k, 16) / 16) * n);
    const s = Uint16Array.from({ length: n }, () => 0x3c00);
    cases.push({
      shape,
      comment: `${comment}: ${trirunShapeProblems(shape).join("; ")}`,
      flags: ["TrirunShape"],
      B,
      s,
      kinds: ["shape"],
    });
  };
  refused(64, 256, "k = 64");
  refused(128, 128, "n = 128");
  const shape: TrirunShape = { k: 256, n: 256, groupSize: 128 };
  const B = randomWords(rng("validate/s-length"), 16 * 256);
  cases.push({
    shape,
    comment: "s with one scale row for k = 256 grouped by 128 (2 rows needed)",
    flags: ["TrirunLength"],
    B,
    s: Uint16Array.from({ length: 256 }, () => 0x3c00),
    kinds: ["s-length"],
  });
  return cases;
}

/** `count` words of random codes 0..2 (as a ternary packer writes them). */
function randomWords(rng: Rng, count: number): Int32Array {
  return Int32Array.from({ length: count }, () => {
    let word = 0;
    for (let crumb = 0; crumb < 16; crumb++) word |= drawCode(rng) << (2 * crumb);
    return word;
  });
}

/** The validate groups: one per (k, n, groupSize), cases in the order drawn. */
function validateGroups(rng: (label: string) => Rng): TrirunGroupPlan[] {
  const groups = new Map<string, { shape: TrirunShape; cases: TrirunCaseSpec[] }>();
  for (const c of validateCases(rng)) {
    const result = expectKinds(c.shape, c.B, c.s, c.kinds);
    const key = `${c.shape.k}x${c.shape.n}/${c.shape.groupSize}`;
    const group = groups.get(key) ?? { shape: c.shape, cases: [] };
    group.cases.push({
      comment: `${c.comment} → ${c.kinds.length === 0 ? "no finding" : c.kinds.join(", ")}`,
      flags: c.flags,
      result,
      inputs: {
        B: arrayTensor<Int32Tensor>("int32", [c.B.length / c.shape.n, c.shape.n], c.B),
        s: arrayTensor<HalfTensor>("float16", [c.s.length / c.shape.n, c.shape.n], c.s),
      },
    });
    groups.set(key, group);
  }
  return [...groups.values()].map(({ shape, cases }) => ({
    op: "validate",
    format: "trirun",
    params: { ...shapeParams(shape), findingKinds: [...TRIRUN_FINDING_KINDS] },
    tolerance: VALIDATE_TOLERANCE,
    cases,
  }));
}

/** One matmul test: shape, m, and how its codes, scales and x are drawn. */
export interface TrirunMatmulShape {
  readonly k: number;
  readonly n: number;
  readonly m: number;
  readonly kind: "random" | "stall" | "near-overflow";
}

/** The committed matmul tests, per scale mode. */
export const TRIRUN_MATMUL_SHAPES: readonly TrirunMatmulShape[] = [
  { k: 128, n: 256, m: 1, kind: "random" },
  { k: 256, n: 512, m: 4, kind: "random" },
  { k: 384, n: 256, m: 1, kind: "random" },
  { k: 256, n: 256, m: 4, kind: "stall" },
  { k: 256, n: 256, m: 4, kind: "near-overflow" },
];

/**
 * The (k, n) of TriRun's own bench.py (`MODELS['Spectra2']`, layer = (k, n) passed as get_problem(batch, n, k)),
 * at its batch 16 — the on-demand suite trirun-bench, both scale modes (bench.py's default is 128).
 */
export const TRIRUN_BENCH_SHAPES: readonly TrirunMatmulShape[] = [
  { k: 3072, n: 11264, m: 16, kind: "random" },
  { k: 11264, n: 3072, m: 16, kind: "random" },
  { k: 3072, n: 3072, m: 16, kind: "random" },
  { k: 768, n: 3072, m: 16, kind: "random" },
];

const FP16_ONE = 0x3c00;

/**
 * Codes, logical scales and x [m, k] of one matmul test (fp16 bits):
 *   random:        random codes and scales, x ≈ N(0, 1)
 *   stall:         every t = +1, scales 1, x[b] = (2^(10+b), 1, 1, …): the exact sum is 2^(10+b) + k − 1, where an
 *                  fp16 accumulator stops growing once its spacing exceeds 1 (2048: 2048 + 1 rounds back to 2048)
 *   near-overflow: every t = +1, x[b] constant 255.75, 256.25, 274, and ±250 (sign flipping at k/2): sums 65472
 *                  (the reference's y finite), 65600 (rounds to fp16 inf), 70144 (per column: fp16(acc) = inf before
 *                  the scale 0.5), and 0 after partial sums up to 32000; per-column scales 0.5 but column 1's 0
 *                  (inf · 0 = NaN), grouped scales 1
 */
function matmulOperands(
  rng: Rng,
  shape: TrirunShape,
  test: TrirunMatmulShape,
): { codes: Uint8Array; scales: Uint16Array; x: Uint16Array } {
  const { k, m } = test;
  if (test.kind === "random") {
    return {
      codes: randomCodes(rng, shape),
      scales: drawScales(rng, shape),
      x: Uint16Array.from({ length: m * k }, () => f32ToF16Bits(normalish(rng))),
    };
  }
  const codes = constantCodes(shape, 2);
  const rows = trirunScaleRows(shape) * shape.n;
  if (test.kind === "stall") {
    const x = new Uint16Array(m * k).fill(FP16_ONE);
    for (let b = 0; b < m; b++) x[b * k] = f32ToF16Bits(2 ** (10 + b));
    return { codes, scales: new Uint16Array(rows).fill(FP16_ONE), x };
  }
  const levels = [255.75, 256.25, 274, 250];
  const x = Uint16Array.from({ length: m * k }, (_, i) => {
    const b = Math.floor(i / k) % levels.length;
    const sign = b === 3 && i % k >= k / 2 ? -1 : 1;
    return f32ToF16Bits(sign * levels[b]);
  });
  const scales = new Uint16Array(rows).fill(shape.groupSize === -1 ? 0x3800 : FP16_ONE);
  if (shape.groupSize === -1) scales[1] = 0; // column 1: fp16(acc) = inf times 0 is NaN, a correct result there
  return { codes, scales, x };
}

/** How each matmul kind is flagged and described. */
const MATMUL_KINDS: Readonly<Record<TrirunMatmulShape["kind"], { flags: string[]; comment: string }>> = {
  random: { flags: ["Random"], comment: "random codes, scales and x" },
  stall: {
    flags: ["Fp16AccumulationStall"],
    comment: "t = +1, x = (2^(10+b), 1, …): fp16 accumulation stalls",
  },
  "near-overflow": {
    flags: ["NearOverflow"],
    comment:
      "t = +1, sums 65472, 65600 (fp16 inf), 70144 (inf before the per-column scale; inf · 0 = NaN in column 1), " +
      "cancelling ±64000",
  },
};

/** The matmul tolerance: y is TriRun's one-block result, the rule spec/tolerances.md §10 as data. */
const MATMUL_TOLERANCE: Tolerance = {
  kind: "elementwise-bound",
  description:
    "y is TriRun's result with one thread block per column (float32 sums in k order, fp16 output); any launch " +
    "passes: a finite element within y_bound of y_center (the exact result, float64), ±inf where bit 0 of " +
    "y_nonfinite is set, NaN where bit 1 is (spec/golden.md §6.3)",
  spec: "spec/golden.md §6.3; spec/tolerances.md §10; spec/trirun.md §8",
  bounds: { y: { bound: boundRoleOf("y"), center: centerRoleOf("y"), nonFinite: nonFiniteRoleOf("y") } },
};

/** Matmul groups for `shapes`, both scale modes, each a group of one test (params k, n, groupSize, m, slices). */
export function trirunMatmulGroups(
  rng: (label: string) => Rng,
  shapes: readonly TrirunMatmulShape[],
): TrirunGroupPlan[] {
  return TRIRUN_GROUP_SIZES.flatMap((groupSize) =>
    shapes.map((test): TrirunGroupPlan => {
      const shape: TrirunShape = { k: test.k, n: test.n, groupSize };
      const { codes, scales, x } = matmulOperands(
        rng(`matmul/${test.k}x${test.n}x${test.m}/${test.kind}/g${groupSize}`),
        shape,
        test,
      );
      const packed = packTrirun({ ...shape, codes, scales });
      const kind = MATMUL_KINDS[test.kind];
      const flags = test.kind === "random" && test.k * test.n > 128 * 256 ? [...kind.flags, "Shape"] : kind.flags;
      return {
        op: "matmul",
        format: "trirun",
        params: { ...shapeParams(shape), m: test.m, slices: trirunMaxSlices(test.k) },
        tolerance: MATMUL_TOLERANCE,
        cases: [
          {
            comment: `x [${test.m}, ${test.k}] · W [${test.k}, ${test.n}], ${modeName(groupSize)}: ${kind.comment}`,
            flags,
            result: "valid",
            inputs: {
              ...packedInputs(shape, packed.B, packed.s),
              x: arrayTensor<HalfTensor>("float16", [test.m, test.k], x),
            },
          },
        ],
      };
    }),
  );
}

/** The committed trirun suite's pack, unpack and validate groups (matmul: trirunMatmulGroups). */
export function trirunLayoutGroups(rng: (label: string) => Rng): TrirunGroupPlan[] {
  const groups: TrirunGroupPlan[] = [];
  for (const op of ["pack", "unpack"] as const) {
    for (const groupSize of TRIRUN_GROUP_SIZES) {
      TRIRUN_SHAPES.forEach(([k, n], i) => {
        const shape: TrirunShape = { k, n, groupSize };
        groups.push({
          op,
          format: "trirun",
          params: shapeParams(shape),
          tolerance: op === "pack" ? PACK_TOLERANCE : UNPACK_TOLERANCE,
          cases: op === "pack" ? packCases(rng, shape, i === 0) : unpackCases(rng, shape, i === 0),
        });
      });
    }
  }
  return [...groups, ...validateGroups(rng)];
}
