/**
 * The backend-agnostic differential suite (spec/tolerances.md): runDifferentialSuite, the bounds
 * and the tolerance checker. Pure TypeScript, safe to bundle for the browser.
 */

export { runDifferentialSuite, type DifferentialOptions, type DifferentialResult } from "./suite.js";
export * from "./tolerance.js";
export { shadowBackend, type ShadowLog } from "./shadow.js";
