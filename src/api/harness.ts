/**
 * `trilm-oracle/harness`: checking a kernel against the reference (spec/kernel-protocol.md). The
 * kernel protocol's types (KernelCase, CaseVerdict, …), case directories (read, write), judging a
 * kernel's output element by element, running a kernel command on a case, fast-check arbitraries of
 * ternary blocks and matmul cases, and property-based checking that shrinks a failure to a minimal
 * case: checkKernel for a JavaScript function, fuzzKernel for a command.
 *
 * @example
 * ```ts
 * import { checkKernel } from "trilm-oracle/harness";
 * const result = await checkKernel(myTq2Matmul, { format: "tq2_0", runs: 50, seed: 1 });
 * ```
 *
 * @packageDocumentation
 */

export * from "../harness/protocol.js";
export { readCaseDir, requireConsistentCase, writeCaseDir } from "../harness/case-dir.js";
export { judgeCase, judgeDequantize, judgeMatmul, judgeQuantize } from "../harness/judge.js";
export { describeDiagnosis, diagnoseDequantize, diagnoseMatmul } from "../harness/diagnose.js";
export { diagnoseQuantize } from "../harness/diagnose-quantize.js";
export { runKernelOnCase, type KernelExit, type RunKernelOptions } from "../harness/run-kernel.js";
export {
  activations,
  EDGE_SCALE_BITS,
  matmulCase,
  ternaryMatrix,
  tq1Block,
  tq2Block,
  type ActivationOptions,
  type BlockOptions,
  type MatmulCaseOptions,
  type TernaryBlock,
  type TernaryMatrix,
  type TernaryMatrixOptions,
} from "../harness/arbitraries.js";
export {
  coverageLine,
  EDGE_CLASSES,
  edgeClassesOf,
  q8kTieBlock,
  q8kTieValue,
  type EdgeClass,
} from "../harness/edge-cases.js";
export {
  describeCase,
  describeWorst,
  fuzzCases,
  fuzzKernel,
  subCase,
  type CaseJudge,
  type FuzzKernelOptions,
  type FuzzKernelResult,
  type FuzzOptions,
  type FuzzProgress,
  type FuzzResult,
} from "../harness/fuzz.js";
export {
  checkKernel,
  UnsupportedCaseError,
  type CheckKernelOptions,
  type CheckKernelResult,
  type CheckTrirunKernelOptions,
  type CheckTrirunKernelResult,
  type KernelFunction,
  type TrirunKernelFunction,
  type CheckI2sKernelOptions,
  type CheckI2sKernelResult,
  type I2sKernelFunction,
} from "../harness/api.js";
export {
  I2S_ACTIVATIONS,
  I2S_FILES,
  I2S_FORMAT,
  i2sCaseJsonOf,
  i2sKernelInputOf,
  readI2sCaseDir,
  writeI2sCaseDir,
  type I2sCaseJson,
  type I2sKernelCase,
  type I2sKernelInput,
} from "../harness/i2s-case.js";
export {
  describeI2sOutput,
  judgeI2sMatmul,
  type I2sJudgeOptions,
  type I2sOutputElement,
  type I2sVerdict,
  type I2sWeightPlace,
} from "../harness/i2s-judge.js";
export { type I2sFuzzOptions, type I2sFuzzResult } from "../harness/i2s-fuzz.js";
export {
  type CheckHfBitnetKernelOptions,
  type CheckW2a8KernelOptions,
  type HfBitnetKernelFunction,
  type HfBitnetKernelInput,
  type W2a8KernelFunction,
  type W2a8KernelInput,
} from "../harness/bitlinear-kernel-api.js";
export { type BitlinearFuzzOptions, type BitlinearFuzzResult } from "../harness/bitlinear-fuzz.js";
export {
  HF_BITNET_FILES,
  HF_BITNET_FORMAT,
  INT8_PER_TOKEN,
  readHfBitnetCaseDir,
  writeHfBitnetCaseDir,
  type HfBitnetKernelCase,
} from "../harness/hf-bitnet-case.js";
export {
  W2A8_FILES,
  W2A8_FORMAT,
  readW2a8CaseDir,
  writeW2a8CaseDir,
  type W2a8KernelCase,
} from "../harness/w2a8-case.js";
export {
  readTrirunCaseDir,
  TRIRUN_ACTIVATIONS,
  TRIRUN_FILES,
  TRIRUN_FORMAT,
  trirunCaseJsonOf,
  writeTrirunCaseDir,
  type TrirunCaseJson,
  type TrirunKernelCase,
} from "../harness/trirun-case.js";
export {
  describeTrirunOutput,
  describeWeightPlace,
  judgeTrirunMatmul,
  type TrirunJudgeOptions,
  type TrirunOutputElement,
  type TrirunVerdict,
  type TrirunWeightPlace,
} from "../harness/trirun-judge.js";
export { trirunBuiltinCases } from "../harness/trirun-cases.js";
export {
  describeTrirunCase,
  fuzzTrirunCases,
  shrinkTrirunCase,
  trirunSubCase,
  type TrirunFuzzOptions,
  type TrirunFuzzResult,
} from "../harness/trirun-fuzz.js";
export { fuzzTrirunKernel, type TrirunFuzzKernelResult, type TrirunKernelRunOptions } from "../harness/trirun-check.js";
