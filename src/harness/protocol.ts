/**
 * Kernel protocol v1: the language-neutral contract between the harness and a kernel under test.
 * Specified in spec/kernel-protocol.md.
 *
 * The harness writes a case directory (case.json and the input files), runs the kernel command with
 * the directory appended as its last argument, and reads the kernel's output files back from it.
 */

import { GgmlType, Q8_K_BLOCK_BYTES, QK_K, TQ1_0_BLOCK_BYTES, TQ2_0_BLOCK_BYTES } from "../../reference/codec/index.js";
import { MAX_JSON_DEPTH, jsonDeeperThan } from "../io/json-depth.js";

/** The protocol version this harness speaks (the `protocol` field of case.json). */
export const PROTOCOL_VERSION = 1;

/** The name of the case description inside a case directory. */
export const CASE_FILE = "case.json";

/** What a kernel computes: y = x·Wᵀ, W decoded, or W encoded. */
export type KernelOp = "matmul" | "dequantize" | "quantize";

/** The packed ternary weight formats: the weights of a matmul, and what fuzzing draws. */
export type TernaryFormat = "tq1_0" | "tq2_0";

/**
 * The formats a kernel may be checked for: the ternary ones, and q8_K (llama.cpp's activation
 * quantization, spec/formats.md §6) for quantize and dequantize only (formatProblem).
 */
export type KernelFormat = TernaryFormat | "q8_K";

/**
 * How the activations of a matmul are treated (spec/kernel-protocol.md §5.1): "f32", float32 values;
 * "ggml", x quantized to Q8_K per row as llama.cpp does and summed in any order within the bound of
 * spec/formats.md §8.2 — neither reference/model's ggml-exact nor the backends' ggml-matmul mode
 * (reference/model/modes.ts), though both pass it. The case.json spelling stays "ggml".
 */
export type KernelActivations = "f32" | "ggml";

/** All ops, formats and activation modes, in the order the CLI lists them. */
export const KERNEL_OPS: readonly KernelOp[] = ["matmul", "dequantize", "quantize"];
/** All formats. */
export const KERNEL_FORMATS: readonly KernelFormat[] = ["tq1_0", "tq2_0", "q8_K"];
/** The ternary formats. */
export const TERNARY_FORMATS: readonly TernaryFormat[] = ["tq1_0", "tq2_0"];

/** Is `format` a ternary weight format? */
export function isTernaryFormat(format: KernelFormat): format is TernaryFormat {
  return format !== "q8_K";
}

/** Why `op` cannot take `format` (q8_K is not a matmul weight format), or undefined when it can. */
export function formatProblem(op: KernelOp, format: KernelFormat): string | undefined {
  return op === "matmul" && !isTernaryFormat(format) ? `format ${format} is not a matmul weight format` : undefined;
}
/** All activation modes. */
export const KERNEL_ACTIVATIONS: readonly KernelActivations[] = ["f32", "ggml"];

/**
 * One kernel case: the op, the format, the shape and the inputs the op needs.
 * matmul: weight (rows × cols/256 packed blocks) and x (float32 [batch, cols]);
 * dequantize: weight; quantize: w (float32 [rows, cols]). batch is 1 unless the op is matmul.
 */
export interface KernelCase {
  readonly op: KernelOp;
  readonly format: KernelFormat;
  /** R: output features (matmul), rows of W. */
  readonly rows: number;
  /** C: input features, a multiple of 256. */
  readonly cols: number;
  /** B: activation rows (matmul); 1 for the other ops. */
  readonly batch: number;
  readonly activations: KernelActivations;
  /** Packed weights: rows · cols/256 blocks, exactly a GGUF tensor's data (matmul, dequantize). */
  readonly weight?: Uint8Array;
  /** Activations float32 [batch, cols], row-major (matmul). */
  readonly x?: Float32Array;
  /** Float weights float32 [rows, cols], row-major (quantize). */
  readonly w?: Float32Array;
  /** A name for reports (test-case id, built-in case name). */
  readonly label?: string;
}

/**
 * The element a verdict points at: where it is in the output and where its weight is stored.
 * For matmul the stored position is the harness's best guess at the single weight whose change
 * would explain the error (see judge.ts); col is then that weight's column.
 */
export interface WorstElement {
  /** Flat index into the output (matmul: b·R + r; dequantize: r·C + c; quantize: the byte offset). */
  readonly index: number;
  readonly batch: number;
  readonly row: number;
  readonly col?: number;
  /** Block index within the row. */
  readonly block: number;
  /** Byte offset within the block. */
  readonly byte: number;
  /** TQ2_0: the bit offset (0, 2, 4, 6) of the element's 2-bit code in the byte. */
  readonly bit?: number;
  /** TQ1_0: the trit position (0 = most significant) of the element in the byte. */
  readonly trit?: number;
  readonly expected: number;
  readonly actual: number;
  /** quantize: the elements (indices within the block) the differing byte holds; empty for a scale byte. */
  readonly elements?: readonly number[];
}

/** The outcome of one case. */
export interface CaseVerdict {
  /** True when the case passed; false when it failed or was unsupported. */
  readonly passed: boolean;
  /**
   * Set when the kernel declined the case (exit status 3, spec/kernel-protocol.md §4): the case is
   * skipped, neither passed nor failed; reason says what the kernel said. passed is false.
   */
  readonly unsupported?: true;
  /** Why the case failed or was unsupported (absent when it passed). */
  readonly reason?: string;
  /** max |actual − expected| over elements where both are finite. */
  readonly maxAbsError?: number;
  /** Σ(actual − expected)² / Σ expected² over finite elements (0 when both sums are 0). */
  readonly nmse?: number;
  /**
   * Elements where actual and expected differ and at least one is NaN or ±inf (NaN equal to NaN):
   * they are left out of maxAbsError and nmse, so a failure made only of them shows 0 there.
   */
  readonly nonFinite?: number;
  readonly worst?: WorstElement;
  /** matmul and dequantize failures: the catalogued causes that reproduce the kernel's output (spec/kernel-protocol.md §9). */
  readonly diagnosis?: Diagnosis;
}

/** A catalogued cause of failure that reproduces a kernel's output (spec/kernel-protocol.md §9). */
export interface HypothesisMatch {
  /** The hypothesis's stable name, e.g. "first-block-scale". */
  readonly id: string;
  /** What the kernel does wrong, in words. */
  readonly description: string;
  /** True when the variant equals the output bit for bit; false when it agrees within its bound. */
  readonly exact: boolean;
  /** Outputs compared (all of them). */
  readonly outputs: number;
  /**
   * True when the case cannot tell this cause from others: its variant's output equals another
   * match's bit for bit, or the output is all zero or all NaN. Reported as "ambiguous on this case", not as the cause.
   */
  readonly ambiguous: boolean;
}

/** The causes tested against a failing output and those that reproduce it (spec/kernel-protocol.md §9). */
export interface Diagnosis {
  /** The output the hypotheses were tested against: "y" (matmul), "w" (dequantize) or "weight" (quantize). */
  readonly output: "y" | "w" | "weight";
  /** Ids of the hypotheses that apply to the case, in catalogue order. */
  readonly tried: readonly string[];
  /** The hypotheses that reproduce the output; empty when no catalogued cause does. */
  readonly matches: readonly HypothesisMatch[];
}

/** The exit status by which a kernel declines a case it does not implement (spec/kernel-protocol.md §4). */
export const UNSUPPORTED_EXIT_STATUS = 3;

/** The verdict of a case the kernel declined: skipped, with the kernel's reason. */
export function unsupportedVerdict(reason: string): CaseVerdict {
  return { passed: false, unsupported: true, reason };
}

/** Did the case fail? (An unsupported case did not: it was skipped.) */
export function caseFailed(verdict: CaseVerdict): boolean {
  return !verdict.passed && verdict.unsupported !== true;
}

/** Seconds one kernel run may take unless told otherwise, in `trilm check` and `trilm fuzz` alike. */
export const DEFAULT_TIMEOUT_S = 30;

/** The file names of each role, fixed by the protocol. */
export const ROLE_FILES = {
  weight: "weight.bin",
  x: "x.npy",
  w: "w.npy",
  y: "y.npy",
} as const;

/** A role: a name for one input or output array. */
export type KernelRole = keyof typeof ROLE_FILES;

/** The input roles of an op. */
export function inputRoles(op: KernelOp): readonly KernelRole[] {
  switch (op) {
    case "matmul":
      return ["weight", "x"];
    case "dequantize":
      return ["weight"];
    case "quantize":
      return ["w"];
  }
}

/** The output role of an op. */
export function outputRole(op: KernelOp): KernelRole {
  switch (op) {
    case "matmul":
      return "y";
    case "dequantize":
      return "w";
    case "quantize":
      return "weight";
  }
}

/** The ggml type of a format. */
export function formatType(format: TernaryFormat): GgmlType.TQ1_0 | GgmlType.TQ2_0;
/** The ggml type of a format. */
export function formatType(format: KernelFormat): GgmlType.TQ1_0 | GgmlType.TQ2_0 | GgmlType.Q8_K;
/** The ggml type of a format: TQ1_0, TQ2_0 or Q8_K. */
export function formatType(format: KernelFormat): GgmlType.TQ1_0 | GgmlType.TQ2_0 | GgmlType.Q8_K {
  return format === "tq1_0" ? GgmlType.TQ1_0 : format === "tq2_0" ? GgmlType.TQ2_0 : GgmlType.Q8_K;
}

/** Bytes per block of a format (TQ1_0: 54, TQ2_0: 66, Q8_K: 292). */
export function blockBytes(format: KernelFormat): number {
  return format === "tq1_0" ? TQ1_0_BLOCK_BYTES : format === "tq2_0" ? TQ2_0_BLOCK_BYTES : Q8_K_BLOCK_BYTES;
}

/** Bytes of one packed weight row of `cols` elements (cols/256 blocks of the format). */
export function weightRowBytes(format: KernelFormat, cols: number): number {
  return (cols / QK_K) * blockBytes(format);
}

/** case.json as the protocol defines it. */
export interface CaseJson {
  readonly protocol: number;
  readonly op: KernelOp;
  readonly format: KernelFormat;
  readonly shape: { readonly rows: number; readonly cols: number; readonly batch: number };
  readonly activations: KernelActivations;
  readonly inputs: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly label?: string;
}

/** The case.json object for a case; `activations` is "f32" unless the op is matmul (spec/kernel-protocol.md §2). */
export function caseJsonOf(kernelCase: KernelCase): CaseJson {
  const inputs: Record<string, string> = {};
  for (const role of inputRoles(kernelCase.op)) inputs[role] = ROLE_FILES[role];
  const out = outputRole(kernelCase.op);
  return {
    protocol: PROTOCOL_VERSION,
    op: kernelCase.op,
    format: kernelCase.format,
    shape: { rows: kernelCase.rows, cols: kernelCase.cols, batch: kernelCase.batch },
    // one rule for every source: the field is always there, and only a matmul's says anything
    activations: kernelCase.op === "matmul" ? kernelCase.activations : "f32",
    inputs,
    outputs: { [out]: ROLE_FILES[out] },
    ...(kernelCase.label === undefined ? {} : { label: kernelCase.label }),
  };
}

/** Is `value` one of `options`? */
function oneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return typeof value === "string" && (options as readonly string[]).includes(value);
}

/** A positive safe integer? */
function positiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/**
 * Check the shape of a case (dimensions positive, cols a multiple of 256, batch 1 except for matmul).
 * Returns a problem description, or undefined when the shape is valid.
 */
export function shapeProblem(op: KernelOp, rows: unknown, cols: unknown, batch: unknown): string | undefined {
  if (!positiveInteger(rows)) return `shape.rows must be a positive integer, got ${JSON.stringify(rows)}`;
  if (!positiveInteger(cols) || cols % QK_K !== 0)
    return `shape.cols must be a positive multiple of ${QK_K}, got ${JSON.stringify(cols)}`;
  if (!positiveInteger(batch)) return `shape.batch must be a positive integer, got ${JSON.stringify(batch)}`;
  if (op !== "matmul" && batch !== 1) return `shape.batch must be 1 for ${op}, got ${batch}`;
  return undefined;
}

/**
 * Parse and check the text of case.json. Throws Error with a one-line description of the problem.
 * The inputs/outputs maps must name the protocol's fixed files for the op's roles.
 */
export function parseCaseJson(text: string): CaseJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (jsonDeeperThan(value)) throw new Error(`nests arrays or objects more than ${MAX_JSON_DEPTH} deep`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("must hold a JSON object");
  const o = value as Record<string, unknown>;
  if (o.protocol !== PROTOCOL_VERSION)
    throw new Error(`protocol must be ${PROTOCOL_VERSION}, got ${JSON.stringify(o.protocol)}`);
  if (!oneOf(o.op, KERNEL_OPS))
    throw new Error(`op must be one of ${KERNEL_OPS.join(", ")}, got ${JSON.stringify(o.op)}`);
  if (!oneOf(o.format, KERNEL_FORMATS))
    throw new Error(`format must be one of ${KERNEL_FORMATS.join(", ")}, got ${JSON.stringify(o.format)}`);
  if (!oneOf(o.activations, KERNEL_ACTIVATIONS))
    throw new Error(
      `activations must be one of ${KERNEL_ACTIVATIONS.join(", ")}, got ${JSON.stringify(o.activations)}`,
    );
  const shape = o.shape;
  if (typeof shape !== "object" || shape === null) throw new Error("shape must be an object {rows, cols, batch}");
  const s = shape as Record<string, unknown>;
  const problem = shapeProblem(o.op, s.rows, s.cols, s.batch) ?? formatProblem(o.op, o.format);
  if (problem !== undefined) throw new Error(problem);
  const expected = caseJsonOf({
    op: o.op,
    format: o.format,
    rows: 1,
    cols: QK_K,
    batch: 1,
    activations: o.activations,
  });
  for (const key of ["inputs", "outputs"] as const) {
    const got = JSON.stringify(o[key]);
    const want = JSON.stringify(expected[key]);
    if (got !== want) throw new Error(`${key} must be ${want} for ${o.op}, got ${got}`);
  }
  return {
    ...expected,
    shape: { rows: s.rows as number, cols: s.cols as number, batch: s.batch as number },
    ...(typeof o.label === "string" ? { label: o.label } : {}),
  };
}
