/**
 * The host's Math functions, imported: AssemblyScript's own exp is not V8's, and the reference computes with V8's
 * Math.exp (spec/performance.md §7). The host gives them in instantiateEngine's imports object under the module name
 * "js-math" (AssemblyScript names a declared function's import after its file).
 */

/** Math.exp of the host (V8's ieee754::exp). */
export declare function exp(x: f64): f64;
