/**
 * `trilm-oracle/backends`: the forward pass over any compute backend. The Backend interface (what an
 * accelerated implementation provides: prepared matrices, matmul, rmsNorm, RoPE, attention, SwiGLU),
 * createBackend by name ("reference", and the accelerated "gpujs", "tfjs-cpu", "tfjs-wasm", which
 * load their optional packages only when created and throw BackendUnavailableError when those are
 * not installed), the reference backend, and createBackendSession / evaluateBackendSequence, which
 * run a model on a backend op for op as reference/model does. How far an accelerated backend may
 * drift from the reference: spec/tolerances.md and `trilm-oracle/tolerances`.
 *
 * @example
 * ```ts
 * import { createBackend, createBackendSession } from "trilm-oracle/backends";
 * const backend = await createBackend("tfjs-wasm");
 * const session = createBackendSession(config, weights, backend, { activations: "f32", kvCache: "f32" });
 * const logits = session.step(1, 0);
 * ```
 *
 * @packageDocumentation
 */

export {
  attentionKeyCount,
  type AttentionShape,
  type Backend,
  type BackendWeightMemory,
  type PreparedMatrix,
} from "../backend/backend.js";
export {
  BACKEND_PACKAGES,
  BackendUnavailableError,
  createBackend,
  NODE_BACKEND_NAMES,
  type BackendOptions,
  type NodeBackendName,
  type OptionalBackendName,
} from "../backend/registry.js";
export { createReferenceBackend } from "../backend/reference-backend.js";
export {
  createBackendSession,
  evaluateBackendSequence,
  type BackendForwardOptions,
  type BackendSession,
} from "../backend/backend-forward.js";
