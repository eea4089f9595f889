/**
 * The cases `trilm check` runs a kernel on: a built-in set generated from a seed with the reference
 * codec, a golden suite directory (manifest.json), or one saved case directory; and the report rows.
 * See spec/kernel-protocol.md §7.
 */

import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { GgmlType, quantizeRow, QK_K } from "../../reference/codec/index.js";
import { InputError } from "../errors.js";
import { parseNpy } from "../io/npy.js";
import { deriveSeed, mulberry32, normalish } from "../random/index.js";
import { requireConsistentCase } from "./case-dir.js";
import { describeDiagnosis } from "./diagnose.js";
import {
  Q8K_TIE_MAXIMA,
  q8kEqualMaxBlock,
  q8kTieBlock,
  saturatedQ8KBlock,
  tqHalfTieWeights,
  withBlockScale,
  withNonCanonicalCodes,
} from "./edge-cases.js";
import { ResidentKernel } from "./resident-kernel.js";
import { runKernelOnCase } from "./run-kernel.js";
import {
  formatProblem,
  formatType,
  inputRoles,
  isTernaryFormat,
  KERNEL_ACTIVATIONS,
  KERNEL_FORMATS,
  KERNEL_OPS,
  weightRowBytes,
  type CaseVerdict,
  type KernelActivations,
  type KernelCase,
  type KernelFormat,
  type KernelOp,
  type TernaryFormat,
  type WorstElement,
} from "./protocol.js";

/** One built-in shape/scale scenario of a ternary format. */
interface Scenario {
  readonly name: string;
  readonly rows: number;
  readonly blocks: number;
  readonly batch: number;
  /** Block scale (absmax) of block `blk` of row `r`. */
  readonly scale: (r: number, blk: number) => number;
  /** The ops that take it (default: all three). */
  readonly ops?: readonly KernelOp[];
  /** Activations [batch, cols] (default: normal-ish, scenarioActivations). */
  readonly x?: (next: () => number, batch: number, cols: number) => Float32Array;
  /** Weights [rows, cols] (default: ternary times the block scale, scenarioWeights). */
  readonly w?: (next: () => number, rows: number, cols: number) => Float32Array;
  /** Packed weights changed after quantizing: scale bits or codes the encoder never writes. */
  readonly patch?: (format: TernaryFormat, weight: Uint8Array) => Uint8Array;
  /** Activations with outliers. */
  readonly outliers?: boolean;
}

/** [n, cols] values whose every 256-block is q8kTieBlock of the next of Q8K_TIE_MAXIMA (max at a drawn position). */
function q8kTieRows(next: () => number, n: number, cols: number): Float32Array {
  const x = new Float32Array(n * cols);
  for (let i = 0; i < x.length / QK_K; i++) {
    const max = Q8K_TIE_MAXIMA[i % Q8K_TIE_MAXIMA.length];
    x.set(q8kTieBlock(max, Math.floor(next() * QK_K), next), i * QK_K);
  }
  return x;
}

/** [n, cols] normal-ish values. */
function normalRows(next: () => number, n: number, cols: number): Float32Array {
  return Float32Array.from({ length: n * cols }, () => normalish(next));
}

const SCENARIOS: readonly Scenario[] = [
  { name: "1x1-block", rows: 1, blocks: 1, batch: 1, scale: () => 1 },
  { name: "1x2-blocks", rows: 1, blocks: 2, batch: 1, scale: (_r, b) => (b === 0 ? 0.5 : 2) },
  { name: "5x3-blocks", rows: 5, blocks: 3, batch: 1, scale: (r, b) => 0.25 + 0.5 * ((r + b) % 4) },
  { name: "4x2-blocks-batch3", rows: 4, blocks: 2, batch: 3, scale: (r) => 1 + r },
  { name: "zero-block", rows: 2, blocks: 2, batch: 1, scale: (r, b) => (r === 0 && b === 1 ? 0 : 1) },
  { name: "subnormal-scale", rows: 2, blocks: 2, batch: 1, scale: (_r, b) => (b === 0 ? 1e-5 : 3e-8) },
  { name: "large-scale", rows: 2, blocks: 2, batch: 1, scale: (_r, b) => (b === 0 ? 60000 : 2048) },
  { name: "outlier-activations", rows: 3, blocks: 2, batch: 2, scale: () => 1, outliers: true, ops: ["matmul"] },
  {
    // x·iscale exactly k + ½ in float32 (spec/formats.md §6.2): ties away from zero fail here
    name: "q8k-ties-batch2",
    rows: 3,
    blocks: 3,
    batch: 2,
    scale: (r) => 0.5 + r,
    ops: ["matmul"],
    x: q8kTieRows,
  },
  {
    name: "zero-x-block-batch2",
    rows: 2,
    blocks: 2,
    batch: 2,
    scale: () => 1,
    ops: ["matmul"],
    x: (next, batch, cols) => normalRows(next, batch, cols).fill(0, cols, cols + QK_K),
  },
  {
    // ±d/2 with d a power of two: fl32(x·id) = ±½ exactly, lroundf rounds away from zero (spec/formats.md §3)
    name: "tq-half-ties",
    rows: 2,
    blocks: 2,
    batch: 1,
    scale: () => 1,
    w: (next, rows, cols) => {
      const w = new Float32Array(rows * cols);
      for (let i = 0; i < w.length / QK_K; i++) w.set(tqHalfTieWeights([1, 0.5, 2, 0.25][i % 4], next), i * QK_K);
      return w;
    },
  },
  {
    // fp16 65504, +inf and NaN block scales, set in the bytes (no encoder writes NaN): the last block of each row
    name: "max-inf-nan-scales",
    rows: 3,
    blocks: 2,
    batch: 1,
    scale: () => 1,
    ops: ["matmul", "dequantize"],
    patch: (format, weight) =>
      [0x7bff, 0x7c00, 0x7e00].reduce((wt, bits, r) => withBlockScale(format, wt, r * 2 + 1, bits), weight),
  },
  {
    // non-finite scales on zero dots, reference NaN (spec/formats.md §8.1): weights all 0 under +inf (row 0, block 1)
    // and NaN (row 1, block 0); −inf on row 2's block 1, whose activations in batch row 1 are all zero
    name: "nonfinite-scale-zero-dot-batch2",
    rows: 3,
    blocks: 2,
    batch: 2,
    scale: (r, b) => ((r === 0 && b === 1) || (r === 1 && b === 0) ? 0 : 1),
    ops: ["matmul"],
    x: (next, batch, cols) => normalRows(next, batch, cols).fill(0, cols + QK_K, 2 * cols),
    patch: (format, weight) =>
      [
        [1, 0x7c00],
        [2, 0x7e00],
        [5, 0xfc00],
      ].reduce((wt, [i, bits]) => withBlockScale(format, wt, i, bits), weight),
  },
  {
    // weights all +1 against Q8_K-saturated activations: Σ code·q8 of a block is −65024 or +64516, beyond int16
    name: "max-block-sum-batch2",
    rows: 2,
    blocks: 2,
    batch: 2,
    scale: () => 1,
    ops: ["matmul"],
    w: (_next, rows, cols) => Float32Array.from({ length: rows * cols }, (_, i) => (i < cols ? 1 : 0.5)),
    x: (_next, batch, cols) => {
      const x = new Float32Array(batch * cols);
      const blocks = [
        [1.5, false],
        [-2.25, true],
        [0.75, true],
        [-0.5, false],
      ] as const;
      blocks.forEach(([value, flipped], i) => x.set(saturatedQ8KBlock(value, flipped), i * QK_K));
      return x;
    },
  },
  {
    // TQ2_0 code 3 / the 13 TQ1_0 alias bytes in the last block of the last row (spec/formats.md §4.5, §5.6)
    name: "non-canonical-codes",
    rows: 2,
    blocks: 2,
    batch: 1,
    scale: () => 1,
    ops: ["matmul", "dequantize"],
    patch: (format, weight) => withNonCanonicalCodes(format, weight, 3),
  },
];

/** Float weights [rows, cols]: ternary values times each block's scale, with noise so quantizing rounds. */
function scenarioWeights(s: Scenario, seed: number, noisy: boolean): Float32Array {
  const next = mulberry32(deriveSeed(seed, `${s.name}/w`));
  const cols = s.blocks * QK_K;
  if (s.w !== undefined) return s.w(next, s.rows, cols);
  const w = new Float32Array(s.rows * cols);
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < cols; c++) {
      const d = s.scale(r, Math.floor(c / QK_K));
      const u = next();
      const trit = c % QK_K === 7 ? 1 : u < 1 / 3 ? 0 : u < 2 / 3 ? -1 : 1; // one element sets the absmax
      const noise = noisy && c % QK_K !== 7 ? (next() - 0.5) * 0.9 : 0;
      w[r * cols + c] = Math.fround(d * Math.max(-1, Math.min(1, trit + noise)));
    }
  }
  return w;
}

/** Activations [batch, cols]: normal-ish, with a few large outliers when asked, or the scenario's own. */
function scenarioActivations(s: Scenario, seed: number): Float32Array {
  const next = mulberry32(deriveSeed(seed, `${s.name}/x`));
  if (s.x !== undefined) return s.x(next, s.batch, s.blocks * QK_K);
  const x = new Float32Array(s.batch * s.blocks * QK_K);
  for (let i = 0; i < x.length; i++) x[i] = normalish(next);
  if (s.outliers === true) for (let i = 13; i < x.length; i += 97) x[i] = (i % 2 === 0 ? 1 : -1) * 300 * (1 + next());
  return x;
}

/** One built-in scenario of q8_K (quantize, dequantize): float values [rows, cols] to quantize. */
interface Q8KScenario {
  readonly name: string;
  readonly rows: number;
  readonly blocks: number;
  readonly values: (next: () => number, rows: number, cols: number) => Float32Array;
}

const Q8K_SCENARIOS: readonly Q8KScenario[] = [
  { name: "1x1-block", rows: 1, blocks: 1, values: normalRows },
  { name: "3x2-blocks", rows: 3, blocks: 2, values: normalRows },
  {
    name: "zero-block",
    rows: 2,
    blocks: 2,
    values: (next, rows, cols) => normalRows(next, rows, cols).fill(0, 0, QK_K),
  },
  // x·iscale exactly k + ½ (spec/formats.md §6.2): round half to even, not away from zero
  { name: "ties", rows: 2, blocks: 3, values: q8kTieRows },
  {
    // equal largest magnitudes of opposite sign: the first is max and fixes the sign of d and of every code
    name: "equal-max",
    rows: 2,
    blocks: 2,
    values: (next, rows, cols) => {
      const x = new Float32Array(rows * cols);
      [2.5, -2.5, 0.75, -96].forEach((first, i) => x.set(q8kEqualMaxBlock(first, next), i * QK_K));
      return x;
    },
  },
  {
    name: "outliers",
    rows: 2,
    blocks: 2,
    values: (next, rows, cols) => normalRows(next, rows, cols).map((v, i) => (i % 97 === 13 ? v * 300 : v)),
  },
];

/** The built-in q8_K cases of quantize or dequantize. */
function q8kBuiltinCases(op: "quantize" | "dequantize", seed: number): KernelCase[] {
  return Q8K_SCENARIOS.map((s) => {
    const cols = s.blocks * QK_K;
    const values = s.values(mulberry32(deriveSeed(seed, `q8_K/${s.name}/w`)), s.rows, cols);
    const base = { op, format: "q8_K" as const, rows: s.rows, cols, batch: 1, activations: "f32" as const };
    const label = `${op}-q8_K-${s.name}`;
    return op === "quantize"
      ? { ...base, label, w: values }
      : { ...base, label, weight: quantizeRow(GgmlType.Q8_K, values) };
  });
}

/** Options of builtinCases. */
export interface BuiltinCaseOptions {
  readonly seed: number;
  /** matmul: only this activation mode (default: both f32 and ggml). */
  readonly activations?: KernelActivations;
}

/**
 * The built-in cases of `op` in `format`, generated deterministically from options.seed with the
 * reference codec, the edges of spec/kernel-protocol.md §6.1 among them. Ternary formats: one row
 * of one block, one row of two blocks, several rows and blocks, a batch, a zero block, fp16-subnormal
 * scales, large scales, activations with outliers, Q8_K ties and an all-zero activation block
 * (matmul), weights at ±½·d, fp16 65504 / inf / NaN scales, code 3 or alias bytes; matmul cases in
 * each activation mode asked for. q8_K (quantize, dequantize): random rows, a zero block, ties,
 * equal maxima of opposite sign, outliers. RangeError for a matmul of q8_K.
 */
export function builtinCases(op: KernelOp, format: KernelFormat, options: BuiltinCaseOptions): KernelCase[] {
  if (!isTernaryFormat(format)) {
    if (op === "matmul") throw new RangeError(formatProblem(op, format));
    return q8kBuiltinCases(op, options.seed);
  }
  const type = formatType(format);
  const modes: readonly KernelActivations[] =
    op !== "matmul" ? ["f32"] : options.activations === undefined ? KERNEL_ACTIVATIONS : [options.activations];
  const cases: KernelCase[] = [];
  for (const s of SCENARIOS) {
    if (s.ops !== undefined && !s.ops.includes(op)) continue;
    const cols = s.blocks * QK_K;
    const batch = op === "matmul" ? s.batch : 1;
    const w = scenarioWeights(s, options.seed, op === "quantize" && s.w === undefined);
    const packed = (): Uint8Array => (s.patch ?? ((_f, bytes) => bytes))(format, quantizeRow(type, w));
    for (const activations of modes) {
      const label =
        op === "matmul"
          ? `${op}-${format}-${s.name}-${activations}`
          : `${op}-${format}-${s.name.replace(/-batch\d+$/, "")}`;
      const base = { op, format, rows: s.rows, cols, batch, activations, label };
      if (op === "quantize") cases.push({ ...base, w });
      else if (op === "dequantize") cases.push({ ...base, weight: packed() });
      else cases.push({ ...base, weight: packed(), x: scenarioActivations(s, options.seed) });
    }
  }
  return cases;
}

/** A case of a suite, or a test of it that cannot be run (with why). */
export type SuiteEntry =
  { readonly label: string; readonly kernelCase: KernelCase } | { readonly label: string; readonly skipped: string };

/** Which suite tests to take. */
export interface SuiteFilter {
  readonly op?: KernelOp;
  readonly format?: KernelFormat;
  readonly activations?: KernelActivations;
}

type Json = Record<string, unknown>;

/** A JSON object, or undefined. */
function asObject(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** The first of `keys` present as a number in any of `sources`. */
function numberParam(sources: readonly (Json | undefined)[], key: string): number | undefined {
  for (const s of sources) {
    const v = s?.[key] ?? asObject(s?.shape)?.[key];
    if (typeof v === "number") return v;
  }
  return undefined;
}

/** The first of `key` present as a string in any of `sources`. */
function stringParam(sources: readonly (Json | undefined)[], key: string): string | undefined {
  for (const s of sources) {
    const v = s?.[key];
    if (typeof v === "string") return v;
  }
  return undefined;
}

/** A float32 .npy file of the suite: its shape and data. */
function readSuiteNpy(path: string): { shape: readonly number[]; data: Float32Array } {
  const array = parseNpy(new Uint8Array(readFileSync(path)), path);
  if (array.dtype !== "<f4") throw new Error(`${path}: dtype '${array.dtype}', expected '<f4'`);
  return array;
}

/** One suite test as a case. Throws Error with the reason it cannot be run. */
function suiteCase(
  dir: string,
  group: Json,
  test: Json,
  op: KernelOp,
  format: KernelFormat,
  label: string,
): KernelCase {
  const files = asObject(test.files) ?? {};
  const path = (role: string): string => {
    const entry = files[role];
    const name = typeof entry === "string" ? entry : asObject(entry)?.file;
    if (typeof name !== "string") throw new Error(`no '${role}' file`);
    return resolve(dir, name);
  };
  const sources = [test, asObject(test.params), group, asObject(group.params)];
  // activations matter to a matmul only; every other op's case says f32, as built-in cases do
  const activations = op === "matmul" ? (stringParam(sources, "activations") ?? "ggml") : "f32";
  if (!(KERNEL_ACTIVATIONS as readonly string[]).includes(activations))
    throw new Error(`unknown activations '${activations}'`);
  let rows = numberParam(sources, "rows");
  let cols = numberParam(sources, "cols");
  let batch = numberParam(sources, "batch");
  const inputs: { weight?: Uint8Array; x?: Float32Array; w?: Float32Array } = {};
  for (const role of inputRoles(op)) {
    if (role === "weight") inputs.weight = new Uint8Array(readFileSync(path("weight")));
    else {
      const array = readSuiteNpy(path(role));
      const [outer, inner] = array.shape.length === 2 ? array.shape : [1, array.shape[0]];
      cols ??= inner;
      if (role === "x") batch ??= outer;
      else rows ??= outer;
      inputs[role as "x" | "w"] = array.data;
    }
  }
  if (cols === undefined) {
    const out = files[op === "dequantize" ? "w" : "y"];
    const name = typeof out === "string" ? out : asObject(out)?.file;
    if (typeof name === "string") cols = readSuiteNpy(resolve(dir, name)).shape.at(-1);
  }
  if (cols === undefined || cols % QK_K !== 0) throw new Error("no usable cols (give shape params or an input .npy)");
  if (rows === undefined && inputs.weight !== undefined) rows = inputs.weight.length / weightRowBytes(format, cols);
  const kernelCase: KernelCase = {
    op,
    format,
    rows: rows ?? 0,
    cols,
    batch: batch ?? 1,
    activations: activations as KernelActivations,
    label,
    ...inputs,
  };
  requireConsistentCase(kernelCase);
  return kernelCase;
}

/**
 * The cases of a golden suite directory: manifest.json's testGroups whose op and format are
 * kernel ops/formats (and match `filter`); groups of other ops (rmsnorm, model, …) and formats (q8_K)
 * are left out. Each test's inputs are its `files` (role → `{ file }` or a path, relative to the
 * suite directory; the expected outputs are not read: the reference recomputes them); the shape and
 * activations come from rows/cols/batch/activations in the test, its params, the group or the
 * group's params (a matmul's default activations: ggml; every other op's: f32), else from the input .npy shapes. Tests whose result is
 * "invalid" are listed as skipped.
 * InputError when manifest.json is missing or not a manifest.
 */
export function suiteCases(dir: string, filter: SuiteFilter = {}): SuiteEntry[] {
  const manifestPath = join(dir, "manifest.json");
  let manifest: Json | undefined;
  try {
    manifest = asObject(JSON.parse(readFileSync(manifestPath, "utf8")));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      manifestPath,
      code === "ENOENT" ? "no such file" : `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (manifest === undefined || !Array.isArray(manifest.testGroups))
    throw new InputError(manifestPath, "has no testGroups array");
  const entries: SuiteEntry[] = [];
  for (const g of manifest.testGroups) {
    const group = asObject(g);
    if (group === undefined) continue;
    const op = group.op;
    const format = group.format;
    if (!(KERNEL_OPS as readonly unknown[]).includes(op) || !(KERNEL_FORMATS as readonly unknown[]).includes(format))
      continue;
    if ((filter.op !== undefined && op !== filter.op) || (filter.format !== undefined && format !== filter.format))
      continue;
    for (const t of Array.isArray(group.tests) ? group.tests : []) {
      const test = asObject(t);
      if (test === undefined) continue;
      const label =
        test.tcId === undefined ? `${String(op)}-${String(format)}-${entries.length}` : `tc${String(test.tcId)}`;
      if (test.result === "invalid") {
        entries.push({ label, skipped: "result is invalid" });
        continue;
      }
      try {
        const kernelCase = suiteCase(dir, group, test, op as KernelOp, format as KernelFormat, label);
        if (filter.activations !== undefined && op === "matmul" && kernelCase.activations !== filter.activations)
          continue;
        entries.push({ label, kernelCase });
      } catch (error) {
        entries.push({ label, skipped: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  return entries;
}

/** The outcome of one case of a check. */
export interface CheckResult {
  readonly label: string;
  readonly verdict?: CaseVerdict;
  /** Set when the case was not run. */
  readonly skipped?: string;
  readonly format?: KernelFormat;
}

/**
 * Run `command` on every entry in order, calling onResult after each: one process per case, or with
 * options.resident one resident process for all of them (spec/kernel-protocol.md §8). Never throws
 * for kernel faults.
 */
export async function runCheck(
  command: string,
  entries: readonly SuiteEntry[],
  options: {
    readonly timeoutS: number;
    readonly resident?: boolean;
    readonly onResult?: (result: CheckResult) => void;
  },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const resident = options.resident === true ? new ResidentKernel(command, { timeoutS: options.timeoutS }) : undefined;
  try {
    await runEntries(command, entries, options, resident, results);
  } finally {
    await resident?.close();
  }
  return results;
}

/** runCheck's loop: results are pushed to `results` as they come. */
async function runEntries(
  command: string,
  entries: readonly SuiteEntry[],
  options: { readonly timeoutS: number; readonly onResult?: (result: CheckResult) => void },
  resident: ResidentKernel | undefined,
  results: CheckResult[],
): Promise<void> {
  for (const entry of entries) {
    const result: CheckResult =
      "skipped" in entry
        ? { label: entry.label, skipped: entry.skipped }
        : {
            label: entry.label,
            format: entry.kernelCase.format,
            verdict:
              resident === undefined
                ? await runKernelOnCase(command, entry.kernelCase, { timeoutS: options.timeoutS })
                : await resident.runCase(entry.kernelCase),
          };
    results.push(result);
    options.onResult?.(result);
  }
}

/** A number in reports: 4 significant digits. */
function short(v: number | undefined): string {
  if (v === undefined) return "-";
  if (Number.isNaN(v)) return "NaN";
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return v.toPrecision(4);
}

/** The worst element as the report's cell: "b1 r2 c300 block 1 byte 12 bit 2" (batch, row, col, where stored); "-" for none. */
export function worstElementCell(worst: WorstElement | undefined): string {
  if (worst === undefined) return "-";
  const parts = [`b${worst.batch} r${worst.row}`];
  if (worst.col !== undefined) parts.push(`c${worst.col}`);
  parts.push(`block ${worst.block} byte ${worst.byte}`);
  if (worst.bit !== undefined) parts.push(`bit ${worst.bit}`);
  if (worst.trit !== undefined) parts.push(`trit ${worst.trit}`);
  return parts.join(" ");
}

/**
 * A result's status: PASS, FAIL, or SKIP for a case not run (a suite test that cannot be read) or
 * one the kernel declined as unsupported (spec/kernel-protocol.md §4).
 */
export function checkStatus(result: CheckResult): "PASS" | "FAIL" | "SKIP" {
  if (result.verdict === undefined || result.verdict.unsupported === true) return "SKIP";
  return result.verdict.passed ? "PASS" : "FAIL";
}

/** The counts of a check. */
export interface CheckSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

/** How many results passed, failed and were skipped. */
export function summarizeCheck(results: readonly CheckResult[]): CheckSummary {
  const count = (status: string): number => results.filter((r) => checkStatus(r) === status).length;
  return { passed: count("PASS"), failed: count("FAIL"), skipped: count("SKIP") };
}

/** The report's closing line: "N passed, N failed, N skipped". */
export function checkSummaryLine(summary: CheckSummary): string {
  return `${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`;
}

/**
 * The report cells of one result: case, status, max abs error, NMSE, non-finite mismatches, worst
 * element, reason. A diagnosed failure (matmul, dequantize, quantize) leads its reason with the diagnosis
 * (spec/kernel-protocol.md §9); a matmul's worst element, a heuristic, is labelled "guess:".
 */
export function checkRowCells(result: CheckResult): string[] {
  const status = checkStatus(result);
  const v = result.verdict;
  if (v === undefined || status === "SKIP")
    return [result.label, status, "-", "-", "-", "-", result.skipped ?? v?.reason ?? ""];
  return [
    result.label,
    status,
    short(v.maxAbsError),
    short(v.nmse),
    v.nonFinite === undefined ? "-" : String(v.nonFinite),
    v.diagnosis?.output === "y" && v.worst !== undefined
      ? `guess: ${worstElementCell(v.worst)}`
      : worstElementCell(v.worst),
    v.passed
      ? ""
      : v.diagnosis === undefined
        ? (v.reason ?? "")
        : `${describeDiagnosis(v.diagnosis)}; ${v.reason ?? ""}`,
  ];
}

/** Column headers of the report ("non-finite": mismatches left out of max abs err and nmse, CaseVerdict.nonFinite). */
export const CHECK_HEADER: readonly string[] = [
  "case",
  "result",
  "max abs err",
  "nmse",
  "non-finite",
  "worst element",
  "reason",
];
