/**
 * `trilm-oracle/tolerances`: the error bounds of spec/tolerances.md as code — how far a float32
 * backend's matmul, rmsNorm, RoPE, attention, SwiGLU and whole-model logits may differ from the
 * reference, derived section by section in the spec, the same bounds the differential suite
 * asserts.
 *
 * @packageDocumentation
 */

export * from "../../reference/tolerances/index.js";
