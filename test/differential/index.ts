/**
 * The backend-agnostic differential suite (spec/tolerances.md): runDifferentialSuite and the shadow
 * backend. The bounds themselves are reference/tolerances; WEBGL_ACCURACY is re-exported here
 * because the browser page (test/browser/page) passes it from this module to the suite. Pure
 * TypeScript, safe to bundle for the browser.
 */

export { runDifferentialSuite, type DifferentialOptions, type DifferentialResult } from "./suite.js";
export { shadowBackend, type ShadowLog } from "./shadow.js";
export { WEBGL_ACCURACY } from "../../reference/tolerances/index.js";
