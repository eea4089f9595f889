/**
 * `trilm-oracle`: the reference codec (bit-exact with ggml; also `trilm-oracle/codec`), the kernel
 * protocol and its harness (also `trilm-oracle/harness`: case directories, judging, running kernel
 * commands, property-based checking of kernels written in JavaScript with checkKernel or run as
 * commands with fuzzKernel), and the errors every entry throws for bad input. The interpreter is
 * `trilm-oracle/reference`; the other entries are `/gguf`, `/model`, `/backends` and `/tolerances`.
 *
 * @example
 * ```ts
 * import { checkKernel, dequantizeRow, GgmlType } from "trilm-oracle";
 * ```
 *
 * @packageDocumentation
 */

export * from "./codec.js";
export * from "./harness.js";
export { InputError, UsageError } from "../errors.js";
