/**
 * The Backend interface as src/ sees it. The interface itself lives in accelerated/backend.ts, below
 * src/ in the layering (reference/ ← accelerated/ ← src/, ARCHITECTURE.md), so that accelerated
 * backends implement it without importing src/; this module is the one place src/ and the public
 * `trilm-oracle/backends` entry take it from.
 */

export {
  attentionKeyCount,
  type AttentionShape,
  type Backend,
  type BackendWeightMemory,
  type PreparedMatrix,
} from "../../accelerated/backend.js";
