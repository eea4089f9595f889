/**
 * Golden test vectors in the manner of Wycheproof (spec/golden.md): suites of inputs and expected
 * outputs computed by the reference, a manifest per suite, generation and verification.
 */

export * from "./compute.js";
export * from "./generate.js";
export * from "./json-schema.js";
export * from "./manifest.js";
export * from "./suites.js";
export * from "./tensor.js";
export * from "./verify.js";
