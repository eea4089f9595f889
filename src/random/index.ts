/**
 * Deterministic pseudo-random numbers for test data and sampling: mulberry32, named sub-streams
 * and normal-ish draws. Pure: no Node or browser APIs.
 */

export { drawTrit, mulberry32 } from "./mulberry32.js";
export { deriveSeed, normalish } from "./derive.js";
