/**
 * The tolerances of spec/tolerances.md as code, one concept per file: the floating-point
 * conventions and accuracy models (§1), the per-op bounds (§2–§8) and their element-wise check,
 * and the whole-model criteria on logits (§9). Pure arithmetic over reference/; the package
 * exposes it as `trilm-oracle/tolerances`. spec/formats.md §8.2's ternary · Q8_K dot bound lives
 * with the codec (reference/codec/dot-tolerance.ts) and is re-exported here.
 */

export * from "./accuracy.js";
export * from "./attention.js";
export * from "./element-check.js";
export * from "./embedding.js";
export * from "./float-dot.js";
export * from "./floating-point.js";
export * from "./hf-bitnet-linear.js";
export * from "./i2s-matmul.js";
export * from "./logits.js";
export * from "./matmul.js";
export * from "./nmse.js";
export * from "./rmsnorm.js";
export * from "./rope.js";
export * from "./swiglu.js";
export * from "./trirun-matmul.js";
export { dotResultsAgree, ternaryDotErrorBound, ternaryDotMayOverflow } from "../codec/dot-tolerance.js";
