/**
 * The backend-agnostic differential suite: every op of a candidate Backend against the reference
 * Backend under the bounds of spec/tolerances.md, on fast-check-drawn cases, plus whole-model
 * logits (spec/tolerances.md §9). Pure TypeScript: no Node APIs, no test framework, so the browser
 * harness can bundle it; the embedded model comes in as bytes.
 *
 *   const result = await runDifferentialSuite(candidate, reference, { seed, numRuns: 20, log: console.log });
 */

import fc from "fast-check";
import type { TrilmConfig } from "../../reference/model/config.js";
import type { TrilmWeights } from "../../reference/model/weights.js";
import type { Backend } from "../../src/backend/backend.js";
import { createBackendSession, type BackendForwardOptions } from "../../src/backend/backend-forward.js";
import { parseGguf } from "../../src/gguf/index.js";
import { modelFromGguf } from "../../src/model/gguf-model.js";
import { tinyModel } from "../support/tiny-model.js";
import {
  attentionArb,
  embeddingArb,
  materializeActivations,
  materializeMatmul,
  matmulArb,
  rmsNormArb,
  ropeArb,
  swigluArb,
} from "./cases.js";
import { mulberry32 } from "../../src/random/mulberry32.js";
import { anglesOf, shadowBackend } from "./shadow.js";
import {
  allowedRms,
  argmaxAgreement,
  argmaxOf,
  attentionBounds,
  checkTolerance,
  embeddingBounds,
  IEEE_ACCURACY,
  matmulBounds,
  nmse,
  nmseCriterion,
  rmsNormBounds,
  ropeBounds,
  swigluBounds,
  type Accuracy,
} from "../../reference/tolerances/index.js";

/** Options of runDifferentialSuite. */
export interface DifferentialOptions {
  /** fast-check seed of every property (printed in every failure). */
  readonly seed: number;
  /** Cases per op property. */
  readonly numRuns: number;
  /** Where progress and failures go, one line per call. */
  readonly log: (line: string) => void;
  /** The candidate's elementary-function accuracy (default IEEE_ACCURACY; WEBGL_ACCURACY for WebGL). */
  readonly accuracy?: Accuracy;
  /** golden/models/trilm-tiny-tq2_0.gguf's bytes; the embedded-model check is skipped without them. */
  readonly embeddedModel?: Uint8Array;
  /** Run the 99m-shaped one-layer model check (default true). */
  readonly layer99m?: boolean;
  /** Only these op properties (default all): matmul, rmsNorm, rope, swiglu, attention, embedding. */
  readonly ops?: readonly string[];
}

/** Outcome: passed/failed checks and one message per failure. */
export interface DifferentialResult {
  readonly passed: number;
  readonly failed: number;
  readonly failures: string[];
}

/** Throw with the tolerance summary unless the candidate is within the bounds. */
function expectWithin(op: string, candidate: Float32Array, reference: Float32Array, bounds: ArrayLike<number>): void {
  const report = checkTolerance(candidate, reference, bounds);
  if (!report.ok) throw new Error(`${op}: ${report.summary}`);
}

/** The op properties, each a fast-check property over a recipe. */
function opProperties(
  candidate: Backend,
  reference: Backend,
  accuracy: Accuracy,
): Array<[string, fc.IPropertyWithHooks<unknown>]> {
  const matmul = fc.property(matmulArb, (recipe) => {
    const { matrix, x } = materializeMatmul(recipe);
    const pc = candidate.prepareMatrix(matrix);
    const pr = reference.prepareMatrix(matrix);
    try {
      const c = candidate.matmul(pc, x, recipe.batch, recipe.mode);
      const r = reference.matmul(pr, x, recipe.batch, recipe.mode);
      expectWithin(
        `matmul ${recipe.type} ${recipe.mode} [${matrix.rows}×${matrix.cols}] B=${recipe.batch}`,
        c,
        r,
        matmulBounds(matrix, x, recipe.batch, recipe.mode, r),
      );
    } finally {
      pc.dispose();
      pr.dispose();
    }
  });
  const rmsNorm = fc.property(rmsNormArb, (recipe) => {
    const x = materializeActivations(recipe.activations, recipe.batch * recipe.n).map((v) => v * recipe.magnitude);
    const random = mulberry32(recipe.weightSeed);
    const weight = Float32Array.from({ length: recipe.n }, () => 0.5 + random() * 1.5 * (random() < 0.5 ? -1 : 1));
    const eps = Math.fround(1e-5);
    const c = candidate.rmsNorm(x, weight, eps, recipe.batch);
    const r = reference.rmsNorm(x, weight, eps, recipe.batch);
    expectWithin(
      `rmsNorm n=${recipe.n} B=${recipe.batch}`,
      c,
      r,
      rmsNormBounds(weight, eps, recipe.batch, r, accuracy),
    );
  });
  const rope = fc.property(ropeArb, (recipe) => {
    const ropeDim = recipe.headDim - 2 * Math.min(recipe.unrotatedPairs, recipe.headDim / 2 - 1);
    const n = recipe.nHeads * recipe.headDim;
    const input = materializeActivations(recipe.activations, recipe.positions.length * n);
    const c = input.slice();
    const r = input.slice();
    candidate.rope(c, recipe.headDim, ropeDim, recipe.theta, recipe.style, recipe.positions);
    reference.rope(r, recipe.headDim, ropeDim, recipe.theta, recipe.style, recipe.positions);
    const { cos, sin } = anglesOf(recipe.positions, ropeDim, recipe.theta);
    expectWithin(
      `rope ${recipe.style} hd=${recipe.headDim} ropeDim=${ropeDim}`,
      c,
      r,
      ropeBounds(input, recipe.headDim, ropeDim, recipe.style, cos, sin, recipe.positions.length, accuracy),
    );
  });
  const swiglu = fc.property(swigluArb, (recipe) => {
    const gate = materializeActivations(recipe.gate, recipe.n).map((v) => v * recipe.gateScale);
    const up = materializeActivations(recipe.up, recipe.n);
    const c = candidate.swiglu(gate, up);
    const r = reference.swiglu(gate, up);
    expectWithin(`swiglu n=${recipe.n}`, c, r, swigluBounds(gate, up, r, accuracy));
  });
  const attention = fc.property(attentionArb, (recipe) => {
    const shape = { nHeads: recipe.nKvHeads * recipe.headsPerKv, nKvHeads: recipe.nKvHeads, headDim: recipe.headDim };
    const positions = recipe.positions.map((p) => p % recipe.count);
    const kvDim = recipe.nKvHeads * recipe.headDim;
    const q = materializeActivations(recipe.q, positions.length * shape.nHeads * recipe.headDim);
    const kv = materializeActivations(recipe.kv, 2 * recipe.count * kvDim);
    const keys = kv.subarray(0, recipe.count * kvDim);
    const values = kv.subarray(recipe.count * kvDim);
    const c = candidate.attention(q, keys, values, positions, shape);
    const r = reference.attention(q, keys, values, positions, shape);
    expectWithin(
      `attention H=${shape.nHeads} kv=${shape.nKvHeads} hd=${shape.headDim} T=${recipe.count}`,
      c,
      r,
      attentionBounds(q, keys, values, positions, shape, r, accuracy),
    );
  });
  const embedding = fc.property(embeddingArb, (recipe) => {
    const { matrix } = materializeMatmul({
      type: recipe.type,
      rows: recipe.vocab,
      blocks: recipe.blocks,
      cols: recipe.blocks * 256,
      batch: 1,
      scales: recipe.scales,
      weightSeed: recipe.seed,
      activations: { seed: 0, outlier: 1, outlierRate: 0 },
      mode: "f32",
    });
    const tokens = recipe.tokens.map((t) => t % recipe.vocab);
    const c = candidate.embedding(matrix, tokens);
    const r = reference.embedding(matrix, tokens);
    expectWithin(`embedding ${recipe.type}`, c, r, embeddingBounds(c.length)); // §8: exact
  });
  return [
    ["matmul", matmul as fc.IPropertyWithHooks<unknown>],
    ["rmsNorm", rmsNorm as fc.IPropertyWithHooks<unknown>],
    ["rope", rope as fc.IPropertyWithHooks<unknown>],
    ["swiglu", swiglu as fc.IPropertyWithHooks<unknown>],
    ["attention", attention as fc.IPropertyWithHooks<unknown>],
    ["embedding", embedding as fc.IPropertyWithHooks<unknown>],
  ];
}

/** A model to run end to end. */
interface ModelCase {
  readonly name: string;
  readonly config: TrilmConfig;
  readonly weights: TrilmWeights;
  readonly tokens: readonly number[];
}

/** Logits of `tokens`: the first half as one batch, the rest token by token (both paths of backend-forward). */
function logitsOf(model: ModelCase, backend: Backend, options: BackendForwardOptions): Float32Array[] {
  const session = createBackendSession(
    { ...model.config, contextLength: model.tokens.length },
    model.weights,
    backend,
    options,
  );
  try {
    const split = Math.ceil(model.tokens.length / 2);
    const rows = session.run(model.tokens.slice(0, split), 0);
    for (let pos = split; pos < model.tokens.length; pos++) rows.push(session.step(model.tokens[pos], pos));
    return rows;
  } finally {
    session.dispose();
  }
}

/**
 * Whole-model check of spec/tolerances.md §9: every op along the candidate's trajectory within its
 * bound (shadow), NMSE within the criterion, argmax agreeing unless the reference's gap between its
 * argmax and the candidate's is within the RMS error the criterion allows. Returns failure lines (empty = pass).
 */
function checkModel(
  model: ModelCase,
  candidate: Backend,
  reference: Backend,
  accuracy: Accuracy,
  log: (line: string) => void,
): string[] {
  const failures: string[] = [];
  const f32: BackendForwardOptions = { activations: "f32", kvCache: "f32" };
  const ggml: BackendForwardOptions = { activations: "ggml-matmul", kvCache: "f32" };
  const refF32 = logitsOf(model, reference, f32);
  const refGgml = logitsOf(model, reference, ggml);
  const quantizationEffect = nmse(refF32, refGgml);
  for (const [options, ref] of [
    [f32, refF32],
    [ggml, refGgml],
  ] as const) {
    const mode = options.activations;
    const { backend, log: shadow } = shadowBackend(candidate, reference, accuracy);
    const cand = logitsOf(model, backend, options);
    const error = nmse(cand, ref);
    const threshold = nmseCriterion(mode, quantizationEffect); // §9.1, §9.2
    const worst = [...shadow.worstRatio].map(([op, r]) => `${op} ${r.toExponential(2)}`).join(", ");
    log(
      `  ${model.name} ${mode}: NMSE ${error.toExponential(3)} (criterion ≤ ${threshold.toExponential(3)}); worst |Δ|/bound per op: ${worst}`,
    );
    for (const v of shadow.violations) failures.push(`${model.name} ${mode}: shadow check: ${v}`);
    if (!(error <= threshold))
      failures.push(`${model.name} ${mode}: NMSE ${error} > ${threshold} (spec/tolerances.md §9)`);
    cand.forEach((row, p) => {
      if (argmaxAgreement(row, ref[p], threshold) === "disagree") {
        const a = argmaxOf(row);
        const b = argmaxOf(ref[p]);
        failures.push(
          `${model.name} ${mode}: position ${p}: argmax ${a} ≠ reference ${b}, reference gap ${ref[p][b] - ref[p][a]} > 2·${allowedRms(ref[p], threshold)}`,
        );
      }
    });
  }
  return failures;
}

/** A one-layer model of 99m's layer shape: dim 512, ffn 1280, 8 heads (head dim 64), small vocabulary. */
function layer99m(): ModelCase {
  const { config, weights } = tinyModel({
    seed: 99,
    dim: 512,
    hiddenDim: 1280,
    nHeads: 8,
    nLayers: 1,
    vocabSize: 256,
    contextLength: 8,
  });
  return { name: "99m-shaped layer", config, weights, tokens: [1, 17, 200, 42, 255, 3] };
}

/**
 * Run the suite: one fast-check property per op (candidate vs reference under spec/tolerances.md
 * §2–§8), then whole-model logits (§9) on the embedded model (if its bytes are given) and a
 * 99m-shaped layer. Every failure message carries the seed, the op and fast-check's shrunk
 * counterexample.
 */
export async function runDifferentialSuite(
  candidate: Backend,
  reference: Backend,
  options: DifferentialOptions,
): Promise<DifferentialResult> {
  const { seed, numRuns, log } = options;
  const accuracy = options.accuracy ?? IEEE_ACCURACY;
  const failures: string[] = [];
  let passed = 0;
  log(`differential suite: ${candidate.describe()} vs ${reference.describe()}, seed=${seed}, numRuns=${numRuns}`);
  for (const [op, property] of opProperties(candidate, reference, accuracy)) {
    if (options.ops !== undefined && !options.ops.includes(op)) continue;
    const start = Date.now();
    const details = fc.check(property, { seed, numRuns });
    if (details.failed) {
      const error =
        details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      const message =
        `[${candidate.name}] op ${op} FAILED (seed=${seed}, ` +
        `path=${details.counterexamplePath ?? "?"}): ${error}\n${fc.defaultReportMessage(details) ?? ""}`;
      failures.push(message);
      log(message);
    } else {
      passed++;
      log(`  ${op}: ${details.numRuns} cases pass (${Date.now() - start} ms)`);
    }
    await Promise.resolve();
  }
  const models: ModelCase[] = [];
  if (options.embeddedModel !== undefined) {
    const { config, weights } = modelFromGguf(parseGguf(options.embeddedModel, "trilm-tiny-tq2_0.gguf"));
    models.push({
      name: "embedded model",
      config,
      weights,
      tokens: [1, 17, 300, 42, 511, 259, 3, 88].map((t) => t % config.vocabSize),
    });
  }
  if (options.layer99m !== false) models.push(layer99m());
  for (const model of models) {
    const start = Date.now();
    const modelFailures = checkModel(model, candidate, reference, accuracy, log).map(
      (f) => `[${candidate.name}] seed=${seed} ${f}`,
    );
    if (modelFailures.length === 0) {
      passed++;
      log(`  ${model.name}: logits agree (${Date.now() - start} ms)`);
    } else {
      failures.push(...modelFailures);
      modelFailures.forEach(log);
    }
    await Promise.resolve();
  }
  return { passed, failed: failures.length, failures };
}
