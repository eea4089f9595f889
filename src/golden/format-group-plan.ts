/**
 * A kernel-format suite's group before its outputs are computed (suites.ts GroupPlan), as the i2_s, trirun, hf-bitnet
 * and w2a8 suites plan them: the group's op, format and params, its tolerance and its tests' inputs.
 */

import type { GoldenFormat, TestResult, Tolerance } from "./manifest-core.js";
import type { FormatGroupSpec } from "./format-group.js";
import type { Tensor } from "./tensor-core.js";

/** One test of a format suite before its outputs are computed (suites.ts CaseSpec). */
export interface FormatCaseSpec {
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: TestResult;
  readonly inputs: Readonly<Record<string, Tensor>>;
}

/** One group of the format suite `F` before its outputs are computed. */
export interface FormatGroupPlan<F extends GoldenFormat> extends FormatGroupSpec {
  readonly format: F;
  readonly tolerance: Tolerance;
  readonly cases: readonly FormatCaseSpec[];
}
