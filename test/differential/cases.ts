/**
 * fast-check arbitraries for the differential suite. Each arbitrary draws a small RECIPE (shape,
 * weight type, scale kind, a seed) and `materialize*` turns it into arrays deterministically, so a
 * shrunk counterexample prints in a few lines. Pure TypeScript (runs in the browser too).
 */

import fc from "fast-check";
import { GgmlType, QK_K, roundToF16 } from "../../reference/codec/index.js";
import type { RopeStyle } from "../../reference/model/config.js";
import { packMatrix, type PackedMatrix } from "../../reference/model/packed-matrix.js";
import { mulberry32 } from "../../src/random/mulberry32.js";

/** Block scales a weight recipe may use: ordinary, zero, fp16-subnormal, large (~6e4), or a mix. */
export type ScaleKind = "normal" | "zero" | "subnormal" | "large" | "mixed";

/** The weight types the suite draws. */
export type WeightType = "TQ2_0" | "TQ1_0" | "F16" | "F32";

const TYPE_IDS: Record<WeightType, GgmlType> = {
  TQ2_0: GgmlType.TQ2_0,
  TQ1_0: GgmlType.TQ1_0,
  F16: GgmlType.F16,
  F32: GgmlType.F32,
};

/** Activations: plain N(0,1)-ish, or with a few outliers of size `outlier`. */
export interface ActivationRecipe {
  readonly seed: number;
  /** Magnitude of the outliers (1 = none). */
  readonly outlier: number;
  /** Fraction of outliers. */
  readonly outlierRate: number;
}

/** A matmul case. */
export interface MatmulRecipe {
  readonly type: WeightType;
  readonly rows: number;
  /** cols = blocks · 256 for TQ types, else `cols`. */
  readonly blocks: number;
  readonly cols: number;
  readonly batch: number;
  readonly scales: ScaleKind;
  readonly weightSeed: number;
  readonly activations: ActivationRecipe;
  readonly mode: "f32" | "ggml-matmul";
}

/** One block scale of `kind`. */
function drawScale(kind: ScaleKind, random: () => number): number {
  const k = kind === "mixed" ? (["normal", "zero", "subnormal", "large"] as const)[Math.floor(random() * 4)] : kind;
  switch (k) {
    case "normal":
      return roundToF16(0.01 + random() * 2);
    case "zero":
      return 0;
    case "subnormal":
      return roundToF16((1 + Math.floor(random() * 1000)) * 2 ** -24); // below 2^-14
    case "large":
      return roundToF16(50000 + random() * 15000);
  }
}

/** Activation values of a recipe: Float32Array[n]. */
export function materializeActivations(recipe: ActivationRecipe, n: number): Float32Array {
  const random = mulberry32(recipe.seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const gauss = (random() + random() + random() + random() - 2) * 1.7;
    x[i] = random() < recipe.outlierRate ? gauss * recipe.outlier : gauss;
  }
  return x;
}

/** The packed matrix and activations of a matmul recipe. */
export function materializeMatmul(recipe: MatmulRecipe): { matrix: PackedMatrix; x: Float32Array; cols: number } {
  const ternary = recipe.type === "TQ2_0" || recipe.type === "TQ1_0";
  const cols = ternary ? recipe.blocks * QK_K : recipe.cols;
  const random = mulberry32(recipe.weightSeed);
  const values = new Float32Array(recipe.rows * cols);
  for (let r = 0; r < recipe.rows; r++) {
    for (let c0 = 0; c0 < cols; c0 += QK_K) {
      const scale = drawScale(recipe.scales, random);
      for (let c = c0; c < Math.min(c0 + QK_K, cols); c++) {
        const u = random();
        values[r * cols + c] = ternary ? (u < 1 / 3 ? -scale : u < 2 / 3 ? 0 : scale) : scale * (2 * random() - 1);
      }
    }
  }
  const matrix = packMatrix(TYPE_IDS[recipe.type], recipe.rows, cols, values);
  return { matrix, x: materializeActivations(recipe.activations, recipe.batch * cols), cols };
}

const seedArb = fc.integer({ min: 0, max: 0x7fffffff });

/** Activations, with outliers up to 1e3. */
export const activationArb: fc.Arbitrary<ActivationRecipe> = fc.record({
  seed: seedArb,
  outlier: fc.constantFrom(1, 30, 1000),
  outlierRate: fc.constantFrom(0, 0.01, 0.1),
});

/** Matmul recipes: one row, one block, many blocks, batch > 1, every weight type and scale kind. */
export const matmulArb: fc.Arbitrary<MatmulRecipe> = fc.record({
  type: fc.constantFrom<WeightType>("TQ2_0", "TQ1_0", "F16", "F32"),
  rows: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 48 })),
  blocks: fc.integer({ min: 1, max: 4 }),
  cols: fc.oneof(fc.constantFrom(1, 7, 8, 256, 257), fc.integer({ min: 1, max: 600 })),
  batch: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 5 })),
  scales: fc.constantFrom<ScaleKind>("normal", "zero", "subnormal", "large", "mixed"),
  weightSeed: seedArb,
  activations: activationArb,
  mode: fc.constantFrom<"f32" | "ggml-matmul">("f32", "ggml-matmul"),
});

/** An RMSNorm case. */
export interface RmsNormRecipe {
  readonly n: number;
  readonly batch: number;
  readonly activations: ActivationRecipe;
  readonly weightSeed: number;
  /** Multiplies x (tiny rows exercise eps, huge ones the sum of squares). */
  readonly magnitude: number;
}

export const rmsNormArb: fc.Arbitrary<RmsNormRecipe> = fc.record({
  n: fc.oneof(fc.constantFrom(1, 256, 512), fc.integer({ min: 1, max: 1300 })),
  batch: fc.integer({ min: 1, max: 4 }),
  activations: activationArb,
  weightSeed: seedArb,
  magnitude: fc.constantFrom(1, 1e-6, 1e-3, 100, 1e4),
});

/** A RoPE case. */
export interface RopeRecipe {
  readonly nHeads: number;
  readonly headDim: number;
  /** ropeDim = headDim − 2·unrotatedPairs. */
  readonly unrotatedPairs: number;
  readonly style: RopeStyle;
  readonly theta: number;
  readonly positions: readonly number[];
  readonly activations: ActivationRecipe;
}

export const ropeArb: fc.Arbitrary<RopeRecipe> = fc.record({
  nHeads: fc.integer({ min: 1, max: 8 }),
  headDim: fc.constantFrom(2, 4, 8, 32, 64, 128),
  unrotatedPairs: fc.constantFrom(0, 0, 1),
  style: fc.constantFrom<RopeStyle>("adjacent", "rotate-half"),
  theta: fc.constantFrom(10000, 500000),
  positions: fc.array(fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 4095 })), {
    minLength: 1,
    maxLength: 4,
  }),
  activations: activationArb,
});

/** A SwiGLU case. */
export interface SwigluRecipe {
  readonly n: number;
  readonly gate: ActivationRecipe;
  readonly up: ActivationRecipe;
  /** Multiplies the gate (large values reach exp overflow). */
  readonly gateScale: number;
}

export const swigluArb: fc.Arbitrary<SwigluRecipe> = fc.record({
  n: fc.oneof(fc.constantFrom(1, 1280), fc.integer({ min: 1, max: 2000 })),
  gate: activationArb,
  up: activationArb,
  gateScale: fc.constantFrom(1, 10, 60),
});

/** An attention case. */
export interface AttentionRecipe {
  readonly nKvHeads: number;
  readonly headsPerKv: number;
  readonly headDim: number;
  /** Cached positions T. */
  readonly count: number;
  /** Query positions, each taken modulo T. */
  readonly positions: readonly number[];
  readonly q: ActivationRecipe;
  readonly kv: ActivationRecipe;
}

export const attentionArb: fc.Arbitrary<AttentionRecipe> = fc.record({
  nKvHeads: fc.integer({ min: 1, max: 4 }),
  headsPerKv: fc.constantFrom(1, 1, 2),
  headDim: fc.constantFrom(2, 8, 32, 64),
  count: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 80 })),
  positions: fc.array(fc.nat(1000), { minLength: 1, maxLength: 4 }),
  q: activationArb,
  kv: activationArb,
});

/** An embedding case. */
export interface EmbeddingRecipe {
  readonly type: WeightType;
  readonly vocab: number;
  readonly blocks: number;
  readonly scales: ScaleKind;
  readonly seed: number;
  readonly tokens: readonly number[];
}

export const embeddingArb: fc.Arbitrary<EmbeddingRecipe> = fc.record({
  type: fc.constantFrom<WeightType>("TQ2_0", "TQ1_0", "F16", "F32"),
  vocab: fc.integer({ min: 1, max: 40 }),
  blocks: fc.integer({ min: 1, max: 2 }),
  scales: fc.constantFrom<ScaleKind>("normal", "zero", "subnormal", "large", "mixed"),
  seed: seedArb,
  tokens: fc.array(fc.nat(1000), { minLength: 1, maxLength: 5 }),
});
