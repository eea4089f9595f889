/**
 * Emulations of the x86-64 kernels of ggml's CPU backend (GCC build, AVX2 or AVX-512), bit for bit.
 * Implements spec/forward.md §9 ("ggml-exact mode emulates the x86-64 build of ggml").
 */

export * from "./expf.js";
export * from "./f16-matmul.js";
export * from "./fma.js";
export * from "./fma64.js";
export * from "./glibc-trig.js";
export * from "./hsum.js";
export * from "./isa.js";
export * from "./kquant-dot.js";
export * from "./q4_0-repack.js";
export * from "./q4_k-repack.js";
export * from "./q8_0-dot.js";
export * from "./q8_0-quantize.js";
export * from "./rope.js";
export * from "./softmax.js";
export * from "./swiglu.js";
export * from "./tinyblas.js";
export * from "./tq-dot.js";
export * from "./vec-dot.js";
