/**
 * trilm-oracle's JavaScript API: the reference codec (bit-exact with ggml), the kernel protocol and
 * its harness (case directories, judging, running kernel commands), and property-based checking of
 * kernels written in JavaScript (checkKernel) or run as commands (fuzzKernel).
 */

export * from "../reference/codec/index.js";
export * from "./harness/protocol.js";
export { readCaseDir, requireConsistentCase, writeCaseDir } from "./harness/case-dir.js";
export { judgeCase, judgeDequantize, judgeMatmul, judgeQuantize } from "./harness/judge.js";
export { runKernelOnCase, type RunKernelOptions } from "./harness/run-kernel.js";
export {
  activations,
  EDGE_SCALE_BITS,
  matmulCase,
  ternaryMatrix,
  tq1Block,
  tq2Block,
  type BlockOptions,
  type MatmulCaseOptions,
  type TernaryBlock,
  type TernaryMatrix,
  type TernaryMatrixOptions,
} from "./harness/arbitraries.js";
export {
  describeCase,
  describeWorst,
  fuzzCases,
  fuzzKernel,
  subCase,
  type CaseJudge,
  type FuzzKernelOptions,
  type FuzzOptions,
  type FuzzProgress,
  type FuzzResult,
} from "./harness/fuzz.js";
export { checkKernel, type CheckKernelOptions, type CheckKernelResult, type KernelFunction } from "./harness/api.js";
